import multipart from '@fastify/multipart';
import { timetableApi } from '@preau/contracts';
import type { FastifyRequest } from 'fastify';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import { uploadParts } from '../directory/index.ts';
import { icsOf } from './ics.ts';
import { createImport, getImport, listImports, TIMETABLE_UPLOAD_LIMITS } from './import/import.service.ts';
import {
  changeOccurrence,
  createAlternatingWeeks,
  createCourse,
  createFeed,
  deleteCourse,
  feedEvents,
  getFeed,
  getSettings,
  listCourses,
  options,
  restoreOccurrence,
  revokeFeed,
  updateCourse,
  updateSettings,
  week,
} from './timetable.service.ts';

const requestOrigin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

export async function timetableRoutes(app: App): Promise<void> {
  // The upload route reads multipart bodies (JSON routes of this scope refuse them at validation).
  await app.register(multipart, { limits: TIMETABLE_UPLOAD_LIMITS });
  registerEndpoints(app, '/api/timetable', timetableApi, {
    'GET /api/timetable/week': ({ req, query }) => week(req.ctx, query),
    'GET /api/timetable/options': ({ req, query }) => options(req.ctx, query.establishment),
    'GET /api/timetable/settings': ({ req, query }) => getSettings(req.ctx, query.establishment),
    'PUT /api/timetable/settings': ({ req, body }) => updateSettings(req.ctx, body),
    'POST /api/timetable/week-patterns/alternating': ({ req, body }) =>
      createAlternatingWeeks(req.ctx, body.establishment),
    'GET /api/timetable/courses': ({ req, query }) => listCourses(req.ctx, query),
    'POST /api/timetable/courses': ({ req, body }) => createCourse(req.ctx, body),
    'PATCH /api/timetable/courses/:id': ({ req, params, body }) => updateCourse(req.ctx, params.id, body),
    'DELETE /api/timetable/courses/:id': async ({ req, params }) => {
      await deleteCourse(req.ctx, params.id);
      return undefined;
    },
    'PUT /api/timetable/courses/:id/occurrences/:date': ({ req, params, body }) =>
      changeOccurrence(req.ctx, params.id, params.date, body),
    'DELETE /api/timetable/courses/:id/occurrences/:date': async ({ req, params }) => {
      await restoreOccurrence(req.ctx, params.id, params.date);
      return undefined;
    },
    'POST /api/timetable/imports': ({ req }) => createImport(req.ctx, uploadParts(req)),
    'GET /api/timetable/imports/:id': ({ req, params }) => getImport(req.ctx, params.id),
    'GET /api/timetable/imports': ({ req, query }) => listImports(req.ctx, query.establishment),
    'GET /api/timetable/feed': ({ req, query }) => getFeed(req.ctx, query.establishment),
    'POST /api/timetable/feed': ({ req, body }) => createFeed(req.ctx, body.establishment, requestOrigin(req)),
    'DELETE /api/timetable/feed': async ({ req, query }) => {
      await revokeFeed(req.ctx, query.establishment);
      return undefined;
    },
    'GET /api/timetable/ics/:token': async ({ req, params }, reply) => {
      const feed = await feedEvents(req.ctx, params.token);
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('content-disposition', 'inline; filename="emploi-du-temps.ics"')
        .header('cache-control', 'private, max-age=300')
        .send(icsOf(feed, req.host.split(':')[0] ?? 'preau'));
    },
  });
}
