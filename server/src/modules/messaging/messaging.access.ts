import {
  type EstablishmentProfile,
  RECIPIENT_CATEGORIES,
  type RecipientCategory,
  type RuleLevel,
} from '@preau/contracts';
import { type RawBuilder, sql } from 'kysely';
import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import type { Db } from '../../platform/db/schema.ts';

/**
 * Who may write to whom (issue 12), in one place. The default rules per establishment, in plain words:
 * - staff, the direction and teachers write to everyone of the establishment;
 * - students to their classes' teachers (classes and groups), their classmates and the school-life staff;
 * - guardians to their children's teachers, the school-life staff and the direction — never to other parents or
 *   other students.
 * A rule is a level per (sender profile, recipient category): `none`, `related` (through a class or group both
 * belong to, or the family), `all` (everyone of that category here). The principal changes levels per pair, and
 * allows or forbids a relation through one class or group (let the students of 3B write to each other, not those
 * of 3C). A sender holding several profiles reaches the union of what each allows; a profile whose sending is
 * suspended reaches nothing.
 */

type Level = Record<RecipientCategory, RuleLevel>;
const ALL_OF: Level = {
  student: 'all',
  guardian: 'all',
  teacher: 'all',
  school_life: 'all',
  staff: 'all',
  direction: 'all',
};

export const DEFAULT_LEVELS: Record<EstablishmentProfile, Level> = {
  student: {
    student: 'related',
    guardian: 'none',
    teacher: 'related',
    school_life: 'all',
    staff: 'none',
    direction: 'none',
  },
  guardian: {
    student: 'none',
    guardian: 'none',
    teacher: 'related',
    school_life: 'all',
    staff: 'none',
    direction: 'all',
  },
  teacher: ALL_OF,
  staff: ALL_OF,
  principal: ALL_OF,
  local_admin: ALL_OF,
};

/** Profiles whose relations go through classes and groups (and the family): `related` means something for them. */
export const RELATING_PROFILES = ['student', 'guardian', 'teacher'] as const;
type Relating = (typeof RELATING_PROFILES)[number];
const STRUCTURE_CATEGORIES = ['student', 'guardian', 'teacher'] as const;
type StructureCategory = (typeof STRUCTURE_CATEGORIES)[number];

export interface RuleSet {
  level(from: EstablishmentProfile, to: RecipientCategory): RuleLevel;
  /** The principal's adjustment of a relation through one class or group, if any. */
  structure(structureId: string, from: EstablishmentProfile, to: RecipientCategory): boolean | undefined;
}

export async function loadRules(db: Db, establishmentId: string): Promise<RuleSet> {
  const [levels, structures] = await Promise.all([
    db
      .selectFrom('messaging_rule')
      .select(['from_profile', 'to_category', 'level'])
      .where('establishment_id', '=', establishmentId)
      .execute(),
    db
      .selectFrom('messaging_structure_rule')
      .select(['structure_id', 'from_profile', 'to_category', 'allowed'])
      .where('establishment_id', '=', establishmentId)
      .execute(),
  ]);
  const lv = new Map(levels.map((r) => [`${r.from_profile}:${r.to_category}`, r.level]));
  const st = new Map(structures.map((r) => [`${r.structure_id}:${r.from_profile}:${r.to_category}`, r.allowed]));
  return {
    level: (from, to) => lv.get(`${from}:${to}`) ?? DEFAULT_LEVELS[from][to],
    structure: (id, from, to) => st.get(`${id}:${from}:${to}`),
  };
}

/** A relation through a class by default; through a group too, except between students and between parents. */
function throughByDefault(type: 'class' | 'group', from: Relating, to: StructureCategory): boolean {
  return !(type === 'group' && from === to && (from === 'student' || from === 'guardian'));
}

/** What a sender may reach, worked out once per request. */
export interface Reach {
  /** Categories whose every member is reachable. */
  categories: Set<RecipientCategory>;
  /** Per category, the classes and groups through which its members are reachable. */
  through: Record<StructureCategory, { classes: Set<string>; groups: Set<string> }>;
  ownGuardians: boolean;
  ownChildren: boolean;
  /** The sender's own classes and groups (any role), listed first in the address book. */
  mine: Set<string>;
}

export interface Sender {
  id: string;
  establishmentId: string;
  /** Profiles that may send here now (suspended ones left out). */
  profiles: readonly EstablishmentProfile[];
}

/** The sender's classes and groups of the current year, by the role that links them. */
async function structuresOf(db: Db, sender: Sender) {
  const res = await sql<{ role: Relating; class_id: string | null; group_id: string | null }>`
    SELECT 'student' AS role, e.class_id, e.group_id
    FROM enrolment e JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
    WHERE e.student_id = ${sender.id} AND e.establishment_id = ${sender.establishmentId}
    UNION ALL
    SELECT 'guardian', e.class_id, e.group_id
    FROM guardianship g
    JOIN enrolment e ON e.student_id = g.student_id AND e.establishment_id = g.establishment_id
    JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
    WHERE g.guardian_id = ${sender.id} AND g.establishment_id = ${sender.establishmentId}
    UNION ALL
    SELECT 'teacher', ta.class_id, ta.group_id
    FROM teaching_assignment ta JOIN school_year y ON y.id = ta.school_year_id AND y.status = 'current'
    WHERE ta.teacher_id = ${sender.id} AND ta.establishment_id = ${sender.establishmentId}
    UNION ALL
    SELECT 'teacher', h.class_id, NULL
    FROM head_teacher h JOIN school_year y ON y.id = h.school_year_id AND y.status = 'current'
    WHERE h.teacher_id = ${sender.id} AND h.establishment_id = ${sender.establishmentId}`.execute(db);
  return res.rows;
}

export async function reachOf(db: Db, sender: Sender, rules: RuleSet): Promise<Reach> {
  const reach: Reach = {
    categories: new Set(),
    through: {
      student: { classes: new Set(), groups: new Set() },
      guardian: { classes: new Set(), groups: new Set() },
      teacher: { classes: new Set(), groups: new Set() },
    },
    ownGuardians: false,
    ownChildren: false,
    mine: new Set(),
  };
  for (const p of sender.profiles) {
    for (const c of RECIPIENT_CATEGORIES) if (rules.level(p, c) === 'all') reach.categories.add(c);
    if (p === 'student' && rules.level(p, 'guardian') === 'related') reach.ownGuardians = true;
    if (p === 'guardian' && rules.level(p, 'student') === 'related') reach.ownChildren = true;
  }
  const relating = sender.profiles.filter((p): p is Relating => (RELATING_PROFILES as readonly string[]).includes(p));
  if (relating.length === 0) return reach;
  for (const s of await structuresOf(db, sender)) {
    if (!relating.includes(s.role)) continue;
    const id = s.class_id ?? s.group_id;
    if (!id) continue;
    const type = s.class_id ? 'class' : 'group';
    reach.mine.add(id);
    for (const c of STRUCTURE_CATEGORIES) {
      const adjusted = s.role === 'teacher' ? undefined : rules.structure(id, s.role, c);
      const ok = adjusted ?? (rules.level(s.role, c) === 'related' && throughByDefault(type, s.role, c));
      if (ok) reach.through[c][type === 'class' ? 'classes' : 'groups'].add(id);
    }
  }
  return reach;
}

/** Members of a category, as a condition on `membership m`. */
const CATEGORY_SQL: Record<RecipientCategory, RawBuilder<boolean>> = {
  student: sql<boolean>`m.profile = 'student'`,
  guardian: sql<boolean>`m.profile = 'guardian'`,
  teacher: sql<boolean>`m.profile = 'teacher'`,
  direction: sql<boolean>`m.profile = 'principal'`,
  school_life: sql<boolean>`(m.profile = 'staff' AND 'EDU' = ANY(m.functions))`,
  staff: sql<boolean>`((m.profile = 'staff' AND NOT ('EDU' = ANY(m.functions))) OR m.profile = 'local_admin')`,
};

/** Members of categories, as a condition on `membership m`. */
export function categoryCondition(categories: Iterable<RecipientCategory>): RawBuilder<boolean> {
  const parts = [...categories].map((c) => CATEGORY_SQL[c]);
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` OR `)})` : sql<boolean>`false`;
}

const ids = (s: Set<string>) => [...s];

/** The people a reach covers, as one `SELECT user_id …` (a union; PostgreSQL pushes the caller's filters into it). */
function reachableSql(establishmentId: string, senderId: string, reach: Reach): RawBuilder<unknown> {
  const e = establishmentId;
  const parts: RawBuilder<unknown>[] = [];
  if (reach.categories.size > 0) {
    parts.push(
      sql`SELECT m.user_id FROM membership m WHERE m.establishment_id = ${e} AND ${categoryCondition(reach.categories)}`,
    );
  }
  const t = reach.through;
  if (t.student.classes.size + t.student.groups.size > 0) {
    parts.push(sql`SELECT e.student_id FROM enrolment e
      JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
      WHERE e.establishment_id = ${e}
        AND (e.class_id = ANY(${ids(t.student.classes)}::uuid[]) OR e.group_id = ANY(${ids(t.student.groups)}::uuid[]))`);
  }
  if (t.guardian.classes.size + t.guardian.groups.size > 0) {
    parts.push(sql`SELECT g.guardian_id FROM guardianship g
      JOIN enrolment e ON e.student_id = g.student_id AND e.establishment_id = g.establishment_id
      JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
      WHERE g.establishment_id = ${e}
        AND (e.class_id = ANY(${ids(t.guardian.classes)}::uuid[]) OR e.group_id = ANY(${ids(t.guardian.groups)}::uuid[]))`);
  }
  if (t.teacher.classes.size + t.teacher.groups.size > 0) {
    parts.push(sql`SELECT ta.teacher_id FROM teaching_assignment ta
      JOIN school_year y ON y.id = ta.school_year_id AND y.status = 'current'
      WHERE ta.establishment_id = ${e}
        AND (ta.class_id = ANY(${ids(t.teacher.classes)}::uuid[]) OR ta.group_id = ANY(${ids(t.teacher.groups)}::uuid[]))
      UNION ALL
      SELECT h.teacher_id FROM head_teacher h
      JOIN school_year y ON y.id = h.school_year_id AND y.status = 'current'
      WHERE h.establishment_id = ${e} AND h.class_id = ANY(${ids(t.teacher.classes)}::uuid[])`);
  }
  if (reach.ownGuardians) {
    parts.push(sql`SELECT guardian_id FROM guardianship WHERE student_id = ${senderId} AND establishment_id = ${e}`);
  }
  if (reach.ownChildren) {
    parts.push(sql`SELECT student_id FROM guardianship WHERE guardian_id = ${senderId} AND establishment_id = ${e}`);
  }
  if (parts.length === 0) return sql`SELECT NULL::uuid WHERE false`;
  return sql.join(parts, sql` UNION ALL `);
}

/** A person who can receive messages here: a member (not suspended there), account not detached, not the sender. */
function eligible(establishmentId: string, senderId: string): RawBuilder<boolean> {
  return sql<boolean>`m.establishment_id = ${establishmentId} AND u.status <> 'detached' AND m.user_id <> ${senderId}
    AND NOT EXISTS (SELECT 1 FROM membership_suspension s
                    WHERE s.user_id = m.user_id AND s.establishment_id = m.establishment_id)`;
}

/** Of these people, those the sender may write to: one query. */
export async function allowedPeople(db: AuthorizedDb | Db, sender: Sender, reach: Reach, people: string[]) {
  if (people.length === 0) return new Set<string>();
  const res = await sql<{ user_id: string }>`
    SELECT DISTINCT m.user_id FROM membership m JOIN app_user u ON u.id = m.user_id
    WHERE ${eligible(sender.establishmentId, sender.id)} AND m.user_id = ANY(${people}::uuid[])
      AND m.user_id IN (${reachableSql(sender.establishmentId, sender.id, reach)})`.execute(db);
  return new Set(res.rows.map((r) => r.user_id));
}

/** Accents and case out, for name search (no extension needed). */
const FOLD_FROM = 'àâäáãåçéèêëíìîïñóòôöõúùûüýÿæœ';
const FOLD_TO = 'aaaaaaceeeeiiiinooooouuuuyyao';
export const fold = (s: string) => [...s.toLowerCase()].map((ch) => FOLD_TO[FOLD_FROM.indexOf(ch)] ?? ch).join('');

/** The people the sender may write to whose name matches every word of `q`, by name. */
export async function searchPeople(db: AuthorizedDb | Db, sender: Sender, reach: Reach, q: string, limit: number) {
  const words = fold(q)
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 5);
  const match = words.length
    ? sql.join(
        words.map(
          (w) =>
            sql`translate(lower(u.display_name), ${FOLD_FROM}, ${FOLD_TO}) LIKE ${`%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`,
        ),
        sql` AND `,
      )
    : sql`true`;
  const res = await sql<{ id: string; display_name: string; profiles: EstablishmentProfile[]; functions: string[] }>`
    SELECT m.user_id AS id, u.display_name, array_agg(DISTINCT m.profile) AS profiles,
           COALESCE(array_agg(DISTINCT f) FILTER (WHERE f IS NOT NULL), '{}') AS functions
    FROM membership m JOIN app_user u ON u.id = m.user_id
    LEFT JOIN LATERAL unnest(m.functions) AS f ON true
    WHERE ${eligible(sender.establishmentId, sender.id)} AND ${match}
      AND m.user_id IN (${reachableSql(sender.establishmentId, sender.id, reach)})
    GROUP BY m.user_id, u.display_name, u.last_name, u.first_name
    ORDER BY u.last_name, u.first_name, m.user_id
    LIMIT ${limit}`.execute(db);
  return res.rows;
}

export type ListKind = 'students' | 'guardians' | 'teachers';
export type ParsedList =
  | { scope: 'class' | 'group'; id: string; kind: ListKind; key: string }
  | { scope: 'all'; category: RecipientCategory | 'personnel'; key: string };

const LIST_CATEGORY: Record<ListKind, StructureCategory> = {
  students: 'student',
  guardians: 'guardian',
  teachers: 'teacher',
};

export const PERSONNEL: RecipientCategory[] = ['teacher', 'school_life', 'staff', 'direction'];

export function parseList(key: string): ParsedList | null {
  const m = /^(class|group)\.([0-9a-f-]{36})\.(students|guardians|teachers)$/.exec(key);
  if (m) return { scope: m[1] as 'class' | 'group', id: m[2]!, kind: m[3] as ListKind, key };
  const a = /^all\.(students|guardians|teachers|school_life|staff|direction|personnel)$/.exec(key);
  if (!a) return null;
  const word = a[1]!;
  const category = (
    word === 'students' ? 'student' : word === 'guardians' ? 'guardian' : word === 'teachers' ? 'teacher' : word
  ) as RecipientCategory | 'personnel';
  return { scope: 'all', category, key };
}

/** May the sender write to a whole list? (Its structure must be of the establishment: checked by the caller.) */
export function listAllowed(reach: Reach, list: ParsedList): boolean {
  if (list.scope === 'all') {
    const needed = list.category === 'personnel' ? PERSONNEL : [list.category];
    return needed.every((c) => reach.categories.has(c));
  }
  const category = LIST_CATEGORY[list.kind];
  if (reach.categories.has(category)) return true;
  return reach.through[category][list.scope === 'class' ? 'classes' : 'groups'].has(list.id);
}

/** Of these classes and groups, those of the establishment's current year. */
export async function structuresIn(db: AuthorizedDb | Db, establishmentId: string, structureIds: string[]) {
  if (structureIds.length === 0) return new Map<string, { type: 'class' | 'group'; code: string; label: string }>();
  const res = await sql<{ id: string; type: 'class' | 'group'; code: string; label: string }>`
    SELECT c.id, 'class' AS type, c.code, c.label FROM class c
    JOIN school_year y ON y.id = c.school_year_id AND y.status = 'current'
    WHERE c.establishment_id = ${establishmentId} AND c.id = ANY(${structureIds}::uuid[])
    UNION ALL
    SELECT g.id, 'group', g.code, g.label FROM teaching_group g
    JOIN school_year y ON y.id = g.school_year_id AND y.status = 'current'
    WHERE g.establishment_id = ${establishmentId} AND g.id = ANY(${structureIds}::uuid[])`.execute(db);
  return new Map(res.rows.map((r) => [r.id, { type: r.type, code: r.code, label: r.label }]));
}

/**
 * The members of lists, each with the profile it is counted under (the list's; a person in several lists once,
 * under the first), eligible only: one query for all the lists.
 */
export async function listMembers(db: AuthorizedDb | Db, sender: Sender, lists: ParsedList[]) {
  if (lists.length === 0) return [] as { user_id: string; profile: EstablishmentProfile }[];
  const e = sender.establishmentId;
  const parts = lists.map((l) => {
    if (l.scope === 'all') {
      const cats = l.category === 'personnel' ? PERSONNEL : [l.category];
      return sql`SELECT m.user_id, m.profile FROM membership m WHERE m.establishment_id = ${e} AND ${categoryCondition(cats)}`;
    }
    const col = l.scope === 'class' ? sql.ref('e.class_id') : sql.ref('e.group_id');
    if (l.kind === 'students') {
      return sql`SELECT e.student_id AS user_id, 'student' AS profile FROM enrolment e
        JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
        WHERE e.establishment_id = ${e} AND ${col} = ${l.id}`;
    }
    if (l.kind === 'guardians') {
      return sql`SELECT g.guardian_id AS user_id, 'guardian' AS profile FROM guardianship g
        JOIN enrolment e ON e.student_id = g.student_id AND e.establishment_id = g.establishment_id
        JOIN school_year y ON y.id = e.school_year_id AND y.status = 'current'
        WHERE g.establishment_id = ${e} AND ${col} = ${l.id}`;
    }
    const taCol = l.scope === 'class' ? sql.ref('ta.class_id') : sql.ref('ta.group_id');
    return sql`SELECT ta.teacher_id AS user_id, 'teacher' AS profile FROM teaching_assignment ta
        JOIN school_year y ON y.id = ta.school_year_id AND y.status = 'current'
        WHERE ta.establishment_id = ${e} AND ${taCol} = ${l.id}
      UNION ALL
      SELECT h.teacher_id, 'teacher' FROM head_teacher h
        JOIN school_year y ON y.id = h.school_year_id AND y.status = 'current'
        WHERE h.establishment_id = ${e} AND h.class_id = ${l.scope === 'class' ? l.id : null}::uuid`;
  });
  const res = await sql<{ user_id: string; profile: EstablishmentProfile }>`
    SELECT x.user_id, x.profile FROM (${sql.join(parts, sql` UNION ALL `)}) x
    JOIN membership m ON m.user_id = x.user_id JOIN app_user u ON u.id = m.user_id
    WHERE ${eligible(e, sender.id)}
    GROUP BY x.user_id, x.profile`.execute(db);
  return res.rows;
}

/** The profiles of these people here, most relevant first (for counting persons named one by one). */
export async function profilesOf(db: AuthorizedDb | Db, establishmentId: string, people: string[]) {
  if (people.length === 0) return new Map<string, EstablishmentProfile[]>();
  const rows = await db
    .selectFrom('membership')
    .select(['user_id', 'profile'])
    .where('establishment_id', '=', establishmentId)
    .where('user_id', 'in', people)
    .execute();
  const out = new Map<string, EstablishmentProfile[]>();
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.profile as EstablishmentProfile]);
  return out;
}

/** The messages (of these) the person sent or received, still in a mailbox of theirs: the holder check of attachments. */
export async function readableMessages(db: Db, userId: string, messageIds: string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const res = await sql<{ id: string }>`
    SELECT m.id FROM message m
    WHERE m.id = ANY(${messageIds}::uuid[]) AND m.sender_id = ${userId} AND m.sender_deleted_at IS NULL
      AND m.status <> 'purged'
    UNION
    SELECT r.message_id FROM message_recipient r
    WHERE r.message_id = ANY(${messageIds}::uuid[]) AND r.user_id = ${userId} AND r.deleted_at IS NULL`.execute(db);
  return new Set(res.rows.map((r) => r.id));
}
