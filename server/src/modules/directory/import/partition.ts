/**
 * A big AAF import in groups of establishments (issue 16), so that its memory is bounded by a group, not by the
 * académie. A first pass streams every file once: it keeps what is global and small (structures, subjects, MEF,
 * the anomalies of the files), a light index of the people (the structures that place them, their links), and
 * spills each person's mapped record to a temporary file. Then each person is assigned to the groups of the
 * establishments it has a place, a link or a membership in (students by their structures, staff by their
 * functions and assignments, guardians through their children), and each group is resolved and written as
 * an import of its own — with what needs the whole set (twins, unknown subjects and MEF, the structures' anomalies,
 * who is present anywhere) computed once by the first pass.
 *
 * Only full exports qualify (add requests only, each key of one kind, no scope): deltas are small, and the
 * engine imports anything else in one piece as before.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MappedRecord } from '../aaf/aaf-mapping.ts';
import { type AafFileInfo, AafSetBuilder, readAafSet } from './aaf-reader.ts';
import { imports } from './import.repository.ts';
import {
  anomaly,
  foldName,
  type GuardianIn,
  type ImportAnomaly,
  type ImportSet,
  type Origin,
  type PersonKind,
  type StaffIn,
  type StudentIn,
} from './model.ts';
import { type GroupContext, resolveStructures, type StructureRefs, type StructureResolution } from './resolve.ts';
import type { ImportSource } from './sources.ts';

const PERSON_KINDS = new Set(['student', 'guardian', 'staff']);
const STAFF_PROFILES = new Set(['teacher', 'staff', 'principal']);

interface ScanEntry {
  kind: PersonKind;
  /** Structure keys that place the person (students: structures, classes, groups; staff: functions, assignments, head teacher; guardians: their own). */
  places: string[];
  /** A student's guardians, a guardian's students. */
  links: string[];
  /** After the partition: the groups the person is read in. */
  groups: number[];
}

/** A 53-bit hash: the twins' index keeps a number per person, not the names. */
function hash53(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

/** The first pass's index: what the resolver needs of the whole set, without the people's details. */
export class AafScan {
  readonly people = new Map<string, ScanEntry>();
  /** Why the set cannot be imported in groups; null when it can. */
  unfit: string | null = null;
  private readonly refs: Record<PersonKind, StructureRefs> = {
    student: new Map(),
    staff: new Map(),
    guardian: new Map(),
  };
  private readonly twinFirst: Record<PersonKind, Map<number, string>> = {
    student: new Map(),
    staff: new Map(),
    guardian: new Map(),
  };
  private readonly twinOthers = new Map<string, { key: string; origin: Origin }[]>();
  readonly studentMefs = new Map<string, Origin>();
  private subjectOrder = 0;
  /** Subject code → structure key → its first use (staff order, class then group assignments). */
  readonly subjectUses = new Map<string, Map<string, { order: number; origin: Origin; key: string }>>();
  readonly studentStructures = new Set<string>();
  private readonly strings = new Map<string, string>();

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  record(r: MappedRecord): void {
    if (r.entityKind && PERSON_KINDS.has(r.entityKind) && r.op !== 'add') this.unfit ??= 'modify or delete requests';
  }

  readonly person = (kind: PersonKind, op: MappedRecord['op'], p: StudentIn | GuardianIn | StaffIn): void => {
    if (op !== 'add') {
      this.unfit ??= 'modify or delete requests';
      return;
    }
    if (this.people.has(p.key)) {
      // The same key added as two kinds of person: left to the import in one piece.
      this.unfit ??= 'a key used by two kinds of person';
      return;
    }
    const refs = this.refs[kind];
    const ref = (k: string) => {
      const r = refs.get(k);
      if (r) r.count++;
      else refs.set(this.intern(k), { origin: p.origin, count: 1 });
    };
    const places = new Set<string>();
    let links: string[] = [];
    if (kind === 'student') {
      const s = p as StudentIn;
      for (const k of s.structures ?? []) {
        ref(k);
        places.add(this.intern(k));
        this.studentStructures.add(this.intern(k));
      }
      for (const c of [...(s.classes ?? []), ...(s.groups ?? [])]) {
        ref(c.structureKey);
        places.add(this.intern(c.structureKey));
      }
      links = (s.guardians ?? []).map((l) => l.guardianKey);
      if (s.mef && !this.studentMefs.has(s.mef)) this.studentMefs.set(s.mef, s.origin);
    } else if (kind === 'staff') {
      const t = p as StaffIn;
      for (const k of t.structures ?? []) ref(k);
      for (const pr of t.profiles) {
        ref(pr.structureKey);
        places.add(this.intern(pr.structureKey));
      }
      for (const a of [...(t.classAssignments ?? []), ...(t.groupAssignments ?? []), ...(t.headTeacherOf ?? [])]) {
        ref(a.structureKey);
        places.add(this.intern(a.structureKey));
      }
      for (const a of [...(t.classAssignments ?? []), ...(t.groupAssignments ?? [])]) {
        let uses = this.subjectUses.get(a.subjectCode);
        if (!uses) {
          uses = new Map();
          this.subjectUses.set(a.subjectCode, uses);
        }
        this.subjectOrder++;
        if (!uses.has(a.structureKey))
          uses.set(a.structureKey, { order: this.subjectOrder, origin: t.origin, key: t.key });
      }
    } else {
      const g = p as GuardianIn;
      for (const k of g.structures ?? []) {
        ref(k);
        places.add(this.intern(k));
      }
      links = g.students ?? [];
    }
    const birth = p.values.birth_date;
    if (birth && p.values.last_name) {
      const h = hash53(
        `${foldName(String(p.values.last_name))}|${foldName(String(p.values.first_name ?? ''))}|${birth}`,
      );
      const first = this.twinFirst[kind].get(h);
      if (first === undefined) this.twinFirst[kind].set(h, p.key);
      else {
        const k = `${kind}|${h}`;
        const others = this.twinOthers.get(k) ?? [];
        others.push({ key: p.key, origin: p.origin });
        this.twinOthers.set(k, others);
      }
    }
    this.people.set(p.key, { kind, places: [...places], links, groups: [] });
  };

  /** The structures the people name, counted as `structureRefs` does over a whole set. */
  structureRefs(): StructureRefs {
    const out: StructureRefs = new Map();
    for (const kind of ['student', 'staff', 'guardian'] as const)
      for (const [k, r] of this.refs[kind]) {
        const o = out.get(k);
        if (o) o.count += r.count;
        else out.set(k, { ...r });
      }
    return out;
  }

  /** `DUPLICATE_PERSON`, as the resolver reports it over a whole set. */
  twins(): ImportAnomaly[] {
    const out: ImportAnomaly[] = [];
    for (const kind of ['student', 'staff', 'guardian'] as const)
      for (const [h, first] of this.twinFirst[kind])
        for (const other of this.twinOthers.get(`${kind}|${h}`) ?? [])
          out.push(
            anomaly(
              'DUPLICATE_PERSON',
              `${other.key} has the same names and birth date as ${first}: probably the same person twice`,
              other.origin,
              other.key,
              { key: other.key, other: first },
            ),
          );
    return out;
  }
}

/** The spilled person records: one line each, `"key"\t[file, record, line, op, kind, entity, provided, badDate]`. */
class LineWriter {
  private parts: string[] = [];
  private size = 0;
  private readonly file: Promise<FileHandle>;
  constructor(path: string) {
    this.file = open(path, 'w');
  }
  async write(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await (await this.file).write(text);
  }
  async close(): Promise<void> {
    await this.flush();
    await (await this.file).close();
  }
}

async function* lines(path: string): AsyncIterable<string> {
  const rl = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) if (line) yield line;
}

export interface FirstPass {
  dir: string;
  /** The global part of the set: structures, subjects, MEF, full types and every anomaly of the files. */
  set: ImportSet;
  files: AafFileInfo[];
  scan: AafScan;
  names: string[];
}

/** Pass 1: read every file once, index the people, spill their records. */
export async function firstPass(sources: ImportSource[], onBytes: (n: number) => void): Promise<FirstPass> {
  const dir = await mkdtemp(join(tmpdir(), 'preau-import-'));
  try {
    const scan = new AafScan();
    const spill = new LineWriter(join(dir, 'people'));
    const names: string[] = [];
    const fileNo = new Map<string, number>();
    const { set, files } = await readAafSet(sources, onBytes, {
      keep: () => false,
      onPerson: scan.person,
      onRecord: async (r, origin) => {
        scan.record(r);
        if (!r.entityKind || !PERSON_KINDS.has(r.entityKind)) return;
        let n = fileNo.get(origin.file);
        if (n === undefined) {
          n = names.length;
          names.push(origin.file);
          fileNo.set(origin.file, n);
        }
        const badDate = r.anomalies.some((a) => a.code === 'MALFORMED_DATE');
        await spill.write(
          `${JSON.stringify(r.key)}\t${JSON.stringify([n, origin.record, origin.line ?? null, r.op, r.entityKind, r.entity, r.provided, badDate])}\n`,
        );
      },
    });
    await spill.close();
    return { dir, set, files, scan, names };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

export interface Partition {
  /** Plan keys per group, in plan order (the residual people, placed nowhere, are read with the first). */
  groups: string[][];
  /** People read per group. */
  sizes: number[];
  context: Omit<GroupContext, 'plans'>;
  /** Global anomalies the groups do not report: structures, unknown subjects and MEF, twins. */
  anomalies: ImportAnomaly[];
  subjects: Map<string, string>;
}

const BATCH = 5_000;

/** Assign each person to groups of establishments of about `budget` people each. */
export async function partition(db: Parameters<typeof imports.subjects>[0], pass: FirstPass, budget: number) {
  const { scan, set } = pass;
  const anomalies: ImportAnomaly[] = [];
  const structures: StructureResolution = await resolveStructures(db, set.structures, scan.structureRefs(), null);
  anomalies.push(...structures.anomalies);

  // Memberships of everyone the set names (and of the students its guardians name without describing them).
  const memberships = new Map<string, { e: string; p: string }[]>();
  const keys = [...scan.people.keys()];
  const linkedOnly = new Set<string>();
  for (const [, e] of scan.people)
    if (e.kind === 'guardian') for (const k of e.links) if (!scan.people.has(k)) linkedOnly.add(k);
  keys.push(...linkedOnly);
  for (let i = 0; i < keys.length; i += BATCH)
    for (const u of await imports.existingUsers(db, keys.slice(i, i + BATCH)))
      if (u.memberships.length) memberships.set(u.external_id, u.memberships);

  const order: string[] = structures.seeds.map((s) => s.key);
  const known = new Set(order);
  for (const list of memberships.values())
    for (const m of list)
      if (!known.has(m.e)) {
        known.add(m.e);
        order.push(m.e);
      }
  const RESIDUAL = '';
  const planOf = (structureKey: string) => structures.byStructure.get(structureKey);
  const resolvable = (e: ScanEntry) => [...new Set(e.places.map(planOf).filter((x): x is string => !!x))];
  const membersOf = (key: string, profiles: (p: string) => boolean) =>
    (memberships.get(key) ?? []).filter((m) => profiles(m.p)).map((m) => m.e);
  // Where each student and staff member is placed, as the resolver places them (their structures, else
  // their memberships); a guardian is placed with its children and in its own structures.
  const placement = new Map<string, string[]>();
  for (const [key, e] of scan.people) {
    if (e.kind === 'guardian') continue;
    let p = resolvable(e);
    if (p.length === 0)
      p = [...new Set(membersOf(key, e.kind === 'student' ? (x) => x === 'student' : (x) => STAFF_PROFILES.has(x)))];
    placement.set(key, p);
  }
  for (const key of linkedOnly) placement.set(key, [...new Set(membersOf(key, (x) => x === 'student'))]);
  // A link is made in the student's establishments: whoever it names is read there too (and created there
  // when new, as the import in one piece does).
  const childPlacement = (key: string) => {
    const e = scan.people.get(key);
    return !e || e.kind === 'student' ? placement.get(key) : [...new Set(membersOf(key, (x) => x === 'student'))];
  };
  const linked = new Map<string, Set<string>>();
  const linkTo = (key: string, plans: Iterable<string>) => {
    let set = linked.get(key);
    if (!set) {
      set = new Set();
      linked.set(key, set);
    }
    for (const x of plans) set.add(x);
  };
  const residualGuardians = new Set<string>();
  const placedGuardians = new Set<string>();
  for (const [key, e] of scan.people) {
    if (e.kind === 'student') {
      for (const g of e.links) if (scan.people.has(g)) linkTo(g, placement.get(key) ?? []);
      continue;
    }
    if (e.kind !== 'guardian') continue;
    const own = resolvable(e);
    linkTo(key, own);
    if (own.length) placedGuardians.add(key);
    for (const s of e.links) {
      const p = childPlacement(s) ?? [];
      linkTo(key, p);
      if (p.length) placedGuardians.add(key);
      else if (scan.people.get(s)?.kind === 'student') residualGuardians.add(key);
    }
  }
  for (const [key, e] of scan.people)
    if (e.kind === 'student')
      for (const g of e.links)
        if (scan.people.get(g)?.kind === 'guardian' && (placement.get(key) ?? []).length) placedGuardians.add(g);

  // Groups of consecutive plans, about `budget` people each.
  const plansOf = new Map<string, string[]>();
  const count = new Map<string, number>();
  for (const key of scan.people.keys()) {
    const plans = new Set([...(placement.get(key) ?? []), ...(linked.get(key) ?? [])]);
    for (const m of memberships.get(key) ?? []) plans.add(m.e);
    if (plans.size === 0 || residualGuardians.has(key)) plans.add(RESIDUAL);
    const list = [...plans];
    plansOf.set(key, list);
    for (const p of list) count.set(p, (count.get(p) ?? 0) + 1);
  }
  const groups: string[][] = [];
  const groupOf = new Map<string, number>();
  let acc = 0;
  for (const p of order) {
    const n = count.get(p) ?? 0;
    if (n === 0) continue;
    if (groups.length === 0 || (acc > 0 && acc + n > budget)) {
      groups.push([]);
      acc = 0;
    }
    groups[groups.length - 1]!.push(p);
    groupOf.set(p, groups.length - 1);
    acc += n;
  }
  if (groups.length === 0) groups.push([]);
  groupOf.set(RESIDUAL, 0);
  const sizes = groups.map(() => 0);
  for (const [key, e] of scan.people) {
    e.groups = [...new Set(plansOf.get(key)!.map((p) => groupOf.get(p) ?? 0))];
    for (const g of e.groups) sizes[g]!++;
    // The index's details are no longer needed.
    e.places = [];
    e.links = [];
  }

  // Subjects: the codes staff assignments use without the files describing them nor the directory knowing them.
  const knownSubjects = new Map((await imports.subjects(db)).map((s) => [s.code, s.label]));
  const subjects = new Map<string, string>();
  for (const [code, s] of set.subjects) if (/^[0-9A-Z]{6}$/.test(code)) subjects.set(code, s.label ?? code);
  const unknownSubjects = new Set<string>();
  const firstUses: { code: string; order: number; origin: Origin; key: string }[] = [];
  for (const [code, uses] of scan.subjectUses) {
    if (subjects.has(code) || knownSubjects.has(code)) continue;
    let first: { order: number; origin: Origin; key: string } | undefined;
    for (const [structureKey, u] of uses) if (planOf(structureKey) && (!first || u.order < first.order)) first = u;
    if (first) firstUses.push({ code, ...first });
  }
  firstUses.sort((a, b) => a.order - b.order);
  for (const u of firstUses) {
    anomalies.push(
      anomaly(
        'UNKNOWN_SUBJECT',
        `subject code ${u.code} is neither in the files nor known: created with its code as label`,
        u.origin,
        u.key,
        { variant: 'code', code: u.code },
      ),
    );
    unknownSubjects.add(u.code);
  }
  anomalies.push(...scan.twins());

  // MEF, as the resolver does it.
  const mefs = new Map<string, { label: string; level: string | null }>();
  for (const [code, m] of set.mefs) if (code.length === 11) mefs.set(code, { label: m.label ?? code, level: m.level });
  const knownMefs = new Set(
    (
      await imports.mefs(
        db,
        [...scan.studentMefs.keys()].filter((c) => c.length === 11),
      )
    ).map((m) => m.code),
  );
  for (const [code, origin] of scan.studentMefs)
    if (!mefs.has(code) && !knownMefs.has(code))
      anomalies.push(
        anomaly(
          'UNKNOWN_MEF',
          `MEF code ${code} is neither in the files nor known: classes are not linked to it`,
          origin,
          code,
          { code },
        ),
      );

  const coveredKeys = set.structures.size ? [...set.structures.keys()] : [...scan.studentStructures];
  const partition: Partition = {
    groups,
    sizes,
    anomalies,
    subjects,
    context: {
      structures,
      kindOf: (key) => scan.people.get(key)?.kind,
      placedGuardian: (key) => placedGuardians.has(key),
      coveredKeys,
      knownSubjects,
      unknownSubjects,
      mefs,
      knownMefs,
    },
  };
  return partition;
}

/** Pass 2: each group's file of person records (a person of several groups is in each). */
export async function splitByGroup(pass: FirstPass, groups: number): Promise<void> {
  const writers = Array.from({ length: groups }, (_, i) => new LineWriter(join(pass.dir, `group-${i}`)));
  for await (const line of lines(join(pass.dir, 'people'))) {
    const key = JSON.parse(line.slice(0, line.indexOf('\t'))) as string;
    for (const g of pass.scan.people.get(key)?.groups ?? [0]) await writers[g]!.write(`${line}\n`);
  }
  await Promise.all(writers.map((w) => w.close()));
  await rm(join(pass.dir, 'people'), { force: true });
}

/** The set of one group: its people's records, read back in file order, and the global parts of the set. */
export async function groupSet(pass: FirstPass, group: number): Promise<ImportSet> {
  const builder = new AafSetBuilder();
  const set = builder.set;
  set.structures = pass.set.structures;
  set.subjects = pass.set.subjects;
  set.mefs = pass.set.mefs;
  set.fullTypes = pass.set.fullTypes;
  const path = join(pass.dir, `group-${group}`);
  for await (const line of lines(path)) {
    const tab = line.indexOf('\t');
    const key = JSON.parse(line.slice(0, tab)) as string;
    const [n, record, at, op, entityKind, entity, provided, badDate] = JSON.parse(line.slice(tab + 1)) as [
      number,
      number | null,
      number | null,
      MappedRecord['op'],
      MappedRecord['entityKind'],
      MappedRecord['entity'],
      string[],
      boolean,
    ];
    const origin: Origin = { file: pass.names[n]!, record };
    if (at !== null) origin.line = at;
    builder.add(
      {
        op,
        entityKind,
        key,
        entity,
        provided,
        anomalies: badDate ? [{ code: 'MALFORMED_DATE', message: '', file: origin.file, record }] : [],
      },
      origin,
      null,
    );
  }
  await rm(path, { force: true });
  set.anomalies = [];
  return set;
}

export async function dropFirstPass(pass: FirstPass): Promise<void> {
  await rm(pass.dir, { recursive: true, force: true });
}
