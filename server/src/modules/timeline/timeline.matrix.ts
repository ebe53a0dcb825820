import { ALL_MEMBERS, type ModuleMatrix } from '../../../test/matrix.ts';

/** Everyone signed in reads their own timeline: the rows prove the routes need a session, nothing more. */
export const matrix: ModuleMatrix = {
  'GET /api/timeline': [() => ({ url: '/api/timeline' }), ALL_MEMBERS(200)],
  'GET /api/timeline/unread': [() => ({ url: '/api/timeline/unread' }), ALL_MEMBERS(200)],
  'POST /api/timeline/read': [() => ({ url: '/api/timeline/read', body: { all: true } }), ALL_MEMBERS(200)],
};
