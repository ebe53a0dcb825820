/** The service modules' data of the generated académie, written once per bench run and shared by scenarios. */
import type { Kysely } from 'kysely';
import type { Database } from '../../../server/src/platform/db/schema.ts';
import type { Ctx } from '../scenarios/context.ts';
import { type GradesWritten, writeGrades } from './grades-writer.ts';
import { type LogbookWritten, writeLogbooks } from './logbook-writer.ts';
import { type TimetableWritten, writeTimetables } from './timetable-writer.ts';

let timetables: Promise<TimetableWritten> | null = null;
let logbooks: Promise<LogbookWritten> | null = null;
let grades: Promise<GradesWritten> | null = null;

/** A year of timetable for every establishment (once per run). */
export function benchTimetables(ctx: Ctx, db: Kysely<Database>): Promise<TimetableWritten> {
  timetables ??= writeTimetables(db, ctx.options.seed).then((w) => {
    ctx.say(`  timetables: ${w.courses} courses written in ${w.seconds.toFixed(1)} s`);
    return w;
  });
  return timetables;
}

/** A year of logbook on those timetables (once per run). */
export function benchLogbooks(ctx: Ctx, db: Kysely<Database>): Promise<LogbookWritten> {
  logbooks ??= benchTimetables(ctx, db)
    .then(() => writeLogbooks(db, ctx.options.seed))
    .then((w) => {
      ctx.say(
        `  logbooks: ${w.lessons} lessons, ${w.homework} homework, ${w.ticks} ticks written in ${w.seconds.toFixed(1)} s`,
      );
      return w;
    });
  return logbooks;
}

/** A trimester of grades for every establishment (once per run). */
export function benchGrades(ctx: Ctx, db: Kysely<Database>): Promise<GradesWritten> {
  grades ??= writeGrades(db, ctx.options.seed).then((w) => {
    ctx.say(`  grades: ${w.assessments} assessments, ${w.grades} grades written in ${w.seconds.toFixed(1)} s`);
    return w;
  });
  return grades;
}
