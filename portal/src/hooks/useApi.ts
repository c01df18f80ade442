import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/client';
import type { SignedInPerson } from '../auth/msal';

export interface Session {
  readonly api: ApiClient;
  readonly person: SignedInPerson;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in session');
  return session;
}
