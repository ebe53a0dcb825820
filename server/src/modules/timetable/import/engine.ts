/**
 * The timetable import, once its files are stored: read them (STS pair or CSV), match classes, groups, subjects
 * and teachers to the directory, report what cannot be placed (worded in French), then write everything in one
 * transaction — a broken run changes nothing. Courses of earlier imports keep their ids when they are still in
 * the files (so their logbook stays attached); those no longer there end yesterday (or go, if they never ran).
 * Courses the direction entered by hand are never touched.
 */
import type { TimetableAnomaly, TimetableImportCounts, TimetableImportReport } from '@preau/contracts';
import type { Kysely } from 'kysely';
import { trustedDb } from '../../../platform/access/authorize.ts';
import { audit } from '../../../platform/audit.ts';
import type { Database } from '../../../platform/db/schema.ts';
import { foldName } from '../../directory/index.ts';
import { addDays, hhmm, minutesOf, parisDate } from '../calendar.ts';
import { timetable } from '../timetable.repository.ts';
import { alternatingWeeks, zoneOf } from '../timetable.service.ts';
import { readCsv } from './csv-reader.ts';
import { importData, importJobs } from './import.repository.ts';
import {
  describe,
  frenchTime,
  type ImportedCourse,
  type TeacherRef,
  type TimetableSet,
  teacherName,
  WEEKDAYS,
} from './model.ts';
import { readSts } from './sts-reader.ts';
import { parseXml } from './xml.ts';

export const emptyCounts = (): TimetableImportCounts => ({
  courses: 0,
  created: 0,
  updated: 0,
  removed: 0,
  skipped: 0,
  teachersMatched: 0,
  classesMatched: 0,
  groupsMatched: 0,
  weekPatterns: 0,
  rooms: 0,
});

/** What a stored file is, by its content: an STS XML file (by its root) or a CSV file. */
export function readFiles(files: { name: string; data: Buffer }[]): TimetableSet {
  const xml = files.filter((f) =>
    /^\s*</.test(
      f.data
        .subarray(0, 200)
        .toString('latin1')
        .replace(/^\uFEFF/, ''),
    ),
  );
  if (xml.length > 0) return readSts(xml.map((f) => ({ name: f.name, root: parseXml(f.data) })));
  const csv = files[0]!;
  return readCsv(csv.name, csv.data);
}

const DROPPED = new Set(['MALFORMED_COURSE', 'START_OUTSIDE_DAY', 'UNKNOWN_WEEK_PATTERN', 'MALFORMED_LINE']);

interface Resolved {
  course: ImportedCourse;
  classId: string | null;
  groupId: string | null;
  subjectCode: string;
  teacherIds: string[];
  patternCode: string | null;
}

export async function runTimetableImport(db: Kysely<Database>, jobId: string): Promise<void> {
  if (!(await importJobs.start(db, jobId))) return;
  const job = (await importJobs.byId(db, jobId))!;
  const anomalies: TimetableAnomaly[] = [];
  const counts = emptyCounts();
  try {
    const files = await importJobs.files(db, jobId);
    const set = readFiles(files);
    anomalies.push(...set.anomalies);
    // Courses the reading already left out (illegible, outside the day's hours, unknown week pattern).
    const dropped = set.anomalies.filter((a) => DROPPED.has(a.code)).length;
    counts.courses += dropped;
    counts.skipped += dropped;
    await importJobs.progress(db, jobId, 0.3, 'matching');

    const est = await importData.establishment(db, job.establishment_id);
    const year = await timetable.currentYear(db, job.establishment_id);
    if (!est || !year) throw new Error('establishment or school year not found');
    if (set.uai && set.uai.trim().toUpperCase() !== est.uai.toUpperCase()) {
      await importJobs.deleteFiles(db, jobId);
      await importJobs.finish(db, jobId, 'failed', {
        counts,
        anomalies: [
          {
            code: 'UAI_MISMATCH',
            message: `Ces fichiers concernent l’établissement ${set.uai.trim()}, pas ${est.name} (${est.uai}) : rien n’a été importé.`,
          },
        ],
      } satisfies TimetableImportReport);
      return;
    }
    const [classes, groups, subjects, teachers, links, existing] = await Promise.all([
      importData.classes(db, year.id),
      importData.groups(db, year.id),
      importData.subjects(db),
      importData.teachers(db, job.establishment_id),
      importData.links(db, job.establishment_id),
      importData.importedCourses(db, year.id),
    ]);

    // ---- classes, groups, subjects ----
    const classBy = new Map(classes.map((c) => [c.code.trim().toUpperCase(), c.id]));
    const groupBy = new Map(groups.map((g) => [g.code.trim().toUpperCase(), g.id]));
    const subjectBy = new Map(subjects.map((s) => [s.code, s.code]));
    for (const s of subjects) if (!subjectBy.has(foldName(s.label))) subjectBy.set(foldName(s.label), s.code);

    // ---- teachers: by the link an earlier import made, else by name (and birth date) ----
    const teacherIds = new Set(teachers.map((t) => t.id));
    const linkBy = new Map(links.filter((l) => teacherIds.has(l.user_id)).map((l) => [l.sts_id, l.user_id]));
    const byName = new Map<string, typeof teachers>();
    for (const t of teachers) {
      const k = `${foldName(t.last_name)}|${foldName(t.first_name)}`;
      byName.set(k, [...(byName.get(k) ?? []), t]);
    }
    const teacherMatch = new Map<string, string | null>();
    const newLinks: { stsId: string; userId: string }[] = [];
    const teacherKey = (t: TeacherRef) => t.stsId ?? `${foldName(t.lastName)}|${foldName(t.firstName)}`;
    const unknownTeachers = new Map<string, { ref: TeacherRef; courses: number; ambiguous: boolean }>();
    const matchTeacher = (t: TeacherRef): string | null => {
      const key = teacherKey(t);
      if (teacherMatch.has(key)) return teacherMatch.get(key)!;
      let id: string | null = t.stsId ? (linkBy.get(t.stsId) ?? null) : null;
      let ambiguous = false;
      if (!id && (t.lastName || t.firstName)) {
        let candidates = byName.get(`${foldName(t.lastName)}|${foldName(t.firstName)}`) ?? [];
        if (candidates.length > 1 && t.birthDate) {
          const sameBirth = candidates.filter((c) => c.birth_date === t.birthDate);
          if (sameBirth.length > 0) candidates = sameBirth;
        }
        if (candidates.length === 1) {
          id = candidates[0]!.id;
          if (t.stsId) newLinks.push({ stsId: t.stsId, userId: id });
        } else ambiguous = candidates.length > 1;
      }
      teacherMatch.set(key, id);
      if (!id) unknownTeachers.set(key, { ref: t, courses: 0, ambiguous });
      return id;
    };

    // ---- week patterns ----
    const { zone } = await zoneOf(db, job.establishment_id);
    const known = new Map((await timetable.patterns(db, year.id)).map((p) => [p.code, p.weeks]));
    const patterns: { code: string; label: string; weeks: string[] }[] = [];
    const alternating = alternatingWeeks(year.starts_on, year.ends_on, zone);
    const usablePatterns = new Set<string>();
    for (const p of set.patterns) {
      if (p.weeks.length > 0) {
        patterns.push(p);
        usablePatterns.add(p.code);
      } else if (known.has(p.code)) usablePatterns.add(p.code);
      else if (p.code === 'A' || p.code === 'B') {
        patterns.push({ code: p.code, label: p.label, weeks: alternating[p.code] });
        usablePatterns.add(p.code);
      } else if (set.courses.some((c) => c.pattern === p.code))
        anomalies.push({
          code: 'UNKNOWN_WEEK_PATTERN',
          message: `Alternance de semaines « ${p.code} » inconnue : seules A et B (ou celles d’un fichier STS) sont reconnues ; ses cours sont ignorés.`,
        });
    }

    // ---- each course ----
    const unknownTargets = new Map<string, { kind: 'class' | 'group'; n: number }>();
    const unknownSubjects = new Map<string, number>();
    const resolved: Resolved[] = [];
    const usedClasses = new Set<string>();
    const usedGroups = new Set<string>();
    for (const c of set.courses) {
      counts.courses++;
      const code = c.target.code.trim().toUpperCase();
      const classId = c.target.kind === 'class' ? (classBy.get(code) ?? null) : null;
      const groupId = c.target.kind === 'group' ? (groupBy.get(code) ?? null) : null;
      if (!classId && !groupId) {
        const k = `${c.target.kind}:${c.target.code}`;
        unknownTargets.set(k, { kind: c.target.kind, n: (unknownTargets.get(k)?.n ?? 0) + 1 });
        counts.skipped++;
        continue;
      }
      const subjectCode = subjectBy.get(c.subjectCode) ?? subjectBy.get(foldName(c.subjectCode));
      if (!subjectCode) {
        unknownSubjects.set(c.subjectCode, (unknownSubjects.get(c.subjectCode) ?? 0) + 1);
        counts.skipped++;
        continue;
      }
      if (c.pattern && !usablePatterns.has(c.pattern)) {
        counts.skipped++;
        continue;
      }
      const ids: string[] = [];
      for (const t of c.teachers) {
        const id = matchTeacher(t);
        if (id) ids.push(id);
        else unknownTeachers.get(teacherKey(t))!.courses++;
      }
      if (classId) usedClasses.add(classId);
      if (groupId) usedGroups.add(groupId);
      resolved.push({
        course: c,
        classId,
        groupId,
        subjectCode,
        teacherIds: [...new Set(ids)].sort(),
        patternCode: c.pattern,
      });
    }
    for (const [k, v] of unknownTargets) {
      const code = k.slice(k.indexOf(':') + 1);
      anomalies.push({
        code: v.kind === 'class' ? 'UNKNOWN_CLASS' : 'UNKNOWN_GROUP',
        message: `${v.kind === 'class' ? 'Classe' : 'Groupe'} « ${code} » absent${v.kind === 'class' ? 'e' : ''} de l’annuaire de l’année en cours : ${v.n} cours ignoré${v.n > 1 ? 's' : ''}.`,
      });
    }
    for (const [code, n] of unknownSubjects)
      anomalies.push({
        code: 'UNKNOWN_SUBJECT',
        message: `Matière « ${code} » inconnue de la nomenclature : ${n} cours ignoré${n > 1 ? 's' : ''}.`,
      });
    for (const { ref, courses, ambiguous } of unknownTeachers.values())
      anomalies.push({
        code: ambiguous ? 'AMBIGUOUS_TEACHER' : 'UNKNOWN_TEACHER',
        message: ambiguous
          ? `Plusieurs comptes de l’annuaire s’appellent ${teacherName(ref)}${ref.stsId ? ` (STS n° ${ref.stsId})` : ''} : aucun n’a été choisi, ${courses} cours importé${courses > 1 ? 's' : ''} sans cet enseignant.`
          : `Enseignant ${teacherName(ref)}${ref.stsId ? ` (STS n° ${ref.stsId})` : ''} absent de l’annuaire de l’établissement : ${courses} cours importé${courses > 1 ? 's' : ''} sans cet enseignant.`,
      });
    anomalies.push(...overlaps(resolved, patterns, known, classes, groups, teachers));

    // ---- write, all or nothing ----
    await importJobs.progress(db, jobId, 0.6, 'writing');
    const yesterday = addDays(parisDate(), -1);
    const wdb = trustedDb(db, 'timetable import job, acting for the member who queued it');
    await wdb.transaction().execute(async (t) => {
      const trx = trustedDb(t as unknown as Kysely<Database>, 'the import job’s transaction');
      const patternIds = new Map(
        (await timetable.patterns(trx, year.id)).map((p) => [p.code, p.id] as [string, string]),
      );
      for (const [code, id] of await timetable.upsertPatterns(trx, job.establishment_id, year.id, patterns))
        patternIds.set(code, id);
      const old = new Map(existing.map((e) => [e.external_key!, e]));
      const inserts: Parameters<typeof importData.insertCourses>[1] = [];
      const teacherPairs: { courseId: string; teacherIds: string[] }[] = [];
      const insertTeachers = new Map<string, string[]>();
      for (const r of resolved) {
        const c = r.course;
        const patternId = r.patternCode ? (patternIds.get(r.patternCode) ?? null) : null;
        const prev = old.get(c.key);
        if (prev) {
          old.delete(c.key);
          const same =
            prev.class_id === r.classId &&
            prev.group_id === r.groupId &&
            hhmm(prev.ends_at) === c.end &&
            (prev.room ?? null) === c.room &&
            prev.week_pattern_id === patternId &&
            prev.valid_to === year.ends_on &&
            prev.teacher_ids.join(',') === r.teacherIds.join(',');
          if (!same) {
            await importData.updateCourse(trx, prev.id, {
              room: c.room,
              ends_at: c.end,
              week_pattern_id: patternId,
              valid_to: year.ends_on,
              class_id: r.classId,
              group_id: r.groupId,
            });
            teacherPairs.push({ courseId: prev.id, teacherIds: r.teacherIds });
            counts.updated++;
          }
          continue;
        }
        inserts.push({
          establishment_id: job.establishment_id,
          school_year_id: year.id,
          class_id: r.classId,
          group_id: r.groupId,
          subject_code: r.subjectCode,
          weekday: c.weekday,
          starts_at: c.start,
          ends_at: c.end,
          room: c.room,
          week_pattern_id: patternId,
          valid_from: year.starts_on,
          valid_to: year.ends_on,
          external_key: c.key,
        });
        insertTeachers.set(c.key, r.teacherIds);
      }
      const created = await importData.insertCourses(trx, inserts);
      counts.created = created.size;
      for (const [key, id] of created) teacherPairs.push({ courseId: id, teacherIds: insertTeachers.get(key) ?? [] });
      await importData.setTeachers(trx, job.establishment_id, teacherPairs);
      const gone = [...old.values()].filter((o) => o.valid_to > yesterday || o.valid_from > yesterday).map((o) => o.id);
      await importData.removeCourses(trx, gone, yesterday);
      counts.removed = gone.length;
      await importData.upsertLinks(trx, job.establishment_id, dedupeLinks(newLinks));
      counts.teachersMatched = new Set(resolved.flatMap((r) => r.teacherIds)).size;
      counts.classesMatched = usedClasses.size;
      counts.groupsMatched = usedGroups.size;
      counts.weekPatterns = new Set(resolved.map((r) => r.patternCode).filter(Boolean)).size;
      counts.rooms = new Set(resolved.map((r) => r.course.room).filter(Boolean)).size;
      await audit(
        trx,
        { user: null, ip: '' },
        {
          actorId: job.requested_by,
          action: 'timetable.import.run',
          establishmentId: job.establishment_id,
          targetType: 'timetable_import',
          targetId: jobId,
          details: { counts, anomalies: anomalies.length },
        },
      );
    });
    await importJobs.deleteFiles(db, jobId);
    await importJobs.finish(db, jobId, 'done', { counts, anomalies } satisfies TimetableImportReport);
  } catch (e) {
    await importJobs.deleteFiles(db, jobId).catch(() => {});
    await importJobs.finish(db, jobId, 'failed', {
      counts: emptyCounts(),
      anomalies: [
        ...anomalies,
        { code: 'IMPORT_FAILED', message: `L’import s’est arrêté sans rien modifier : ${(e as Error).message}` },
      ],
    } satisfies TimetableImportReport);
  }
}

function dedupeLinks(links: { stsId: string; userId: string }[]) {
  return [...new Map(links.map((l) => [l.stsId, l])).values()];
}

/** Courses of one class, group or teacher that overlap on a weekday in at least one common week. */
function overlaps(
  resolved: Resolved[],
  patterns: { code: string; weeks: string[] }[],
  known: Map<string, string[]>,
  classes: { id: string; code: string }[],
  groups: { id: string; code: string }[],
  teachers: { id: string; first_name: string; last_name: string }[],
): TimetableAnomaly[] {
  const weeksOf = new Map<string, Set<string>>(Array.from(known, ([k, v]) => [k, new Set(v)] as [string, Set<string>]));
  for (const p of patterns) weeksOf.set(p.code, new Set(p.weeks));
  const share = (a: string | null, b: string | null) => {
    if (!a || !b) return true;
    if (a === b) return true;
    const wa = weeksOf.get(a);
    const wb = weeksOf.get(b);
    if (!wa || !wb) return true;
    for (const w of wa) if (wb.has(w)) return true;
    return false;
  };
  const names = new Map<string, string>([
    ...classes.map((c) => [c.id, `la classe ${c.code}`] as [string, string]),
    ...groups.map((g) => [g.id, `le groupe ${g.code}`] as [string, string]),
    ...teachers.map((t) => [t.id, `${t.last_name.toUpperCase()} ${t.first_name}`] as [string, string]),
  ]);
  const by = new Map<string, Resolved[]>();
  const add = (k: string, r: Resolved) => by.set(k, [...(by.get(k) ?? []), r]);
  for (const r of resolved) {
    if (r.classId) add(r.classId, r);
    if (r.groupId) add(r.groupId, r);
    for (const t of r.teacherIds) add(t, r);
  }
  const out: TimetableAnomaly[] = [];
  const said = new Set<string>();
  for (const [who, list] of by) {
    const sorted = [...list].sort(
      (a, b) => a.course.weekday - b.course.weekday || (a.course.start < b.course.start ? -1 : 1),
    );
    for (let i = 0; i < sorted.length; i++)
      for (let j = i + 1; j < sorted.length; j++) {
        const a = sorted[i]!.course;
        const b = sorted[j]!.course;
        if (a.weekday !== b.weekday) break;
        if (minutesOf(b.start) >= minutesOf(a.end)) break;
        if (!share(sorted[i]!.patternCode, sorted[j]!.patternCode)) continue;
        const key = [a.key, b.key].sort().join('&');
        if (said.has(`${who}|${key}`)) continue;
        said.add(`${who}|${key}`);
        out.push({
          code: 'OVERLAPPING_COURSES',
          message: `Cours qui se chevauchent pour ${names.get(who) ?? 'un enseignant'} le ${WEEKDAYS[a.weekday]} : ${describe(a)}–${frenchTime(a.end)} et ${describe(b)}–${frenchTime(b.end)}.`,
          file: a.file,
          line: b.line,
        });
      }
  }
  return out;
}
