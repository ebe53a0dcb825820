import type { OperatorIdentity } from '@preau/contracts';
import { useQuery } from '@tanstack/react-query';
import { call } from './api.ts';

/**
 * The operator of this instance (GET /api/operator, public): the header's and footer's name, logo and links, the
 * legal notice and the accessibility statement. Fetched once; refetched when the language changes (the first-start
 * default is worded in the reader's language) and after the platform administrator saves it.
 */
export function useOperator() {
  return useQuery({
    queryKey: ['operator'],
    queryFn: () => call('GET /api/operator'),
    staleTime: Number.POSITIVE_INFINITY,
    retry: 1,
  });
}

/** The DSFR Marianne block ("République française") belongs to State services only. */
export const showsMarianne = (o: Pick<OperatorIdentity, 'kind'> | undefined) => o?.kind === 'state';

/** The lines of the Marianne block, as the operator wrote them (`République\nFrançaise`). */
export function brandLines(o: Pick<OperatorIdentity, 'brandTop'>): string[] {
  const lines = o.brandTop
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 ? lines : ['République', 'Française'];
}
