import { ALL_MEMBERS, type ModuleMatrix, ONLY_PLATFORM } from '../../../test/matrix.ts';

/**
 * Everyone signed in reads their own timeline, its live counter and their delivery choices: the rows prove the
 * routes need a session, nothing more. The outbox holds everyone's mails: platform administrators only.
 */
export const matrix: ModuleMatrix = {
  'GET /api/timeline': [() => ({ url: '/api/timeline' }), ALL_MEMBERS(200)],
  'GET /api/timeline/unread': [() => ({ url: '/api/timeline/unread' }), ALL_MEMBERS(200)],
  'POST /api/timeline/read': [() => ({ url: '/api/timeline/read', body: { all: true } }), ALL_MEMBERS(200)],
  // max=0: the current count, then the stream ends (an open stream would never end an injected request)
  'GET /api/timeline/stream': [() => ({ url: '/api/timeline/stream?max=0' }), ALL_MEMBERS(200)],
  'GET /api/timeline/preferences': [() => ({ url: '/api/timeline/preferences' }), ALL_MEMBERS(200)],
  'PUT /api/timeline/preferences': [
    () => ({ url: '/api/timeline/preferences', body: { quietHours: { start: 21, end: 7 } } }),
    ALL_MEMBERS(200),
  ],
  'GET /api/timeline/outbox': [() => ({ url: '/api/timeline/outbox' }), ONLY_PLATFORM(200)],
};
