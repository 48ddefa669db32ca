import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { DisplayMe, Me } from '../../../shared/access.js';
import { api, setCsrfToken } from '../api/http.js';

export interface SessionReply {
  ok: true;
  principal: Me | DisplayMe | null;
  needsSetup: boolean;
}

export const SESSION_KEY = ['session'] as const;

export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      const s = await api<SessionReply>('/api/v1/session');
      setCsrfToken(s.principal?.kind === 'user' ? s.principal.csrfToken : null);
      return s;
    },
    staleTime: 60_000,
  });
}

/** After sign-in, sign-out or revocation: forget everything cached for the previous principal. */
export function useResetSession() {
  const qc = useQueryClient();
  return async () => {
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    await qc.invalidateQueries({ queryKey: SESSION_KEY });
  };
}
