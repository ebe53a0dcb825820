import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import type { DataQualityCheck } from '@preau/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { get } from '../../app/api.ts';
import { BarChart } from '../../components/BarChart.tsx';
import { formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { type DataQualityReport, keys } from './directory.api.ts';

const PAGE = 10;

export function DataQualityPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const query = useQuery({
    queryKey: keys.quality(id),
    queryFn: () => get<DataQualityReport>(`/api/establishments/${id}/data-quality`),
  });
  const r = query.data;
  const total = r?.checks.reduce((n, c) => n + c.count, 0) ?? 0;
  return (
    <>
      <PageTitle title={t('directory.quality.title')}>{t('directory.quality.title')}</PageTitle>
      <p>{t('directory.quality.intro')}</p>
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />
      {r ? (
        <>
          <p className="fr-text--sm preau-muted">
            {t('directory.quality.meta', {
              year: r.schoolYear ?? '—',
              date: formatDateTime(r.checkedAt, i18n.language),
            })}
          </p>
          {total === 0 ? <EmptyState>{t('directory.quality.allGood')}</EmptyState> : null}
          <nav aria-label={t('directory.quality.summary')} className="fr-mb-4w">
            <ul className="preau-quality-summary">
              {r.checks.map((c) => (
                <li key={c.code}>
                  <a href={`#check-${c.code}`}>{t(`directory.check.${c.code}.title`)}</a>{' '}
                  <Badge
                    as="span"
                    small
                    noIcon
                    severity={c.count === 0 ? 'success' : c.severity === 'error' ? 'error' : 'warning'}
                  >
                    {c.count}
                  </Badge>
                </li>
              ))}
            </ul>
          </nav>
          {r.checks.map((c) => (
            <Check key={c.code} check={c} />
          ))}
        </>
      ) : null}
    </>
  );
}

function Check({ check: c }: { check: DataQualityCheck }) {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const profiles = c.byProfile?.filter((p) => p.total > 0) ?? [];
  const classes = (c.byClass ?? []).filter((b) => b.profile === 'student' && b.count > 0);
  const [all, setAll] = useState(false);
  const people = all ? c.people : c.people.slice(0, PAGE);
  return (
    <section
      id={`check-${c.code}`}
      aria-labelledby={`check-title-${c.code}`}
      className="preau-card fr-p-3w fr-mb-4w"
      data-check={c.code}
    >
      <div className="preau-portal-head">
        <h2 id={`check-title-${c.code}`} className="fr-h5 fr-mb-1w">
          {t(`directory.check.${c.code}.title`)}
        </h2>
        <p className="fr-mb-1w">
          <Badge as="span" noIcon severity={c.count === 0 ? 'success' : c.severity === 'error' ? 'error' : 'warning'}>
            <span data-testid="check-count">{c.count}</span>
          </Badge>
        </p>
      </div>
      <p className="fr-text--sm">{t(`directory.check.${c.code}.help`)}</p>
      {c.count === 0 ? (
        <EmptyState>{t('directory.quality.none')}</EmptyState>
      ) : (
        <>
          {profiles.length > 0 ? (
            <BarChart
              title={t('directory.quality.byProfile')}
              bars={profiles.map((p) => ({
                key: p.profile,
                label: t(`profiles.${p.profile}`),
                value: p.count,
                total: p.total,
              }))}
              format={(v, n) => t('directory.quality.ofTotal', { count: v, total: n })}
            />
          ) : null}
          {classes.length > 0 ? (
            <BarChart
              title={t('directory.quality.byClass')}
              bars={classes.map((b) => ({
                key: `${b.classId}-${b.profile}`,
                label: b.class,
                value: b.count,
                total: b.total,
              }))}
              format={(v, n) => t('directory.quality.ofTotal', { count: v, total: n })}
            />
          ) : null}
          <Table caption={t(`directory.check.${c.code}.title`)} className="preau-table-wrap">
            <thead>
              <tr>
                <th scope="col">{c.people[0]?.kind === 'class' ? t('admin.users.class') : t('admin.users.name')}</th>
                {c.people[0]?.kind === 'class' ? null : <th scope="col">{t('admin.users.profile')}</th>}
                {c.people[0]?.kind === 'class' ? null : <th scope="col">{t('admin.users.class')}</th>}
                <th scope="col">{t('directory.quality.fix')}</th>
              </tr>
            </thead>
            <tbody>
              {people.map((p) => (
                <tr key={p.id} data-item={p.displayName}>
                  <th scope="row">
                    {p.kind === 'person' ? (
                      <Link to={`/admin/${id}/users/${p.id}`}>{p.displayName}</Link>
                    ) : (
                      p.displayName
                    )}
                    {p.login ? <span className="preau-block fr-text--xs preau-muted">{p.login}</span> : null}
                  </th>
                  {p.kind === 'class' ? null : <td>{p.profile ? t(`profiles.${p.profile}`) : '—'}</td>}
                  {p.kind === 'class' ? null : <td>{p.class ?? '—'}</td>}
                  <td>
                    <Link
                      to={p.fix.path}
                      className="fr-link fr-icon-arrow-right-line fr-link--icon-right"
                      aria-label={`${t(`directory.fix.${p.fix.action}`)} — ${p.displayName}`}
                    >
                      {t(`directory.fix.${p.fix.action}`)}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          {!all && c.people.length > PAGE ? (
            <Button priority="tertiary" size="small" className="fr-mb-2w" onClick={() => setAll(true)}>
              {t('directory.quality.showAll', { count: c.people.length })}
            </Button>
          ) : null}
          {c.truncated ? (
            <p className="fr-text--sm preau-muted">
              {t('directory.quality.truncated', { shown: c.people.length, count: c.count })}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
