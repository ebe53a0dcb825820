import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import './logbook.tables.ts';

/** The logbook demo's set-based writes. */
export const demoWrites = {
  async lessons(
    db: AuthorizedDb,
    rows: {
      id: string;
      establishment_id: string;
      school_year_id: string;
      course_id: string;
      date: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      author_id: string | null;
      title: string;
      content: string;
      links: string;
      publish_at: Date | null;
      created_at: Date;
    }[],
  ) {
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('logbook_lesson')
        .values(rows.slice(i, i + 500))
        .execute();
  },

  async homework(
    db: AuthorizedDb,
    rows: {
      id: string;
      establishment_id: string;
      school_year_id: string;
      lesson_id: string;
      course_id: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
      author_id: string | null;
      assigned_on: string;
      due_date: string;
      description: string;
      kind: 'exercise' | 'lesson' | 'assessment' | 'project';
      estimated_minutes: number | null;
      publish_at: Date | null;
      notified_at: Date | null;
    }[],
  ) {
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('logbook_homework')
        .values(rows.slice(i, i + 500))
        .execute();
  },

  done: (db: AuthorizedDb, rows: { homework_id: string; student_id: string; establishment_id: string }[]) =>
    rows.length ? db.insertInto('logbook_homework_done').values(rows).execute() : Promise.resolve([]),

  visa: (
    db: AuthorizedDb,
    row: {
      id: string;
      establishment_id: string;
      school_year_id: string;
      signer_id: string | null;
      role: 'principal';
      class_id: string;
      through: string;
      comment: string;
      lessons: number;
    },
  ) => db.insertInto('logbook_visa').values(row).execute(),

  signed: (db: AuthorizedDb, visaId: string, lessonIds: string[]) =>
    lessonIds.length
      ? db.updateTable('logbook_lesson').set({ visa_id: visaId }).where('id', 'in', lessonIds).execute()
      : Promise.resolve([]),
};
