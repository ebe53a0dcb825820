import type { EstablishmentProfile, Grantee, Share } from '@preau/contracts';
import { relations } from '../../platform/access/relations.repository.ts';
import { audit } from '../../platform/audit.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { Lang } from '../../platform/i18n.ts';
import { recordUsage } from '../../platform/usage.ts';
import { notify, withdraw } from '../timeline/index.ts';
import { granteeRecipients, peopleScope, type Right, rightsOn, shareAllowed, type Viewer } from './documents.access.ts';
import { DEFAULT_QUOTAS, enter, establishmentOfSpace, quotaTable, spaceOr404 } from './documents.common.ts';
import { delegates, directory, documents, folders, quotas, type ShareRow, shares } from './documents.repository.ts';

/**
 * Shares: a document or a folder given to a person, a class or group (its students, guardians or teachers) or a
 * profile of the establishment, with a right. Granting and revoking are audited (they change who may read
 * what) and announced on the recipients' timeline; revoking takes effect at the next request, nothing is cached.
 */

const PROFILE_LABELS: Record<EstablishmentProfile, Record<Lang, string>> = {
  student: { fr: 'Tous les élèves', en: 'All students' },
  guardian: { fr: 'Tous les parents', en: 'All parents' },
  teacher: { fr: 'Tous les enseignants', en: 'All teachers' },
  staff: { fr: 'Tous les personnels', en: 'All staff' },
  principal: { fr: 'La direction', en: 'The direction' },
  local_admin: { fr: 'Les administrateurs ENT', en: 'The ENT administrators' },
};
const OF_CLASS: Record<'student' | 'guardian' | 'teacher', Record<Lang, string>> = {
  student: { fr: 'Élèves de', en: 'Students of' },
  guardian: { fr: 'Parents de', en: 'Parents of' },
  teacher: { fr: 'Enseignants de', en: 'Teachers of' },
};

export function granteeLabel(g: Grantee, names: { user?: string | null; unit?: string | null }, lang: Lang): string {
  switch (g.kind) {
    case 'user':
      return names.user ?? '?';
    case 'profile':
      return PROFILE_LABELS[g.profile][lang];
    case 'class':
    case 'group':
      return `${OF_CLASS[g.profile][lang]} ${names.unit ?? '?'}`;
  }
}

function granteeOf(r: ShareRow): Grantee {
  switch (r.grantee_kind) {
    case 'user':
      return { kind: 'user', userId: r.grantee_id! };
    case 'class':
      return { kind: 'class', classId: r.grantee_id!, profile: r.grantee_profile as 'student' };
    case 'group':
      return { kind: 'group', groupId: r.grantee_id!, profile: r.grantee_profile as 'student' };
    default:
      return { kind: 'profile', profile: r.grantee_profile as EstablishmentProfile };
  }
}

function presentShare(r: ShareRow, lang: Lang): Share {
  const grantee = granteeOf(r);
  return {
    id: r.id,
    grantee,
    label: granteeLabel(grantee, { user: r.user_name, unit: r.class_label ?? r.group_label }, lang),
    right: r.right,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by && r.created_by_name ? { id: r.created_by, displayName: r.created_by_name } : null,
  };
}

/** The document or folder a share is about, with the viewer's right on it (404 when unknown to them). */
async function openTarget(ctx: RequestContext, target: { documentId?: string | null; folderId?: string | null }) {
  const doc = target.documentId ? await documents.byId(ctx.db, target.documentId) : undefined;
  const folder = target.folderId ? await folders.byId(ctx.db, target.folderId) : undefined;
  const item = doc ?? folder;
  if (!item) throw notFound();
  const space = await spaceOr404(ctx, item.space_id);
  if (!space.establishment_id) throw notFound(); // the library is shared by publication
  const establishmentId = await establishmentOfSpace(ctx, space);
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.share');
  const rights = await rightsOn(auth.db, viewer, new Map([[space.id, space]]), {
    documents: doc ? [doc] : [],
    folders: folder ? [folder] : [],
  });
  const r = doc ? rights.documents.get(doc.id)! : rights.folders.get(folder!.id)!;
  if (!r.right || r.trashed) throw notFound();
  if (r.right !== 'manage') throw forbidden();
  return { auth, viewer, doc, folder, name: (doc ?? folder)!.name, establishmentId };
}

export async function listShares(ctx: RequestContext, q: { document?: string; folder?: string }) {
  const { auth } = await openTarget(ctx, { documentId: q.document, folderId: q.folder });
  const rows = await shares.of(auth.db, q.document ? { documentId: q.document } : { folderId: q.folder! });
  return { items: rows.map((r) => presentShare(r, ctx.lang)) };
}

/** Foreign or unknown people, classes and groups are 404; known ones the viewer may not reach, 403. */
async function checkGrantee(db: Parameters<typeof shareAllowed>[0], v: Viewer, g: Grantee): Promise<void> {
  const known =
    g.kind === 'user'
      ? (await relations.membersOf(db, v.establishmentId, [g.userId])).has(g.userId)
      : g.kind === 'class'
        ? (await relations.classesIn(db, v.establishmentId, [g.classId])).has(g.classId)
        : g.kind === 'group'
          ? (await relations.groupsIn(db, v.establishmentId, [g.groupId])).has(g.groupId)
          : true;
  if (!known) throw notFound();
  if (!(await shareAllowed(db, v, g))) throw new AppError(403, 'SHARE_NOT_ALLOWED');
}

export async function createShare(
  ctx: RequestContext,
  body: { documentId?: string; folderId?: string; grantee: Grantee; right: Right },
): Promise<Share> {
  const { auth, viewer, doc, folder, name, establishmentId } = await openTarget(ctx, body);
  await checkGrantee(auth.db, viewer, body.grantee);
  const g = body.grantee;
  const share = await auth.transaction(async (trx) => {
    const row = await shares.upsert(trx, {
      establishment_id: establishmentId,
      document_id: doc?.id ?? null,
      folder_id: folder?.id ?? null,
      grantee_kind: g.kind,
      grantee_id: g.kind === 'user' ? g.userId : g.kind === 'class' ? g.classId : g.kind === 'group' ? g.groupId : null,
      grantee_profile: g.kind === 'user' ? null : g.profile,
      right: body.right,
      created_by: viewer.userId,
    });
    await audit(trx, ctx, {
      action: row.inserted ? 'documents.share.grant' : 'documents.share.change',
      establishmentId,
      targetType: doc ? 'document' : 'document_folder',
      targetId: (doc ?? folder)!.id,
      details: { share: row.id, grantee: g, right: body.right },
    });
    if (row.inserted) {
      const recipients = await granteeRecipients(trx, establishmentId, g);
      const toClass = g.kind === 'class' || g.kind === 'group';
      await notify(trx, {
        establishmentId,
        kind: 'documents.shared',
        recipients,
        text: {
          fr: toClass
            ? `${auth.user.displayName} a partagé « ${name} » avec votre classe.`
            : `${auth.user.displayName} a partagé « ${name} » avec vous.`,
          en: toClass
            ? `${auth.user.displayName} shared “${name}” with your class.`
            : `${auth.user.displayName} shared “${name}” with you.`,
        },
        link: doc ? `/documents/files/${doc.id}` : `/documents/spaces/${folder!.space_id}/folders/${folder!.id}`,
        actorId: viewer.userId,
        source: { type: 'document_share', id: row.id },
      });
    }
    return (await shares.byId(trx, row.id))!;
  });
  recordUsage(ctx, establishmentId, 'documents', 'share.create');
  return presentShare(share, ctx.lang);
}

export async function revokeShare(ctx: RequestContext, id: string): Promise<void> {
  const row = await shares.byId(ctx.db, id);
  if (!row) throw notFound();
  const { auth, establishmentId } = await openTarget(ctx, { documentId: row.document_id, folderId: row.folder_id });
  await auth.transaction(async (trx) => {
    await shares.delete(trx, row.id);
    await withdraw(trx, { type: 'document_share', id: row.id });
    await audit(trx, ctx, {
      action: 'documents.share.revoke',
      establishmentId,
      targetType: row.document_id ? 'document' : 'document_folder',
      targetId: (row.document_id ?? row.folder_id)!,
      details: { share: row.id, grantee: granteeOf(row), right: row.right },
    });
  });
  recordUsage(ctx, establishmentId, 'documents', 'share.revoke');
}

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** Whom the caller may share with, matching the words typed (people need two letters at least). */
export async function shareTargets(ctx: RequestContext, establishmentId: string, q: string | undefined) {
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.share');
  const words = (q ?? '').split(/\s+/).filter((w) => w.length > 0);
  const matches = (label: string) => words.every((w) => fold(label).includes(fold(w)));
  const has = (p: EstablishmentProfile) => viewer.profiles.has(p);
  const staff = has('principal') || has('local_admin') || has('staff');
  const items: { grantee: Grantee; label: string }[] = [];

  const units =
    staff || has('teacher')
      ? await directory.classesAndGroups(
          auth.db,
          establishmentId,
          staff
            ? undefined
            : { classes: [...viewer.places.teacher.classes], groups: [...viewer.places.teacher.groups] },
        )
      : { classes: [], groups: [] };
  for (const c of units.classes) {
    for (const profile of ['student', 'guardian', 'teacher'] as const) {
      const grantee: Grantee = { kind: 'class', classId: c.id, profile };
      const label = granteeLabel(grantee, { unit: c.label }, ctx.lang);
      if (matches(`${label} ${c.code}`)) items.push({ grantee, label });
    }
  }
  for (const g of units.groups) {
    for (const profile of ['student', 'guardian', 'teacher'] as const) {
      const grantee: Grantee = { kind: 'group', groupId: g.id, profile };
      const label = granteeLabel(grantee, { unit: g.label }, ctx.lang);
      if (matches(`${label} ${g.code}`)) items.push({ grantee, label });
    }
  }
  const profiles: EstablishmentProfile[] = staff
    ? ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin']
    : has('teacher')
      ? ['teacher', 'staff', 'principal', 'local_admin']
      : [];
  for (const profile of profiles) {
    const grantee: Grantee = { kind: 'profile', profile };
    const label = granteeLabel(grantee, {}, ctx.lang);
    if (matches(label)) items.push({ grantee, label });
  }
  if (words.some((w) => w.length >= 2)) {
    const people = await directory.people(auth.db, establishmentId, words, await peopleScope(auth.db, viewer));
    for (const p of people) {
      if (p.id === viewer.userId) continue;
      items.push({ grantee: { kind: 'user', userId: p.id }, label: p.display_name });
    }
  }
  return { items: items.slice(0, 60) };
}

type Person = { id: string; displayName: string };

export async function getSettings(ctx: RequestContext, establishmentId: string) {
  const { auth } = await enter(ctx, establishmentId, 'documents.manage');
  return settingsOf(auth.db, ctx, establishmentId);
}

async function settingsOf(db: Parameters<typeof delegates.of>[0], ctx: RequestContext, establishmentId: string) {
  const [table, named] = await Promise.all([quotaTable(db, establishmentId), delegates.of(db, establishmentId)]);
  const pick = (role: string): Person[] =>
    named.filter((d) => d.role === role).map((d) => ({ id: d.user_id, displayName: d.display_name }));
  return {
    quotas: table,
    maxFileBytes: ctx.config.maxFileBytes,
    adminContributors: pick('admin_contributor'),
    resourcePersons: pick('resource_person'),
  };
}

/** Quotas per profile, the staff who contribute to the administrative space, the resource persons (audited). */
export async function updateSettings(
  ctx: RequestContext,
  body: {
    establishment: string;
    quotas?: Partial<Record<EstablishmentProfile, number>>;
    adminContributors?: string[];
    resourcePersons?: string[];
  },
) {
  const establishmentId = body.establishment;
  const { auth, viewer } = await enter(ctx, establishmentId, 'documents.manage');
  const check = async (field: string, ids: string[] | undefined, profiles: EstablishmentProfile[]) => {
    if (!ids) return;
    const ok = await directory.membersWith(auth.db, establishmentId, ids, profiles);
    const errors = ids
      .map((id, i) => ({ id, i }))
      .filter(({ id }) => !ok.has(id))
      .map(({ i }) => ({ path: `body.${field}.${i}`, message: `not a member holding ${profiles.join(', ')}` }));
    if (errors.length) throw new AppError(400, 'VALIDATION', { errors });
  };
  await check('adminContributors', body.adminContributors, ['teacher', 'staff', 'local_admin']);
  await check('resourcePersons', body.resourcePersons, ['teacher', 'staff', 'principal', 'local_admin']);
  const before = await settingsOf(auth.db, ctx, establishmentId);
  await auth.transaction(async (trx) => {
    if (body.quotas) {
      await quotas.set(
        trx,
        establishmentId,
        Object.fromEntries(Object.entries(body.quotas).filter(([, v]) => v !== undefined)) as Record<string, number>,
      );
    }
    if (body.adminContributors) {
      await delegates.replace(
        trx,
        establishmentId,
        'admin_contributor',
        [...new Set(body.adminContributors)],
        viewer.userId,
      );
    }
    if (body.resourcePersons) {
      await delegates.replace(
        trx,
        establishmentId,
        'resource_person',
        [...new Set(body.resourcePersons)],
        viewer.userId,
      );
    }
    await audit(trx, ctx, {
      action: 'documents.settings.update',
      establishmentId,
      targetType: 'establishment',
      targetId: establishmentId,
      details: {
        before: {
          quotas: before.quotas,
          adminContributors: before.adminContributors.map((p) => p.id),
          resourcePersons: before.resourcePersons.map((p) => p.id),
        },
        after: {
          ...(body.quotas ? { quotas: body.quotas } : {}),
          ...(body.adminContributors ? { adminContributors: body.adminContributors } : {}),
          ...(body.resourcePersons ? { resourcePersons: body.resourcePersons } : {}),
        },
      },
    });
  });
  recordUsage(ctx, establishmentId, 'documents', 'settings.update');
  return settingsOf(auth.db, ctx, establishmentId);
}

export { DEFAULT_QUOTAS };
