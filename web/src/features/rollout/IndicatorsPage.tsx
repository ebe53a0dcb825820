import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { ESTABLISHMENT_PROFILES, type EstablishmentProfile, type RolloutDashboard } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { formatDateTime } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { ProfileRates } from './Checklist.tsx';
import { rolloutKey, useEstablishmentId } from './rollout.api.ts';
import { byProfileOrder, LineChart, useFormat } from './rollout.ui.tsx';

interface Filters {
  from: string;
  to: string;
  profile: EstablishmentProfile | '';
}

/**
 * The indicators, computed from the platform's data only: activation over time, the montée en charge of each
 * service (active people per day, 7 and 30 days), every module's registered indicator, per class, the
 * pioneers. Filtered by period and profile; exported as CSV.
 */
export function IndicatorsPage() {
  const { t, i18n } = useTranslation();
  const establishment = useEstablishmentId();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Filters>({ from: '', to: '', profile: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const query = {
    establishment,
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
    ...(filters.profile ? { profile: filters.profile } : {}),
  };
  const dashboard = useQuery({
    queryKey: [...rolloutKey(establishment, 'dashboard'), filters],
    queryFn: () => call('GET /api/rollout/dashboard', { query }),
  });
  const refresh = useMutation({
    mutationFn: () => call('POST /api/rollout/indicators/refresh', { body: { establishmentId: establishment } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKey(establishment) }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const csv = `/api/rollout/dashboard/export?${new URLSearchParams(query as Record<string, string>).toString()}`;
  const d = dashboard.data;
  return (
    <>
      <PageTitle title={t('rollout.indicators.title')}>{t('rollout.indicators.title')}</PageTitle>
      <p>{t('rollout.indicators.intro')}</p>
      <form onSubmit={submit} className="preau-filters fr-mb-3w" aria-label={t('rollout.indicators.filters')}>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-3">
            <Input
              label={t('rollout.indicators.from')}
              nativeInputProps={{
                type: 'date',
                name: 'from',
                value: draft.from,
                onChange: (e) => setDraft({ ...draft, from: e.target.value }),
              }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <Input
              label={t('rollout.indicators.to')}
              nativeInputProps={{
                type: 'date',
                name: 'to',
                value: draft.to,
                onChange: (e) => setDraft({ ...draft, to: e.target.value }),
              }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <Select
              label={t('rollout.indicators.profile')}
              nativeSelectProps={{
                name: 'profile',
                value: draft.profile,
                onChange: (e) => setDraft({ ...draft, profile: e.target.value as Filters['profile'] }),
              }}
            >
              <option value="">{t('rollout.indicators.allProfiles')}</option>
              {ESTABLISHMENT_PROFILES.map((p) => (
                <option key={p} value={p}>
                  {t(`rollout.profilesPlural.${p}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-3 preau-filters__actions">
            <Button type="submit">{t('rollout.indicators.apply')}</Button>
          </div>
        </div>
      </form>
      <div className="preau-actions fr-mb-2w">
        <Button
          priority="secondary"
          iconId="fr-icon-refresh-line"
          onClick={() => refresh.mutate()}
          disabled={refresh.isPending}
        >
          {t('rollout.indicators.refresh')}
        </Button>
        <a
          className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left"
          href={csv}
          download
          data-testid="csv-export"
        >
          {t('rollout.indicators.csv')}
        </a>
      </div>
      {d ? (
        <p className="fr-text--sm preau-muted" data-testid="as-of">
          {t('rollout.indicators.asOf', { date: formatDateTime(d.asOf, i18n.language) })}
        </p>
      ) : null}
      {dashboard.isPending ? <Loading /> : null}
      <ErrorAlert error={dashboard.error ?? refresh.error} />
      {d ? <Dashboard d={d} /> : null}
    </>
  );
}

function Dashboard({ d }: { d: RolloutDashboard }) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const catalogue = d.services.filter((s) => s.key !== 'portal');
  const used = catalogue.filter((s) => s.series.some((p) => p.month_users > 0));
  const [service, setService] = useState(used[0]?.key ?? catalogue[0]?.key ?? 'logbook');
  const chosen = d.services.find((s) => s.key === service);
  const serviceName = (key: string) =>
    key === 'portal' ? t('rollout.indicators.portal') : t(`rollout.services.${key}`);
  const who = d.profile ? t(`rollout.profilesPlural.${d.profile}`) : t('rollout.indicators.everyone');

  // Activation over time: one line per profile (weekly points), as a share of the accounts then.
  const days = [...new Set(d.activationSeries.map((p) => p.day))];
  const profiles = byProfileOrder(
    [...new Set(d.activationSeries.map((p) => p.profile))].map((profile) => ({ profile })),
  )
    .map((p) => p.profile)
    .filter((p) => d.activationSeries.some((x) => x.profile === p && x.total > 0));
  const activationSeries = profiles.map((p) => ({
    label: t(`rollout.profilesPlural.${p}`),
    values: days.map((day) => {
      const x = d.activationSeries.find((a) => a.day === day && a.profile === p);
      return x && x.total > 0 ? x.activated / x.total : null;
    }),
  }));
  const lastShare = (s: { values: (number | null)[] }) => f.share(s.values.at(-1) ?? null);

  return (
    <>
      <section aria-labelledby="ind-activation" className="fr-mb-5w">
        <h2 id="ind-activation" className="fr-h4">
          {t('rollout.indicators.activationTitle')}
        </h2>
        <ProfileRates overview={d} />
        {days.length > 1 ? (
          <LineChart
            testId="activation-chart"
            title={t('rollout.indicators.activationChart')}
            summary={t('rollout.indicators.activationSummary', {
              from: f.day(days[0]!),
              to: f.day(days.at(-1)!),
              figures: activationSeries.map((s) => `${s.label} ${lastShare(s)}`).join(', '),
            })}
            labels={days.map(f.day)}
            series={activationSeries}
            format={f.share}
            yMax={1}
          />
        ) : null}
      </section>

      <section aria-labelledby="ind-services" className="fr-mb-5w">
        <h2 id="ind-services" className="fr-h4">
          {t('rollout.indicators.servicesTitle', { who })}
        </h2>
        <Table
          caption={t('rollout.indicators.servicesCaption', { members: d.members, who })}
          showCaption
          className="fr-table--sm preau-table-wrap"
        >
          <thead>
            <tr>
              <th scope="col">{t('rollout.indicators.service')}</th>
              <th scope="col">{t('rollout.indicators.opening')}</th>
              <th scope="col">{t('rollout.indicators.day')}</th>
              <th scope="col">{t('rollout.indicators.week')}</th>
              <th scope="col">{t('rollout.indicators.month')}</th>
            </tr>
          </thead>
          <tbody>
            {d.services.map((s) => (
              <tr key={s.key} data-service-row={s.key}>
                <th scope="row">{serviceName(s.key)}</th>
                <td>{s.openingDate ? f.day(s.openingDate) : '—'}</td>
                <td>{s.now.day}</td>
                <td>{s.now.week}</td>
                <td data-testid={`month-${s.key}`}>
                  {s.now.month} <span className="preau-muted">({f.rate(s.now.month, d.members)})</span>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
        <Select
          label={t('rollout.indicators.curveOf')}
          nativeSelectProps={{ name: 'curve', value: service, onChange: (e) => setService(e.target.value) }}
        >
          {d.services.map((s) => (
            <option key={s.key} value={s.key}>
              {serviceName(s.key)}
            </option>
          ))}
        </Select>
        {chosen && chosen.series.length > 0 ? (
          <LineChart
            testId="service-chart"
            title={t('rollout.indicators.curveTitle', { service: serviceName(chosen.key), who })}
            summary={t('rollout.indicators.curveSummary', {
              from: f.day(chosen.series[0]!.day),
              first: chosen.series.find((p) => p.month_users > 0)?.month_users ?? 0,
              now: chosen.now.month,
              members: d.members,
            })}
            labels={chosen.series.map((p) => f.day(p.day))}
            series={[
              { label: t('rollout.indicators.day'), values: chosen.series.map((p) => p.day_users) },
              { label: t('rollout.indicators.week'), values: chosen.series.map((p) => p.week_users) },
              { label: t('rollout.indicators.month'), values: chosen.series.map((p) => p.month_users) },
            ]}
            format={(v) => f.number(v)}
          />
        ) : (
          <p>{t('rollout.indicators.notOpen')}</p>
        )}
      </section>

      <section aria-labelledby="ind-modules" className="fr-mb-5w">
        <h2 id="ind-modules" className="fr-h4">
          {t('rollout.indicators.modulesTitle')}
        </h2>
        <p className="fr-text--sm" data-testid="indicators-as-of">
          {t('rollout.indicators.modulesAsOf', { date: formatDateTime(d.asOf, i18n.language) })}
        </p>
        <Table
          caption={t('rollout.indicators.modulesCaption', { from: f.day(d.from), to: f.day(d.to) })}
          showCaption
          className="fr-table--sm preau-table-wrap"
        >
          <thead>
            <tr>
              <th scope="col">{t('rollout.indicators.indicator')}</th>
              <th scope="col">{t('rollout.indicators.value')}</th>
              <th scope="col">{t('rollout.indicators.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {d.indicators.map((i) => (
              <tr key={i.key} data-indicator={i.key}>
                <th scope="row">{i.label}</th>
                <td>{i.unit === 'rate' ? f.share(i.value) : f.number(i.value)}</td>
                <td className="fr-text--sm preau-muted">
                  {i.numerator !== null && i.denominator !== null
                    ? t('rollout.indicators.outOf', { n: i.numerator, d: i.denominator })
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>

      <section aria-labelledby="ind-classes" className="fr-mb-5w">
        <h2 id="ind-classes" className="fr-h4">
          {t('rollout.indicators.classesTitle')}
        </h2>
        <Table caption={t('rollout.classes.caption')} className="fr-table--sm preau-table-wrap">
          <thead>
            <tr>
              <th scope="col">{t('rollout.classes.class')}</th>
              <th scope="col">{t('rollout.classes.guardians')}</th>
              <th scope="col">{t('rollout.classes.students')}</th>
              <th scope="col">{t('rollout.classes.charterGuardians')}</th>
            </tr>
          </thead>
          <tbody>
            {[...d.classes]
              .sort(
                (a, b) =>
                  a.guardians.activated / (a.guardians.total || 1) - b.guardians.activated / (b.guardians.total || 1),
              )
              .map((c) => (
                <tr key={c.classId}>
                  <th scope="row">{c.class}</th>
                  <td>{f.rate(c.guardians.activated, c.guardians.total)}</td>
                  <td>{f.rate(c.students.activated, c.students.total)}</td>
                  <td>{f.rate(c.guardians.accepted, c.guardians.total)}</td>
                </tr>
              ))}
          </tbody>
        </Table>
      </section>

      <section aria-labelledby="ind-pioneers" className="fr-mb-5w">
        <h2 id="ind-pioneers" className="fr-h4">
          {t('rollout.indicators.pioneersTitle')}
        </h2>
        <p className="fr-text--sm">{t('rollout.indicators.pioneersIntro')}</p>
        {d.pioneers.length === 0 ? (
          <p>{t('rollout.indicators.noPioneers')}</p>
        ) : (
          <dl className="preau-pioneers" data-testid="pioneers">
            {d.pioneers.map((p) => (
              <div key={p.subjectCode} className="preau-dl-row">
                <dt>{p.subject}</dt>
                <dd>
                  {p.people
                    .map((x) => t('rollout.indicators.pioneer', { name: x.displayName, count: x.activeDays }))
                    .join(' ; ')}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </>
  );
}
