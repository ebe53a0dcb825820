import { sql } from 'kysely';
import type { AuthorizedDb as Db } from '../../platform/access/authorize.ts';
import './rollout.tables.ts';

type StepState = 'todo' | 'in_progress' | 'done' | 'cancelled';

/** The plan: steps and objectives per service, the axes they serve. */
export const plan = {
  steps: (db: Db, establishmentId: string) =>
    db
      .selectFrom('rollout_step')
      .select(['id', 'service_key', 'title', 'owner_id', 'due_date', 'state', 'done_at'])
      .where('establishment_id', '=', establishmentId)
      .orderBy('due_date')
      .orderBy('created_at')
      .execute(),

  step: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('rollout_step')
      .select(['id', 'service_key', 'title', 'owner_id', 'due_date', 'state', 'done_at'])
      .where('establishment_id', '=', establishmentId)
      .where('id', '=', id)
      .executeTakeFirst(),

  insertStep: async (
    db: Db,
    row: {
      establishmentId: string;
      service: string;
      title: string;
      ownerId: string;
      dueDate: string;
      state: string;
      createdBy: string;
    },
  ) =>
    (
      await db
        .insertInto('rollout_step')
        .values({
          establishment_id: row.establishmentId,
          service_key: row.service,
          title: row.title,
          owner_id: row.ownerId,
          due_date: row.dueDate,
          state: row.state as StepState,
          done_at: row.state === 'done' ? new Date() : null,
          created_by: row.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  updateStep: (
    db: Db,
    id: string,
    patch: { title?: string; ownerId?: string; dueDate?: string; state?: string; doneAt?: Date | null },
  ) =>
    db
      .updateTable('rollout_step')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.ownerId !== undefined ? { owner_id: patch.ownerId } : {}),
        ...(patch.dueDate !== undefined ? { due_date: patch.dueDate, reminded_on: null } : {}),
        ...(patch.state !== undefined ? { state: patch.state as StepState } : {}),
        ...(patch.doneAt !== undefined ? { done_at: patch.doneAt } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute(),

  deleteStep: (db: Db, id: string) => db.deleteFrom('rollout_step').where('id', '=', id).execute(),

  trainingsOfStep: async (db: Db, id: string) =>
    Number(
      (
        await db
          .selectFrom('rollout_training')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('step_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    ),

  objectives: (db: Db, establishmentId: string) =>
    db
      .selectFrom('rollout_objective')
      .select(['id', 'service_key', 'indicator', 'target', 'due_date', 'establishment_axis_id', 'academy_axis_id'])
      .where('establishment_id', '=', establishmentId)
      .orderBy('due_date')
      .orderBy('created_at')
      .execute(),

  objective: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('rollout_objective')
      .select(['id', 'service_key', 'indicator', 'target', 'due_date', 'establishment_axis_id', 'academy_axis_id'])
      .where('establishment_id', '=', establishmentId)
      .where('id', '=', id)
      .executeTakeFirst(),

  insertObjective: async (
    db: Db,
    row: {
      establishmentId: string;
      service: string;
      indicator: string;
      target: number;
      dueDate: string;
      establishmentAxisId: string | null;
      academyAxisId: string | null;
      createdBy: string;
    },
  ) =>
    (
      await db
        .insertInto('rollout_objective')
        .values({
          establishment_id: row.establishmentId,
          service_key: row.service,
          indicator: row.indicator,
          target: row.target,
          due_date: row.dueDate,
          establishment_axis_id: row.establishmentAxisId,
          academy_axis_id: row.academyAxisId,
          created_by: row.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  updateObjective: (
    db: Db,
    id: string,
    patch: { target?: number; dueDate?: string; establishmentAxisId?: string | null; academyAxisId?: string | null },
  ) =>
    db
      .updateTable('rollout_objective')
      .set({
        ...(patch.target !== undefined ? { target: patch.target } : {}),
        ...(patch.dueDate !== undefined ? { due_date: patch.dueDate } : {}),
        ...(patch.establishmentAxisId !== undefined ? { establishment_axis_id: patch.establishmentAxisId } : {}),
        ...(patch.academyAxisId !== undefined ? { academy_axis_id: patch.academyAxisId } : {}),
      })
      .where('id', '=', id)
      .execute(),

  deleteObjective: (db: Db, id: string) => db.deleteFrom('rollout_objective').where('id', '=', id).execute(),

  /** Per establishment: steps, done, late (past due and open), objectives (académie view). */
  progress: async (db: Db, establishmentIds: string[], today: string) => {
    if (establishmentIds.length === 0) return [];
    const { rows } = await sql<{ establishment_id: string; steps: number; done: number; late: number }>`
      SELECT establishment_id, count(*) FILTER (WHERE state <> 'cancelled')::int AS steps,
             count(*) FILTER (WHERE state = 'done')::int AS done,
             count(*) FILTER (WHERE state IN ('todo', 'in_progress') AND due_date < ${today}::date)::int AS late
      FROM rollout_step WHERE establishment_id = ANY(${establishmentIds}::uuid[])
      GROUP BY establishment_id`.execute(db);
    return rows;
  },

  objectivesOf: (db: Db, establishmentIds: string[]) =>
    establishmentIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('rollout_objective')
          .select(['establishment_id', 'service_key', 'indicator', 'target'])
          .where('establishment_id', 'in', establishmentIds)
          .execute(),

  lateSteps: async (db: Db, establishmentId: string, today: string) =>
    Number(
      (
        await db
          .selectFrom('rollout_step')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('establishment_id', '=', establishmentId)
          .where('state', 'in', ['todo', 'in_progress'])
          .where('due_date', '<', today)
          .executeTakeFirstOrThrow()
      ).n,
    ),
};

/** Axes of the establishment's project and of its académie's. */
export const axes = {
  visibleIn: (db: Db, establishmentId: string, academyId: string) =>
    db
      .selectFrom('rollout_axis')
      .select(['id', 'establishment_id', 'label'])
      .where((eb) =>
        eb.or([
          eb('establishment_id', '=', establishmentId),
          eb.and([eb('academy_id', '=', academyId), eb('establishment_id', 'is', null)]),
        ]),
      )
      .orderBy('created_at')
      .execute(),

  ofAcademies: (db: Db, academyIds: string[]) =>
    academyIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('rollout_axis')
          .select(['id', 'academy_id', 'label'])
          .where('academy_id', 'in', academyIds)
          .where('establishment_id', 'is', null)
          .orderBy('created_at')
          .execute(),

  byId: (db: Db, id: string) =>
    db
      .selectFrom('rollout_axis')
      .select(['id', 'academy_id', 'establishment_id', 'label'])
      .where('id', '=', id)
      .executeTakeFirst(),

  insert: async (
    db: Db,
    row: { academyId: string; establishmentId: string | null; label: string; createdBy: string },
  ) =>
    (
      await db
        .insertInto('rollout_axis')
        .values({
          academy_id: row.academyId,
          establishment_id: row.establishmentId,
          label: row.label,
          created_by: row.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  delete: (db: Db, id: string) => db.deleteFrom('rollout_axis').where('id', '=', id).execute(),
};

/** Taking stock: the tools in use and the risk register. */
export const stock = {
  tools: (db: Db, establishmentId: string) =>
    db.selectFrom('rollout_tool').selectAll().where('establishment_id', '=', establishmentId).orderBy('name').execute(),

  tool: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('rollout_tool')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .where('id', '=', id)
      .executeTakeFirst(),

  insertTool: async (
    db: Db,
    row: {
      establishmentId: string;
      name: string;
      category: string;
      service: string | null;
      users: number | null;
      frequency: 'daily' | 'weekly' | 'monthly' | 'rare';
      teachingValue: 'low' | 'medium' | 'high';
      decision: 'undecided' | 'integrate' | 'move';
      decisionDate: string | null;
      notes: string;
    },
  ) =>
    (
      await db
        .insertInto('rollout_tool')
        .values({
          establishment_id: row.establishmentId,
          name: row.name,
          category: row.category,
          service_key: row.service,
          users: row.users,
          frequency: row.frequency,
          teaching_value: row.teachingValue,
          decision: row.decision,
          decision_date: row.decisionDate,
          notes: row.notes,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  updateTool: (
    db: Db,
    id: string,
    p: {
      name?: string;
      category?: string;
      service?: string | null;
      users?: number | null;
      frequency?: 'daily' | 'weekly' | 'monthly' | 'rare';
      teachingValue?: 'low' | 'medium' | 'high';
      decision?: 'undecided' | 'integrate' | 'move';
      decisionDate?: string | null;
      notes?: string;
    },
  ) =>
    db
      .updateTable('rollout_tool')
      .set({
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.category !== undefined ? { category: p.category } : {}),
        ...(p.service !== undefined ? { service_key: p.service } : {}),
        ...(p.users !== undefined ? { users: p.users } : {}),
        ...(p.frequency !== undefined ? { frequency: p.frequency } : {}),
        ...(p.teachingValue !== undefined ? { teaching_value: p.teachingValue } : {}),
        ...(p.decision !== undefined ? { decision: p.decision } : {}),
        ...(p.decisionDate !== undefined ? { decision_date: p.decisionDate } : {}),
        ...(p.notes !== undefined ? { notes: p.notes } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute(),

  deleteTool: (db: Db, id: string) => db.deleteFrom('rollout_tool').where('id', '=', id).execute(),

  risks: (db: Db, establishmentId: string) =>
    db
      .selectFrom('rollout_risk')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .orderBy(sql`likelihood * impact`, 'desc')
      .orderBy('created_at')
      .execute(),

  risk: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('rollout_risk')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .where('id', '=', id)
      .executeTakeFirst(),

  insertRisk: async (
    db: Db,
    row: {
      establishmentId: string;
      title: string;
      likelihood: number;
      impact: number;
      ownerId: string | null;
      mitigation: string;
    },
  ) =>
    (
      await db
        .insertInto('rollout_risk')
        .values({
          establishment_id: row.establishmentId,
          title: row.title,
          likelihood: row.likelihood,
          impact: row.impact,
          owner_id: row.ownerId,
          mitigation: row.mitigation,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  updateRisk: (
    db: Db,
    id: string,
    p: {
      title?: string;
      likelihood?: number;
      impact?: number;
      ownerId?: string | null;
      mitigation?: string;
      status?: 'open' | 'closed';
      reviewedAt?: Date;
    },
  ) =>
    db
      .updateTable('rollout_risk')
      .set({
        ...(p.title !== undefined ? { title: p.title } : {}),
        ...(p.likelihood !== undefined ? { likelihood: p.likelihood } : {}),
        ...(p.impact !== undefined ? { impact: p.impact } : {}),
        ...(p.ownerId !== undefined ? { owner_id: p.ownerId } : {}),
        ...(p.mitigation !== undefined ? { mitigation: p.mitigation } : {}),
        ...(p.status !== undefined ? { status: p.status } : {}),
        ...(p.reviewedAt !== undefined ? { reviewed_at: p.reviewedAt } : {}),
      })
      .where('id', '=', id)
      .execute(),

  deleteRisk: (db: Db, id: string) => db.deleteFrom('rollout_risk').where('id', '=', id).execute(),
};

/** The steering group. */
export const team = {
  members: (db: Db, establishmentId: string) =>
    db
      .selectFrom('rollout_steering_member')
      .select(['user_id', 'role', 'subject_code'])
      .where('establishment_id', '=', establishmentId)
      .execute(),

  /** Replace the whole group in one go (inside the caller's transaction). */
  replace: async (
    db: Db,
    establishmentId: string,
    rows: { userId: string; role: 'pilot' | 'member' | 'tice'; subjectCode: string | null }[],
  ) => {
    await db.deleteFrom('rollout_steering_member').where('establishment_id', '=', establishmentId).execute();
    if (rows.length === 0) return;
    await db
      .insertInto('rollout_steering_member')
      .values(
        rows.map((r) => ({
          establishment_id: establishmentId,
          user_id: r.userId,
          role: r.role,
          subject_code: r.subjectCode,
        })),
      )
      .execute();
  },
};

/** The needs backlog. */
export const needs = {
  list: (db: Db, establishmentId: string) =>
    db
      .selectFrom('rollout_need')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .orderBy('created_at', 'desc')
      .limit(1000)
      .execute(),

  byId: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('rollout_need')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .where('id', '=', id)
      .executeTakeFirst(),

  insert: async (
    db: Db,
    row: {
      establishmentId: string;
      authorId: string;
      title: string;
      body: string;
      subjectCode: string | null;
      service: string | null;
    },
  ) =>
    (
      await db
        .insertInto('rollout_need')
        .values({
          establishment_id: row.establishmentId,
          author_id: row.authorId,
          title: row.title,
          body: row.body,
          subject_code: row.subjectCode,
          service_key: row.service,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  answer: (
    db: Db,
    id: string,
    p: { status?: 'open' | 'in_progress' | 'done' | 'declined'; answer?: string | null; by: string },
  ) =>
    db
      .updateTable('rollout_need')
      .set({
        ...(p.status !== undefined ? { status: p.status } : {}),
        ...(p.answer !== undefined ? { answer: p.answer } : {}),
        answered_by: p.by,
        answered_at: new Date(),
      })
      .where('id', '=', id)
      .execute(),
};

/** Information to families, the académie's help contact, establishments and académies. */
export const outreach = {
  insertAnnouncement: async (
    db: Db,
    row: { establishmentId: string; text: string; recipients: number; sentBy: string },
  ) =>
    (
      await db
        .insertInto('rollout_announcement')
        .values({
          establishment_id: row.establishmentId,
          text: row.text,
          recipients: row.recipients,
          sent_by: row.sentBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  lastAnnouncement: (db: Db, establishmentId: string) =>
    db
      .selectFrom('rollout_announcement')
      .select(['sent_at', 'recipients'])
      .where('establishment_id', '=', establishmentId)
      .orderBy('sent_at', 'desc')
      .limit(1)
      .executeTakeFirst(),

  establishment: (db: Db, establishmentId: string) =>
    db
      .selectFrom('establishment as e')
      .innerJoin('academy as a', 'a.id', 'e.academy_id')
      .select(['e.id', 'e.name', 'e.academy_id', 'a.name as academy_name'])
      .where('e.id', '=', establishmentId)
      .executeTakeFirst(),

  /** The current school year's first day (the default start of the indicators' period). */
  yearStart: async (db: Db, establishmentId: string) =>
    (
      await db
        .selectFrom('school_year')
        .select('starts_on')
        .where('establishment_id', '=', establishmentId)
        .where('status', '=', 'current')
        .executeTakeFirst()
    )?.starts_on ?? null,

  contact: (db: Db, academyId: string) =>
    db.selectFrom('rollout_academy_contact').selectAll().where('academy_id', '=', academyId).executeTakeFirst(),

  contacts: (db: Db, academyIds: string[]) =>
    academyIds.length === 0
      ? Promise.resolve([])
      : db.selectFrom('rollout_academy_contact').selectAll().where('academy_id', 'in', academyIds).execute(),

  upsertContact: (
    db: Db,
    row: {
      academyId: string;
      name: string;
      email: string | null;
      phone: string | null;
      url: string | null;
      hours: string | null;
      updatedBy: string;
    },
  ) =>
    db
      .insertInto('rollout_academy_contact')
      .values({
        academy_id: row.academyId,
        name: row.name,
        email: row.email,
        phone: row.phone,
        url: row.url,
        hours: row.hours,
        updated_by: row.updatedBy,
        updated_at: new Date(),
      })
      .onConflict((oc) =>
        oc.column('academy_id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          email: eb.ref('excluded.email'),
          phone: eb.ref('excluded.phone'),
          url: eb.ref('excluded.url'),
          hours: eb.ref('excluded.hours'),
          updated_by: eb.ref('excluded.updated_by'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow(),

  academy: (db: Db, id: string) =>
    db.selectFrom('academy').select(['id', 'name']).where('id', '=', id).executeTakeFirst(),

  academiesWithEstablishments: (db: Db) =>
    db
      .selectFrom('establishment as e')
      .innerJoin('academy as a', 'a.id', 'e.academy_id')
      .select(['e.id', 'e.uai', 'e.name', 'a.id as academy_id', 'a.name as academy_name'])
      .orderBy('a.name')
      .orderBy('e.name')
      .execute(),
};

/** A person's own rows, for the export of their data. */
export const personal = {
  stepsOwned: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_step as s')
      .innerJoin('establishment as e', 'e.id', 's.establishment_id')
      .select(['e.name as establishment', 's.service_key', 's.title', 's.due_date', 's.state'])
      .where('s.owner_id', '=', userId)
      .orderBy('s.due_date')
      .execute(),

  needsPosted: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_need as n')
      .innerJoin('establishment as e', 'e.id', 'n.establishment_id')
      .select([
        'e.name as establishment',
        'n.title',
        'n.body',
        'n.subject_code',
        'n.service_key',
        'n.status',
        'n.answer',
        'n.created_at',
      ])
      .where('n.author_id', '=', userId)
      .orderBy('n.created_at', 'desc')
      .execute(),

  steeringRoles: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_steering_member as m')
      .innerJoin('establishment as e', 'e.id', 'm.establishment_id')
      .select(['e.name as establishment', 'm.role', 'm.subject_code'])
      .where('m.user_id', '=', userId)
      .execute(),
};
