/**
 * Resolving phase: the set's structures become establishments (found by join key, then by UAI, or to be
 * created), people are placed in them, and every link (classes, groups, guardians, assignments, head
 * teachers) is checked against the set and the database. The result is one plan per establishment, written
 * later in one transaction each, and the cross-file anomalies. Reads only.
 */
import type { ImportCandidate, ImportMatchBy, ImportResolutions } from '@preau/contracts';
import type { Db } from '../../../platform/db/schema.ts';
import { dropPeople, matchCsvPeople } from './csv-match.ts';
import { CSV_STRUCTURE } from './csv-reader.ts';
import { type EstablishmentRow, type ExistingUser, imports } from './import.repository.ts';
import {
  type AnomalyParams,
  anomaly,
  foldName,
  type GuardianLevel,
  type ImportAnomaly,
  type ImportSet,
  type Origin,
  type PersonKind,
  type StructureIn,
} from './model.ts';

export type MemberProfile = 'student' | 'guardian' | 'teacher' | 'staff' | 'principal';
const STAFF_PROFILES: MemberProfile[] = ['teacher', 'staff', 'principal'];
export const PROFILES_OF_KIND: Record<PersonKind, MemberProfile[]> = {
  student: ['student'],
  guardian: ['guardian'],
  staff: STAFF_PROFILES,
};

export interface LinkPlan {
  guardianKey: string;
  studentKey: string;
  level: GuardianLevel;
  relation: string | null;
}

export interface EstablishmentPlan {
  /** Establishment id, or `new:<structureKey>` for one to create. */
  key: string;
  existing: EstablishmentRow | null;
  /** The structure record of the set, when there is one: creates or updates the establishment. */
  structure: StructureIn | null;
  /** Short name for the phase (`writing 0930122C`). */
  label: string;
  classes: Map<string, { label: string | null; mefs: Map<string, number> }>;
  groups: Map<string, { label: string | null }>;
  /** Desired memberships per person key: profile → function codes. */
  members: Map<string, Map<MemberProfile, string[]>>;
  /** The label of a staff membership, when the set states it (null: none): profile → position. */
  positions: Map<string, Map<MemberProfile, string | null>>;
  /** Profiles of a person that the set states fully here: memberships with another of them are removed. */
  managed: Map<string, Set<MemberProfile>>;
  /** Persons whose account columns this import writes (the others are only linked). */
  identity: Set<string>;
  enrolClasses: Map<string, Set<string>>;
  replaceClasses: Set<string>;
  enrolGroups: Map<string, Set<string>>;
  replaceGroups: Set<string>;
  links: Map<string, LinkPlan>;
  /** Persons (student or guardian keys) whose guardianships here are replaced by the set's. */
  replaceLinksOf: Set<string>;
  /** teacher key → `code\tsubject`. */
  classAssign: Map<string, Set<string>>;
  replaceClassAssign: Set<string>;
  groupAssign: Map<string, Set<string>>;
  replaceGroupAssign: Set<string>;
  heads: Map<string, Set<string>>;
  replaceHeads: Set<string>;
  /** Person kinds a full export covers here: their imported members absent from the set are detached. */
  coverage: Set<PersonKind>;
  deletes: Map<string, PersonKind>;
}

/** A person of the set left out before planning: for the report's rows. */
export interface DroppedRow {
  kind: PersonKind;
  name: string;
  origin: Origin;
  outcome: 'ambiguous' | 'skipped' | 'refused';
  candidates?: ImportCandidate[];
}

export interface ResolvedImport {
  plans: EstablishmentPlan[];
  /** CSV: set keys recognised as existing accounts by other evidence than their key. */
  matched: Map<string, { userId: string; by: ImportMatchBy }>;
  /** People left out before planning (ambiguous, skipped, foreign), for the report's rows. */
  dropped: Map<string, DroppedRow>;
  /** Subjects the set describes, and codes it uses without describing them nor being known. */
  subjects: Map<string, string>;
  unknownSubjects: Set<string>;
  knownSubjects: Map<string, string>;
  mefs: Map<string, { label: string; level: string | null }>;
  knownMefs: Set<string>;
  existing: Map<string, ExistingUser>;
  /** Every person key the set mentions (never detached as absent). */
  present: { has(key: string): boolean };
  anomalies: ImportAnomaly[];
}

export interface ResolveOptions {
  /** Establishments the caller may import into; null for any (platform admin, CLI). */
  scope: Set<string> | null;
  /** CSV: the establishment the files belong to. */
  csvEstablishment?: string;
  /** CSV: the administrator's choices for rows found ambiguous before. */
  resolutions?: ImportResolutions;
  /** AAF: the set is one group of a bigger import (see partition.ts); what is global comes from here. */
  group?: GroupContext;
}

/**
 * One group of establishments of a big AAF import: the set holds only the people of the group (everyone who
 * has a place, a link or a membership in one of its establishments); what needs the whole set was computed by
 * the first pass, once, and its anomalies reported there (structures, subjects, MEF, twins).
 */
export interface GroupContext {
  structures: StructureResolution;
  /** Plan keys of the group: only their plans are returned (and written). */
  plans: Set<string>;
  /** The kind of each person of the whole set (the `present` of the whole import). */
  kindOf: (key: string) => PersonKind | undefined;
  /** Guardians placed through a child or a structure somewhere in the whole set. */
  placedGuardian: (key: string) => boolean;
  /** Structures whose full export covers their people (see `coverage`). */
  coveredKeys: Iterable<string>;
  knownSubjects: Map<string, string>;
  unknownSubjects: Set<string>;
  mefs: Map<string, { label: string; level: string | null }>;
  knownMefs: Set<string>;
}

const UAI_FORMAT = /^[0-9]{7}[A-Z]$/;

function newPlan(key: string, existing: EstablishmentRow | null, structure: StructureIn | null): EstablishmentPlan {
  return {
    key,
    existing,
    structure,
    label: existing?.uai ?? structure?.uai ?? structure?.key ?? key,
    classes: new Map(),
    groups: new Map(),
    members: new Map(),
    positions: new Map(),
    managed: new Map(),
    identity: new Set(),
    enrolClasses: new Map(),
    replaceClasses: new Set(),
    enrolGroups: new Map(),
    replaceGroups: new Set(),
    links: new Map(),
    replaceLinksOf: new Set(),
    classAssign: new Map(),
    replaceClassAssign: new Set(),
    groupAssign: new Map(),
    replaceGroupAssign: new Set(),
    heads: new Map(),
    replaceHeads: new Set(),
    coverage: new Set(),
    deletes: new Map(),
  };
}

const setOf2 = <K, K2, V>(m: Map<K, Map<K2, V>>, k: K) => {
  let s = m.get(k);
  if (!s) {
    s = new Map();
    m.set(k, s);
  }
  return s;
};

const setOf = <K, V>(m: Map<K, Set<V>>, k: K) => {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  return s;
};

/** Why an import restricted to some establishments may not touch an existing account. */
export type ForeignReason = 'elsewhere' | 'admin' | 'unattached';

/**
 * The accounts a restricted import (an establishment's administrator) must not touch: those that are members
 * of none of its establishments — of another one (`elsewhere`), of none at all (`unattached`) — and platform
 * administrators. An account merged into another is judged by the account it was merged into.
 */
export async function foreignPeople(
  db: Db,
  users: ExistingUser[],
  scope: Set<string>,
): Promise<Map<string, ForeignReason>> {
  type Account = { is_platform_admin: boolean; merged_into: string | null; memberships: { e: string }[] };
  const accounts = new Map<string, Account>(users.map((u) => [u.id, u]));
  for (let hop = 0; hop < 3; hop++) {
    const missing = [...accounts.values()]
      .map((a) => a.merged_into)
      .filter((id): id is string => !!id && !accounts.has(id));
    if (missing.length === 0) break;
    for (const a of await imports.accountsByIds(db, missing)) accounts.set(a.id, a);
  }
  const out = new Map<string, ForeignReason>();
  for (const u of users) {
    let a: Account = u;
    for (let hop = 0; hop < 3 && a.merged_into && accounts.has(a.merged_into); hop++) a = accounts.get(a.merged_into)!;
    if (a.is_platform_admin || u.is_platform_admin) out.set(u.external_id, 'admin');
    else if (a.memberships.some((m) => scope.has(m.e))) continue;
    else out.set(u.external_id, a.memberships.length ? 'elsewhere' : 'unattached');
  }
  return out;
}

/**
 * Take the records of foreign people out of the set, and the links that name them, each reported once
 * (`FOREIGN_PERSON`, at the first record that names them): nothing about them is created, linked or changed.
 */
function refuseForeign(set: ImportSet, foreign: Map<string, ForeignReason>, anomalies: ImportAnomaly[]): void {
  const reported = new Set<string>();
  const refuse = (key: string, origin: Origin) => {
    if (reported.has(key)) return;
    reported.add(key);
    const reason = foreign.get(key)!;
    anomalies.push(
      anomaly(
        'FOREIGN_PERSON',
        reason === 'admin'
          ? `${key} is a platform administrator's account: an establishment's import cannot touch it`
          : reason === 'elsewhere'
            ? `${key} belongs to another establishment: only the académie's import can bring this person here; nothing about them was changed`
            : `${key} belongs to no establishment of yours: only the académie's import can bring this person here; nothing about them was changed`,
        origin,
        key,
        { variant: reason, key },
      ),
    );
  };
  for (const people of [set.students, set.guardians, set.staff] as Map<string, { origin: Origin }>[])
    for (const [key, p] of people) if (foreign.has(key)) refuse(key, p.origin);
  for (const [key, d] of set.deletes) if (foreign.has(key)) refuse(key, d.origin);
  for (const s of set.students.values())
    for (const l of s.guardians ?? []) if (foreign.has(l.guardianKey)) refuse(l.guardianKey, s.origin);
  for (const g of set.guardians.values()) for (const k of g.students ?? []) if (foreign.has(k)) refuse(k, g.origin);
  dropPeople(set, new Set(foreign.keys()));
}

/** An establishment a plan may be made for: found by the set's structures, or to be created (`new:<key>`). */
export interface PlanSeed {
  key: string;
  existing: EstablishmentRow | null;
  structure: StructureIn | null;
}

/** The set's structures (and the ones its people name) resolved to establishments, in plan order. */
export interface StructureResolution {
  seeds: PlanSeed[];
  /** Structure key → plan key (absent: unresolved, reported). */
  byStructure: Map<string, string>;
  outOfScope: Set<string>;
  anomalies: ImportAnomaly[];
}

export type StructureRefs = Map<string, { origin: Origin; count: number }>;

/** The structures the set's people name, counted as the resolver does (students, staff, then guardians). */
export function structureRefs(set: ImportSet): StructureRefs {
  const refs: StructureRefs = new Map();
  const ref = (k: string, origin: Origin) => {
    const r = refs.get(k);
    if (r) r.count++;
    else refs.set(k, { origin, count: 1 });
  };
  for (const s of set.students.values()) {
    for (const k of s.structures ?? []) ref(k, s.origin);
    for (const c of [...(s.classes ?? []), ...(s.groups ?? [])]) ref(c.structureKey, s.origin);
  }
  for (const p of set.staff.values()) {
    for (const k of p.structures ?? []) ref(k, p.origin);
    for (const pr of p.profiles) ref(pr.structureKey, p.origin);
    for (const a of [...(p.classAssignments ?? []), ...(p.groupAssignments ?? []), ...(p.headTeacherOf ?? [])])
      ref(a.structureKey, p.origin);
  }
  for (const g of set.guardians.values()) for (const k of g.structures ?? []) ref(k, g.origin);
  return refs;
}

/** AAF: structures → establishments (by join key, then by UAI, or to be created), with their anomalies. */
export async function resolveStructures(
  db: Db,
  structures: Map<string, StructureIn>,
  refs: StructureRefs,
  scope: Set<string> | null,
): Promise<StructureResolution> {
  const anomalies: ImportAnomaly[] = [];
  const seeds = new Map<string, PlanSeed>();
  const byStructure = new Map<string, string>();
  const inScope = (id: string) => !scope || scope.has(id);
  const outOfScope = new Set<string>();
  const seedOfRow = (row: EstablishmentRow, structure: StructureIn | null) => {
    let p = seeds.get(row.id);
    if (!p) {
      p = { key: row.id, existing: row, structure };
      seeds.set(row.id, p);
    } else if (structure && !p.structure) p.structure = structure;
    return p;
  };
  const keys = [...new Set([...structures.keys(), ...refs.keys()])];
  const uais = [...structures.values()].map((s) => s.uai).filter((u): u is string => !!u && UAI_FORMAT.test(u));
  const rows = await imports.establishments(db, keys, uais);
  for (const key of keys) {
    const rec = structures.get(key) ?? null;
    const row = rows.find((r) => r.external_id === key) ?? (rec?.uai ? rows.find((r) => r.uai === rec.uai) : undefined);
    const origin = rec?.origin ?? refs.get(key)?.origin ?? { file: '', record: null };
    if (row) {
      if (!inScope(row.id)) {
        outOfScope.add(key);
        continue;
      }
      byStructure.set(key, seedOfRow(row, rec).key);
    } else if (rec?.uai && UAI_FORMAT.test(rec.uai)) {
      if (scope) {
        outOfScope.add(key);
        continue;
      }
      const p: PlanSeed = { key: `new:${key}`, existing: null, structure: rec };
      seeds.set(p.key, p);
      byStructure.set(key, p.key);
    } else if (rec) {
      anomalies.push(
        anomaly(
          'STRUCTURE_NOT_CREATED',
          `structure ${key} has no valid UAI ("${rec.uai ?? ''}"): no establishment can be created for it, and its people are not placed`,
          origin,
          key,
          { key, uai: rec.uai ?? '' },
        ),
      );
    } else {
      const n = refs.get(key)?.count ?? 1;
      anomalies.push(
        anomaly(
          'UNKNOWN_STRUCTURE',
          `structure ${key} is named by ${n} record(s) but is neither in the files nor known: those links are ignored`,
          origin,
          key,
          { key, records: n },
        ),
      );
    }
  }
  for (const key of outOfScope) {
    const origin = structures.get(key)?.origin ?? refs.get(key)?.origin ?? { file: '', record: null };
    anomalies.push(
      anomaly(
        'OUT_OF_SCOPE',
        `structure ${key} is not an establishment you administer: what the files say about it is ignored`,
        origin,
        key,
        { key },
      ),
    );
  }
  return { seeds: [...seeds.values()], byStructure, outOfScope, anomalies };
}

export async function resolveImport(db: Db, set: ImportSet, opts: ResolveOptions): Promise<ResolvedImport> {
  const anomalies: ImportAnomaly[] = [];
  const aaf = set.kind === 'aaf';
  const group = opts.group;

  // ---- structures → establishments ----
  const plans = new Map<string, EstablishmentPlan>();
  /** structure key → plan (absent: unresolved, reported). */
  const byStructure = new Map<string, EstablishmentPlan>();
  const inScope = (id: string) => !opts.scope || opts.scope.has(id);
  let outOfScope = new Set<string>();
  const planOfRow = (row: EstablishmentRow, structure: StructureIn | null) => {
    let p = plans.get(row.id);
    if (!p) {
      p = newPlan(row.id, row, structure);
      plans.set(row.id, p);
    } else if (structure && !p.structure) p.structure = structure;
    return p;
  };

  if (!aaf) {
    if (!opts.csvEstablishment) throw new Error('a CSV import needs its establishment');
    const [row] = await imports.establishmentsByIds(db, [opts.csvEstablishment]);
    if (!row) throw new Error(`establishment ${opts.csvEstablishment} not found`);
    byStructure.set(CSV_STRUCTURE, planOfRow(row, null));
  } else {
    // A group of a bigger import gets the structures resolved once for the whole set (and their anomalies).
    const structures =
      group?.structures ?? (await resolveStructures(db, set.structures, structureRefs(set), opts.scope));
    if (!group) anomalies.push(...structures.anomalies);
    outOfScope = structures.outOfScope;
    for (const seed of structures.seeds) plans.set(seed.key, newPlan(seed.key, seed.existing, seed.structure));
    for (const [key, planKey] of structures.byStructure) byStructure.set(key, plans.get(planKey)!);
  }
  const planOf = (structureKey: string) => byStructure.get(structureKey);

  // ---- people already known ----
  const personKeys = new Set<string>([
    ...set.students.keys(),
    ...set.guardians.keys(),
    ...set.staff.keys(),
    ...set.deletes.keys(),
  ]);
  for (const s of set.students.values()) for (const l of s.guardians ?? []) personKeys.add(l.guardianKey);
  for (const g of set.guardians.values()) for (const k of g.students ?? []) personKeys.add(k);
  let existingRows = await imports.existingUsers(db, [...personKeys]);
  const dropped = new Map<string, DroppedRow>();
  const drop = (
    keys: Iterable<string>,
    outcome: DroppedRow['outcome'],
    candidates?: Map<string, ImportCandidate[]>,
  ) => {
    for (const key of keys) {
      const p = set.students.get(key) ?? set.guardians.get(key) ?? set.staff.get(key);
      if (!p || dropped.has(key)) continue;
      const kind: PersonKind = set.students.has(key) ? 'student' : set.guardians.has(key) ? 'guardian' : 'staff';
      const name = `${p.values.last_name ?? ''} ${p.values.first_name ?? ''}`.trim();
      dropped.set(key, { kind, name, origin: p.origin, outcome, candidates: candidates?.get(key) });
    }
  };
  let matched = new Map<string, { userId: string; by: ImportMatchBy }>();
  if (!aaf) {
    // CSV: people the files do not key as the directory does are recognised by INE, names, birth date, family.
    const ines = new Set<string>();
    for (const s of set.students.values()) if (typeof s.values.ine === 'string') ines.add(s.values.ine.toUpperCase());
    const csv = matchCsvPeople(
      set,
      new Set(existingRows.map((u) => u.external_id)),
      await imports.membersForMatching(db, opts.csvEstablishment!),
      await imports.usersByIne(db, [...ines]),
      opts.resolutions ?? {},
      anomalies,
    );
    matched = csv.matched;
    existingRows = [...existingRows, ...csv.existing];
    drop(csv.ambiguous.keys(), 'ambiguous', csv.ambiguous);
    drop(csv.skipped, 'skipped');
    dropPeople(set, new Set([...csv.ambiguous.keys(), ...csv.skipped]));
  }
  if (opts.scope) {
    const foreign = await foreignPeople(db, existingRows, opts.scope);
    if (foreign.size) {
      drop(foreign.keys(), 'refused');
      refuseForeign(set, foreign, anomalies);
      existingRows = existingRows.filter((u) => !foreign.has(u.external_id));
      for (const k of foreign.keys()) matched.delete(k);
    }
  }
  const existing = new Map(existingRows.map((u) => [u.external_id, u]));
  const present = new Set<string>([...set.students.keys(), ...set.guardians.keys(), ...set.staff.keys()]);

  // Establishments where known people already are (modify requests without structures, deletes).
  const memberEstIds = new Set<string>();
  for (const u of existingRows) for (const m of u.memberships) memberEstIds.add(m.e);
  const memberEstRows = new Map<string, EstablishmentRow>();
  const missingIds = [...memberEstIds].filter((id) => !plans.has(id));
  for (const row of await imports.establishmentsByIds(db, missingIds)) memberEstRows.set(row.id, row);
  const planOfId = (id: string) => {
    if (!inScope(id)) return undefined;
    const p = plans.get(id);
    if (p) return p;
    const row = memberEstRows.get(id);
    return row ? planOfRow(row, null) : undefined;
  };
  const knownPlans = (key: string, profiles: MemberProfile[]) => {
    const u = existing.get(key);
    if (!u) return [];
    const ids = new Set(u.memberships.filter((m) => profiles.includes(m.p as MemberProfile)).map((m) => m.e));
    return [...ids].map(planOfId).filter((p): p is EstablishmentPlan => !!p);
  };
  /** In a restricted import, people who are members elsewhere too are linked but their account is left alone. */
  const mayWriteIdentity = (key: string) => {
    if (!opts.scope) return true;
    const u = existing.get(key);
    return !u || u.memberships.every((m) => opts.scope!.has(m.e));
  };

  const member = (p: EstablishmentPlan, key: string, profile: MemberProfile, functions: string[] = []) => {
    let m = p.members.get(key);
    if (!m) {
      m = new Map();
      p.members.set(key, m);
    }
    const prev = m.get(profile);
    m.set(profile, prev ? [...new Set([...prev, ...functions])].sort() : functions);
  };
  const declare = (
    p: EstablishmentPlan,
    kind: 'classes' | 'groups',
    code: string,
    origin: Origin,
    used: Map<string, Origin>,
  ) => {
    if (!p[kind].has(code)) p[kind].set(code, { label: null, mefs: new Map() });
    if (!used.has(`${p.key}\t${kind}\t${code}`)) used.set(`${p.key}\t${kind}\t${code}`, origin);
  };
  const used = new Map<string, Origin>();
  for (const p of plans.values())
    if (p.structure) {
      for (const c of p.structure.classes) p.classes.set(c.code, { label: c.label, mefs: new Map() });
      for (const g of p.structure.groups) p.groups.set(g.code, { label: g.label });
    }

  // ---- students ----
  const studentPlans = new Map<string, EstablishmentPlan[]>();
  for (const s of set.students.values()) {
    const stated = s.structures !== undefined || s.classes !== undefined || s.groups !== undefined;
    const keys = new Set([
      ...(s.structures ?? []),
      ...(s.classes ?? []).map((c) => c.structureKey),
      ...(s.groups ?? []).map((c) => c.structureKey),
    ]);
    let ests = [...new Set([...keys].map(planOf).filter((p): p is EstablishmentPlan => !!p))];
    if (!stated || (ests.length === 0 && existing.has(s.key))) ests = knownPlans(s.key, ['student']);
    if (ests.length === 0) {
      if (!keys.size || [...keys].every((k) => !outOfScope.has(k)))
        anomalies.push(
          anomaly(
            'PERSON_WITHOUT_STRUCTURE',
            `student ${s.key} is attached to no known establishment: not imported`,
            s.origin,
            s.key,
            { variant: 'student', key: s.key },
          ),
        );
      continue;
    }
    studentPlans.set(s.key, ests);
    for (const p of ests) {
      member(p, s.key, 'student');
      if (mayWriteIdentity(s.key)) p.identity.add(s.key);
      if (s.classes !== undefined) {
        const codes = setOf(p.enrolClasses, s.key);
        for (const c of s.classes)
          if (planOf(c.structureKey) === p) {
            codes.add(c.code);
            declare(p, 'classes', c.code, s.origin, used);
            if (s.mef) {
              const mefs = p.classes.get(c.code)!.mefs;
              mefs.set(s.mef, (mefs.get(s.mef) ?? 0) + 1);
            }
          }
        p.replaceClasses.add(s.key);
      }
      if (s.groups !== undefined) {
        const codes = setOf(p.enrolGroups, s.key);
        for (const g of s.groups)
          if (planOf(g.structureKey) === p) {
            codes.add(g.code);
            declare(p, 'groups', g.code, s.origin, used);
          }
        if (aaf) p.replaceGroups.add(s.key);
      }
    }
  }

  const inSet = (key: string) => set.guardians.has(key) || set.staff.has(key) || set.students.has(key);
  const personExists = (key: string) => inSet(key) || existing.has(key) || !!group?.kindOf(key);
  const unknownPerson = (key: string, origin: Origin, what: string, params: AnomalyParams) =>
    anomalies.push(
      anomaly('UNKNOWN_PERSON', `${what} ${key} is neither in the files nor known: the link is ignored`, origin, key, {
        key,
        ...params,
      }),
    );

  // Guardians named by students.
  for (const s of set.students.values()) {
    if (s.guardians === undefined) continue;
    const ests = studentPlans.get(s.key) ?? [];
    for (const l of s.guardians) {
      if (!personExists(l.guardianKey)) {
        unknownPerson(l.guardianKey, s.origin, `the guardian of student ${s.key},`, {
          variant: 'guardianOfStudent',
          student: s.key,
        });
        continue;
      }
      for (const p of ests)
        p.links.set(`${l.guardianKey}\t${s.key}`, {
          guardianKey: l.guardianKey,
          studentKey: s.key,
          level: l.level,
          relation: l.relation,
        });
    }
    if (aaf) for (const p of ests) p.replaceLinksOf.add(s.key);
  }

  // ---- guardians ----
  const studentsByName = new Map<string, { key: string; classes: string[] }[]>();
  if (!aaf && [...set.guardians.values()].some((g) => g.namedChildren?.length)) {
    const add = (last: string, first: string, key: string, classes: string[]) => {
      const k = `${foldName(last)}|${foldName(first)}`;
      const list = studentsByName.get(k) ?? [];
      if (!list.some((x) => x.key === key)) list.push({ key, classes });
      studentsByName.set(k, list);
    };
    for (const s of set.students.values())
      add(
        String(s.values.last_name ?? ''),
        String(s.values.first_name ?? ''),
        s.key,
        (s.classes ?? []).map((c) => c.code),
      );
    const missing: string[] = [];
    for (const r of await imports.studentsOf(db, opts.csvEstablishment!)) {
      if (!r.external_id) continue;
      add(r.last_name, r.first_name, r.external_id, r.classes);
      if (!existing.has(r.external_id)) missing.push(r.external_id);
    }
    for (const u of await imports.existingUsers(db, missing)) existing.set(u.external_id, u);
  }
  for (const g of set.guardians.values()) {
    const studentKeys = [...(g.students ?? [])];
    for (const c of g.namedChildren ?? []) {
      let candidates = studentsByName.get(`${foldName(c.lastName)}|${foldName(c.firstName)}`) ?? [];
      if (candidates.length > 1 && c.class)
        candidates = candidates.filter((x) => x.classes.some((k) => foldName(k) === foldName(c.class)));
      if (candidates.length === 1) studentKeys.push(candidates[0]!.key);
      else
        anomalies.push(
          anomaly(
            candidates.length === 0 ? 'UNKNOWN_PERSON' : 'AMBIGUOUS_PERSON',
            candidates.length === 0
              ? `child "${c.lastName ?? ''} ${c.firstName ?? ''}" of guardian ${g.key} is not a known student: the link is ignored`
              : `child "${c.lastName ?? ''} ${c.firstName ?? ''}" of guardian ${g.key} matches ${candidates.length} students: the link is ignored`,
            c.origin,
            g.key,
            candidates.length === 0
              ? { variant: 'child', name: `${c.lastName ?? ''} ${c.firstName ?? ''}`.trim(), guardian: g.key }
              : {
                  name: `${c.lastName ?? ''} ${c.firstName ?? ''}`.trim(),
                  guardian: g.key,
                  matches: candidates.length,
                },
          ),
        );
    }
    for (const sk of studentKeys) {
      let ests = studentPlans.get(sk);
      if (!ests) {
        // A student of another group: the link is made there (this guardian is in that group too).
        if (group && !inSet(sk) && group.kindOf(sk) === 'student') continue;
        if (!existing.has(sk)) {
          unknownPerson(sk, g.origin, `the student of guardian ${g.key},`, {
            variant: 'studentOfGuardian',
            guardian: g.key,
          });
          continue;
        }
        ests = knownPlans(sk, ['student']);
      }
      for (const p of ests) {
        const k = `${g.key}\t${sk}`;
        if (!p.links.has(k))
          p.links.set(k, {
            guardianKey: g.key,
            studentKey: sk,
            level: g.level ?? 'legal',
            relation: g.relation ?? null,
          });
        if (aaf && g.students !== undefined) p.replaceLinksOf.add(g.key);
      }
    }
    for (const k of g.structures ?? []) {
      const p = planOf(k);
      if (p) member(p, g.key, 'guardian');
    }
  }
  // Every person on the guardian side of a link is a guardian there.
  for (const p of plans.values())
    for (const l of p.links.values()) {
      member(p, l.guardianKey, 'guardian');
      if (set.guardians.has(l.guardianKey) && mayWriteIdentity(l.guardianKey)) p.identity.add(l.guardianKey);
    }
  for (const g of set.guardians.values()) {
    const placed = [...plans.values()].some((p) => p.members.has(g.key));
    if (placed || group?.placedGuardian(g.key)) continue;
    const ests = knownPlans(g.key, ['guardian']);
    if (ests.length && mayWriteIdentity(g.key)) for (const p of ests) p.identity.add(g.key);
    else if (!ests.length)
      anomalies.push(
        anomaly(
          'GUARDIAN_WITHOUT_STUDENT',
          `guardian ${g.key} is responsible for no student of the files or of the directory: not imported`,
          g.origin,
          g.key,
          { variant: 'notPlaced', key: g.key },
        ),
      );
  }

  // ---- subjects ----
  const knownSubjects = group?.knownSubjects ?? new Map((await imports.subjects(db)).map((s) => [s.code, s.label]));
  const subjects = new Map<string, string>();
  for (const [code, s] of set.subjects) if (/^[0-9A-Z]{6}$/.test(code)) subjects.set(code, s.label ?? code);
  const byLabel = new Map<string, string>();
  for (const [code, label] of knownSubjects) byLabel.set(foldName(label), code);
  for (const [code, label] of subjects) byLabel.set(foldName(label), code);
  const unknownSubjects = new Set<string>();
  const reportedSubjects = new Set<string>();
  const subjectOf = (code: string, origin: Origin, key: string): string | null => {
    if (code.startsWith('?')) {
      const found = byLabel.get(code.slice(1));
      if (found) return found;
      if (!reportedSubjects.has(code)) {
        reportedSubjects.add(code);
        const label = set.subjectLabels.get(code.slice(1))?.label ?? code.slice(1);
        anomalies.push(
          anomaly(
            'UNKNOWN_SUBJECT',
            `subject "${label}" is not a known subject: its assignments are ignored`,
            origin,
            key,
            { variant: 'label', label },
          ),
        );
      }
      return null;
    }
    if (!subjects.has(code) && !knownSubjects.has(code) && !group) {
      if (!unknownSubjects.has(code))
        anomalies.push(
          anomaly(
            'UNKNOWN_SUBJECT',
            `subject code ${code} is neither in the files nor known: created with its code as label`,
            origin,
            key,
            { variant: 'code', code },
          ),
        );
      unknownSubjects.add(code);
    }
    return code;
  };

  // ---- staff and teachers ----
  const coveredKeys = new Set<string>(group?.coveredKeys ?? set.structures.keys());
  if (coveredKeys.size === 0 && aaf && !group)
    for (const s of set.students.values()) for (const k of s.structures ?? []) coveredKeys.add(k);
  for (const p of set.staff.values()) {
    const ests = new Set<EstablishmentPlan>();
    for (const pr of p.profiles) {
      const plan = planOf(pr.structureKey);
      if (!plan) continue;
      ests.add(plan);
      member(plan, p.key, pr.profile, pr.functions);
      if (pr.position !== undefined) setOf2(plan.positions, p.key).set(pr.profile, pr.position);
    }
    const assign = (
      list: typeof p.classAssignments,
      kind: 'classes' | 'groups',
      target: 'classAssign' | 'groupAssign',
    ) => {
      for (const a of list ?? []) {
        const plan = planOf(a.structureKey);
        if (!plan) continue;
        const subject = subjectOf(a.subjectCode, p.origin, p.key);
        if (!subject) continue;
        if (!ests.has(plan)) {
          ests.add(plan);
          member(plan, p.key, 'teacher');
        }
        declare(plan, kind, a.code, p.origin, used);
        setOf(plan[target], p.key).add(`${a.code}\t${subject}`);
      }
    };
    assign(p.classAssignments, 'classes', 'classAssign');
    assign(p.groupAssignments, 'groups', 'groupAssign');
    for (const h of p.headTeacherOf ?? []) {
      const plan = planOf(h.structureKey);
      if (!plan) continue;
      if (!ests.has(plan)) {
        ests.add(plan);
        member(plan, p.key, 'teacher');
      }
      declare(plan, 'classes', h.code, p.origin, used);
      setOf(plan.heads, p.key).add(h.code);
    }
    if (ests.size === 0) {
      const known = knownPlans(p.key, STAFF_PROFILES);
      if (known.length && mayWriteIdentity(p.key)) for (const plan of known) plan.identity.add(p.key);
      else if (!known.length)
        anomalies.push(
          anomaly(
            'PERSON_WITHOUT_STRUCTURE',
            `staff member ${p.key} is attached to no known establishment: not imported`,
            p.origin,
            p.key,
            { variant: 'staff', key: p.key },
          ),
        );
      continue;
    }
    for (const plan of ests) {
      if (mayWriteIdentity(p.key)) plan.identity.add(p.key);
      if (aaf) {
        if (p.profilesProvided) plan.managed.set(p.key, new Set(STAFF_PROFILES));
        if (p.classAssignments !== undefined) {
          setOf(plan.classAssign, p.key);
          plan.replaceClassAssign.add(p.key);
        }
        if (p.groupAssignments !== undefined) {
          setOf(plan.groupAssign, p.key);
          plan.replaceGroupAssign.add(p.key);
        }
        if (p.headTeacherOf !== undefined) {
          setOf(plan.heads, p.key);
          plan.replaceHeads.add(p.key);
        }
      }
    }
  }

  // ---- coverage of full exports, and people who moved out of a covered establishment ----
  if (aaf && set.fullTypes.size) {
    const kinds = new Set<PersonKind>();
    if (set.fullTypes.has('Eleve')) kinds.add('student');
    if (set.fullTypes.has('PersRelEleve')) kinds.add('guardian');
    if (set.fullTypes.has('PersEducNat') && set.structures.size) kinds.add('staff');
    for (const key of coveredKeys) {
      const p = planOf(key);
      if (p) for (const k of kinds) p.coverage.add(k);
    }
    const sets: [PersonKind, Map<string, unknown>][] = [
      ['student', set.students],
      ['guardian', set.guardians],
      ['staff', set.staff],
    ];
    for (const [kind, people] of sets) {
      for (const key of people.keys()) {
        const u = existing.get(key);
        if (!u) continue;
        for (const m of u.memberships) {
          if (!PROFILES_OF_KIND[kind].includes(m.p as MemberProfile)) continue;
          const p = plans.get(m.e);
          if (!p?.coverage.has(kind) || p.members.get(key)?.has(m.p as MemberProfile)) continue;
          // Present in the export, but no longer here: their memberships of that kind here go.
          if (!p.members.has(key)) p.members.set(key, new Map());
          const managed = p.managed.get(key) ?? new Set();
          for (const pr of PROFILES_OF_KIND[kind]) managed.add(pr);
          p.managed.set(key, managed);
          if (kind === 'student') {
            setOf(p.enrolClasses, key);
            setOf(p.enrolGroups, key);
            p.replaceClasses.add(key);
            p.replaceGroups.add(key);
            p.replaceLinksOf.add(key);
          }
          if (kind === 'staff') {
            for (const [target, replace] of [
              ['classAssign', 'replaceClassAssign'],
              ['groupAssign', 'replaceGroupAssign'],
              ['heads', 'replaceHeads'],
            ] as const) {
              setOf(p[target], key);
              p[replace].add(key);
            }
          }
        }
      }
    }
  }

  // ---- deletes ----
  for (const [key, d] of set.deletes) {
    const u = existing.get(key);
    if (!u) {
      anomalies.push(
        anomaly('UNKNOWN_PERSON', `person ${key} is deleted but was never imported`, d.origin, key, {
          variant: 'deleted',
          key,
        }),
      );
      continue;
    }
    for (const id of new Set(u.memberships.map((m) => m.e))) planOfId(id)?.deletes.set(key, d.kind);
  }

  // ---- cross-file checks ----
  const ours = (p: EstablishmentPlan) => !group || group.plans.has(p.key);
  for (const [k, origin] of used) {
    const [planKey, kind, code] = k.split('\t') as [string, 'classes' | 'groups', string];
    const p = plans.get(planKey);
    if (!p?.structure || !ours(p)) continue;
    const declared =
      kind === 'classes'
        ? p.structure.classes.some((c) => c.code === code)
        : p.structure.groups.some((g) => g.code === code);
    if (!declared)
      anomalies.push(
        anomaly(
          kind === 'classes' ? 'UNKNOWN_CLASS' : 'UNKNOWN_GROUP',
          `${kind === 'classes' ? 'class' : 'group'} ${code} is not listed by structure ${p.structure.key}: created anyway`,
          origin,
          code,
          { code, structure: p.structure.key },
        ),
      );
  }
  for (const p of plans.values()) {
    if (!p.structure || !p.coverage.has('staff') || !ours(p)) continue;
    const taught = new Set<string>();
    for (const list of p.classAssign.values()) for (const x of list) taught.add(x.split('\t')[0]!);
    for (const c of p.structure.classes)
      if (!taught.has(c.code))
        anomalies.push(
          anomaly('CLASS_WITHOUT_TEACHER', `class ${c.code} of ${p.label} has no teacher`, p.structure.origin, c.code, {
            code: c.code,
            establishment: p.label,
          }),
        );
  }
  const twins = new Map<string, { key: string; origin: Origin }[]>();
  const kinds: [string, Map<string, { key: string; origin: Origin; values: Record<string, unknown> }>][] = [
    ['student', set.students],
    ['staff', set.staff],
    ['guardian', set.guardians],
  ];
  // A group's twins were found by the first pass, over the whole set.
  for (const [kind, people] of group ? [] : kinds)
    for (const p of people.values()) {
      const birth = p.values.birth_date;
      if (!birth || !p.values.last_name) continue;
      const k = `${kind}|${foldName(String(p.values.last_name))}|${foldName(String(p.values.first_name ?? ''))}|${birth}`;
      const list = twins.get(k) ?? [];
      list.push({ key: p.key, origin: p.origin });
      twins.set(k, list);
    }
  for (const list of twins.values())
    for (const other of list.slice(1))
      anomalies.push(
        anomaly(
          'DUPLICATE_PERSON',
          `${other.key} has the same names and birth date as ${list[0]!.key}: probably the same person twice`,
          other.origin,
          other.key,
          { key: other.key, other: list[0]!.key },
        ),
      );

  // ---- MEF ----
  if (group)
    return {
      plans: [...plans.values()].filter(ours),
      matched,
      dropped,
      subjects,
      unknownSubjects: group.unknownSubjects,
      knownSubjects,
      mefs: group.mefs,
      knownMefs: group.knownMefs,
      existing,
      present: { has: (key: string) => !!group.kindOf(key) },
      anomalies,
    };
  const mefs = new Map<string, { label: string; level: string | null }>();
  for (const [code, m] of set.mefs) if (code.length === 11) mefs.set(code, { label: m.label ?? code, level: m.level });
  const studentMefs = new Map<string, Origin>();
  for (const s of set.students.values()) if (s.mef && !studentMefs.has(s.mef)) studentMefs.set(s.mef, s.origin);
  const knownMefs = new Set(
    (
      await imports.mefs(
        db,
        [...studentMefs.keys()].filter((c) => c.length === 11),
      )
    ).map((m) => m.code),
  );
  for (const [code, origin] of studentMefs)
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

  return {
    plans: [...plans.values()],
    matched,
    dropped,
    subjects,
    unknownSubjects,
    knownSubjects,
    mefs,
    knownMefs,
    existing,
    present,
    anomalies,
  };
}
