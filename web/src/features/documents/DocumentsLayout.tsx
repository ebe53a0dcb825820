import { SideMenu } from '@codegouvfr/react-dsfr/SideMenu';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate, useSearchParams } from 'react-router';
import { EstablishmentSwitcher } from '../../components/EstablishmentSwitcher.tsx';
import { ErrorAlert } from '../../components/states.tsx';
import { formatBytes, spacePath, useQuota, useSpaces } from './documents.api.ts';

/** The documents area: its menu (spaces, shared with me, library, trash), the quota, a search box. */
export function DocumentsLayout() {
  const { t, i18n } = useTranslation();
  const { pathname } = useLocation();
  const spaces = useSpaces();
  const quota = useQuota();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get('q') ?? '');
  const items = spaces.data?.items ?? [];
  const link = (text: string, to: string, active: boolean) => ({ text, linkProps: { to }, isActive: active });
  const inSpace = (id: string) => pathname.startsWith(`/documents/spaces/${id}`);
  const groupSpaces = items.filter((s) => s.kind === 'class' || s.kind === 'group');
  const menu = [
    link(t('documents.menu.mine'), '/documents', pathname === '/documents'),
    link(t('documents.menu.shared'), '/documents/shared', pathname.startsWith('/documents/shared')),
    ...(groupSpaces.length
      ? [
          {
            text: t('documents.menu.classes'),
            expandedByDefault: true,
            isActive: groupSpaces.some((s) => inSpace(s.id)),
            items: groupSpaces.map((s) => link(s.name, spacePath(s), inSpace(s.id))),
          },
        ]
      : []),
    ...items.filter((s) => s.kind === 'admin').map((s) => link(s.name, spacePath(s), inSpace(s.id))),
    ...items
      .filter((s) => s.kind === 'library')
      .map((s) => link(s.name, '/documents/library', pathname.startsWith('/documents/library'))),
    link(t('documents.menu.trash'), '/documents/trash', pathname.startsWith('/documents/trash')),
  ];
  const used = quota.data?.used ?? 0;
  const limit = quota.data?.limit ?? 0;
  const share = limit > 0 ? Math.min(1, used / limit) : 0;
  const search = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim().length >= 2) navigate(`/documents/search?q=${encodeURIComponent(q.trim())}`);
  };
  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      <div className="fr-col-12 fr-col-md-3">
        <EstablishmentSwitcher />
        <SideMenu
          align="left"
          burgerMenuButtonText={t('documents.menu.burger')}
          title={t('documents.title')}
          items={menu}
        />
        {quota.data ? (
          <div className="preau-quota fr-mt-2w" data-testid="quota">
            <p className="fr-text--sm fr-mb-1w" id="quota-label">
              {t('documents.quota.label', {
                used: formatBytes(used, i18n.language),
                limit: formatBytes(limit, i18n.language),
              })}
            </p>
            <div
              className="preau-progress__track"
              role="progressbar"
              aria-labelledby="quota-label"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(share * 100)}
            >
              <div className="preau-progress__bar" style={{ width: `${Math.round(share * 100)}%` }} />
            </div>
            <p className="fr-text--xs fr-mt-1w preau-muted">
              {t('documents.quota.remaining', { remaining: formatBytes(Math.max(0, limit - used), i18n.language) })}
            </p>
          </div>
        ) : null}
      </div>
      <div className="fr-col-12 fr-col-md-9">
        <form className="fr-search-bar fr-mb-3w" onSubmit={search}>
          <label className="fr-label" htmlFor="documents-search">
            {t('documents.search.label')}
          </label>
          <input
            className="fr-input"
            id="documents-search"
            type="search"
            value={q}
            minLength={2}
            placeholder={t('documents.search.placeholder')}
            onChange={(e) => setQ(e.target.value)}
          />
          <button type="submit" className="fr-btn" title={t('documents.search.submit')}>
            {t('documents.search.submit')}
          </button>
        </form>
        <ErrorAlert error={spaces.error} />
        <Outlet />
      </div>
    </div>
  );
}
