import type {
  CsvPreview,
  DataQualityReport,
  DuplicateList,
  ImportJob,
  ImportSummary,
  MergeItem,
  Person,
  RolloverPreview,
  SchoolYear,
} from '@preau/contracts';
import { useQuery } from '@tanstack/react-query';
import { get, withQuery } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';

/** The web side of the directory module: shapes from contracts, query keys under ['admin', establishmentId]. */
export type { CsvPreview, DataQualityReport, DuplicateList, ImportJob, MergeItem, Person };

export interface ImportList {
  items: ImportSummary[];
  total: number;
  page: number;
  pageSize: number;
}
export interface ClassSummary {
  id: string;
  code: string;
  label: string;
  mefCode: string | null;
  students: number;
  headTeachers: { id: string; displayName: string }[];
}
export interface ClassList {
  schoolYear: string | null;
  items: ClassSummary[];
}
export interface GroupList {
  schoolYear: string | null;
  items: { id: string; code: string; label: string; kind: 'teaching' | 'manual'; students: number }[];
}
export interface SubjectList {
  items: { code: string; label: string }[];
}
export interface Assignment {
  id: string;
  class: { id: string; code: string; label: string } | null;
  group: { id: string; code: string; label: string } | null;
  subject: { code: string; label: string };
}
export interface SchoolYearList {
  items: SchoolYear[];
}
export type { RolloverPreview, SchoolYear };

export const keys = {
  imports: (id: string) => ['admin', id, 'imports'] as const,
  importJob: (jobId: string) => ['import', jobId] as const,
  quality: (id: string) => ['admin', id, 'data-quality'] as const,
  classes: (id: string) => ['admin', id, 'classes'] as const,
  groups: (id: string) => ['admin', id, 'groups'] as const,
  duplicates: (id: string) => ['admin', id, 'duplicates'] as const,
  merges: (id: string) => ['admin', id, 'merges'] as const,
  dismissals: (id: string) => ['admin', id, 'dismissals'] as const,
  person: (id: string, userId: string) => ['admin', id, 'person', userId] as const,
  assignments: (id: string, userId: string) => ['admin', id, 'assignments', userId] as const,
  schoolYears: (id: string) => ['admin', id, 'school-years'] as const,
  rollover: (id: string) => ['admin', id, 'rollover'] as const,
  rollovers: (id: string) => ['admin', id, 'rollovers'] as const,
  sheetsPreview: (id: string) => ['admin', id, 'sheets-preview'] as const,
};

export const useClasses = (id: string) =>
  useQuery({ queryKey: keys.classes(id), queryFn: () => get<ClassList>(`/api/establishments/${id}/classes`) });

export const useGroups = (id: string, enabled = true) =>
  useQuery({
    queryKey: keys.groups(id),
    queryFn: () => get<GroupList>(`/api/establishments/${id}/groups`),
    enabled,
  });

export const useSubjects = (enabled = true) =>
  useQuery({
    queryKey: ['subjects'],
    queryFn: () => get<SubjectList>('/api/subjects'),
    staleTime: 3_600_000,
    enabled,
  });

/** The job, polled every 500 ms until it has finished (done, failed or interrupted). */
export const useImportJob = (jobId: string | null) =>
  useQuery({
    queryKey: keys.importJob(jobId ?? ''),
    queryFn: () => get<ImportJob>(`/api/imports/${jobId}`),
    enabled: !!jobId,
    refetchInterval: (q) => {
      const s = q.state.data?.status;
      return s === 'done' || s === 'failed' || s === 'interrupted' ? false : 500;
    },
  });

export const useImports = (id: string) =>
  useQuery({
    queryKey: keys.imports(id),
    queryFn: () => get<ImportList>(withQuery('/api/imports', { establishment: id, pageSize: 20 })),
  });

/**
 * What the signed-in user may do in the establishment as a whole (menus, the "new person" button), from the
 * permissions the server lists in /api/me (a platform admin may do everything). What one may do with a given
 * person comes with that person: `UserDetail.can`.
 */
export function usePermissions(establishmentId: string) {
  const { me } = useAuth();
  const m = me?.memberships.find((x) => x.establishment.id === establishmentId);
  const has = (p: string) => !!me?.user.platformAdmin || !!m?.permissions.includes(p);
  return {
    manageUsers: has('users.manage'),
    readUsers: has('users.read'),
    runImports: has('imports.run'),
    manageYears: has('school_years.manage'),
  };
}
