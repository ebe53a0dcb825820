import { MEMBERS_OF_A, type ModuleMatrix } from '../../../test/matrix.ts';

export const matrix: ModuleMatrix = {
  'GET /api/home': [(w) => ({ url: `/api/home?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
};
