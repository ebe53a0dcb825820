/**
 * A big AAF import in groups of establishments (partition.ts) must come out exactly as the import in one piece:
 * the same rows, the same report. Each scenario runs on two databases of their own — one imported in one piece,
 * the other in groups of one establishment — and compares them.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { generateAafSet } from '../../../../test/aaf-generator.ts';
import { aafPerson as person, aafXml as xml } from '../../../../test/aaf-records.ts';
import { freshDatabase } from '../../../../test/helpers.ts';
import type { Database } from '../../../platform/db/schema.ts';
import { uaiCheckLetter } from '../../../platform/logins.ts';
import { type ImportOutcome, runImport } from './engine.ts';
import { memorySource } from './sources.ts';

type File = { name: string; content: Buffer | string };

const SK = ['9300001', '9300002', '9300003'];
const [UAI_A, UAI_B] = ['0930001', '0930002'].map((d) => `${d}${uaiCheckLetter(d)}`);

/**
 * Three lycées of a generated académie (each file type split over the three, as an export is), a guardian of
 * children in two of them, a teacher in two of them (with an unknown subject there and a function in a
 * structure nobody knows), and twins across two lycées.
 */
function academy(opts: { date?: string; students?: number; withoutTeacherInB?: boolean; moved?: boolean } = {}) {
  const date = opts.date ?? '20260901';
  const files: File[] = [];
  SK.forEach((sk, i) => {
    const set = generateAafSet({
      students: opts.students ?? 30,
      guardians: 45,
      staff: 8,
      structureKey: sk,
      uaiDigits: `093000${i + 1}`,
      prefix: 'ABC'[i]!,
      date,
    });
    for (const f of set) {
      let content = f.content.toString('latin1');
      // A student who moved from the first lycée to the second one.
      if (opts.moved && i === 0)
        content = content.replace(/<id>AE000001<\/id>[\s\S]*?<\/addRequest>/, (r) =>
          r.replaceAll('9300001', '9300002'),
        );
      files.push({
        name: f.name.replace(/_0(\d{3})\.xml$/, `_${i + 1}$1.xml`),
        content: Buffer.from(content, 'latin1'),
      });
    }
  });
  const ens = (sk: string) => `${sk}$ENS$ENSEIGNEMENT$L1300$ENSEIGNANT`;
  files.push({
    name: `ENT2D_Complet_${date}_PersRelEleve_9001.xml`,
    content: xml([
      person('PersRelEleve', 'XR000001', [
        ['sn', ['PARENT']],
        ['givenName', ['Commun']],
        ['ENTAuxPersRelEleveEleve', ['AE000001', 'BE000001']],
      ]),
    ]),
  });
  const teacherIn = opts.withoutTeacherInB ? [SK[0]!] : [SK[0]!, SK[1]!];
  files.push({
    name: `ENT2D_Complet_${date}_PersEducNat_9001.xml`,
    content: xml([
      person('PersEducNat', 'XP000001', [
        ['sn', ['PARTAGE']],
        ['givenName', ['Enseignant']],
        ['ENTPersonDateNaissance', ['01/02/1980']],
        ['ENTPersonStructRattach', teacherIn],
        ['ENTPersonFonctions', [...teacherIn.map(ens), '9399999$ENS$ENSEIGNEMENT$L1300$ENSEIGNANT']],
        ['ENTAuxEnsClassesMatieres', teacherIn.map((sk, j) => `${sk}$TG01$${j ? '999901' : '050100'}`)],
        ['ENTAuxEnsClassesPrincipal', teacherIn.slice(1).map((sk) => `${sk}$1G01`)],
      ]),
      // The same names and birth date in two lycées: reported once, over the whole set.
      ...[SK[0]!, SK[2]!].map((sk, j) =>
        person('PersEducNat', `XT00000${j + 1}`, [
          ['sn', ['JUMEAU']],
          ['givenName', ['Paul']],
          ['ENTPersonDateNaissance', ['03/04/1975']],
          ['ENTPersonStructRattach', [sk]],
          ['ENTPersonFonctions', [`${sk}$EDU$EDUCATION$CPE$CONSEILLER PRINCIPAL D'EDUCATION`]],
        ]),
      ),
    ]),
  });
  return files;
}

async function run(db: Kysely<Database>, files: File[], groupPeople?: number, dryRun = false) {
  const phases = new Set<string>();
  let last = -1;
  let monotonic = true;
  const outcome = await runImport(db, {
    kind: 'aaf',
    sources: files.map((f) => memorySource(f.name, f.content)),
    dryRun,
    scope: null,
    jobId: null,
    actorId: null,
    activationCodeDays: 90,
    groupPeople: groupPeople ?? 0,
    groupedFromBytes: 0,
    onProgress: (p, phase) => {
      phases.add(phase.split(' ')[0]!);
      if (p < last) monotonic = false;
      last = p;
    },
  });
  return { outcome, phases, monotonic, last };
}

const sortedAnomalies = (o: ImportOutcome) => o.report.anomalies.map((a) => JSON.stringify(a)).sort();

/** Everything the import writes, by natural keys (ids differ between databases). */
async function dump(db: Kysely<Database>) {
  const q = async (text: string) => (await sql.raw(text).execute(db)).rows.map((r) => JSON.stringify(r)).sort();
  return {
    establishments: await q(
      'SELECT e.uai, e.name, e.type, e.city, e.external_id, a.code FROM establishment e JOIN academy a ON a.id = e.academy_id',
    ),
    years: await q(
      'SELECT e.uai, y.label, y.status FROM school_year y JOIN establishment e ON e.id = y.establishment_id',
    ),
    subjects: await q('SELECT code, label FROM subject'),
    mefs: await q('SELECT code, label FROM mef'),
    classes: await q(
      'SELECT e.uai, c.code, c.label, c.mef_code FROM class c JOIN establishment e ON e.id = c.establishment_id',
    ),
    groups: await q(
      'SELECT e.uai, g.code, g.label FROM teaching_group g JOIN establishment e ON e.id = g.establishment_id',
    ),
    users: await q(
      `SELECT external_id, login, first_name, last_name, display_name, birth_date::text, email, title, ine, phone_home,
              phone_work, phone_mobile, address::text, status FROM app_user WHERE external_id IS NOT NULL`,
    ),
    memberships: await q(
      `SELECT u.external_id, e.uai, m.profile, m.functions, m.position FROM membership m
       JOIN app_user u ON u.id = m.user_id JOIN establishment e ON e.id = m.establishment_id`,
    ),
    enrolments: await q(
      `SELECT u.external_id, c.code AS class, g.code AS grp FROM enrolment x JOIN app_user u ON u.id = x.student_id
       LEFT JOIN class c ON c.id = x.class_id LEFT JOIN teaching_group g ON g.id = x.group_id`,
    ),
    guardianships: await q(
      `SELECT gu.external_id AS guardian, st.external_id AS student, e.uai, x.level, x.relation FROM guardianship x
       JOIN app_user gu ON gu.id = x.guardian_id JOIN app_user st ON st.id = x.student_id
       JOIN establishment e ON e.id = x.establishment_id`,
    ),
    assignments: await q(
      `SELECT u.external_id, c.code AS class, g.code AS grp, x.subject_code FROM teaching_assignment x
       JOIN app_user u ON u.id = x.teacher_id LEFT JOIN class c ON c.id = x.class_id LEFT JOIN teaching_group g ON g.id = x.group_id`,
    ),
    heads: await q(
      `SELECT u.external_id, c.code, e.uai FROM head_teacher h JOIN app_user u ON u.id = h.teacher_id
       JOIN class c ON c.id = h.class_id JOIN establishment e ON e.id = c.establishment_id`,
    ),
  };
}

const whole = await freshDatabase();
const grouped = await freshDatabase();

describe('an académie imported in groups of establishments', () => {
  test('the full export: the same rows and the same report as in one piece', async () => {
    const files = academy();
    const one = await run(whole, files);
    const parts = await run(grouped, files, 1);
    expect(one.outcome.groups).toBe(1);
    expect(parts.outcome.groups).toBe(3);
    expect(parts.outcome.status).toBe('done');
    expect(parts.outcome.report.counts).toEqual(one.outcome.report.counts);
    expect(parts.outcome.report.counts.establishments.created).toBe(3);
    expect(sortedAnomalies(parts.outcome)).toEqual(sortedAnomalies(one.outcome));
    const codes = new Set(parts.outcome.report.anomalies.map((a) => a.code));
    for (const code of ['UNKNOWN_STRUCTURE', 'UNKNOWN_SUBJECT', 'DUPLICATE_PERSON']) expect(codes).toContain(code);
    const records = (o: ImportOutcome) => o.files.map((f) => ('records' in f ? f.records : null));
    expect(records(parts.outcome)).toEqual(records(one.outcome));
    expect(await dump(grouped)).toEqual(await dump(whole));
    // The job's progress: parsing, resolving, then each establishment written, never backwards, up to the report.
    expect([...parts.phases]).toEqual(['parsing', 'resolving', 'writing', 'report']);
    expect(parts.monotonic).toBe(true);
    expect(parts.last).toBe(0.95);
  });

  test('a guardian of children in two lycées and a teacher in two lycées come out right', async () => {
    const rows = await dump(grouped);
    const of = (list: string[], key: string) =>
      list.map((r) => JSON.parse(r)).filter((r) => r.external_id === key || r.guardian === key);
    expect(of(rows.guardianships, 'XR000001').map((r) => [r.student, r.uai, r.level])).toEqual([
      ['AE000001', UAI_A, 'legal'],
      ['BE000001', UAI_B, 'legal'],
    ]);
    expect(of(rows.memberships, 'XR000001').map((r) => [r.uai, r.profile])).toEqual([
      [UAI_A, 'guardian'],
      [UAI_B, 'guardian'],
    ]);
    expect(of(rows.users, 'XR000001')).toHaveLength(1);
    expect(of(rows.memberships, 'XP000001').map((r) => [r.uai, r.profile])).toEqual([
      [UAI_A, 'teacher'],
      [UAI_B, 'teacher'],
    ]);
    expect(of(rows.assignments, 'XP000001').map((r) => [r.class, r.subject_code])).toEqual([
      ['TG01', '050100'],
      ['TG01', '999901'],
    ]);
    expect(of(rows.heads, 'XP000001').map((r) => [r.code, r.uai])).toEqual([['1G01', UAI_B]]);
    expect(rows.subjects.some((r) => JSON.parse(r).code === '999901')).toBe(true);
  });

  test('the same files again change nothing, both ways', async () => {
    const files = academy();
    const one = await run(whole, files);
    const parts = await run(grouped, files, 1);
    expect(parts.outcome.groups).toBe(3);
    for (const o of [one, parts])
      for (const c of Object.values(o.outcome.report.counts))
        expect(c).toEqual({ created: 0, updated: 0, detached: 0 });
    expect(sortedAnomalies(parts.outcome)).toEqual(sortedAnomalies(one.outcome));
  });

  test('a later export (a student moved, one left, the shared teacher left a lycée): dry run then real run', async () => {
    const files = academy({ date: '20261001', students: 29, withoutTeacherInB: true, moved: true });
    const dryOne = await run(whole, files, undefined, true);
    const dryParts = await run(grouped, files, 1, true);
    expect(dryParts.outcome.report.counts).toEqual(dryOne.outcome.report.counts);
    expect(sortedAnomalies(dryParts.outcome)).toEqual(sortedAnomalies(dryOne.outcome));
    expect(await dump(grouped)).toEqual(await dump(whole));

    const one = await run(whole, files);
    const parts = await run(grouped, files, 1);
    expect(parts.outcome.report.counts).toEqual(one.outcome.report.counts);
    expect(parts.outcome.report.counts).toEqual(dryParts.outcome.report.counts);
    expect(parts.outcome.report.counts.students.detached).toBe(3);
    expect(sortedAnomalies(parts.outcome)).toEqual(sortedAnomalies(one.outcome));
    const rows = await dump(grouped);
    expect(rows).toEqual(await dump(whole));
    const memberships = rows.memberships.map((r) => JSON.parse(r));
    expect(memberships.filter((m) => m.external_id === 'XP000001').map((m) => m.uai)).toEqual([UAI_A]);
    expect(memberships.filter((m) => m.external_id === 'AE000001').map((m) => [m.uai, m.profile])).toEqual([
      [UAI_B, 'student'],
    ]);
  });
});
