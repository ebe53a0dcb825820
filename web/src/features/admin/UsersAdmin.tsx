import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Pagination } from '@codegouvfr/react-dsfr/Pagination';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { ESTABLISHMENT_PROFILES, type UserDetail, type UserStatus } from '@preau/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { get, patch, post, withQuery } from '../../app/api.ts';
import { formatDate, formatDateTime } from '../../components/format.ts';
import { functionLabels } from '../../components/people.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { usePermissions } from '../directory/directory.api.ts';
import { EditPerson, GuardianLinks, TeacherPanels, useReprintSheet } from '../directory/PersonPanels.tsx';

interface UserList {
  items: {
    id: string;
    login: string;
    displayName: string;
    profiles: string[];
    status: UserStatus;
    position?: string;
    classes: string[];
  }[];
  total: number;
  page: number;
  pageSize: number;
}

const STATUSES: UserStatus[] = ['active', 'pending_activation', 'blocked', 'detached'];

export function UserStatusBadge({ status }: { status: UserStatus }) {
  const { t } = useTranslation();
  const severity =
    status === 'active'
      ? 'success'
      : status === 'blocked'
        ? 'error'
        : status === 'pending_activation'
          ? 'info'
          : undefined;
  return (
    <Badge as="span" severity={severity} small noIcon>
      {t(`users.status.${status}`)}
    </Badge>
  );
}

export function UsersAdmin() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const filters = {
    q: params.get('q') ?? '',
    profile: params.get('profile') ?? '',
    class: params.get('class') ?? '',
    status: params.get('status') ?? '',
  };
  const [form, setForm] = useState(filters);
  const can = usePermissions(id);
  // The URL is the source of the filters (links from the data-quality page set ?class=…&profile=…).
  const filterKey = `${filters.q}|${filters.profile}|${filters.class}|${filters.status}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey stands for the filters
  useEffect(() => setForm(filters), [filterKey]);
  const query = useQuery({
    queryKey: ['admin', id, 'users', filters, page],
    queryFn: () => get<UserList>(withQuery(`/api/establishments/${id}/users`, { ...filters, page, pageSize: 20 })),
    placeholderData: keepPreviousData,
  });

  function search(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v) next.set(k, v);
    setParams(next);
  }

  const pageCount = query.data ? Math.max(1, Math.ceil(query.data.total / query.data.pageSize)) : 1;
  const pageLink = (n: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(n));
    return { to: `?${next.toString()}` };
  };

  return (
    <>
      <PageTitle title={t('admin.users.title')}>{t('admin.users.title')}</PageTitle>
      {can.manageUsers ? (
        <div className="preau-actions">
          <Button priority="secondary" iconId="fr-icon-user-add-line" linkProps={{ to: `/admin/${id}/users/new` }}>
            {t('directory.person.newTitle')}
          </Button>
        </div>
      ) : null}
      <search aria-label={t('admin.users.searchLabel')}>
        <form onSubmit={search} className="fr-mb-3w">
          <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-4">
              <Input
                label={t('admin.users.q')}
                hintText={t('admin.users.qHint')}
                nativeInputProps={{
                  name: 'q',
                  type: 'search',
                  value: form.q,
                  onChange: (e) => setForm({ ...form, q: e.target.value }),
                }}
              />
            </div>
            <div className="fr-col-6 fr-col-md-2">
              <Select
                label={t('admin.users.profile')}
                nativeSelectProps={{
                  name: 'profile',
                  value: form.profile,
                  onChange: (e) => setForm({ ...form, profile: e.target.value }),
                }}
              >
                <option value="">{t('common.all')}</option>
                {ESTABLISHMENT_PROFILES.map((p) => (
                  <option key={p} value={p}>
                    {t(`profiles.${p}`)}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-6 fr-col-md-2">
              <Input
                label={t('admin.users.class')}
                nativeInputProps={{
                  name: 'class',
                  value: form.class,
                  onChange: (e) => setForm({ ...form, class: e.target.value }),
                }}
              />
            </div>
            <div className="fr-col-6 fr-col-md-2">
              <Select
                label={t('admin.users.status')}
                nativeSelectProps={{
                  name: 'status',
                  value: form.status,
                  onChange: (e) => setForm({ ...form, status: e.target.value }),
                }}
              >
                <option value="">{t('common.all')}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`users.status.${s}`)}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-6 fr-col-md-2">
              <Button type="submit" iconId="fr-icon-search-line" className="fr-mb-3w">
                {t('common.search')}
              </Button>
            </div>
          </div>
        </form>
      </search>
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />
      {query.data ? (
        <>
          <p role="status">{t('admin.users.count', { count: query.data.total })}</p>
          {query.data.items.length === 0 ? (
            <EmptyState>{t('admin.users.empty')}</EmptyState>
          ) : (
            <Table caption={t('admin.users.title')}>
              <thead>
                <tr>
                  <th scope="col">{t('admin.users.name')}</th>
                  <th scope="col">{t('admin.users.login')}</th>
                  <th scope="col">{t('admin.users.profile')}</th>
                  <th scope="col">{t('admin.users.class')}</th>
                  <th scope="col">{t('admin.users.status')}</th>
                </tr>
              </thead>
              <tbody>
                {query.data.items.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">
                      <Link to={u.id}>{u.displayName}</Link>
                    </th>
                    <td>{u.login}</td>
                    <td>
                      {u.profiles.map((p) => t(`profiles.${p}`)).join(', ')}
                      {u.position ? <span className="preau-block fr-text--xs preau-muted">{u.position}</span> : null}
                    </td>
                    <td>{u.classes.join(', ') || '—'}</td>
                    <td>
                      <UserStatusBadge status={u.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          {pageCount > 1 ? (
            <Pagination
              count={pageCount}
              defaultPage={page}
              getPageLinkProps={pageLink}
              showFirstLast
              className="fr-mt-3w"
            />
          ) : null}
        </>
      ) : null}
    </>
  );
}

export function UserDetailPage() {
  const { t, i18n } = useTranslation();
  const { id = '', userId = '' } = useParams();
  const qc = useQueryClient();
  const key = ['admin', id, 'user', userId];
  const query = useQuery({
    queryKey: key,
    queryFn: () => get<UserDetail>(`/api/establishments/${id}/users/${userId}`),
  });
  const [code, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  const [editing, setEditing] = useState(false);
  const setStatus = useMutation({
    mutationFn: (status: 'active' | 'blocked') =>
      patch<UserDetail>(`/api/establishments/${id}/users/${userId}`, { status }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
  });
  const newCode = useMutation({
    mutationFn: () =>
      post<{ code: string; expiresAt: string }>(`/api/establishments/${id}/users/${userId}/activation-code`),
    onSuccess: async (data) => {
      setCode(data);
      await qc.invalidateQueries({ queryKey: key });
    },
  });

  const reprint = useReprintSheet(id);
  const u = query.data;
  return (
    <>
      <Breadcrumb
        currentPageLabel={u?.displayName ?? t('admin.users.user')}
        segments={[{ label: t('admin.users.title'), linkProps: { to: `/admin/${id}/users` } }]}
        homeLinkProps={{ to: '/' }}
        classes={{ root: 'fr-mt-0 fr-mb-2w' }}
      />
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />
      {u ? (
        <>
          <PageTitle title={u.displayName}>{u.displayName}</PageTitle>
          <div className="fr-mb-3w">
            <UserStatusBadge status={u.status} />
          </div>
          <dl className="preau-dl">
            <dt>{t('admin.users.login')}</dt>
            <dd>{u.login}</dd>
            <dt>{t('account.email')}</dt>
            <dd>{u.email ?? '—'}</dd>
            <dt>{t('admin.users.birthDate')}</dt>
            <dd>{formatDate(u.birthDate, i18n.language)}</dd>
            <dt>{t('admin.users.profile')}</dt>
            <dd>{u.profiles.map((p) => t(`profiles.${p}`)).join(', ') || '—'}</dd>
            {u.position ? (
              <>
                <dt>{t('admin.users.position')}</dt>
                <dd>{u.position}</dd>
              </>
            ) : null}
            {u.functions.length > 0 ? (
              <>
                <dt>{t('admin.users.functions')}</dt>
                <dd>{functionLabels(t, u.functions).join(', ')}</dd>
              </>
            ) : null}
            <dt>{t('admin.users.class')}</dt>
            <dd>{u.classes.map((c) => c.label).join(', ') || '—'}</dd>
            {u.children.length > 0 ? (
              <>
                <dt>{t('admin.users.children')}</dt>
                <dd>
                  <ul className="preau-inline-list">
                    {u.children.map((c) => (
                      <li key={c.id}>
                        <Link to={`/admin/${id}/users/${c.id}`}>{c.displayName}</Link> (
                        {t(`admin.users.level.${c.level}`)})
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            ) : null}
            {u.guardians.length > 0 ? (
              <>
                <dt>{t('admin.users.guardians')}</dt>
                <dd>
                  <ul className="preau-inline-list">
                    {u.guardians.map((g) => (
                      <li key={g.id}>
                        <Link to={`/admin/${id}/users/${g.id}`}>{g.displayName}</Link> (
                        {t(`admin.users.level.${g.level}`)})
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            ) : null}
            <dt>{t('admin.users.lastLogin')}</dt>
            <dd>{formatDateTime(u.lastLoginAt, i18n.language)}</dd>
            {u.activationExpiresAt ? (
              <>
                <dt>{t('admin.users.activationExpires')}</dt>
                <dd>{formatDateTime(u.activationExpiresAt, i18n.language)}</dd>
              </>
            ) : null}
          </dl>
          {u.accountShared ? (
            <Alert severity="info" small className="fr-mb-3w" description={t('admin.users.sharedAccount')} />
          ) : null}
          <ErrorAlert error={setStatus.error ?? newCode.error} />
          {code ? (
            <Alert
              role="status"
              className="fr-mb-3w"
              severity="success"
              title={t('admin.users.newCodeTitle')}
              description={
                <>
                  {t('admin.users.newCodeText', { expires: formatDateTime(code.expiresAt, i18n.language) })}{' '}
                  <strong className="preau-code" data-testid="activation-code">
                    {code.code}
                  </strong>
                </>
              }
            />
          ) : null}
          <div className="preau-actions">
            {u.can.block ? (
              <Button
                priority="secondary"
                iconId="fr-icon-lock-line"
                onClick={() => setStatus.mutate('blocked')}
                disabled={setStatus.isPending}
              >
                {t('admin.users.block')}
              </Button>
            ) : null}
            {u.can.unblock ? (
              <Button
                priority="secondary"
                iconId="fr-icon-lock-unlock-line"
                onClick={() => setStatus.mutate('active')}
                disabled={setStatus.isPending}
              >
                {t('admin.users.unblock')}
              </Button>
            ) : null}
            {u.can.edit && (u.can.editAccount || u.profiles.includes('student')) && !editing ? (
              <Button priority="primary" iconId="fr-icon-edit-line" onClick={() => setEditing(true)}>
                {t('common.edit')}
              </Button>
            ) : null}
            {u.can.printSheet ? (
              <Button
                priority="secondary"
                iconId="fr-icon-printer-line"
                onClick={() => reprint.print({ id: u.id, displayName: u.displayName, login: u.login })}
                disabled={reprint.pending}
              >
                {t('directory.reprint.button')}
              </Button>
            ) : null}
            {u.can.newActivationCode ? (
              <Button
                priority="secondary"
                iconId="fr-icon-refresh-line"
                onClick={() => newCode.mutate()}
                disabled={newCode.isPending}
              >
                {t('admin.users.newCode')}
              </Button>
            ) : null}
          </div>
          {reprint.element}
          {editing && u.can.edit ? (
            <EditPerson establishmentId={id} userId={userId} onDone={() => setEditing(false)} />
          ) : null}
          {u.can.manageGuardians ? <GuardianLinks establishmentId={id} user={u} /> : null}
          {u.can.manageAssignments || u.can.setHeadTeacher ? (
            <TeacherPanels establishmentId={id} userId={userId} can={u.can} />
          ) : null}
        </>
      ) : null}
    </>
  );
}
