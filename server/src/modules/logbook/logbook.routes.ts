import { logbookApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import {
  createHomework,
  createLesson,
  deleteHomework,
  deleteLesson,
  entries,
  getLesson,
  listHomework,
  setDone,
  updateHomework,
  updateLesson,
} from './logbook.service.ts';
import {
  applyProgression,
  createProgression,
  deleteProgression,
  getProgression,
  listProgressions,
} from './progression.service.ts';
import { archive, fillRate, print, workload } from './report.service.ts';
import {
  inspectionEntries,
  inspectionSign,
  inspections,
  listInspectors,
  listVisas,
  nameInspector,
  removeInspector,
  sign,
} from './visa.service.ts';

const nothing = async (p: Promise<unknown>) => {
  await p;
  return undefined;
};

export async function logbookRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api/logbook', logbookApi, {
    'POST /api/logbook/lessons': ({ req, body }) => createLesson(req.ctx, body),
    'GET /api/logbook/lessons/:id': ({ req, params }) => getLesson(req.ctx, params.id),
    'PATCH /api/logbook/lessons/:id': ({ req, params, body }) => updateLesson(req.ctx, params.id, body),
    'DELETE /api/logbook/lessons/:id': ({ req, params }) => nothing(deleteLesson(req.ctx, params.id)),
    'POST /api/logbook/homework': ({ req, body }) => createHomework(req.ctx, body),
    'PATCH /api/logbook/homework/:id': ({ req, params, body }) => updateHomework(req.ctx, params.id, body),
    'DELETE /api/logbook/homework/:id': ({ req, params }) => nothing(deleteHomework(req.ctx, params.id)),
    'GET /api/logbook/homework': ({ req, query }) => listHomework(req.ctx, query),
    'PUT /api/logbook/homework/:id/done': ({ req, params, body }) => setDone(req.ctx, params.id, body.done),
    'GET /api/logbook/entries': ({ req, query }) => entries(req.ctx, query),
    'GET /api/logbook/workload': ({ req, query }) => workload(req.ctx, query),
    'GET /api/logbook/progressions': ({ req, query }) => listProgressions(req.ctx, query.establishment),
    'POST /api/logbook/progressions': ({ req, body }) => createProgression(req.ctx, body),
    'GET /api/logbook/progressions/:id': ({ req, params }) => getProgression(req.ctx, params.id),
    'DELETE /api/logbook/progressions/:id': ({ req, params }) => nothing(deleteProgression(req.ctx, params.id)),
    'POST /api/logbook/progressions/:id/apply': ({ req, params, body }) => applyProgression(req.ctx, params.id, body),
    'GET /api/logbook/visas': ({ req, query }) => listVisas(req.ctx, query),
    'POST /api/logbook/visas': ({ req, body }) => sign(req.ctx, body),
    'GET /api/logbook/inspectors': ({ req, query }) => listInspectors(req.ctx, query.establishment),
    'POST /api/logbook/inspectors': ({ req, body }) => nameInspector(req.ctx, body),
    'DELETE /api/logbook/inspectors/:id': ({ req, params }) => nothing(removeInspector(req.ctx, params.id)),
    'GET /api/logbook/inspections': ({ req }) => inspections(req.ctx),
    'GET /api/logbook/inspections/:id/entries': ({ req, params, query }) =>
      inspectionEntries(req.ctx, params.id, query),
    'POST /api/logbook/inspections/:id/visas': ({ req, params, body }) => inspectionSign(req.ctx, params.id, body),
    'GET /api/logbook/print': async ({ req, query }, reply) => {
      const { doc, filename } = await print(req.ctx, query);
      return (
        reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          // A stream is piped as is (no serializer).
          .send(doc as never)
      );
    },
    'GET /api/logbook/archive': ({ req, query }) => archive(req.ctx, query.establishment),
    'GET /api/logbook/fill-rate': ({ req, query }) => fillRate(req.ctx, query),
  });
}
