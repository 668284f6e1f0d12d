import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, configureApi } from './api/client';
import { App, type AppContext } from './app-context';
import { loadConfig, type ConsoleConfig } from './auth/config';
import { clearSession, storeSession, storedSession, type Session } from './auth/session';
import { browserLocale } from './format';
import { router } from './router';
import './ui/styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers will not change by asking again
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
      staleTime: 10_000,
    },
  },
});

function Root({ config }: { config: ConsoleConfig }) {
  const [session, setSession] = useState<Session | undefined>(() => storedSession());
  const [signedOutBecause, setSignedOutBecause] = useState<string>();
  const app = useMemo<AppContext>(() => {
    const signOut = (reason?: string) => {
      clearSession();
      queryClient.clear();
      setSignedOutBecause(reason);
      setSession(undefined);
    };
    configureApi({ baseUrl: config.apiUrl, token: () => session?.token, onUnauthorized: signOut });
    return {
      config,
      session,
      ...(signedOutBecause ? { signedOutBecause } : {}),
      locale: { locale: browserLocale().locale, timeZone: session?.user.timeZone ?? browserLocale().timeZone },
      signIn: (token) => {
        queryClient.clear();
        setSession(storeSession(token));
      },
      signOut,
    };
  }, [config, session, signedOutBecause]);
  return (
    <App.Provider value={app}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} context={{ app }} />
      </QueryClientProvider>
    </App.Provider>
  );
}

const config = await loadConfig();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root config={config} />
  </StrictMode>,
);
