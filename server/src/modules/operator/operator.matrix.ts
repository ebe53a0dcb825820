import type { ModuleMatrix } from '../../../test/matrix.ts';
import { defaultIdentity } from './operator.defaults.ts';

/** Anyone reads the operator's identity (the login page's footer shows it); only the platform administrator changes it. */
export const matrix: ModuleMatrix = {
  'GET /api/operator': [() => ({ url: '/api/operator' }), [200, 200, 200, 200, 200, 200, 200, 200, 200]],
  'PUT /api/operator': [
    () => ({ url: '/api/operator', body: { ...defaultIdentity('fr'), name: 'Région Île-de-France', kind: 'region' } }),
    [401, 403, 403, 403, 403, 403, 403, 200, 403],
  ],
  'GET /api/operator/caches': [() => ({ url: '/api/operator/caches' }), [401, 403, 403, 403, 403, 403, 403, 200, 403]],
};
