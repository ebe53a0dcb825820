import { gradesApi } from '@preau/contracts';
import type { FastifyReply } from 'fastify';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import {
  classReport,
  classReportPdf,
  createAssessment,
  deleteAssessment,
  getAssessment,
  getSettings,
  gradeBook,
  options,
  publishAssessment,
  publishReports,
  saveComment,
  studentGrades,
  studentReportPdf,
  updateAssessment,
  updateSettings,
} from './grades.service.ts';

const sendPdf = (reply: FastifyReply, { pdf, filename }: { pdf: Buffer; filename: string }) =>
  reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'private, no-store')
    .send(pdf);

export async function gradesRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api/grades', gradesApi, {
    'GET /api/grades': ({ req, query }) => studentGrades(req.ctx, query),
    'GET /api/grades/options': ({ req, query }) => options(req.ctx, query.establishment),
    'GET /api/grades/settings': ({ req, query }) => getSettings(req.ctx, query.establishment),
    'PUT /api/grades/settings': ({ req, body }) => updateSettings(req.ctx, body),
    'POST /api/grades/assessments': ({ req, body }) => createAssessment(req.ctx, body),
    'GET /api/grades/assessments/:id': ({ req, params }) => getAssessment(req.ctx, params.id),
    'PATCH /api/grades/assessments/:id': ({ req, params, body }) => updateAssessment(req.ctx, params.id, body),
    'POST /api/grades/assessments/:id/publish': ({ req, params }) => publishAssessment(req.ctx, params.id),
    'DELETE /api/grades/assessments/:id': async ({ req, params }) => {
      await deleteAssessment(req.ctx, params.id);
      return undefined;
    },
    'GET /api/grades/book': ({ req, query }) => gradeBook(req.ctx, query),
    'GET /api/grades/reports': ({ req, query }) => classReport(req.ctx, query),
    'PUT /api/grades/reports/comments': async ({ req, body }) => {
      await saveComment(req.ctx, body);
      return undefined;
    },
    'POST /api/grades/reports/publish': ({ req, body }) => publishReports(req.ctx, body),
    'GET /api/grades/reports/students/:student/:period': async ({ req, params, query }, reply) =>
      sendPdf(reply, await studentReportPdf(req.ctx, query.establishment, params.student, params.period)),
    'GET /api/grades/reports/classes/:class/:period': async ({ req, params, query }, reply) =>
      sendPdf(reply, await classReportPdf(req.ctx, query.establishment, params.class, params.period)),
  });
}
