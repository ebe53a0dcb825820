import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import type { ActivationProgress, DataQualityCheck } from '@preau/contracts';
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
import { useReprintSheet } from './PersonPanels.tsx';

const PAGE = 10;

/**
 * Signal, not noise: what is wrong in the data (each check leads to its correction), then — apart, and not
 * counted as anomalies — the rollout's progress on accounts, where a person's login sheet can be reprinted.
 */
export function DataQualityPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const query = useQuery({
    queryKey: keys.quality(id),
    queryFn: () => get<DataQualityReport>(`/api/establishments/${id}/data-quality`),
  });
  const r = query.data;
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
          {r.anomalies === 0 ? (
            <EmptyState>{t('directory.quality.allGood')}</EmptyState>
          ) : (
            <p className="fr-text--lead" data-testid="anomalies-total">
              {t('directory.quality.total', { count: r.anomalies })}
            </p>
          )}
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
                    {c.count} {t('directory.quality.anomalyWord', { count: c.count })}
                  </Badge>
                </li>
              ))}
              <li>
                <a href="#progress">{t('directory.quality.progressTitle')}</a>
              </li>
            </ul>
          </nav>
          {r.checks.map((c) => (
            <Check key={c.code} check={c} />
          ))}
          <Progress activation={r.progress.activation} />
        </>
      ) : null}
    </>
  );
}

function Check({ check: c }: { check: DataQualityCheck }) {
  const { t } = useTranslation();
  const { id = '' } = useParams();
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
            <span data-testid="check-count">{c.count}</span>&nbsp;
            {t('directory.quality.anomalyWord', { count: c.count })}
          </Badge>
        </p>
      </div>
      <p className="fr-text--sm">{t(`directory.check.${c.code}.help`)}</p>
      {c.count === 0 ? (
        <EmptyState>{t('directory.quality.none')}</EmptyState>
      ) : (
        <>
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

/** The rollout's progress on accounts: activated out of all, to scale; who still waits, with their sheet. */
function Progress({ activation: a }: { activation: ActivationProgress }) {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const reprint = useReprintSheet(id);
  const [all, setAll] = useState(false);
  const profiles = a.byProfile.filter((p) => p.total > 0);
  const classes = a.byClass.filter((b) => b.profile === 'student');
  const pending = all ? a.pending : a.pending.slice(0, PAGE);
  const ofTotal = (v: number, n: number) =>
    t('directory.quality.ofTotalShare', { count: v, total: n, share: n ? Math.round((100 * v) / n) : 0 });
  return (
    <section id="progress" aria-labelledby="progress-title" className="preau-card fr-p-3w fr-mb-4w" data-progress>
      <h2 id="progress-title" className="fr-h5 fr-mb-1w">
        {t('directory.quality.progressTitle')}
      </h2>
      <p className="fr-text--sm">{t('directory.quality.progressIntro')}</p>
      <p className="fr-text--bold" data-testid="activated">
        {t('directory.quality.activated', { count: a.activated, total: a.total })}
      </p>
      {profiles.length > 0 ? (
        <BarChart
          title={t('directory.quality.byProfile')}
          bars={profiles.map((p) => ({
            key: p.profile,
            label: t(`profiles.${p.profile}`),
            value: p.activated,
            total: p.total,
          }))}
          format={ofTotal}
          scale="own"
        />
      ) : null}
      {classes.length > 0 ? (
        <BarChart
          title={t('directory.quality.byClass')}
          bars={classes.map((b) => ({
            key: `${b.classId}-${b.profile}`,
            label: b.class,
            value: b.activated,
            total: b.total,
          }))}
          format={ofTotal}
        />
      ) : null}
      <h3 className="fr-h6 fr-mb-1w">{t('directory.quality.pendingTitle')}</h3>
      <p className="fr-text--sm">
        {t('directory.quality.pending', { count: a.pendingCount })}{' '}
        <Link to={`/admin/${id}/directory/login-sheets`}>{t('directory.quality.printSheets')}</Link>
      </p>
      {reprint.element}
      {a.pending.length > 0 ? (
        <Table caption={t('directory.quality.pendingTitle')} className="preau-table-wrap">
          <thead>
            <tr>
              <th scope="col">{t('admin.users.name')}</th>
              <th scope="col">{t('admin.users.profile')}</th>
              <th scope="col">{t('admin.users.class')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((p) => (
              <tr key={p.id} data-pending={p.login}>
                <th scope="row">
                  <Link to={`/admin/${id}/users/${p.id}`}>{p.displayName}</Link>
                  <span className="preau-block fr-text--xs preau-muted">{p.login}</span>
                </th>
                <td>{t(`profiles.${p.profile}`)}</td>
                <td>{p.class ?? '—'}</td>
                <td>
                  {p.can.printSheet ? (
                    <Button
                      size="small"
                      priority="secondary"
                      iconId="fr-icon-printer-line"
                      disabled={reprint.pending}
                      onClick={() => reprint.print(p)}
                      nativeButtonProps={{ 'aria-label': t('directory.quality.reprintFor', { name: p.displayName }) }}
                    >
                      {t('directory.quality.reprint')}
                    </Button>
                  ) : (
                    <span className="fr-text--xs">{t('directory.quality.codeFromPlatform')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      {!all && a.pending.length > PAGE ? (
        <Button priority="tertiary" size="small" className="fr-mb-2w" onClick={() => setAll(true)}>
          {t('directory.quality.showAll', { count: a.pending.length })}
        </Button>
      ) : null}
      {a.truncated ? (
        <p className="fr-text--sm preau-muted">
          {t('directory.quality.pendingTruncated', { shown: a.pending.length, count: a.pendingCount })}
        </p>
      ) : null}
    </section>
  );
}
