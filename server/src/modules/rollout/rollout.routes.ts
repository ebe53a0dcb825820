import { rolloutApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import { academyView, createAcademyAxis, setContact } from './academy.service.ts';
import { dashboard, dashboardCsv, indicators, refresh } from './indicators.service.ts';
import { announce, me, overview } from './overview.service.ts';
import {
  answerPulse,
  bookSlot,
  cancelBooking,
  createResourcePerson,
  createSlot,
  createTraining,
  deleteResourcePerson,
  deleteSlot,
  deleteTraining,
  listResourcePersons,
  listTrainings,
  myPulse,
  mySkills,
  pulseResults,
  register,
  saveSkills,
  setAttendance,
  skillsAggregate,
  unregister,
  updateTraining,
} from './people.service.ts';
import {
  createObjective,
  createStep,
  deleteObjective,
  deleteStep,
  getPlan,
  updateObjective,
  updateStep,
} from './plan.service.ts';
import {
  answerNeed,
  createAxis,
  createNeed,
  createRisk,
  createTool,
  deleteAxis,
  deleteRisk,
  deleteTool,
  getStock,
  getTeam,
  listNeeds,
  setTeam,
  staffList,
  updateRisk,
  updateTool,
} from './stock.service.ts';

/** A use case with nothing to say back (204). */
const done = async (work: Promise<void>): Promise<undefined> => {
  await work;
  return undefined;
};

/** Thin handlers: the validated input, one use case, its answer. */
export async function rolloutRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api/rollout', rolloutApi, {
    'GET /api/rollout/indicators': ({ req, query }) => indicators(req.ctx, query.establishment),
    'GET /api/rollout/plan': ({ req, query }) => getPlan(req.ctx, query.establishment),
    'POST /api/rollout/steps': ({ req, body }) => createStep(req.ctx, body),
    'POST /api/rollout/objectives': ({ req, body }) => createObjective(req.ctx, body),
    'PATCH /api/rollout/steps/:id': ({ req, params, body }) => updateStep(req.ctx, params.id, body),
    'DELETE /api/rollout/steps/:id': ({ req, params }) => done(deleteStep(req.ctx, params.id)),
    'PATCH /api/rollout/objectives/:id': ({ req, params, body }) => updateObjective(req.ctx, params.id, body),
    'DELETE /api/rollout/objectives/:id': ({ req, params }) => done(deleteObjective(req.ctx, params.id)),

    'GET /api/rollout/me': ({ req, query }) => me(req.ctx, query.establishment),
    'GET /api/rollout/overview': ({ req, query }) => overview(req.ctx, query.establishment),
    'POST /api/rollout/announcements': ({ req, body }) => announce(req.ctx, body),

    // The kept answer is sent as it is (a RawJson); a new one is written by this route's own serializer.
    'GET /api/rollout/dashboard': ({ req, query }, reply) =>
      dashboard(req.ctx, query, (body) => reply.serialize(body) as string),
    'GET /api/rollout/dashboard/export': async ({ req, query }, reply) => {
      const { csv, filename } = await dashboardCsv(req.ctx, query);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
    'POST /api/rollout/indicators/refresh': ({ req, body }) => refresh(req.ctx, body.establishmentId),

    'GET /api/rollout/stock': ({ req, query }) => getStock(req.ctx, query.establishment),
    'POST /api/rollout/tools': ({ req, body }) => createTool(req.ctx, body),
    'PATCH /api/rollout/tools/:id': ({ req, params, body }) => updateTool(req.ctx, params.id, body),
    'DELETE /api/rollout/tools/:id': ({ req, params }) => done(deleteTool(req.ctx, params.id)),
    'POST /api/rollout/risks': ({ req, body }) => createRisk(req.ctx, body),
    'PATCH /api/rollout/risks/:id': ({ req, params, body }) => updateRisk(req.ctx, params.id, body),
    'DELETE /api/rollout/risks/:id': ({ req, params }) => done(deleteRisk(req.ctx, params.id)),
    'POST /api/rollout/axes': ({ req, body }) => createAxis(req.ctx, body),
    'DELETE /api/rollout/axes/:id': ({ req, params }) => done(deleteAxis(req.ctx, params.id)),

    'GET /api/rollout/team': ({ req, query }) => getTeam(req.ctx, query.establishment),
    'PUT /api/rollout/team': ({ req, body }) => setTeam(req.ctx, body),
    'GET /api/rollout/staff': ({ req, query }) => staffList(req.ctx, query.establishment),

    'GET /api/rollout/needs': ({ req, query }) => listNeeds(req.ctx, query.establishment),
    'POST /api/rollout/needs': ({ req, body }) => createNeed(req.ctx, body),
    'PATCH /api/rollout/needs/:id': ({ req, params, body }) => answerNeed(req.ctx, params.id, body),

    'GET /api/rollout/skills/me': ({ req, query }) => mySkills(req.ctx, query.establishment),
    'PUT /api/rollout/skills/me': ({ req, body }) => saveSkills(req.ctx, body),
    'GET /api/rollout/skills': ({ req, query }) => skillsAggregate(req.ctx, query.establishment),

    'GET /api/rollout/resource-persons': ({ req, query }) => listResourcePersons(req.ctx, query.establishment),
    'POST /api/rollout/resource-persons': ({ req, body }) => createResourcePerson(req.ctx, body),
    'DELETE /api/rollout/resource-persons/:id': ({ req, params }) => done(deleteResourcePerson(req.ctx, params.id)),
    'POST /api/rollout/slots': ({ req, body }) => createSlot(req.ctx, body),
    'DELETE /api/rollout/slots/:id': ({ req, params }) => done(deleteSlot(req.ctx, params.id)),
    'POST /api/rollout/slots/:id/booking': ({ req, params, body }) => bookSlot(req.ctx, params.id, body),
    'DELETE /api/rollout/slots/:id/booking': ({ req, params }) => done(cancelBooking(req.ctx, params.id)),

    'GET /api/rollout/trainings': ({ req, query }) => listTrainings(req.ctx, query.establishment),
    'POST /api/rollout/trainings': ({ req, body }) => createTraining(req.ctx, body),
    'PATCH /api/rollout/trainings/:id': ({ req, params, body }) => updateTraining(req.ctx, params.id, body),
    'DELETE /api/rollout/trainings/:id': ({ req, params }) => done(deleteTraining(req.ctx, params.id)),
    'POST /api/rollout/trainings/:id/registration': ({ req, params }) => register(req.ctx, params.id),
    'DELETE /api/rollout/trainings/:id/registration': ({ req, params }) => done(unregister(req.ctx, params.id)),
    'PUT /api/rollout/trainings/:id/attendance': ({ req, params, body }) => setAttendance(req.ctx, params.id, body),

    'GET /api/rollout/pulse/mine': ({ req, query }) => myPulse(req.ctx, query.establishment),
    'POST /api/rollout/pulse': ({ req, body }) => done(answerPulse(req.ctx, body)),
    'GET /api/rollout/pulse': ({ req, query }) => pulseResults(req.ctx, query.establishment),

    'GET /api/rollout/academy': ({ req }) => academyView(req.ctx),
    'PUT /api/rollout/academies/:id/contact': ({ req, params, body }) => setContact(req.ctx, params.id, body),
    'POST /api/rollout/academies/:id/axes': ({ req, params, body }) => createAcademyAxis(req.ctx, params.id, body),
  });
}
