import type { EstablishmentService, PortalResponse } from '@preau/contracts';
import { useQuery } from '@tanstack/react-query';
import { get, withQuery } from '../../app/api.ts';

export function usePortal(establishmentId: string | undefined) {
  return useQuery({
    queryKey: ['portal', establishmentId],
    queryFn: () => get<PortalResponse>(withQuery('/api/portal', { establishment: establishmentId })),
    enabled: !!establishmentId,
  });
}

export function usePortalService(establishmentId: string | undefined, key: string) {
  return useQuery({
    queryKey: ['portal', establishmentId, 'service', key],
    queryFn: () =>
      get<EstablishmentService>(withQuery(`/api/portal/services/${key}`, { establishment: establishmentId })),
    enabled: !!establishmentId,
    retry: false,
  });
}
