import type { LoginBody, LoginResponse, Membership, MeResponse } from '@preau/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { features } from '../features/index.ts';
import { ApiError, get, post, setCsrfToken } from './api.ts';

interface AuthState {
  me: MeResponse | null;
  loading: boolean;
  error: ApiError | null;
  /** The establishment the user is working in (portal, administration). */
  membership: Membership | null;
  setEstablishmentId: (id: string) => void;
  login: (body: LoginBody) => Promise<void>;
  logout: () => Promise<void>;
  refresh: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);
const ESTABLISHMENT_KEY = 'preau.establishment';

async function fetchMe(): Promise<MeResponse | null> {
  try {
    const me = await get<MeResponse>('/api/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const query = useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: 60_000, retry: false });
  const [establishmentId, setEstablishmentIdState] = useState<string | null>(() =>
    localStorage.getItem(ESTABLISHMENT_KEY),
  );

  const me = query.data ?? null;
  const membership = useMemo(() => {
    if (!me || me.memberships.length === 0) return null;
    return me.memberships.find((m) => m.establishment.id === establishmentId) ?? me.memberships[0] ?? null;
  }, [me, establishmentId]);

  const setEstablishmentId = useCallback((id: string) => {
    localStorage.setItem(ESTABLISHMENT_KEY, id);
    setEstablishmentIdState(id);
  }, []);

  const refresh = useCallback(async () => {
    qc.setQueryData(['me'], await fetchMe());
  }, [qc]);

  const login = useCallback(
    async (body: LoginBody) => {
      const res = await post<LoginResponse>('/api/auth/login', body);
      setCsrfToken(res.csrfToken);
      // The login's answer carries what GET /api/me would say: the first screen needs one request less.
      const fresh = res.me ?? (await fetchMe());
      // Drop everything cached for the previous person, but keep the ['me'] query its observers watch.
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      qc.setQueryData(['me'], fresh);
    },
    [qc],
  );

  const logout = useCallback(async () => {
    try {
      await post('/api/auth/logout');
    } catch {
      // The session may already be gone: logging out stays a success for the user.
    }
    setCsrfToken(null);
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    qc.setQueryData(['me'], null);
  }, [qc]);

  const value: AuthState = {
    me,
    loading: query.isPending,
    error: query.error instanceof ApiError ? query.error : null,
    membership,
    setEstablishmentId,
    login,
    logout,
    refresh,
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** The permissions that open a page of the administration: the core pages', and each feature's. */
const ADMIN_PERMISSIONS = new Set([
  'services.manage',
  'charter.manage',
  'users.read',
  'users.manage',
  'imports.run',
  'school_years.manage',
  ...features.flatMap((f) => (f.admin ?? []).map((a) => a.permission)),
]);

/** Memberships where the user may administer the establishment. */
export function adminMemberships(me: MeResponse | null): Membership[] {
  if (!me) return [];
  return me.memberships.filter((m) => m.permissions.some((p) => ADMIN_PERMISSIONS.has(p)));
}
