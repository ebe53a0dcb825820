import {
  AddAssignmentBody,
  AddGuardianBody,
  Assignment,
  AssignmentParams,
  ClassList,
  CreatePersonBody,
  CreatePersonResult,
  GroupList,
  GuardianLinks,
  GuardianParams,
  HeadTeacherBody,
  HeadTeacherClass,
  HeadTeacherParams,
  IdParams,
  Person,
  Problem,
  SubjectList,
  UpdatePersonBody,
  UserParams,
} from '@preau/contracts';
import { z } from 'zod';
import type { App } from '../../../platform/module.ts';
import {
  addAssignment,
  addGuardian,
  addHeadTeacher,
  createPerson,
  getPerson,
  listAssignments,
  listClasses,
  listGroups,
  listSubjects,
  removeAssignment,
  removeGuardian,
  removeHeadTeacher,
  updatePerson,
} from './people.service.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };
const changeErrors = { ...errors, 409: Problem };
const NoContent = z.null();

/** Manual corrections between imports: people, guardian links, teaching assignments, head teachers; lookups. */
export async function peopleRoutes(app: App): Promise<void> {
  app.post(
    '/establishments/:id/people',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Create a person by hand: a generated login and a one-time activation code, returned once',
        params: IdParams,
        body: CreatePersonBody,
        response: { 201: CreatePersonResult, ...changeErrors },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(await createPerson(req.ctx, req.params.id, req.body)),
  );

  app.get(
    '/establishments/:id/people/:userId',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary: "A person's identity, contact details, current class and functions, as the correction form edits them",
        params: UserParams,
        response: { 200: Person, ...errors },
      },
    },
    async (req) => getPerson(req.ctx, req.params.id, req.params.userId),
  );

  app.patch(
    '/establishments/:id/people/:userId',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: "Correct a person's identity, e-mail, phones, class (students) or functions (staff); audited",
        params: UserParams,
        body: UpdatePersonBody,
        response: { 200: Person, ...changeErrors },
      },
    },
    async (req) => updatePerson(req.ctx, req.params.id, req.params.userId, req.body),
  );

  app.post(
    '/establishments/:id/people/:userId/guardians',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: "Link a guardian to the student (201), or change the link's level (200)",
        params: UserParams,
        body: AddGuardianBody,
        response: { 200: GuardianLinks, 201: GuardianLinks, ...changeErrors },
      },
    },
    async (req, reply) => {
      const { created, links } = await addGuardian(req.ctx, req.params.id, req.params.userId, req.body);
      return reply.code(created ? 201 : 200).send(links);
    },
  );

  app.delete(
    '/establishments/:id/people/:userId/guardians/:guardianId',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Remove the link between a student and a guardian',
        params: GuardianParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await removeGuardian(req.ctx, req.params.id, req.params.userId, req.params.guardianId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/establishments/:id/people/:userId/assignments',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary: "A teacher's assignments of the current school year",
        params: UserParams,
        response: { 200: z.object({ items: z.array(Assignment) }), ...errors },
      },
    },
    async (req) => listAssignments(req.ctx, req.params.id, req.params.userId),
  );

  app.post(
    '/establishments/:id/people/:userId/assignments',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Add a teaching assignment: the teacher teaches a subject to a class or a group (current year)',
        params: UserParams,
        body: AddAssignmentBody,
        response: { 201: Assignment, ...changeErrors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await addAssignment(req.ctx, req.params.id, req.params.userId, req.body)),
  );

  app.delete(
    '/establishments/:id/people/:userId/assignments/:assignmentId',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Remove a teaching assignment of the current school year',
        params: AssignmentParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await removeAssignment(req.ctx, req.params.id, req.params.userId, req.params.assignmentId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/establishments/:id/people/:userId/head-teacher',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Make the teacher a head teacher (professeur principal) of a class of the current year',
        params: UserParams,
        body: HeadTeacherBody,
        response: { 201: HeadTeacherClass, ...changeErrors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await addHeadTeacher(req.ctx, req.params.id, req.params.userId, req.body.classId)),
  );

  app.delete(
    '/establishments/:id/people/:userId/head-teacher/:classId',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'The teacher is no longer head teacher of the class',
        params: HeadTeacherParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await removeHeadTeacher(req.ctx, req.params.id, req.params.userId, req.params.classId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/establishments/:id/classes',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary: 'Classes of the current school year, with their number of students and head teachers',
        params: IdParams,
        response: { 200: ClassList, ...errors },
      },
    },
    async (req) => listClasses(req.ctx, req.params.id),
  );

  app.get(
    '/establishments/:id/groups',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary: 'Groups of the current school year, with their number of students',
        params: IdParams,
        response: { 200: GroupList, ...errors },
      },
    },
    async (req) => listGroups(req.ctx, req.params.id),
  );

  app.get(
    '/subjects',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['directory'],
        summary: 'Subjects (BCN codes): national reference data',
        response: { 200: SubjectList, 401: Problem },
      },
    },
    async (req) => listSubjects(req.ctx),
  );
}
