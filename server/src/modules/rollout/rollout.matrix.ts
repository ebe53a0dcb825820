import { makeUser } from '../../../test/helpers.ts';
import { type ModuleMatrix, ONLY_PLATFORM, type Persona, type World } from '../../../test/matrix.ts';
import './rollout.tables.ts';

/**
 * The rollout cockpit's rows. The steering routes answer the direction (the principal) and the platform
 * administrator; the steering group is empty in the matrix world, so every other member gets 403 NOT_STEERING;
 * students and guardians hold no rollout permission (403); the other establishment's principal 404.
 */
//                                                  anon stud guar teac staf prin ladm padm other
const STEER = (ok: number) => [401, 403, 403, 403, 403, ok, 403, ok, 404];
const MEMBERS = (ok: number) => [401, 403, 403, ok, ok, ok, ok, ok, 404];

const inDays = (n: number, hour = 10) => {
  const d = new Date(Date.now() + n * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};
const day = (n: number) => inDays(n).toISOString().slice(0, 10);
const est = (w: World) => `establishment=${w.a.id}`;

const step = async (w: World) =>
  (
    await w.db
      .insertInto('rollout_step')
      .values({
        establishment_id: w.a.id,
        service_key: 'logbook',
        title: 'Présentation en conseil pédagogique',
        owner_id: w.people.teacher.id,
        due_date: day(10),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

const objective = async (w: World) =>
  (
    await w.db
      .insertInto('rollout_objective')
      .values({
        establishment_id: w.a.id,
        service_key: 'logbook',
        indicator: 'rollout.service_active.teacher',
        target: 0.8,
        due_date: day(40),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

const tool = async (w: World) =>
  (
    await w.db
      .insertInto('rollout_tool')
      .values({
        establishment_id: w.a.id,
        name: 'Pronote',
        category: 'school_life',
        frequency: 'daily',
        teaching_value: 'medium',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

const risk = async (w: World) =>
  (
    await w.db
      .insertInto('rollout_risk')
      .values({ establishment_id: w.a.id, title: 'Surcharge des personnes ressources', likelihood: 2, impact: 3 })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

const need = async (w: World) =>
  (
    await w.db
      .insertInto('rollout_need')
      .values({ establishment_id: w.a.id, author_id: w.people.teacher.id, title: 'Former les TZR au cahier de textes' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

/** A resource person who is none of the personas (a colleague), so that only the steering group manages them. */
const resourcePerson = async (w: World) => {
  const colleague = await makeUser(w.db, { establishmentId: w.a.id, profiles: ['teacher'] });
  return (
    await w.db
      .insertInto('rollout_resource_person')
      .values({ establishment_id: w.a.id, user_id: colleague.id, service_key: 'logbook' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
};

let slotHour = 0;
const slot = async (w: World, bookedBy: string | null = null) => {
  const rp = await resourcePerson(w);
  slotHour = (slotHour + 1) % 8;
  return (
    await w.db
      .insertInto('rollout_slot')
      .values({
        establishment_id: w.a.id,
        resource_person_id: rp,
        starts_at: inDays(3, 8 + slotHour),
        ends_at: inDays(3, 9 + slotHour),
        mode: 'onsite',
        room: 'CDI',
        booked_by: bookedBy,
        booked_at: bookedBy ? new Date() : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
};

const training = async (w: World) =>
  (
    await w.db
      .insertInto('rollout_training')
      .values({
        establishment_id: w.a.id,
        title: 'Prise en main du cahier de textes',
        audience: 'Enseignants de 2nde',
        starts_at: inDays(7, 13),
        ends_at: inDays(7, 15),
        place: 'Salle informatique B12',
        capacity: 20,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

const persona = (w: World, p: Persona) => (p === 'anonymous' ? null : w.people[p]);

const axis = async (w: World) =>
  (
    await w.db
      .insertInto('rollout_axis')
      .values({ academy_id: w.a.academy_id, establishment_id: w.a.id, label: 'Réussite de tous les élèves' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

export const matrix: ModuleMatrix = {
  // The contract of issue 15.
  'GET /api/rollout/indicators': [(w) => ({ url: `/api/rollout/indicators?${est(w)}` }), STEER(200)],
  'GET /api/rollout/plan': [(w) => ({ url: `/api/rollout/plan?${est(w)}` }), STEER(200)],
  'POST /api/rollout/steps': [
    (w) => ({
      url: '/api/rollout/steps',
      body: {
        establishmentId: w.a.id,
        service: 'logbook',
        title: 'Formation des enseignants de 2nde',
        ownerId: w.people.teacher.id,
        dueDate: day(20),
      },
    }),
    STEER(201),
  ],
  'POST /api/rollout/objectives': [
    (w) => ({
      url: '/api/rollout/objectives',
      body: {
        establishmentId: w.a.id,
        service: 'logbook',
        indicator: 'rollout.service_active.teacher',
        target: 0.8,
        dueDate: day(45),
      },
    }),
    STEER(201),
  ],
  'PATCH /api/rollout/steps/:id': [
    async (w) => ({ url: `/api/rollout/steps/${await step(w)}`, body: { state: 'in_progress' } }),
    STEER(200),
  ],
  'DELETE /api/rollout/steps/:id': [async (w) => ({ url: `/api/rollout/steps/${await step(w)}` }), STEER(204)],
  'PATCH /api/rollout/objectives/:id': [
    async (w) => ({ url: `/api/rollout/objectives/${await objective(w)}`, body: { target: 0.9 } }),
    STEER(200),
  ],
  'DELETE /api/rollout/objectives/:id': [
    async (w) => ({ url: `/api/rollout/objectives/${await objective(w)}` }),
    STEER(204),
  ],

  // The first screen.
  'GET /api/rollout/me': [(w) => ({ url: `/api/rollout/me?${est(w)}` }), MEMBERS(200)],
  'GET /api/rollout/overview': [(w) => ({ url: `/api/rollout/overview?${est(w)}` }), STEER(200)],
  'POST /api/rollout/announcements': [
    (w) => ({
      url: '/api/rollout/announcements',
      body: { establishmentId: w.a.id, text: 'Votre espace numérique de travail ouvre lundi.' },
    }),
    STEER(201),
  ],

  // Indicators.
  'GET /api/rollout/dashboard': [(w) => ({ url: `/api/rollout/dashboard?${est(w)}` }), STEER(200)],
  'GET /api/rollout/dashboard/export': [(w) => ({ url: `/api/rollout/dashboard/export?${est(w)}` }), STEER(200)],
  'POST /api/rollout/indicators/refresh': [
    (w) => ({ url: '/api/rollout/indicators/refresh', body: { establishmentId: w.a.id } }),
    STEER(200),
  ],

  // Taking stock.
  'GET /api/rollout/stock': [(w) => ({ url: `/api/rollout/stock?${est(w)}` }), STEER(200)],
  'POST /api/rollout/tools': [
    (w) => ({
      url: '/api/rollout/tools',
      body: {
        establishmentId: w.a.id,
        name: 'Site du lycée (WordPress)',
        category: 'website',
        frequency: 'weekly',
        teachingValue: 'low',
      },
    }),
    STEER(201),
  ],
  'PATCH /api/rollout/tools/:id': [
    async (w) => ({
      url: `/api/rollout/tools/${await tool(w)}`,
      body: { decision: 'integrate', decisionDate: day(30) },
    }),
    STEER(200),
  ],
  'DELETE /api/rollout/tools/:id': [async (w) => ({ url: `/api/rollout/tools/${await tool(w)}` }), STEER(204)],
  'POST /api/rollout/risks': [
    (w) => ({
      url: '/api/rollout/risks',
      body: { establishmentId: w.a.id, title: 'Familles laissées de côté', likelihood: 3, impact: 4 },
    }),
    STEER(201),
  ],
  'PATCH /api/rollout/risks/:id': [
    async (w) => ({ url: `/api/rollout/risks/${await risk(w)}`, body: { reviewed: true } }),
    STEER(200),
  ],
  'DELETE /api/rollout/risks/:id': [async (w) => ({ url: `/api/rollout/risks/${await risk(w)}` }), STEER(204)],
  'POST /api/rollout/axes': [
    (w) => ({ url: '/api/rollout/axes', body: { establishmentId: w.a.id, label: 'Ouverture culturelle' } }),
    STEER(201),
  ],
  'DELETE /api/rollout/axes/:id': [async (w) => ({ url: `/api/rollout/axes/${await axis(w)}` }), STEER(204)],

  // Steering group.
  'GET /api/rollout/team': [(w) => ({ url: `/api/rollout/team?${est(w)}` }), STEER(200)],
  'PUT /api/rollout/team': [
    (w) => ({
      url: '/api/rollout/team',
      body: {
        establishmentId: w.a.id,
        pilotId: w.people.principal.id,
        memberIds: [w.people.staff.id],
        tice: [{ subjectCode: w.subjectCode, userId: w.people.teacher.id }],
      },
    }),
    STEER(200),
  ],
  'GET /api/rollout/staff': [(w) => ({ url: `/api/rollout/staff?${est(w)}` }), STEER(200)],

  // Needs backlog: everyone taking part posts and reads; the steering group answers.
  'GET /api/rollout/needs': [(w) => ({ url: `/api/rollout/needs?${est(w)}` }), MEMBERS(200)],
  'POST /api/rollout/needs': [
    (w) => ({
      url: '/api/rollout/needs',
      body: { establishmentId: w.a.id, title: 'Un tutoriel vidéo pour le cahier de textes', service: 'logbook' },
    }),
    MEMBERS(201),
  ],
  'PATCH /api/rollout/needs/:id': [
    async (w) => ({ url: `/api/rollout/needs/${await need(w)}`, body: { status: 'in_progress', answer: 'Prévu.' } }),
    STEER(200),
  ],

  // Self-assessment: one's own; the aggregates for the steering group.
  'GET /api/rollout/skills/me': [(w) => ({ url: `/api/rollout/skills/me?${est(w)}` }), MEMBERS(200)],
  'PUT /api/rollout/skills/me': [
    (w) => ({
      url: '/api/rollout/skills/me',
      body: {
        establishmentId: w.a.id,
        levels: { information: 3, communication: 4, creation: 2, protection: 3, environment: 2 },
      },
    }),
    MEMBERS(200),
  ],
  'GET /api/rollout/skills': [(w) => ({ url: `/api/rollout/skills?${est(w)}` }), STEER(200)],

  // Resource persons and their slots.
  'GET /api/rollout/resource-persons': [(w) => ({ url: `/api/rollout/resource-persons?${est(w)}` }), MEMBERS(200)],
  'POST /api/rollout/resource-persons': [
    async (w) => ({
      url: '/api/rollout/resource-persons',
      body: {
        establishmentId: w.a.id,
        userId: (await makeUser(w.db, { establishmentId: w.a.id, profiles: ['teacher'] })).id,
        service: 'logbook',
      },
    }),
    STEER(201),
  ],
  'DELETE /api/rollout/resource-persons/:id': [
    async (w) => ({ url: `/api/rollout/resource-persons/${await resourcePerson(w)}` }),
    STEER(204),
  ],
  'POST /api/rollout/slots': [
    async (w) => ({
      url: '/api/rollout/slots',
      body: {
        resourcePersonId: await resourcePerson(w),
        startsAt: inDays(5, 8).toISOString(),
        endsAt: inDays(5, 9).toISOString(),
        mode: 'remote',
      },
    }),
    STEER(201),
  ],
  'DELETE /api/rollout/slots/:id': [async (w) => ({ url: `/api/rollout/slots/${await slot(w)}` }), STEER(204)],
  'POST /api/rollout/slots/:id/booking': [
    async (w) => ({ url: `/api/rollout/slots/${await slot(w)}/booking`, body: { topic: 'Mes premiers devoirs' } }),
    MEMBERS(200),
  ],
  'DELETE /api/rollout/slots/:id/booking': [
    // someone else's booking: only the steering group (or the two people concerned) may cancel it
    async (w) => ({ url: `/api/rollout/slots/${await slot(w, w.people.student.id)}/booking` }),
    STEER(204),
  ],

  // Training sessions.
  'GET /api/rollout/trainings': [(w) => ({ url: `/api/rollout/trainings?${est(w)}` }), MEMBERS(200)],
  'POST /api/rollout/trainings': [
    (w) => ({
      url: '/api/rollout/trainings',
      body: {
        establishmentId: w.a.id,
        title: 'La messagerie en pratique',
        audience: 'Tous les personnels',
        startsAt: inDays(9, 13).toISOString(),
        endsAt: inDays(9, 14).toISOString(),
        place: 'CDI',
        capacity: 15,
      },
    }),
    STEER(201),
  ],
  'PATCH /api/rollout/trainings/:id': [
    async (w) => ({ url: `/api/rollout/trainings/${await training(w)}`, body: { capacity: 25 } }),
    STEER(200),
  ],
  'DELETE /api/rollout/trainings/:id': [
    async (w) => ({ url: `/api/rollout/trainings/${await training(w)}` }),
    STEER(204),
  ],
  'POST /api/rollout/trainings/:id/registration': [
    async (w) => ({ url: `/api/rollout/trainings/${await training(w)}/registration` }),
    MEMBERS(200),
  ],
  'DELETE /api/rollout/trainings/:id/registration': [
    // each persona withdraws their own registration
    async (w, p) => {
      const id = await training(w);
      const who = persona(w, p);
      if (who) {
        await w.db
          .insertInto('rollout_registration')
          .values({ training_id: id, user_id: who.id, establishment_id: w.a.id })
          .execute();
      }
      return { url: `/api/rollout/trainings/${id}/registration` };
    },
    MEMBERS(204),
  ],
  'PUT /api/rollout/trainings/:id/attendance': [
    async (w) => ({ url: `/api/rollout/trainings/${await training(w)}/attendance`, body: { present: [] } }),
    STEER(200),
  ],

  // Satisfaction pulse: anonymous answers by the members; a platform admin holds no profile there (no service).
  'GET /api/rollout/pulse/mine': [(w) => ({ url: `/api/rollout/pulse/mine?${est(w)}` }), MEMBERS(200)],
  'POST /api/rollout/pulse': [
    (w) => ({ url: '/api/rollout/pulse', body: { establishmentId: w.a.id, service: 'rollout', score: 4 } }),
    [401, 403, 403, 204, 204, 204, 204, 403, 404],
  ],
  'GET /api/rollout/pulse': [(w) => ({ url: `/api/rollout/pulse?${est(w)}` }), STEER(200)],

  // The académie view: platform administrators only.
  'GET /api/rollout/academy': [() => ({ url: '/api/rollout/academy' }), ONLY_PLATFORM(200)],
  'PUT /api/rollout/academies/:id/contact': [
    (w) => ({
      url: `/api/rollout/academies/${w.a.academy_id}/contact`,
      body: { name: 'Assistance ENT de l’académie', email: 'assistance-ent@ac-test.fr' },
    }),
    ONLY_PLATFORM(200),
  ],
  'POST /api/rollout/academies/:id/axes': [
    (w) => ({ url: `/api/rollout/academies/${w.a.academy_id}/axes`, body: { label: 'Climat scolaire' } }),
    ONLY_PLATFORM(201),
  ],
};
