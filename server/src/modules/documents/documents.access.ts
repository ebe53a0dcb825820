import type { DocumentRight, EstablishmentProfile, Grantee } from '@preau/contracts';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { AuthorizedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { cached, defineCache } from '../../platform/cache.ts';
import type { Database, Db } from '../../platform/db/schema.ts';
import './documents.tables.ts';

/**
 * Who may do what with which document, folder and space. Everything here works on sets (ids in, rights out) in a
 * bounded number of queries, whatever the number of objects: the viewer (one query on the batched relations,
 * one for the delegations), then the folders above the objects and the shares that reach the viewer (one each).
 *
 * Rights come from three places, the strongest wins:
 *  1. the space: one's personal space (manage); a class or group space — the class's teachers contribute, the
 *     direction manages, its students read, its guardians read the folders a teacher opened to them; the
 *     administrative space — the direction manages, the staff it names contribute, the other staff (teachers
 *     included) read the folders whose audience has their profile; the académie's library — staff read;
 *  2. authorship: in a shared space, whoever contributes manages what they put there;
 *  3. shares, on the object or on any folder above it.
 */

export type Right = DocumentRight;
const RANK: Record<Right, number> = { read: 1, contribute: 2, manage: 3 };
export const atLeast = (r: Right | null, min: Right) => r !== null && RANK[r] >= RANK[min];
export const maxRight = (a: Right | null, b: Right | null): Right | null =>
  a === null ? b : b === null ? a : RANK[a] >= RANK[b] ? a : b;

type Places = { classes: Set<string>; groups: Set<string> };

/** The caller as the rules see them in one establishment. */
export interface Viewer {
  userId: string;
  establishmentId: string;
  academyId: string | null;
  profiles: ReadonlySet<EstablishmentProfile>;
  places: { student: Places; teacher: Places; guardian: Places };
  adminContributor: boolean;
  resourcePerson: boolean;
}

export interface SpaceRow {
  id: string;
  establishment_id: string | null;
  academy_id: string | null;
  kind: 'personal' | 'class' | 'group' | 'admin' | 'library';
  owner_id: string | null;
  class_id: string | null;
  group_id: string | null;
}

export interface FolderLite {
  id: string;
  space_id: string;
  parent_id: string | null;
  ancestors: string[];
  created_by: string | null;
  guardians_can_read: boolean;
  audience: string[] | null;
  trashed_at: Date | null;
}

export interface DocLite {
  id: string;
  space_id: string;
  folder_id: string | null;
  created_by: string | null;
  trashed_at: Date | null;
}

const STAFF: EstablishmentProfile[] = ['teacher', 'staff', 'principal', 'local_admin'];

interface ViewerFacts {
  academyId: string | null;
  places: Viewer['places'];
  roles: string[];
}

/**
 * A person's places (classes and groups as student, teacher, guardian of this year) and delegations in an
 * establishment, from memory (topic `u`): their enrolments, assignments, head-teacher rows (migration 0101),
 * guardianships and delegations (migration 0101) announce `u:<them>`, a school year's status `u:*`; a guardian's
 * entry is also tagged with their children there, whose enrolments announce the children.
 */
const VIEWERS = defineCache<ViewerFacts>({ name: 'documents-viewers', topic: 'u', max: 100_000, ttlMs: 120_000 });

/** The caller's places and delegations in the establishment: from memory, else two queries. */
export async function loadViewer(
  db: AuthorizedDb | Db,
  user: { id: string },
  establishmentId: string,
  profiles: readonly EstablishmentProfile[],
): Promise<Viewer> {
  let children: string[] = [];
  const facts = await cached(
    db,
    VIEWERS,
    `${user.id}:${establishmentId}`,
    async () => {
      const [places, extra] = await Promise.all([
        relations.placesOf(db, establishmentId, user.id),
        sql<{ academy_id: string | null; roles: string[] | null; children: string[] | null }>`
          SELECT e.academy_id,
                 (SELECT array_agg(d.role) FROM document_delegate d
                   WHERE d.establishment_id = e.id AND d.user_id = ${user.id}) AS roles,
                 (SELECT array_agg(g.student_id::text) FROM guardianship g
                   WHERE g.establishment_id = e.id AND g.guardian_id = ${user.id}) AS children
          FROM establishment e WHERE e.id = ${establishmentId}`.execute(db),
      ]);
      const row = extra.rows[0];
      children = row?.children ?? [];
      return { academyId: row?.academy_id ?? null, places, roles: row?.roles ?? [] };
    },
    () => [user.id, ...children],
  );
  return {
    userId: user.id,
    establishmentId,
    academyId: facts.academyId,
    profiles: new Set(profiles),
    places: facts.places,
    adminContributor: facts.roles.includes('admin_contributor'),
    resourcePerson: facts.roles.includes('resource_person'),
  };
}

/** A viewer loaded from the database alone (references read by other modules, jobs): their profiles there. */
export async function loadViewerFromDb(db: Db, userId: string, establishmentId: string): Promise<Viewer> {
  const rows = await db
    .selectFrom('membership')
    .select('profile')
    .where('establishment_id', '=', establishmentId)
    .where('user_id', '=', userId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('membership_suspension as s')
            .select('s.user_id')
            .where('s.establishment_id', '=', establishmentId)
            .where('s.user_id', '=', userId),
        ),
      ),
    )
    .execute();
  return loadViewer(
    db,
    { id: userId },
    establishmentId,
    rows.map((r) => r.profile as EstablishmentProfile),
  );
}

/** What a space gives the viewer before folders, authorship and shares. */
export interface SpaceGrant {
  /** Unrestricted right over the whole space. */
  full: Right | null;
  /** A guardian of the class: reads the folders opened to guardians. */
  guardian: boolean;
  /** Staff reading the administrative space: the folders whose audience has one of these. */
  audience: Set<string> | null;
}

export function spaceGrant(space: SpaceRow, v: Viewer): SpaceGrant {
  const g: SpaceGrant = { full: null, guardian: false, audience: null };
  const has = (p: EstablishmentProfile) => v.profiles.has(p);
  if (space.kind !== 'library' && space.establishment_id !== v.establishmentId) return g;
  switch (space.kind) {
    case 'personal':
      if (space.owner_id === v.userId) g.full = 'manage';
      break;
    case 'class':
    case 'group': {
      const id = (space.kind === 'class' ? space.class_id : space.group_id) as string;
      const key = space.kind === 'class' ? 'classes' : 'groups';
      if (has('principal')) g.full = 'manage';
      else if (has('teacher') && v.places.teacher[key].has(id)) g.full = 'contribute';
      else if (has('student') && v.places.student[key].has(id)) g.full = 'read';
      if (has('guardian') && v.places.guardian[key].has(id)) g.guardian = true;
      break;
    }
    case 'admin':
      if (has('principal')) g.full = 'manage';
      else if (v.adminContributor && STAFF.some(has)) g.full = 'contribute';
      else {
        const audience = new Set<string>();
        if (has('teacher')) audience.add('teacher');
        if (has('staff') || has('local_admin')) audience.add('staff');
        if (audience.size > 0) g.audience = audience;
      }
      break;
    case 'library':
      if (space.academy_id === v.academyId && STAFF.some(has)) g.full = 'read';
      break;
  }
  return g;
}

/** The right a space grant gives on an object under `path` (the folders from the top down to its own). */
export function rightUnder(
  grant: SpaceGrant,
  path: readonly FolderLite[],
  createdBy: string | null,
  v: Viewer,
): Right | null {
  let r = grant.full;
  if (r === null && grant.guardian && path.some((f) => f.guardians_can_read)) r = 'read';
  if (r === null && grant.audience) {
    const audience = grant.audience;
    if (path.every((f) => !f.audience || f.audience.some((p) => audience.has(p)))) r = 'read';
  }
  if (r === 'contribute' && createdBy !== null && createdBy === v.userId) r = 'manage';
  return r;
}

/** A share reaches the viewer: a SQL condition on `document_share` (one query for any number of objects). */
function reachesViewer(eb: ExpressionBuilder<Database, 'document_share'>, v: Viewer): Expression<SqlBool> {
  const ors: Expression<SqlBool>[] = [eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_id', '=', v.userId)])];
  if (v.profiles.size > 0) {
    ors.push(eb.and([eb('grantee_kind', '=', 'profile'), eb('grantee_profile', 'in', [...v.profiles])]));
  }
  for (const role of ['student', 'guardian', 'teacher'] as const) {
    if (!v.profiles.has(role)) continue;
    const p = v.places[role];
    if (p.classes.size > 0) {
      ors.push(
        eb.and([
          eb('grantee_kind', '=', 'class'),
          eb('grantee_profile', '=', role),
          eb('grantee_id', 'in', [...p.classes]),
        ]),
      );
    }
    if (p.groups.size > 0) {
      ors.push(
        eb.and([
          eb('grantee_kind', '=', 'group'),
          eb('grantee_profile', '=', role),
          eb('grantee_id', 'in', [...p.groups]),
        ]),
      );
    }
  }
  return eb.or(ors);
}

/** Does one share reach the viewer (the same rule, for a row already read). */
export function shareReaches(
  s: { grantee_kind: string; grantee_id: string | null; grantee_profile: string | null },
  v: Viewer,
): boolean {
  switch (s.grantee_kind) {
    case 'user':
      return s.grantee_id === v.userId;
    case 'profile':
      return v.profiles.has(s.grantee_profile as EstablishmentProfile);
    case 'class':
    case 'group': {
      const role = s.grantee_profile as 'student' | 'guardian' | 'teacher';
      if (!v.profiles.has(role) || !s.grantee_id) return false;
      return v.places[role][s.grantee_kind === 'class' ? 'classes' : 'groups'].has(s.grantee_id);
    }
    default:
      return false;
  }
}

/** A share as kept in memory (documents.cache.ts), whoever it reaches. */
export interface KeptShare {
  establishment_id: string;
  document_id: string | null;
  folder_id: string | null;
  grantee_kind: string;
  grantee_id: string | null;
  grantee_profile: string | null;
  right: Right;
}

/**
 * The strongest share reaching the viewer on each of these documents and folders: one query, or none when every
 * share on them is already known (`kept`: the shares of a listing or a document kept in memory).
 */
async function sharesFor(db: Db, v: Viewer, documentIds: string[], folderIds: string[], kept?: readonly KeptShare[]) {
  const onDocs = new Map<string, Right>();
  const onFolders = new Map<string, Right>();
  if (documentIds.length === 0 && folderIds.length === 0) return { onDocs, onFolders };
  if (kept) {
    const docs = new Set(documentIds);
    const dirs = new Set(folderIds);
    for (const r of kept) {
      if (r.establishment_id !== v.establishmentId || !shareReaches(r, v)) continue;
      if (r.document_id && docs.has(r.document_id)) {
        onDocs.set(r.document_id, maxRight(onDocs.get(r.document_id) ?? null, r.right) as Right);
      }
      if (r.folder_id && dirs.has(r.folder_id)) {
        onFolders.set(r.folder_id, maxRight(onFolders.get(r.folder_id) ?? null, r.right) as Right);
      }
    }
    return { onDocs, onFolders };
  }
  const rows = await db
    .selectFrom('document_share')
    .select(['document_id', 'folder_id', 'right'])
    .where('establishment_id', '=', v.establishmentId)
    .where((eb) => {
      const targets: Expression<SqlBool>[] = [];
      if (documentIds.length) targets.push(eb('document_id', 'in', documentIds));
      if (folderIds.length) targets.push(eb('folder_id', 'in', folderIds));
      return eb.and([eb.or(targets), reachesViewer(eb, v)]);
    })
    .execute();
  for (const r of rows) {
    if (r.document_id) onDocs.set(r.document_id, maxRight(onDocs.get(r.document_id) ?? null, r.right) as Right);
    if (r.folder_id) onFolders.set(r.folder_id, maxRight(onFolders.get(r.folder_id) ?? null, r.right) as Right);
  }
  return { onDocs, onFolders };
}

/** The folders above these (and these), by id: one query. */
export async function foldersById(db: Db, ids: Iterable<string>): Promise<Map<string, FolderLite>> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const rows = await db
    .selectFrom('document_folder')
    .select(['id', 'space_id', 'parent_id', 'ancestors', 'created_by', 'guardians_can_read', 'audience', 'trashed_at'])
    .where('id', 'in', list)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export interface Rights {
  documents: Map<string, { right: Right | null; trashed: boolean; shared: boolean }>;
  folders: Map<string, { right: Right | null; trashed: boolean; shared: boolean }>;
  /** Every folder read along the way (the paths), for breadcrumbs. */
  known: Map<string, FolderLite>;
}

/**
 * The viewer's right on each of these documents and folders (null: they may not even know it exists), and
 * whether it sits in the trash (itself or a folder above). Two queries at most: the folders above, the shares.
 */
export async function rightsOn(
  db: Db,
  v: Viewer,
  spaces: ReadonlyMap<string, SpaceRow>,
  items: { documents?: readonly DocLite[]; folders?: readonly FolderLite[] },
  known: Map<string, FolderLite> = new Map(),
  /** Every share on these objects and the folders above them, when known (kept in memory): no query then. */
  kept?: readonly KeptShare[],
): Promise<Rights> {
  const docs = items.documents ?? [];
  const folders = items.folders ?? [];
  for (const f of folders) known.set(f.id, f);
  const wanted = new Set<string>();
  for (const f of folders) for (const a of f.ancestors) if (!known.has(a)) wanted.add(a);
  for (const d of docs) if (d.folder_id && !known.has(d.folder_id)) wanted.add(d.folder_id);
  if (wanted.size) for (const [id, f] of await foldersById(db, wanted)) known.set(id, f);
  // The folders of documents found just now have ancestors too.
  const more = new Set<string>();
  for (const d of docs) {
    const f = d.folder_id ? known.get(d.folder_id) : undefined;
    for (const a of f?.ancestors ?? []) if (!known.has(a)) more.add(a);
  }
  if (more.size) for (const [id, f] of await foldersById(db, more)) known.set(id, f);

  const pathOf = (folderId: string | null): FolderLite[] => {
    if (!folderId) return [];
    const f = known.get(folderId);
    if (!f) return [];
    return [...f.ancestors.map((a) => known.get(a)).filter((x): x is FolderLite => !!x), f];
  };
  const pathFolderIds = new Set<string>();
  for (const d of docs) for (const f of pathOf(d.folder_id)) pathFolderIds.add(f.id);
  for (const f of folders) for (const p of pathOf(f.id)) pathFolderIds.add(p.id);
  const shares = await sharesFor(
    db,
    v,
    docs.map((d) => d.id),
    [...pathFolderIds],
    kept,
  );

  const out: Rights = { documents: new Map(), folders: new Map(), known };
  const evaluate = (spaceId: string, path: FolderLite[], createdBy: string | null, own: Right | null) => {
    const space = spaces.get(spaceId);
    let right = space ? rightUnder(spaceGrant(space, v), path, createdBy, v) : null;
    let shared = own !== null;
    right = maxRight(right, own);
    for (const f of path) {
      const s = shares.onFolders.get(f.id) ?? null;
      if (s) shared = true;
      right = maxRight(right, s);
    }
    return { right, shared, trashed: path.some((f) => f.trashed_at !== null) };
  };
  for (const d of docs) {
    const r = evaluate(d.space_id, pathOf(d.folder_id), d.created_by, shares.onDocs.get(d.id) ?? null);
    out.documents.set(d.id, { ...r, trashed: r.trashed || d.trashed_at !== null });
  }
  for (const f of folders) {
    out.folders.set(f.id, evaluate(f.space_id, pathOf(f.id), f.created_by, null));
  }
  return out;
}

/** The items shared with the viewer in the establishment ("Partagés avec moi"): one query. */
export function sharedWithViewer(db: Db, v: Viewer) {
  return db
    .selectFrom('document_share')
    .leftJoin('app_user as u', 'u.id', 'document_share.created_by')
    .select([
      'document_share.document_id',
      'document_share.folder_id',
      'document_share.right',
      'document_share.created_at',
      'document_share.created_by',
      'u.display_name as created_by_name',
    ])
    .where('document_share.establishment_id', '=', v.establishmentId)
    .where((eb) => reachesViewer(eb as unknown as ExpressionBuilder<Database, 'document_share'>, v))
    .orderBy('document_share.created_at', 'desc')
    .limit(500)
    .execute();
}

/**
 * The people a viewer may share with, beyond the establishment's staff and teachers who share with anyone
 * (null): a student, their teachers and classmates; a guardian, their children's teachers and the staff.
 */
export async function peopleScope(db: Db, v: Viewer): Promise<Set<string> | null> {
  if (STAFF.some((p) => v.profiles.has(p))) return null;
  const out = new Set<string>();
  const add = (m: Map<string, Set<string>>) => {
    for (const s of m.values()) for (const id of s) out.add(id);
  };
  if (v.profiles.has('student')) {
    const { classes, groups } = v.places.student;
    add(await relations.teachersOfClasses(db, classes));
    add(await relations.teachersOfGroups(db, groups));
    add(await relations.studentsOfClasses(db, classes));
  }
  if (v.profiles.has('guardian')) {
    const { classes, groups } = v.places.guardian;
    add(await relations.teachersOfClasses(db, classes));
    add(await relations.teachersOfGroups(db, groups));
    for (const id of await relations.holdersOf(db, v.establishmentId, ['staff', 'principal'])) out.add(id);
  }
  out.delete(v.userId);
  return out;
}

/**
 * Whom the viewer may share with, by kind: staff share with anyone of the establishment, teachers with the
 * classes and groups they teach (students, guardians, teachers) and with profiles of adults; students and
 * guardians with individual people only (each checked against the establishment).
 */
export async function shareAllowed(db: Db, v: Viewer, g: Grantee): Promise<boolean> {
  const has = (p: EstablishmentProfile) => v.profiles.has(p);
  const staff = has('principal') || has('local_admin') || has('staff');
  switch (g.kind) {
    case 'user': {
      const scope = await peopleScope(db, v);
      return scope === null || scope.has(g.userId);
    }
    case 'profile':
      if (staff) return true;
      return has('teacher') && ['teacher', 'staff', 'principal', 'local_admin'].includes(g.profile);
    case 'class': {
      if (!(await relations.classesIn(db, v.establishmentId, [g.classId])).has(g.classId)) return false;
      return staff || (has('teacher') && v.places.teacher.classes.has(g.classId));
    }
    case 'group': {
      if (!(await relations.groupsIn(db, v.establishmentId, [g.groupId])).has(g.groupId)) return false;
      return staff || (has('teacher') && v.places.teacher.groups.has(g.groupId));
    }
  }
}

/** The people a share reaches today (for the timeline), capped at a whole establishment. */
export async function granteeRecipients(db: Db, establishmentId: string, g: Grantee): Promise<Set<string>> {
  switch (g.kind) {
    case 'user':
      return new Set([g.userId]);
    case 'profile':
      return relations.holdersOf(db, establishmentId, [g.profile]);
    case 'class':
    case 'group': {
      const id = g.kind === 'class' ? g.classId : g.groupId;
      if (g.profile === 'teacher') {
        const m = await (g.kind === 'class'
          ? relations.teachersOfClasses(db, [id])
          : relations.teachersOfGroups(db, [id]));
        return m.get(id) ?? new Set();
      }
      const students =
        (await (g.kind === 'class' ? relations.studentsOfClasses(db, [id]) : relations.studentsOfGroups(db, [id]))).get(
          id,
        ) ?? new Set<string>();
      if (g.profile === 'student') return students;
      const guardians = await relations.guardiansOf(db, students);
      return new Set([...guardians.values()].flatMap((s) => [...s]));
    }
  }
}
