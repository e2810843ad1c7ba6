import { createContext, useContext } from 'react';
import type { Session } from '../api/types';

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session. Only for components rendered under RequireAuth. */
export function useCurrentSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useCurrentSession used outside RequireAuth');
  return session;
}
