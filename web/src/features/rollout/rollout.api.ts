import { useQuery } from '@tanstack/react-query';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';

/** The establishment shown (the one chosen in the header), whose rollout the pages are about. */
export function useEstablishmentId(): string {
  return useAuth().membership?.establishment.id ?? '';
}

/** The caller's part in the rollout there: direction, steering group, resource person. */
export function useRolloutMe() {
  const establishment = useEstablishmentId();
  return useQuery({
    queryKey: ['rollout', establishment, 'me'],
    queryFn: () => call('GET /api/rollout/me', { query: { establishment } }),
    enabled: !!establishment,
  });
}

/** Every rollout query of the establishment, to refresh after a change. */
export const rolloutKey = (establishment: string, ...rest: string[]) => ['rollout', establishment, ...rest];
