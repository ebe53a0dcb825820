import type { AuthorizedDb as Db } from '../../platform/access/authorize.ts';
import './rollout.tables.ts';

/** The demo académie's rollout data: inserted set-based, once, into the module's own tables. */
export const demoRows = {
  members: (db: Db, establishmentId: string) =>
    db
      .selectFrom('membership as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'm.profile', 'u.login', 'u.status', 'u.is_platform_admin'])
      .where('m.establishment_id', '=', establishmentId)
      .execute(),

  steps: (
    db: Db,
    rows: {
      establishment_id: string;
      service_key: string;
      title: string;
      owner_id: string;
      due_date: string;
      state: 'todo' | 'in_progress' | 'done' | 'cancelled';
      done_at: Date | null;
    }[],
  ) => db.insertInto('rollout_step').values(rows).returning(['id', 'title']).execute(),

  objectives: (
    db: Db,
    rows: {
      establishment_id: string;
      service_key: string;
      indicator: string;
      target: number;
      due_date: string;
      establishment_axis_id: string | null;
      academy_axis_id: string | null;
    }[],
  ) => db.insertInto('rollout_objective').values(rows).execute(),

  axes: (db: Db, rows: { academy_id: string; establishment_id: string | null; label: string }[]) =>
    db.insertInto('rollout_axis').values(rows).returning(['id', 'label']).execute(),

  tools: (
    db: Db,
    rows: {
      establishment_id: string;
      name: string;
      category: string;
      service_key: string | null;
      users: number | null;
      frequency: 'daily' | 'weekly' | 'monthly' | 'rare';
      teaching_value: 'low' | 'medium' | 'high';
      decision: 'undecided' | 'integrate' | 'move';
      decision_date: string | null;
      notes: string;
    }[],
  ) => db.insertInto('rollout_tool').values(rows).execute(),

  risks: (
    db: Db,
    rows: {
      establishment_id: string;
      title: string;
      likelihood: number;
      impact: number;
      owner_id: string | null;
      mitigation: string;
      reviewed_at: Date | null;
    }[],
  ) => db.insertInto('rollout_risk').values(rows).execute(),

  team: (
    db: Db,
    rows: {
      establishment_id: string;
      user_id: string;
      role: 'pilot' | 'member' | 'tice';
      subject_code: string | null;
    }[],
  ) => db.insertInto('rollout_steering_member').values(rows).execute(),

  needs: (
    db: Db,
    rows: {
      establishment_id: string;
      author_id: string;
      subject_code: string | null;
      service_key: string | null;
      title: string;
      body: string;
      status: 'open' | 'in_progress' | 'done' | 'declined';
      answer: string | null;
      answered_by: string | null;
      answered_at: Date | null;
      created_at: Date;
    }[],
  ) => db.insertInto('rollout_need').values(rows).execute(),

  skills: (
    db: Db,
    rows: { establishment_id: string; user_id: string; domain: string; level: number; assessed_at: Date }[],
  ) => db.insertInto('rollout_skill').values(rows).execute(),

  resourcePerson: async (
    db: Db,
    row: {
      establishment_id: string;
      user_id: string;
      service_key: string | null;
      subject_code: string | null;
      note: string;
    },
  ) => (await db.insertInto('rollout_resource_person').values(row).returning('id').executeTakeFirstOrThrow()).id,

  slots: (
    db: Db,
    rows: {
      establishment_id: string;
      resource_person_id: string;
      starts_at: Date;
      ends_at: Date;
      mode: 'onsite' | 'remote';
      room: string | null;
      booked_by: string | null;
      booked_at: Date | null;
      topic: string | null;
    }[],
  ) => db.insertInto('rollout_slot').values(rows).execute(),

  training: async (
    db: Db,
    row: {
      establishment_id: string;
      title: string;
      audience: string;
      starts_at: Date;
      ends_at: Date;
      place: string;
      capacity: number;
      step_id: string | null;
      created_by: string;
    },
  ) => (await db.insertInto('rollout_training').values(row).returning('id').executeTakeFirstOrThrow()).id,

  registrations: (
    db: Db,
    rows: { training_id: string; user_id: string; establishment_id: string; present: boolean | null }[],
  ) => (rows.length === 0 ? Promise.resolve([]) : db.insertInto('rollout_registration').values(rows).execute()),

  pulse: async (
    db: Db,
    answers: { establishment_id: string; service_key: string; period: string; score: number; comment: string | null }[],
    markers: { establishment_id: string; user_id: string; service_key: string; period: string }[],
  ) => {
    await db.insertInto('rollout_pulse_answer').values(answers).execute();
    await db.insertInto('rollout_pulse_marker').values(markers).execute();
  },

  contact: (
    db: Db,
    row: { academy_id: string; name: string; email: string; phone: string; url: string; hours: string },
  ) => db.insertInto('rollout_academy_contact').values(row).execute(),

  academyOf: async (db: Db, establishmentId: string) =>
    (
      await db
        .selectFrom('establishment')
        .select('academy_id')
        .where('id', '=', establishmentId)
        .executeTakeFirstOrThrow()
    ).academy_id,
};
