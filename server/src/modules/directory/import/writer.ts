/**
 * Writing phase: one establishment's plan applied in the caller's transaction, set-based (a handful of
 * statements per table, whatever the number of people), with the per-person changes tracked for the
 * report. Nothing already activated is disturbed: existing accounts keep their login, password and codes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ImportCount, ImportCounts } from '@preau/contracts';
import { audit } from '../../../platform/audit.ts';
import type { Db } from '../../../platform/db/schema.ts';
import { allocateLogin, baseLogin, newActivationCode } from '../../../platform/logins.ts';
import { hashActivationCode } from '../../accounts/index.ts';
import { schoolYearOf, slugify } from '../../establishments/index.ts';
import { displayNameOf } from '../names.ts';
import { imports, type NewUserRow, type UserRow, type UserUpdateRow } from './import.repository.ts';
import {
  anomaly,
  type ImportAnomaly,
  type ImportSet,
  PERSON_COLUMNS,
  type PersonKind,
  type PersonValues,
} from './model.ts';
import { type EstablishmentPlan, type MemberProfile, PROFILES_OF_KIND, type ResolvedImport } from './resolve.ts';

type Change = 'created' | 'updated' | 'detached';
const RANK: Record<Change, number> = { updated: 1, detached: 2, created: 3 };
/** Changes per counted thing; a person is counted once per kind, with the strongest change. */
export class ChangeTracker {
  readonly people: Record<PersonKind, Map<string, Change>> = {
    student: new Map(),
    guardian: new Map(),
    staff: new Map(),
  };
  readonly plain: Record<'establishments' | 'classes' | 'groups' | 'subjects', Map<string, Change>> = {
    establishments: new Map(),
    classes: new Map(),
    groups: new Map(),
    subjects: new Map(),
  };

  person(kind: PersonKind, key: string, change: Change): void {
    const m = this.people[kind];
    const prev = m.get(key);
    if (!prev || RANK[change] > RANK[prev]) m.set(key, change);
  }

  thing(what: keyof ChangeTracker['plain'], key: string, change: Change): void {
    const m = this.plain[what];
    const prev = m.get(key);
    if (!prev || RANK[change] > RANK[prev]) m.set(key, change);
  }

  merge(other: ChangeTracker): void {
    for (const kind of Object.keys(other.people) as PersonKind[])
      for (const [k, c] of other.people[kind]) this.person(kind, k, c);
    for (const what of Object.keys(other.plain) as (keyof ChangeTracker['plain'])[])
      for (const [k, c] of other.plain[what]) this.thing(what, k, c);
  }

  counts(): ImportCounts {
    const count = (m: Map<string, Change>): ImportCount => {
      const c = { created: 0, updated: 0, detached: 0 };
      for (const v of m.values()) c[v]++;
      return c;
    };
    return {
      establishments: count(this.plain.establishments),
      students: count(this.people.student),
      guardians: count(this.people.guardian),
      staff: count(this.people.staff),
      classes: count(this.plain.classes),
      groups: count(this.plain.groups),
      subjects: count(this.plain.subjects),
    };
  }
}

export interface WriteOptions {
  jobId: string | null;
  actorId: string | null;
  activationExpiresAt: Date;
  /** Paris day: the school year created for an establishment without a current one. */
  today: string;
  dryRun: boolean;
  scope: Set<string> | null;
}

/** Subjects and MEF: national nomenclatures, written apart from any establishment. */
export async function writeNomenclatures(db: Db, resolved: ResolvedImport, tracker: ChangeTracker): Promise<void> {
  const insert: { code: string; label: string }[] = [];
  const update: { code: string; label: string }[] = [];
  for (const [code, label] of resolved.subjects) {
    const known = resolved.knownSubjects.get(code);
    if (known === undefined) insert.push({ code, label });
    else if (known !== label) update.push({ code, label });
  }
  for (const code of resolved.unknownSubjects) insert.push({ code, label: code });
  await imports.insertSubjects(db, insert);
  await imports.updateSubjects(db, update);
  for (const s of insert) tracker.thing('subjects', s.code, 'created');
  for (const s of update) tracker.thing('subjects', s.code, 'updated');
  await imports.upsertMefs(
    db,
    [...resolved.mefs].map(([code, m]) => ({ code, label: m.label, level: m.level })),
  );
}

const sameJson = (a: unknown, b: unknown) => stableJson(a) === stableJson(b);
function stableJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object')
    return `{${Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const displayName = displayNameOf;

function normType(type: string | null): string {
  const t = (type ?? '').trim().toUpperCase();
  if (!t) return 'OTHER';
  if (t === 'CLG') return 'COLLEGE';
  if (t === 'LYC') return 'LYCEE';
  return t.slice(0, 40);
}

/** The values the set gives for a person, over its kinds (a student's own record first). */
export function valuesOf(set: ImportSet, key: string): PersonValues | null {
  const sources = [set.students.get(key), set.staff.get(key), set.guardians.get(key)].filter((x) => !!x);
  if (sources.length === 0) return null;
  const v: PersonValues = {};
  for (const s of sources)
    for (const [k, val] of Object.entries(s.values)) if (!(k in v)) (v as Record<string, unknown>)[k] = val;
  return v;
}

export function kindsOf(set: ImportSet, key: string): PersonKind[] {
  const k: PersonKind[] = [];
  if (set.students.has(key)) k.push('student');
  if (set.guardians.has(key)) k.push('guardian');
  if (set.staff.has(key)) k.push('staff');
  return k;
}

const kindOfProfile = (p: string): PersonKind =>
  p === 'student' ? 'student' : p === 'guardian' ? 'guardian' : 'staff';

export interface PlanResult {
  establishmentId: string;
  tracker: ChangeTracker;
  anomalies: ImportAnomaly[];
}

/** Apply one establishment's plan inside the caller's transaction. */
export async function writePlan(
  trx: Db,
  plan: EstablishmentPlan,
  set: ImportSet,
  resolved: ResolvedImport,
  opts: WriteOptions,
): Promise<PlanResult> {
  const tracker = new ChangeTracker();
  const anomalies: ImportAnomaly[] = [];
  await imports.lock(trx);

  // ---- the establishment ----
  let estId: string;
  const s = plan.structure;
  if (plan.existing) {
    estId = plan.existing.id;
    if (s) {
      const e = plan.existing;
      const set: Parameters<typeof imports.updateEstablishment>[2] = {};
      if (s.name && s.name !== e.name) set.name = s.name;
      if (s.type && normType(s.type) !== e.type) set.type = normType(s.type);
      if (s.city && s.city !== e.city) set.city = s.city;
      if (e.external_id !== s.key) set.external_id = s.key;
      if (s.uai && s.uai !== e.uai && /^[0-9]{7}[A-Z]$/.test(s.uai)) {
        if (await imports.uaiTaken(trx, s.uai, e.id))
          anomalies.push(
            anomaly('UAI_TAKEN', `structure ${s.key}: UAI ${s.uai} belongs to another establishment`, s.origin, s.key, {
              key: s.key,
              uai: s.uai,
            }),
          );
        else set.uai = s.uai;
      }
      if (Object.keys(set).length) {
        await imports.updateEstablishment(trx, estId, set);
        tracker.thing('establishments', estId, 'updated');
      }
    }
  } else {
    if (!s?.uai) throw new Error(`structure without UAI: ${plan.key}`);
    const code = s.academy?.trim().toUpperCase();
    const academy =
      (code ? await imports.academyByCode(trx, code) : undefined) ??
      (code ? undefined : await imports.onlyAcademy(trx)) ??
      (await imports.insertAcademy(
        trx,
        code || 'INCONNUE',
        code ? `Académie de ${titleCase(code)}` : 'Académie inconnue',
      ));
    if (!code)
      anomalies.push(
        anomaly('MISSING_VALUE', `structure ${s.key} has no académie (ENTServAcAcademie)`, s.origin, s.key, {
          variant: 'academy',
          key: s.key,
          attribute: 'ENTServAcAcademie',
        }),
      );
    if (await imports.uaiTaken(trx, s.uai, null))
      throw new Error(`UAI ${s.uai} of structure ${s.key} belongs to another establishment`);
    const base = slugify(s.name ?? s.uai, s.city);
    const taken = new Set(await imports.slugsLike(trx, base));
    let slug = base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    estId = (
      await imports.insertEstablishment(trx, {
        academy_id: academy.id,
        uai: s.uai,
        type: normType(s.type),
        name: s.name ?? s.uai,
        city: s.city,
        slug,
        external_id: s.key,
      })
    ).id;
    tracker.thing('establishments', estId, 'created');
  }

  // ---- the current school year ----
  let year = await imports.currentSchoolYear(trx, estId);
  if (!year) {
    const y = schoolYearOf(opts.today);
    await imports.insertCurrentSchoolYear(trx, estId, y);
    year = await imports.currentSchoolYear(trx, estId);
    if (!year)
      throw new Error(
        `${plan.label} has no current school year and ${y.label} exists already (archived or next): open the year first`,
      );
  }
  const yearId = year.id;

  // ---- classes and groups ----
  const mefKnown = (code: string) => resolved.mefs.has(code) || resolved.knownMefs.has(code);
  const classIds = new Map<string, string>();
  {
    const current = new Map((await imports.classes(trx, estId, yearId)).map((c) => [c.code, c]));
    const insert: { id: string; code: string; label: string; mef_code: string | null }[] = [];
    const update: { id: string; label: string; mef_code: string | null }[] = [];
    for (const [code, want] of plan.classes) {
      let mef: string | null = null;
      let best = 0;
      for (const [m, n] of want.mefs) if (n > best && mefKnown(m)) [mef, best] = [m, n];
      const cur = current.get(code);
      if (!cur) {
        const id = randomUUID();
        insert.push({ id, code, label: want.label ?? code, mef_code: mef });
        classIds.set(code, id);
        tracker.thing('classes', `${estId}\t${code}`, 'created');
      } else {
        classIds.set(code, cur.id);
        const label = want.label ?? cur.label;
        const mefCode = mef ?? cur.mef_code;
        if (label !== cur.label || mefCode !== cur.mef_code) {
          update.push({ id: cur.id, label, mef_code: mefCode });
          tracker.thing('classes', `${estId}\t${code}`, 'updated');
        }
      }
    }
    for (const [code, c] of current) if (!classIds.has(code)) classIds.set(code, c.id);
    await imports.insertClasses(trx, estId, yearId, insert);
    await imports.updateClasses(trx, update);
  }
  const groupIds = new Map<string, string>();
  {
    const current = new Map((await imports.groups(trx, estId, yearId)).map((g) => [g.code, g]));
    const insert: { id: string; code: string; label: string }[] = [];
    const update: { id: string; label: string }[] = [];
    for (const [code, want] of plan.groups) {
      const cur = current.get(code);
      if (!cur) {
        const id = randomUUID();
        insert.push({ id, code, label: want.label ?? code });
        groupIds.set(code, id);
        tracker.thing('groups', `${estId}\t${code}`, 'created');
      } else {
        groupIds.set(code, cur.id);
        if (want.label && want.label !== cur.label) {
          update.push({ id: cur.id, label: want.label });
          tracker.thing('groups', `${estId}\t${code}`, 'updated');
        }
      }
    }
    for (const [code, g] of current) if (!groupIds.has(code)) groupIds.set(code, g.id);
    await imports.insertGroups(trx, estId, yearId, insert);
    await imports.updateGroups(trx, update);
  }

  // ---- accounts ----
  // Every account the plan may write or link: its members, both sides of its links, its deletes, and the
  // people whose account columns it updates — a delta's modify that carries only account attributes
  // (contact details, names) places its person in `identity` alone, not among the members.
  const keys = new Set<string>([...plan.members.keys(), ...plan.identity]);
  for (const l of plan.links.values()) {
    keys.add(l.guardianKey);
    keys.add(l.studentKey);
  }
  for (const k of plan.deletes.keys()) keys.add(k);
  for (const k of plan.replaceLinksOf) keys.add(k);
  const rows = await imports.users(trx, { keys: [...keys] });
  const byKey = new Map<string, UserRow>(rows.map((r) => [r.external_id!, r]));
  // CSV rows recognised by other evidence than their key (INE, names and birth date…): their accounts by id;
  // an account without a join key takes the row's.
  const recognised = [...keys].filter((k) => !byKey.has(k) && resolved.matched.has(k));
  if (recognised.length) {
    const found = new Map(
      (await imports.users(trx, { ids: recognised.map((k) => resolved.matched.get(k)!.userId) })).map((r) => [r.id, r]),
    );
    const adopt: { id: string; key: string }[] = [];
    for (const k of recognised) {
      const r = found.get(resolved.matched.get(k)!.userId);
      if (!r) continue;
      byKey.set(k, r);
      if (!r.external_id) adopt.push({ id: r.id, key: k });
    }
    await imports.adoptExternalIds(trx, adopt);
  }
  // Accounts merged into another one (duplicates): the import links the kept account, and leaves both as they are.
  const redirected = new Set<string>();
  for (let hop = 0; hop < 3; hop++) {
    const pending = [...byKey].filter(([, r]) => r.merged_into);
    if (pending.length === 0) break;
    const kept = new Map(
      (await imports.users(trx, { ids: pending.map(([, r]) => r.merged_into!) })).map((r) => [r.id, r]),
    );
    for (const [k, r] of pending) {
      const target = kept.get(r.merged_into!);
      if (target) byKey.set(k, target);
      else byKey.delete(k);
      redirected.add(k);
    }
  }

  const newRows: NewUserRow[] = [];
  const updates: UserUpdateRow[] = [];
  const wanted = [...plan.members.keys()].filter((k) => !byKey.has(k)).sort();
  const creatable: { key: string; values: PersonValues; first: string; last: string }[] = [];
  for (const key of wanted) {
    const values = valuesOf(set, key);
    if (!values) continue;
    const first = String(values.first_name ?? '').trim();
    const last = String(values.last_name ?? '').trim();
    if (!first && !last) {
      const person = set.students.get(key) ?? set.staff.get(key) ?? set.guardians.get(key);
      anomalies.push(
        anomaly('MISSING_VALUE', `person ${key} has neither last nor first name: not created`, person!.origin, key, {
          variant: 'noName',
          key,
        }),
      );
      continue;
    }
    creatable.push({ key, values, first, last });
  }
  if (creatable.length) {
    const bases = creatable.map((c) => baseLogin(c.first, c.last));
    const taken = new Set(await imports.takenLogins(trx, bases));
    const random = randomBytes(10 * creatable.length);
    creatable.forEach((c, i) => {
      const id = randomUUID();
      const code = newActivationCode(() => random.subarray(i * 10, i * 10 + 10));
      const v = c.values;
      newRows.push({
        id,
        external_id: c.key,
        login: allocateLogin(bases[i]!, taken),
        first_name: c.first,
        last_name: c.last,
        display_name: displayName(c.first, c.last),
        birth_date: (v.birth_date as string | null | undefined) ?? null,
        email: (v.email as string | null | undefined) ?? null,
        title: (v.title as string | null | undefined) ?? null,
        ine: (v.ine as string | null | undefined) ?? null,
        phone_home: (v.phone_home as string | null | undefined) ?? null,
        phone_work: (v.phone_work as string | null | undefined) ?? null,
        phone_mobile: (v.phone_mobile as string | null | undefined) ?? null,
        address: v.address ? JSON.stringify(v.address) : null,
        consents: JSON.stringify(v.consents ?? {}),
        activation_code_hash: hashActivationCode(id, code),
      });
      byKey.set(c.key, {
        id,
        external_id: c.key,
        login: '',
        first_name: c.first,
        last_name: c.last,
        display_name: '',
        birth_date: null,
        email: null,
        title: null,
        ine: null,
        phone_home: null,
        phone_work: null,
        phone_mobile: null,
        address: null,
        consents: {},
        status: 'pending_activation',
        has_password: false,
        detached_at: null,
        merged_into: null,
        is_platform_admin: false,
      });
      for (const kind of kindsOf(set, c.key)) tracker.person(kind, c.key, 'created');
    });
  }
  const created = new Set(newRows.map((r) => r.external_id));
  for (const key of plan.identity) {
    const row = byKey.get(key);
    if (!row || created.has(key) || redirected.has(key) || row.is_platform_admin) continue;
    const values = valuesOf(set, key);
    if (!values) continue;
    const next = { ...row } as Record<string, unknown>;
    let changed = false;
    for (const column of PERSON_COLUMNS) {
      if (!(column in values)) continue;
      let v = (values as Record<string, unknown>)[column];
      if (column === 'first_name' || column === 'last_name') v = String(v ?? '').trim();
      if (column === 'consents') v = { ...row.consents, ...(v as Record<string, string>) };
      // Names are never emptied: an account keeps the name it is known by.
      if ((column === 'first_name' || column === 'last_name') && v === '' && row[column]) continue;
      if (!sameJson(v, (row as unknown as Record<string, unknown>)[column])) {
        next[column] = v;
        changed = true;
      }
    }
    let status = row.status;
    if (row.status === 'detached') {
      status = row.has_password ? 'active' : 'pending_activation';
      changed = true;
    }
    if (!changed) continue;
    const first = String(next.first_name);
    const last = String(next.last_name);
    updates.push({
      id: row.id,
      first_name: first,
      last_name: last,
      display_name: first !== row.first_name || last !== row.last_name ? displayName(first, last) : row.display_name,
      birth_date: (next.birth_date as string | null) ?? null,
      email: (next.email as string | null) ?? null,
      title: (next.title as string | null) ?? null,
      ine: (next.ine as string | null) ?? null,
      phone_home: (next.phone_home as string | null) ?? null,
      phone_work: (next.phone_work as string | null) ?? null,
      phone_mobile: (next.phone_mobile as string | null) ?? null,
      address: next.address ? JSON.stringify(next.address) : null,
      consents: JSON.stringify(next.consents ?? {}),
      status,
      detached: status === 'detached',
    });
    for (const kind of kindsOf(set, key)) tracker.person(kind, key, 'updated');
  }
  await imports.insertUsers(trx, newRows, opts.activationExpiresAt);
  await imports.updateUsers(trx, updates);

  const idOf = (key: string) => byKey.get(key)?.id;
  const keyOfId = new Map<string, string>();
  for (const [k, r] of byKey) if (!keyOfId.has(r.id)) keyOfId.set(r.id, k);
  const touched = (key: string, kind: PersonKind) => tracker.person(kind, key, 'updated');

  // ---- memberships ----
  {
    const ids = [...plan.members.keys()].map(idOf).filter((x): x is string => !!x);
    const current = await imports.memberships(trx, estId, ids);
    const byUser = groupBy(current, (m) => m.user_id);
    const insert: { user_id: string; profile: string; functions: string; position: string | null }[] = [];
    const update: { id: string; functions: string; position: string | null }[] = [];
    const remove: string[] = [];
    const pg = (a: string[]) => `{${a.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
    for (const [key, desired] of plan.members) {
      const uid = idOf(key);
      if (!uid) continue;
      const cur = byUser.get(uid) ?? [];
      const positions = plan.positions.get(key);
      for (const [profile, fns] of desired) {
        const c = cur.find((m) => m.profile === profile);
        // A position the set does not state stays as it is.
        const position = positions?.has(profile) ? (positions.get(profile) ?? null) : (c?.position ?? null);
        if (!c) {
          insert.push({ user_id: uid, profile, functions: pg(fns), position });
          touched(key, kindOfProfile(profile));
        } else if ([...c.functions].sort().join('|') !== fns.join('|') || (c.position ?? null) !== position) {
          update.push({ id: c.id, functions: pg(fns), position });
          touched(key, kindOfProfile(profile));
        }
      }
      const managed = plan.managed.get(key);
      if (managed)
        for (const c of cur)
          if (managed.has(c.profile as MemberProfile) && !desired.has(c.profile as MemberProfile)) {
            remove.push(c.id);
            touched(key, kindOfProfile(c.profile));
          }
    }
    await imports.insertMemberships(trx, estId, insert);
    await imports.updateMemberships(trx, update);
    await imports.deleteMemberships(trx, remove);
  }

  // ---- enrolments ----
  {
    const studentKeys = new Set([...plan.enrolClasses.keys(), ...plan.enrolGroups.keys()]);
    const ids = [...studentKeys].map(idOf).filter((x): x is string => !!x);
    const current = groupBy(await imports.enrolments(trx, estId, yearId, ids), (e) => e.student_id);
    const insert: { student_id: string; class_id: string | null; group_id: string | null }[] = [];
    const remove: string[] = [];
    for (const key of studentKeys) {
      const uid = idOf(key);
      if (!uid) continue;
      const mine = current.get(uid) ?? [];
      const diff = (
        codes: Set<string> | undefined,
        replace: boolean,
        ids: Map<string, string>,
        column: 'class_id' | 'group_id',
      ) => {
        if (!codes) return;
        const want = new Set([...codes].map((c) => ids.get(c)).filter((x): x is string => !!x));
        const have = mine.filter((e) => e[column]);
        for (const id of want)
          if (!have.some((e) => e[column] === id)) {
            insert.push({
              student_id: uid,
              class_id: column === 'class_id' ? id : null,
              group_id: column === 'group_id' ? id : null,
            });
            touched(key, 'student');
          }
        if (replace)
          for (const e of have)
            if (!want.has(e[column]!)) {
              remove.push(e.id);
              touched(key, 'student');
            }
      };
      diff(plan.enrolClasses.get(key), plan.replaceClasses.has(key), classIds, 'class_id');
      diff(plan.enrolGroups.get(key), plan.replaceGroups.has(key), groupIds, 'group_id');
    }
    await imports.deleteEnrolments(trx, remove);
    await imports.insertEnrolments(trx, estId, yearId, insert);
  }

  // ---- guardianships ----
  {
    const involved = new Set<string>();
    for (const l of plan.links.values()) {
      involved.add(l.guardianKey);
      involved.add(l.studentKey);
    }
    for (const k of plan.replaceLinksOf) involved.add(k);
    const ids = [...involved].map(idOf).filter((x): x is string => !!x);
    const current = await imports.guardianships(trx, estId, ids);
    const desired = new Map<string, { g: string; s: string; level: string; relation: string | null }>();
    for (const l of plan.links.values()) {
      const g = idOf(l.guardianKey);
      const st = idOf(l.studentKey);
      if (!g || !st || g === st) continue;
      desired.set(`${g}\t${st}`, { g, s: st, level: l.level, relation: l.relation });
    }
    const insert: { guardian_id: string; student_id: string; level: string; relation: string | null }[] = [];
    const update: { id: string; level: string; relation: string | null }[] = [];
    const remove: string[] = [];
    const mark = (g: string, st: string) => {
      const gk = keyOfId.get(g);
      const sk = keyOfId.get(st);
      if (gk) touched(gk, 'guardian');
      if (sk) touched(sk, 'student');
    };
    const currentByPair = new Map(current.map((x) => [`${x.guardian_id}\t${x.student_id}`, x]));
    for (const [k, d] of desired) {
      const c = currentByPair.get(k);
      if (!c) {
        insert.push({ guardian_id: d.g, student_id: d.s, level: d.level, relation: d.relation });
        mark(d.g, d.s);
      } else if (c.level !== d.level || (d.relation !== null && d.relation !== c.relation)) {
        update.push({ id: c.id, level: d.level, relation: d.relation ?? c.relation });
        mark(d.g, d.s);
      }
    }
    const replacing = new Set([...plan.replaceLinksOf].map(idOf).filter((x): x is string => !!x));
    for (const c of current)
      if (
        (replacing.has(c.student_id) || replacing.has(c.guardian_id)) &&
        !desired.has(`${c.guardian_id}\t${c.student_id}`)
      ) {
        remove.push(c.id);
        mark(c.guardian_id, c.student_id);
      }
    await imports.deleteGuardianships(trx, remove);
    await imports.insertGuardianships(trx, estId, insert);
    await imports.updateGuardianships(trx, update);
  }

  // ---- teaching assignments and head teachers ----
  {
    const teacherKeys = new Set([...plan.classAssign.keys(), ...plan.groupAssign.keys(), ...plan.heads.keys()]);
    const ids = [...teacherKeys].map(idOf).filter((x): x is string => !!x);
    const current = groupBy(await imports.assignments(trx, estId, yearId, ids), (a) => a.teacher_id);
    const currentHeads = groupBy(await imports.headTeachers(trx, estId, yearId, ids), (h) => h.teacher_id);
    const insert: { teacher_id: string; class_id: string | null; group_id: string | null; subject_code: string }[] = [];
    const remove: string[] = [];
    const insertHeads: { teacher_id: string; class_id: string }[] = [];
    const removeHeads: string[] = [];
    for (const key of teacherKeys) {
      const uid = idOf(key);
      if (!uid) continue;
      const mine = current.get(uid) ?? [];
      const diff = (
        list: Set<string> | undefined,
        replace: boolean,
        idsOf: Map<string, string>,
        column: 'class_id' | 'group_id',
      ) => {
        if (!list) return;
        const want = new Set<string>();
        for (const x of list) {
          const [code, subject] = x.split('\t') as [string, string];
          const id = idsOf.get(code);
          if (id) want.add(`${id}\t${subject}`);
        }
        const have = mine.filter((a) => a[column]);
        for (const w of want)
          if (!have.some((a) => `${a[column]}\t${a.subject_code}` === w)) {
            const [id, subject] = w.split('\t') as [string, string];
            insert.push({
              teacher_id: uid,
              class_id: column === 'class_id' ? id : null,
              group_id: column === 'group_id' ? id : null,
              subject_code: subject,
            });
            touched(key, 'staff');
          }
        if (replace)
          for (const a of have)
            if (!want.has(`${a[column]}\t${a.subject_code}`)) {
              remove.push(a.id);
              touched(key, 'staff');
            }
      };
      diff(plan.classAssign.get(key), plan.replaceClassAssign.has(key), classIds, 'class_id');
      diff(plan.groupAssign.get(key), plan.replaceGroupAssign.has(key), groupIds, 'group_id');
      const heads = plan.heads.get(key);
      if (heads) {
        const want = new Set([...heads].map((c) => classIds.get(c)).filter((x): x is string => !!x));
        const have = currentHeads.get(uid) ?? [];
        for (const id of want)
          if (!have.some((h) => h.class_id === id)) {
            insertHeads.push({ teacher_id: uid, class_id: id });
            touched(key, 'staff');
          }
        if (plan.replaceHeads.has(key))
          for (const h of have)
            if (!want.has(h.class_id)) {
              removeHeads.push(h.id);
              touched(key, 'staff');
            }
      }
    }
    await imports.deleteAssignments(trx, remove);
    await imports.insertAssignments(trx, estId, yearId, insert);
    await imports.deleteHeadTeachers(trx, removeHeads);
    await imports.insertHeadTeachers(trx, estId, yearId, insertHeads);
  }

  // ---- detachment: absent from a full export of this establishment, or deleted by a delta ----
  {
    const detach: string[] = [];
    const removeMemberships: string[] = [];
    if (plan.coverage.size) {
      const profiles = [...plan.coverage].flatMap((k) => PROFILES_OF_KIND[k]);
      for (const u of await imports.importedMembers(trx, estId, profiles)) {
        if (u.status === 'detached' || resolved.present.has(u.external_id)) continue;
        const covered = (m: { e: string; p: string }) => m.e === estId && profiles.includes(m.p as MemberProfile);
        const here = u.memberships.filter(covered);
        const elsewhere = u.memberships.filter((m) => !covered(m));
        if (elsewhere.length === 0) detach.push(u.id);
        else removeMemberships.push(...here.map((m) => m.id));
        for (const m of here) tracker.person(kindOfProfile(m.p), u.external_id, 'detached');
      }
    }
    for (const [key, kind] of plan.deletes) {
      const row = byKey.get(key);
      if (!row || redirected.has(key) || row.status === 'detached' || row.is_platform_admin) continue;
      const known = resolved.existing.get(key);
      const foreign = opts.scope && known?.memberships.some((m) => !opts.scope!.has(m.e));
      if (foreign) {
        const here = (await imports.memberships(trx, estId, [row.id])).filter((m) => m.profile !== 'local_admin');
        if (here.length === 0) continue;
        removeMemberships.push(...here.map((m) => m.id));
      } else detach.push(row.id);
      tracker.person(kind, key, 'detached');
    }
    await imports.deleteMemberships(trx, removeMemberships);
    await imports.detachUsers(trx, detach);
  }

  await audit(
    trx,
    { user: null, ip: '' },
    {
      action: 'directory.import',
      establishmentId: estId,
      actorId: opts.actorId,
      targetType: 'import_job',
      targetId: opts.jobId ?? undefined,
      details: { counts: tracker.counts(), dryRun: opts.dryRun },
    },
  );
  return { establishmentId: estId, tracker, anomalies };
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

function titleCase(s: string): string {
  return s.toLowerCase().replace(/(^|[\s-])\p{L}/gu, (m) => m.toUpperCase());
}
