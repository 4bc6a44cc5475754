// The signed-in session: who the user is and what the console may show them (GET /platform/v1/session), sign-in,
// sign-out, "log out everywhere", and what happens when the server stops accepting the session (401 → sign in again).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, csrfToken, get, onUnauthorized, post } from './api.ts';
import type { SessionInfo } from './types.ts';

interface SessionState {
  session?: SessionInfo;
  loading: boolean;
  /** Why the user sees the sign-in page (e.g. the session expired). */
  notice?: string;
  signIn(username: string, password: string): Promise<void>;
  signOut(everywhere?: boolean): Promise<void>;
}

const Ctx = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [notice, setNotice] = useState<string>();
  const q = useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      // without the CSRF cookie this browser holds no session: show the sign-in page at once
      if (!csrfToken()) return null;
      try { return (await get<{ status: SessionInfo }>('/platform/v1/session')).status; } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
        throw e;
      }
    },
    retry: false, staleTime: Infinity,
  });
  const session = q.data ?? undefined;
  useEffect(() => onUnauthorized(() => {
    if (qc.getQueryData(['session'])) setNotice('Your session has ended (it expired, was revoked, or you signed out elsewhere). Sign in again.');
    qc.setQueryData(['session'], null);
    qc.removeQueries({ predicate: (x) => x.queryKey[0] !== 'session' });
  }), [qc]);
  const signIn = useCallback(async (username: string, password: string) => {
    await post('/platform/v1/session/login', { username, password });
    setNotice(undefined);
    qc.removeQueries({ predicate: (x) => x.queryKey[0] !== 'session' });
    await qc.invalidateQueries({ queryKey: ['session'] });
  }, [qc]);
  const signOut = useCallback(async (everywhere = false) => {
    try { await post(everywhere ? '/platform/v1/session/logout-everywhere' : '/platform/v1/session/logout'); } finally {
      setNotice(everywhere ? 'Every session of yours has been ended.' : 'You have signed out.');
      qc.setQueryData(['session'], null);
      qc.removeQueries({ predicate: (x) => x.queryKey[0] !== 'session' });
    }
  }, [qc]);
  return <Ctx.Provider value={{ session, loading: q.isPending, notice, signIn, signOut }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in session (inside the shell, which only renders with one). */
export function useMe(): SessionInfo {
  const s = useSession().session;
  if (!s) throw new Error('not signed in');
  return s;
}
