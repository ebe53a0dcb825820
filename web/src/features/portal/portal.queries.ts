import type { ServiceKey } from '@preau/contracts';
import { useQuery } from '@tanstack/react-query';
import { call } from '../../app/api.ts';

export function usePortal(establishmentId: string | undefined) {
  return useQuery({
    queryKey: ['portal', establishmentId],
    queryFn: () => call('GET /api/portal', { query: { establishment: establishmentId } }),
    enabled: !!establishmentId,
  });
}

/** The first screen in one request: the portal and the widgets of the services open to the reader. */
export function useHome(establishmentId: string | undefined) {
  return useQuery({
    queryKey: ['home', establishmentId],
    queryFn: () => call('GET /api/home', { query: { establishment: establishmentId } }),
    enabled: !!establishmentId,
  });
}

export function usePortalService(establishmentId: string | undefined, key: string) {
  return useQuery({
    queryKey: ['portal', establishmentId, 'service', key],
    queryFn: () =>
      call('GET /api/portal/services/:key', {
        params: { key: key as ServiceKey },
        query: { establishment: establishmentId },
      }),
    enabled: !!establishmentId,
    retry: false,
  });
}
