import type { Browse, Space } from '@preau/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';

/** The establishment the documents pages work in (the one chosen in the header). */
export function useEstablishment(): string {
  const { membership } = useAuth();
  return membership?.establishment.id ?? '';
}

export function useSpaces() {
  const establishment = useEstablishment();
  return useQuery({
    queryKey: ['documents', 'spaces', establishment],
    queryFn: () => call('GET /api/documents/spaces', { query: { establishment } }),
    enabled: !!establishment,
  });
}

export function useBrowse(spaceId: string | undefined, folderId: string | undefined) {
  return useQuery({
    queryKey: ['documents', 'browse', spaceId, folderId ?? null],
    queryFn: () =>
      call('GET /api/documents/spaces/:spaceId/browse', {
        params: { spaceId: spaceId! },
        query: folderId ? { folderId } : {},
      }),
    enabled: !!spaceId,
  });
}

export function useQuota() {
  const establishment = useEstablishment();
  return useQuery({
    queryKey: ['documents', 'quota', establishment],
    queryFn: () => call('GET /api/documents/quota', { query: { establishment } }),
    enabled: !!establishment,
  });
}

/** After a change: every documents query is stale (lists, quota, home widget). */
export function useRefresh() {
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: ['documents'] });
    await qc.invalidateQueries({ queryKey: ['home'] });
  };
}

export const contentUrl = (id: string, opts: { version?: number; inline?: boolean } = {}) => {
  const q = new URLSearchParams();
  if (opts.version) q.set('version', String(opts.version));
  if (opts.inline) q.set('disposition', 'inline');
  const s = q.toString();
  return `/api/documents/files/${encodeURIComponent(id)}/content${s ? `?${s}` : ''}`;
};

export function spacePath(space: Pick<Space, 'id' | 'kind'>, folderId?: string | null) {
  if (space.kind === 'personal' && !folderId) return '/documents';
  if (space.kind === 'library') return '/documents/library';
  return folderId ? `/documents/spaces/${space.id}/folders/${folderId}` : `/documents/spaces/${space.id}`;
}

/** `1,5 Mo` / `1.5 MB`. */
export function formatBytes(n: number, lang: string): string {
  const fr = !lang.startsWith('en');
  const units = fr ? ['o', 'Ko', 'Mo', 'Go', 'To'] : ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(fr ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 }).format(v)} ${units[i]}`;
}

export type BrowseData = Browse;
