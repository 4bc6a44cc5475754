// Sign-in: username and password (the platform User's argon2id password), and the identity providers the server
// offers for this URL (global ones on /login, a project's own too on /login/<project>).
import { useState, type FormEvent } from 'react';
import { Alert, Box, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { get, qs } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';

interface LoginOptions { password: boolean; providers: Array<{ name: string; displayName?: string; url: string }> }

export function Login() {
  const { signIn, notice } = useSession();
  const [location] = useLocation();
  const project = /^\/login\/([^/]+)/.exec(location)?.[1];
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const opts = useQuery({ queryKey: ['login-options', project], queryFn: () => get<LoginOptions>(`/platform/v1/session/login${qs({ project })}`) });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try { await signIn(username, password); } catch (err) { setError((err as Error).message); } finally { setBusy(false); }
  };
  return (
    <Box component="main" sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', bgcolor: 'grey.100', p: 2 }}>
      <Card sx={{ width: '100%', maxWidth: 400 }}>
        <CardContent>
          <Typography variant="h5" component="h1" gutterBottom>Sign in to Portcullis</Typography>
          {project && <Typography variant="body2" gutterBottom>Project: {decodeURIComponent(project)}</Typography>}
          {notice && <Alert severity="info" sx={{ mb: 2 }}>{notice}</Alert>}
          {error && <Alert severity="error" sx={{ mb: 2 }} role="alert">{error}</Alert>}
          <Stack component="form" spacing={2} onSubmit={submit} aria-label="Sign in with a password">
            <TextField label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
            <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            <Button type="submit" variant="contained" disabled={busy}>Sign in</Button>
          </Stack>
          {(opts.data?.providers.length ?? 0) > 0 && (
            <Stack spacing={1} sx={{ mt: 3 }} aria-label="Identity providers">
              <Typography variant="body2">Or sign in with</Typography>
              {opts.data!.providers.map((p) => <Button key={p.name} variant="outlined" href={p.url}>{p.displayName ?? p.name}</Button>)}
            </Stack>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
