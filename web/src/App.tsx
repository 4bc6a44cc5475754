// The console application: theme, query cache, session and project context. The sign-in page is all the first load
// brings; the shell and the pages come after sign-in (SignedIn.tsx). Paths live under /console.
import { lazy, Suspense } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { CssBaseline, ThemeProvider, createTheme } from '@mui/material';
import { Router } from 'wouter';
import { SessionProvider, useSession } from './lib/session.tsx';
import { ProjectProvider } from './lib/project.tsx';
import { Login } from './pages/Login.tsx';
import { Loading } from './components/Loading.tsx';

const SignedIn = lazy(() => import('./SignedIn.tsx'));

const theme = createTheme({ palette: { primary: { main: '#1f4e79' }, secondary: { main: '#7a3b00' } } });
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 } } });

function Pages() {
  const { session, loading } = useSession();
  if (loading) return <Loading />;
  if (!session) return <Login />;
  return <Suspense fallback={<Loading />}><SignedIn /></Suspense>;
}

export function App() {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <QueryClientProvider client={queryClient}>
        <Router base="/console">
          <SessionProvider>
            <ProjectProvider>
              <Pages />
            </ProjectProvider>
          </SessionProvider>
        </Router>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
