import { ALL_MEMBERS, type ModuleMatrix } from '../../../test/matrix.ts';

/** Everyone signed in reads the register and downloads their own data; nobody anonymous. */
export const matrix: ModuleMatrix = {
  'GET /api/privacy/register': [() => ({ url: '/api/privacy/register' }), ALL_MEMBERS(200)],
  'GET /api/privacy/my-data': [() => ({ url: '/api/privacy/my-data' }), ALL_MEMBERS(200)],
};
