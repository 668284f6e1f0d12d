import { createContext, useContext } from 'react';
import type { Session } from './auth/session';
import type { ConsoleConfig } from './auth/config';
import type { Locale } from './format';

export interface AppContext {
  config: ConsoleConfig;
  session: Session | undefined;
  locale: Locale;
  /** why the last session ended, when the API ended it (an expired token, say) */
  signedOutBecause?: string;
  signIn(token: string): void;
  signOut(reason?: string): void;
}

export const App = createContext<AppContext | undefined>(undefined);

export function useApp(): AppContext {
  const app = useContext(App);
  if (!app) throw new Error('useApp outside <App.Provider>');
  return app;
}

/** The signed-in person (pages behind sign-in only). */
export function useMe() {
  const { session } = useApp();
  if (!session) throw new Error('no session');
  return session.user;
}
