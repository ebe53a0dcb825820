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
import { type FileHandle, open, rm } from 'node:fs/promises';
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
import { grown, IntList, KeyTable } from './people-index.ts';
import { type GroupContext, resolveStructures, type StructureRefs, type StructureResolution } from './resolve.ts';
import type { ImportSource } from './sources.ts';
import { cleanStaleSpillDirs, makeSpillDir } from './spill-dirs.ts';

const PERSON_KINDS = new Set(['student', 'guardian', 'staff']);
const STAFF_PROFILES = new Set(['teacher', 'staff', 'principal']);

/** A person's kind in the index (0: a key the set only names, in a link). */
const KIND_CODE: Record<PersonKind, number> = { student: 1, guardian: 2, staff: 3 };
const KIND_OF: (PersonKind | undefined)[] = [undefined, 'student', 'guardian', 'staff'];
const KIND_BITS = 3;
/** Named by a guardian's link to a student (its memberships decide where the link is made). */
const LINKED_BY_GUARDIAN = 4;
/** A guardian placed through a child or a structure somewhere in the whole set. */
const PLACED_GUARDIAN = 8;
/** A guardian with a child described by the set but placed nowhere: read with the first group too. */
const RESIDUAL_GUARDIAN = 16;

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

/**
 * The first pass's index: what the partition and the resolver need of the whole set, without the people's
 * details, in typed arrays (measured on 264,493 people: 34 bytes per person at the end of the pass, 31 once the
 * groups are made; 314 and 278 with an object per person before). Each key the set names — a person described, or only named by a link — has a
 * number (its order of first sight) in `keys`; per number: its kind and flags, and until the partition the
 * structures that place it and its links (numbers too), then its groups.
 */
export class AafScan {
  readonly keys = new KeyTable();
  /** People described by the set (the keys only named by a link are not). */
  size = 0;
  /** Why the set cannot be imported in groups; null when it can. */
  unfit: string | null = null;
  /** Per key: the kind's code (bits 0–1) and the flags above. */
  private info = new Uint8Array(1024);
  /** Structure keys named by the people, as numbers (few: establishments). */
  readonly structures = new Map<string, number>();
  readonly structureKeys: string[] = [];
  /** Per key: where its places and its links start in `placeList` / `linkList`, and how many (until the partition). */
  private placeAt: Uint32Array | null = new Uint32Array(1024);
  private placeCount: Uint16Array | null = new Uint16Array(1024);
  private placeList: IntList | null = new IntList(4096);
  private linkAt: Uint32Array | null = new Uint32Array(1024);
  private linkCount: Uint16Array | null = new Uint16Array(1024);
  private linkList: IntList | null = new IntList(4096);
  /** After the partition: each key's first group, and the others of the few people read in several. */
  private firstGroup: Int32Array | null = null;
  private moreGroups = new Map<number, number[]>();
  private readonly refs: Record<PersonKind, StructureRefs> = {
    student: new Map(),
    staff: new Map(),
    guardian: new Map(),
  };
  /** Twins, during the pass: each person's hash of names and birth date (NaN: none), and a table of the first ones. */
  private twinHash: Float64Array | null = new Float64Array(1024).fill(Number.NaN);
  private twinSlots: Int32Array | null = new Int32Array(1024);
  private twinCount = 0;
  private twinOthers: { kind: PersonKind; first: number; key: string; origin: Origin }[] = [];
  private twinList: ImportAnomaly[] | null = null;
  readonly studentMefs = new Map<string, Origin>();
  private subjectOrder = 0;
  /** Subject code → structure key → its first use (staff order, class then group assignments). */
  readonly subjectUses = new Map<string, Map<string, { order: number; origin: Origin; key: string }>>();
  readonly studentStructures = new Set<string>();

  /** Every key's number, for the per-key arrays, grown with the table. */
  private number(key: string): number {
    const i = this.keys.intern(key);
    if (i >= this.info.length) {
      const need = i + 1;
      this.info = grown(this.info, need);
      if (this.placeAt) this.placeAt = grown(this.placeAt, need);
      if (this.placeCount) this.placeCount = grown16(this.placeCount, need);
      if (this.linkAt) this.linkAt = grown(this.linkAt, need);
      if (this.linkCount) this.linkCount = grown16(this.linkCount, need);
      if (this.twinHash) {
        const from = this.twinHash.length;
        this.twinHash = grown(this.twinHash, need);
        this.twinHash.fill(Number.NaN, from);
      }
    }
    return i;
  }

  private structure(key: string): number {
    let n = this.structures.get(key);
    if (n === undefined) {
      n = this.structureKeys.length;
      this.structures.set(key, n);
      this.structureKeys.push(key);
    }
    return n;
  }

  record(r: MappedRecord): void {
    if (r.entityKind && PERSON_KINDS.has(r.entityKind) && r.op !== 'add') this.unfit ??= 'modify or delete requests';
  }

  readonly person = (kind: PersonKind, op: MappedRecord['op'], p: StudentIn | GuardianIn | StaffIn): void => {
    if (op !== 'add') {
      this.unfit ??= 'modify or delete requests';
      return;
    }
    const self = this.number(p.key);
    if (this.info[self]! & KIND_BITS) {
      // The same key added as two kinds of person: left to the import in one piece.
      this.unfit ??= 'a key used by two kinds of person';
      return;
    }
    this.info[self]! |= KIND_CODE[kind];
    this.size++;
    const refs = this.refs[kind];
    const ref = (k: string) => {
      const r = refs.get(k);
      if (r) r.count++;
      else refs.set(k, { origin: p.origin, count: 1 });
    };
    const places: number[] = [];
    const place = (k: string) => {
      const n = this.structure(k);
      if (!places.includes(n)) places.push(n);
    };
    let links: string[] = [];
    if (kind === 'student') {
      const s = p as StudentIn;
      for (const k of s.structures ?? []) {
        ref(k);
        place(k);
        this.studentStructures.add(k);
      }
      for (const c of [...(s.classes ?? []), ...(s.groups ?? [])]) {
        ref(c.structureKey);
        place(c.structureKey);
      }
      links = (s.guardians ?? []).map((l) => l.guardianKey);
      if (s.mef && !this.studentMefs.has(s.mef)) this.studentMefs.set(s.mef, s.origin);
    } else if (kind === 'staff') {
      const t = p as StaffIn;
      for (const k of t.structures ?? []) ref(k);
      for (const pr of t.profiles) {
        ref(pr.structureKey);
        place(pr.structureKey);
      }
      for (const a of [...(t.classAssignments ?? []), ...(t.groupAssignments ?? []), ...(t.headTeacherOf ?? [])]) {
        ref(a.structureKey);
        place(a.structureKey);
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
        place(k);
      }
      links = g.students ?? [];
    }
    const placeList = this.placeList!;
    this.placeAt![self] = placeList.length;
    this.placeCount![self] = Math.min(places.length, 0xffff);
    for (const n of places.slice(0, 0xffff)) placeList.push(n);
    const linked = links.slice(0, 0xffff).map((k) => this.number(k));
    if (kind === 'guardian') for (const n of linked) this.info[n]! |= LINKED_BY_GUARDIAN;
    const linkList = this.linkList!;
    this.linkAt![self] = linkList.length;
    this.linkCount![self] = linked.length;
    for (const n of linked) linkList.push(n);

    const birth = p.values.birth_date;
    if (birth && p.values.last_name) {
      const h = hash53(
        `${foldName(String(p.values.last_name))}|${foldName(String(p.values.first_name ?? ''))}|${birth}`,
      );
      const first = this.twin(self, KIND_CODE[kind], h);
      if (first !== self) this.twinOthers.push({ kind, first, key: p.key, origin: p.origin });
    }
  };

  /** The first person of this kind with this hash (`self` when it is the first: then recorded). */
  private twin(self: number, kind: number, h: number): number {
    let slots = this.twinSlots!;
    const hashes = this.twinHash!;
    let mask = slots.length - 1;
    let at = ((h >>> 0) ^ Math.imul(kind, 0x9e3779b1)) & mask;
    for (;;) {
      const v = slots[at]!;
      if (v === 0) break;
      if (hashes[v - 1] === h && (this.info[v - 1]! & KIND_BITS) === kind) return v - 1;
      at = (at + 1) & mask;
    }
    hashes[self] = h;
    if (++this.twinCount * 4 > slots.length * 3) {
      slots = new Int32Array(slots.length * 2);
      mask = slots.length - 1;
      for (let i = 0; i < hashes.length; i++) {
        const x = hashes[i]!;
        if (Number.isNaN(x)) continue;
        let a = ((x >>> 0) ^ Math.imul(this.info[i]! & KIND_BITS, 0x9e3779b1)) & mask;
        while (slots[a] !== 0) a = (a + 1) & mask;
        slots[a] = i + 1;
      }
      this.twinSlots = slots;
    } else slots[at] = self + 1;
    return self;
  }

  /** The pass is over: the twins are known (their table dropped), the buffers lose their slack. */
  finish(): void {
    const order: PersonKind[] = ['student', 'staff', 'guardian'];
    // As the resolver reports them over a whole set: by kind, then by the first one, then in file order.
    const others = this.twinOthers
      .map((o, i) => ({ o, i }))
      .sort((a, b) => order.indexOf(a.o.kind) - order.indexOf(b.o.kind) || a.o.first - b.o.first || a.i - b.i);
    this.twinList = others.map(({ o }) => {
      const first = this.keys.key(o.first);
      return anomaly(
        'DUPLICATE_PERSON',
        `${o.key} has the same names and birth date as ${first}: probably the same person twice`,
        o.origin,
        o.key,
        { key: o.key, other: first },
      );
    });
    this.twinOthers = [];
    this.twinHash = null;
    this.twinSlots = null;
    this.keys.trim();
    const n = this.keys.size;
    this.info = this.info.slice(0, n);
    this.placeAt = this.placeAt!.slice(0, n);
    this.placeCount = this.placeCount!.slice(0, n);
    this.linkAt = this.linkAt!.slice(0, n);
    this.linkCount = this.linkCount!.slice(0, n);
    this.placeList!.trim();
    this.linkList!.trim();
  }

  /** Keys the index has a number for (people and keys only named by a link). */
  get count(): number {
    return this.keys.size;
  }

  kindAt(i: number): PersonKind | undefined {
    return KIND_OF[this.info[i]! & KIND_BITS];
  }

  has(i: number, flag: number): boolean {
    return (this.info[i]! & flag) !== 0;
  }

  flag(i: number, flag: number): void {
    this.info[i]! |= flag;
  }

  /** The kind of a person described by the set. */
  kindOf(key: string): PersonKind | undefined {
    const i = this.keys.find(key);
    return i < 0 ? undefined : this.kindAt(i);
  }

  placedGuardian(key: string): boolean {
    const i = this.keys.find(key);
    return i >= 0 && this.has(i, PLACED_GUARDIAN);
  }

  /** The structures (their numbers) that place person `i`. */
  places(i: number): number[] {
    const out: number[] = [];
    const at = this.placeAt![i]!;
    for (let j = 0; j < this.placeCount![i]!; j++) out.push(this.placeList!.get(at + j));
    return out;
  }

  /** Person `i`'s links (their numbers): a student's guardians, a guardian's students. */
  links(i: number): number[] {
    const out: number[] = [];
    const at = this.linkAt![i]!;
    for (let j = 0; j < this.linkCount![i]!; j++) out.push(this.linkList!.get(at + j));
    return out;
  }

  /** The partition is made: each person's groups replace its places and links. */
  setGroups(groupsOf: (i: number) => number[]): void {
    const first = new Int32Array(this.keys.size);
    for (let i = 0; i < first.length; i++) {
      if (!(this.info[i]! & KIND_BITS)) continue;
      const gs = groupsOf(i);
      first[i] = gs[0] ?? 0;
      if (gs.length > 1) this.moreGroups.set(i, gs.slice(1));
    }
    this.firstGroup = first;
    this.placeAt = this.placeCount = this.linkAt = this.linkCount = null;
    this.placeList = this.linkList = null;
  }

  /** The groups a person is read in (the first one for a key the index does not describe). */
  groupsOf(key: string): number[] {
    const i = this.keys.find(key);
    if (i < 0 || !this.firstGroup || !(this.info[i]! & KIND_BITS)) return [0];
    const more = this.moreGroups.get(i);
    return more ? [this.firstGroup[i]!, ...more] : [this.firstGroup[i]!];
  }

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

  /** `DUPLICATE_PERSON`, as the resolver reports it over a whole set (known once the pass is finished). */
  twins(): ImportAnomaly[] {
    return this.twinList ?? [];
  }
}

function grown16(a: Uint16Array, need: number): Uint16Array {
  const b = new Uint16Array(Math.max(need, Math.ceil(a.length * 1.5)));
  b.set(a);
  return b;
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

/** Pass 1: read every file once, index the people, spill their records (first, the folders of killed imports go). */
export async function firstPass(sources: ImportSource[], onBytes: (n: number) => void): Promise<FirstPass> {
  await cleanStaleSpillDirs();
  const dir = await makeSpillDir();
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
    scan.finish();
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

  // Plans (establishments) as numbers; the residual one, '', is 0.
  const planNo = new Map<string, number>();
  const planKeys: string[] = [];
  const plan = (key: string) => {
    let n = planNo.get(key);
    if (n === undefined) {
      n = planKeys.length;
      planNo.set(key, n);
      planKeys.push(key);
    }
    return n;
  };
  const RESIDUAL = plan('');
  const planOf = (structureKey: string) => structures.byStructure.get(structureKey);
  const structurePlan = scan.structureKeys.map((k) => {
    const p = planOf(k);
    return p ? plan(p) : -1;
  });
  const n = scan.count;

  // Memberships of everyone the set names (and of the students its guardians name without describing them),
  // as chains of numbers: per key its first membership, per membership its plan, profile and the next one.
  const profiles: string[] = [];
  const memFirst = new Int32Array(n).fill(-1);
  const memNext = new IntList();
  const memPlan = new IntList();
  const memProfile = new IntList();
  const fetched: string[] = [];
  const fetch = async () => {
    for (const u of await imports.existingUsers(db, fetched)) {
      const i = scan.keys.find(u.external_id);
      if (i < 0) continue;
      for (let j = u.memberships.length - 1; j >= 0; j--) {
        const m = u.memberships[j]!;
        let p = profiles.indexOf(m.p);
        if (p < 0) p = profiles.push(m.p) - 1;
        memPlan.push(plan(m.e));
        memProfile.push(p);
        memFirst[i] = memNext.push(memFirst[i]!);
      }
    }
    fetched.length = 0;
  };
  for (let i = 0; i < n; i++) {
    if (!scan.kindAt(i) && !scan.has(i, LINKED_BY_GUARDIAN)) continue;
    fetched.push(scan.keys.key(i));
    if (fetched.length === BATCH) await fetch();
  }
  await fetch();

  const order: string[] = structures.seeds.map((s) => s.key);
  const known = new Set(order);
  for (let i = 0; i < n; i++)
    for (let m = memFirst[i]!; m >= 0; m = memNext.get(m)) {
      const e = planKeys[memPlan.get(m)]!;
      if (!known.has(e)) {
        known.add(e);
        order.push(e);
      }
    }
  const add = (list: number[], p: number) => {
    if (!list.includes(p)) list.push(p);
  };
  const resolvable = (i: number) => {
    const out: number[] = [];
    for (const s of scan.places(i)) if (structurePlan[s]! >= 0) add(out, structurePlan[s]!);
    return out;
  };
  const studentProfile = (p: string) => p === 'student';
  const staffProfile = (p: string) => STAFF_PROFILES.has(p);
  const membersOf = (i: number, profile: (p: string) => boolean) => {
    const out: number[] = [];
    for (let m = memFirst[i]!; m >= 0; m = memNext.get(m))
      if (profile(profiles[memProfile.get(m)]!)) add(out, memPlan.get(m));
    return out;
  };
  // Where each student and staff member is placed, as the resolver places them (their structures, else
  // their memberships); a guardian is placed with its children and in its own structures.
  const placement = (i: number): number[] => {
    const kind = scan.kindAt(i);
    if (kind === 'guardian') return [];
    if (kind === undefined) return scan.has(i, LINKED_BY_GUARDIAN) ? membersOf(i, studentProfile) : [];
    const p = resolvable(i);
    return p.length ? p : membersOf(i, kind === 'student' ? studentProfile : staffProfile);
  };
  // A link is made in the student's establishments: whoever it names is read there too (and created there
  // when new, as the import in one piece does).
  const childPlacement = (i: number) =>
    scan.kindAt(i) === 'student' || scan.kindAt(i) === undefined ? placement(i) : membersOf(i, studentProfile);
  const linkedFirst = new Int32Array(n).fill(-1);
  const linkedNext = new IntList();
  const linkedPlan = new IntList();
  const linkTo = (i: number, plans: number[]) => {
    for (const p of plans) {
      linkedPlan.push(p);
      linkedFirst[i] = linkedNext.push(linkedFirst[i]!);
    }
  };
  for (let i = 0; i < n; i++) {
    const kind = scan.kindAt(i);
    if (kind === 'student') {
      const p = placement(i);
      for (const g of scan.links(i)) {
        if (scan.kindAt(g)) linkTo(g, p);
        if (scan.kindAt(g) === 'guardian' && p.length) scan.flag(g, PLACED_GUARDIAN);
      }
      continue;
    }
    if (kind !== 'guardian') continue;
    const own = resolvable(i);
    linkTo(i, own);
    if (own.length) scan.flag(i, PLACED_GUARDIAN);
    for (const s of scan.links(i)) {
      const p = childPlacement(s);
      linkTo(i, p);
      if (p.length) scan.flag(i, PLACED_GUARDIAN);
      else if (scan.kindAt(s) === 'student') scan.flag(i, RESIDUAL_GUARDIAN);
    }
  }

  // Groups of consecutive plans, about `budget` people each.
  const plansOf = (i: number): number[] => {
    const plans = placement(i);
    const linked: number[] = [];
    for (let m = linkedFirst[i]!; m >= 0; m = linkedNext.get(m)) linked.push(linkedPlan.get(m));
    // The chain holds the links last made first.
    for (let j = linked.length - 1; j >= 0; j--) add(plans, linked[j]!);
    for (let m = memFirst[i]!; m >= 0; m = memNext.get(m)) add(plans, memPlan.get(m));
    if (plans.length === 0 || scan.has(i, RESIDUAL_GUARDIAN)) add(plans, RESIDUAL);
    return plans;
  };
  const count = new Int32Array(planKeys.length);
  for (let i = 0; i < n; i++) if (scan.kindAt(i)) for (const p of plansOf(i)) count[p]!++;
  const groups: string[][] = [];
  const groupOf = new Int32Array(planKeys.length);
  let acc = 0;
  for (const key of order) {
    const p = planNo.get(key);
    const size = p === undefined ? 0 : count[p]!;
    if (size === 0) continue;
    if (groups.length === 0 || (acc > 0 && acc + size > budget)) {
      groups.push([]);
      acc = 0;
    }
    groups[groups.length - 1]!.push(key);
    groupOf[p!] = groups.length - 1;
    acc += size;
  }
  if (groups.length === 0) groups.push([]);
  groupOf[RESIDUAL] = 0;
  const sizes = groups.map(() => 0);
  // The index's places and links are no longer needed: each person keeps its groups.
  scan.setGroups((i) => {
    const gs: number[] = [];
    for (const p of plansOf(i)) add(gs, groupOf[p]!);
    for (const g of gs) sizes[g]!++;
    return gs;
  });

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
      kindOf: (key) => scan.kindOf(key),
      placedGuardian: (key) => scan.placedGuardian(key),
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
    for (const g of pass.scan.groupsOf(key)) await writers[g]!.write(`${line}\n`);
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
