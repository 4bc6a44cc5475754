// The project chosen in the switcher at the top left (seed 002: "Open the Project dropdown ... select the project"),
// remembered across reloads in this browser.
import { createContext, useContext, useState, type ReactNode } from 'react';

const KEY = 'portcullis.console.project';
const Ctx = createContext<{ project?: string; setProject(p: string | undefined): void } | undefined>(undefined);

export function ProjectProvider({ children }: { children: ReactNode }) {
  const [project, set] = useState<string | undefined>(() => localStorage.getItem(KEY) ?? undefined);
  const setProject = (p: string | undefined) => {
    if (p) localStorage.setItem(KEY, p); else localStorage.removeItem(KEY);
    set(p);
  };
  return <Ctx.Provider value={{ project, setProject }}>{children}</Ctx.Provider>;
}

export function useProject() {
  const c = useContext(Ctx);
  if (!c) throw new Error('useProject outside ProjectProvider');
  return c;
}
