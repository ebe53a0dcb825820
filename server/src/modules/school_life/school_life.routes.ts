import { schoolLifeApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import {
  absenteeism,
  board,
  createAbsence,
  createIncident,
  decide,
  getReasons,
  justify,
  listAbsences,
  listIncidents,
  myCourses,
  rollCallSheet,
  searchStudents,
  setReasons,
  takeRollCall,
  updateAbsence,
} from './school_life.service.ts';

export async function schoolLifeRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api/school-life', schoolLifeApi, {
    'POST /api/school-life/roll-calls': ({ req, body }) => takeRollCall(req.ctx, body),
    'GET /api/school-life/roll-calls/sheet': ({ req, query }) => rollCallSheet(req.ctx, query),
    'GET /api/school-life/my-courses': ({ req, query }) => myCourses(req.ctx, query),
    'GET /api/school-life/absences': ({ req, query }) => listAbsences(req.ctx, query),
    'POST /api/school-life/absences': ({ req, body }) => createAbsence(req.ctx, body),
    'PATCH /api/school-life/absences/:id': ({ req, params, body }) => updateAbsence(req.ctx, params.id, body),
    'POST /api/school-life/absences/:id/justification': ({ req, params, body }) => justify(req.ctx, params.id, body),
    'POST /api/school-life/absences/:id/decision': ({ req, params, body }) => decide(req.ctx, params.id, body),
    'GET /api/school-life/reasons': ({ req, query }) => getReasons(req.ctx, query.establishment),
    'PUT /api/school-life/reasons': ({ req, body }) => setReasons(req.ctx, body),
    'GET /api/school-life/board': ({ req, query }) => board(req.ctx, query),
    'GET /api/school-life/absenteeism': ({ req, query }) => absenteeism(req.ctx, query),
    'GET /api/school-life/incidents': ({ req, query }) => listIncidents(req.ctx, query),
    'GET /api/school-life/students': ({ req, query }) => searchStudents(req.ctx, query),
    'POST /api/school-life/incidents': ({ req, body }) => createIncident(req.ctx, body),
  });
}
