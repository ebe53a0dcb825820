import type { EstablishmentProfile, FileEntry, FolderEntry, Space } from '@preau/contracts';
import { type Authorized, authorize } from '../../platform/access/authorize.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { Lang } from '../../platform/i18n.ts';
import {
  atLeast,
  type FolderLite,
  loadViewer,
  type Right,
  type SpaceRow,
  spaceGrant,
  type Viewer,
} from './documents.access.ts';
import { PREVIEWABLE } from './documents.files.ts';
import type { DocumentRow, FolderRow, SpaceListRow } from './documents.repository.ts';
import { quotas, spaces } from './documents.repository.ts';

/** Use cases of the module start here: the gate (member, charter, service open, permission), then the viewer. */
export async function enter(
  ctx: RequestContext,
  establishmentId: string,
  permission: 'documents.read' | 'documents.write' | 'documents.share' | 'documents.manage',
): Promise<{ auth: Authorized; viewer: Viewer }> {
  const auth = await authorize(ctx, { establishmentId, permission, service: 'documents' });
  const viewer = await loadViewer(auth.db, auth.user, establishmentId, auth.profiles);
  return { auth, viewer };
}

/**
 * The establishment a request about a space acts in: the space's own, or — for the académie's library, which
 * belongs to no establishment — the one the caller names, else their first one in that académie.
 */
export async function establishmentOfSpace(ctx: RequestContext, space: SpaceRow, hint?: string): Promise<string> {
  if (space.establishment_id) return space.establishment_id;
  const user = ctx.user;
  if (!user || !space.academy_id) throw notFound();
  const ids = user.memberships.map((m) => m.establishmentId);
  const inAcademy = await spaces.establishmentsInAcademy(ctx.db, space.academy_id, ids);
  const pick = hint && inAcademy.includes(hint) ? hint : ids.find((id) => inAcademy.includes(id));
  if (!pick) throw notFound();
  return pick;
}

export async function spaceOr404(ctx: RequestContext, spaceId: string): Promise<SpaceRow> {
  const space = await spaces.byId(ctx.db, spaceId);
  if (!space) throw notFound();
  return space;
}

const FIXED_NAMES: Record<'personal' | 'admin' | 'library', Record<Lang, string>> = {
  personal: { fr: 'Mes documents', en: 'My documents' },
  admin: { fr: 'Espace administratif', en: 'Administrative space' },
  library: { fr: "Bibliothèque de l'académie", en: 'Académie library' },
};

export function spaceName(s: SpaceListRow, lang: Lang, viewerId: string): string {
  switch (s.kind) {
    case 'personal':
      return s.owner_id === viewerId
        ? FIXED_NAMES.personal[lang]
        : lang === 'fr'
          ? `Documents de ${s.owner_name ?? '?'}`
          : `Documents of ${s.owner_name ?? '?'}`;
    case 'class': {
      const label = s.class_label ?? s.class_code ?? '';
      if (/^(classe|class)\b/i.test(label)) return label;
      return lang === 'fr' ? `Classe ${label}` : `Class ${label}`;
    }
    case 'group':
      return s.group_label ?? '';
    default:
      return FIXED_NAMES[s.kind][lang];
  }
}

/** The right a space gives on its own top level (no folder, no authorship, no share). */
export function rootRight(space: SpaceRow, v: Viewer): Right | null {
  const g = spaceGrant(space, v);
  if (g.full) return g.full;
  if (g.audience) return 'read'; // the administrative space's top level is for all its staff
  return null;
}

/** The viewer sees the space at all (in the list of spaces): its top, or folders of it. */
export function spaceVisible(space: SpaceRow, v: Viewer): boolean {
  const g = spaceGrant(space, v);
  return g.full !== null || g.guardian || g.audience !== null;
}

/** A space as listed: guardians see a class space whose open folders they read. */
export function presentSpace(s: SpaceListRow, v: Viewer, lang: Lang): Space | null {
  const g = spaceGrant(s, v);
  const right: Right | null = g.full ?? (g.guardian || g.audience ? 'read' : null);
  if (!right) return null;
  return {
    id: s.id,
    kind: s.kind,
    name: spaceName(s, lang, v.userId),
    ...(s.class_id ? { classId: s.class_id } : {}),
    ...(s.group_id ? { groupId: s.group_id } : {}),
    canWrite: s.kind !== 'library' && atLeast(right, 'contribute'),
    right,
  };
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function presentFile(d: DocumentRow, right: Right, shared: boolean, canShare: boolean): FileEntry {
  return {
    id: d.id,
    name: d.name,
    size: Number(d.size),
    version: d.version,
    updatedAt: iso(d.updated_at),
    mime: d.mime,
    folderId: d.folder_id,
    author: d.created_by && d.created_by_name ? { id: d.created_by, displayName: d.created_by_name } : null,
    right,
    can: {
      write: atLeast(right, 'contribute'),
      manage: right === 'manage',
      share: right === 'manage' && canShare && d.establishment_id !== null,
    },
    previewable: PREVIEWABLE.has(d.mime),
    shared: d.shared || shared,
  };
}

export function presentFolder(f: FolderRow, right: Right, shared: boolean, canShare: boolean): FolderEntry {
  return {
    id: f.id,
    name: f.name,
    parentId: f.parent_id,
    updatedAt: iso(f.updated_at),
    guardiansCanRead: f.guardians_can_read,
    audience: (f.audience as EstablishmentProfile[] | null) ?? null,
    right,
    can: { write: atLeast(right, 'contribute'), manage: right === 'manage', share: right === 'manage' && canShare },
    shared: f.shared || shared,
  };
}

/** The folders from the top of the space down to `folder` (included), from the folders known. */
export function pathTo(folder: FolderLite | undefined, known: Map<string, FolderLite>): FolderLite[] {
  if (!folder) return [];
  return [...folder.ancestors.map((a) => known.get(a)).filter((x): x is FolderLite => !!x), folder];
}

/** Default quotas per profile, in bytes; an establishment sets its own (documents settings). */
export const DEFAULT_QUOTAS: Record<EstablishmentProfile, number> = {
  student: 200 * 1024 ** 2,
  guardian: 50 * 1024 ** 2,
  teacher: 2 * 1024 ** 3,
  staff: 1024 ** 3,
  principal: 2 * 1024 ** 3,
  local_admin: 1024 ** 3,
};

export async function quotaTable(
  db: Parameters<typeof quotas.of>[0],
  establishmentId: string,
): Promise<Record<EstablishmentProfile, number>> {
  const rows = await quotas.of(db, establishmentId);
  const out = { ...DEFAULT_QUOTAS };
  for (const r of rows) out[r.profile as EstablishmentProfile] = Number(r.bytes);
  return out;
}

/** A person's limit: the largest quota among their profiles there. */
export async function limitOf(db: Parameters<typeof quotas.of>[0], v: Viewer): Promise<number> {
  const table = await quotaTable(db, v.establishmentId);
  return Math.max(0, ...[...v.profiles].map((p) => table[p] ?? 0));
}

/** `1,5 Mo` / `1.5 MB`. */
export function formatBytes(n: number, lang: Lang): string {
  const units = lang === 'fr' ? ['o', 'Ko', 'Mo', 'Go', 'To'] : ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 }).format(v);
  return `${text} ${units[i]}`;
}

export function quotaExceeded(used: number, limit: number, lang: Lang) {
  return new AppError(413, 'QUOTA_EXCEEDED', {
    vars: { used: formatBytes(used, lang), limit: formatBytes(limit, lang) },
  });
}
