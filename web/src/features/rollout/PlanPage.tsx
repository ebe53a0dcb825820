import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { Objective, PlanService, RolloutPlan, ServiceKey, Step, StepState } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, call } from '../../app/api.ts';
import { formatDate } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { rolloutKey, useEstablishmentId } from './rollout.api.ts';
import { StepStateBadge, Trend, useFormat } from './rollout.ui.tsx';

const STATES: StepState[] = ['todo', 'in_progress', 'done', 'cancelled'];

/** The plan per service: opening, steps, objectives and their indicators; a timeline of it all; the late steps. */
export function PlanPage() {
  const { t } = useTranslation();
  const establishment = useEstablishmentId();
  const plan = useQuery({
    queryKey: rolloutKey(establishment, 'plan'),
    queryFn: () => call('GET /api/rollout/plan', { query: { establishment } }),
  });
  const staff = useQuery({
    queryKey: rolloutKey(establishment, 'staff'),
    queryFn: () => call('GET /api/rollout/staff', { query: { establishment } }),
  });
  const p = plan.data;
  const shown = p?.services.filter((s) => s.steps.length || s.objectives.length || s.tools.length) ?? [];
  return (
    <>
      <PageTitle title={t('rollout.plan.title')}>{t('rollout.plan.title')}</PageTitle>
      <p>{t('rollout.plan.intro')}</p>
      {plan.isPending ? <Loading /> : null}
      <ErrorAlert error={plan.error ?? staff.error} />
      {p ? (
        <>
          <PlanTimeline services={shown} />
          <LateSteps plan={p} />
          <div className="fr-grid-row fr-grid-row--gutters fr-mb-4w">
            <div className="fr-col-12 fr-col-lg-6">
              <NewStep establishment={establishment} services={p.services} people={staff.data?.people ?? []} />
            </div>
            <div className="fr-col-12 fr-col-lg-6">
              <NewObjective establishment={establishment} plan={p} />
            </div>
          </div>
          {shown.map((s) => (
            <ServicePlan key={s.key} establishment={establishment} service={s} axes={p.axes} />
          ))}
        </>
      ) : null}
    </>
  );
}

/** One row per service, its opening and its steps on a time axis (months); the tables below hold the same. */
function PlanTimeline({ services }: { services: PlanService[] }) {
  const { t, i18n } = useTranslation();
  const dates = services.flatMap((s) => [
    ...s.steps.map((x) => x.dueDate),
    ...(s.openingDate ? [s.openingDate] : []),
    ...(s.generalisationDate ? [s.generalisationDate] : []),
  ]);
  if (dates.length === 0) return null;
  const first = [...dates].sort()[0]!;
  const last = [...dates].sort().at(-1)!;
  const start = new Date(`${first.slice(0, 7)}-01T12:00:00Z`);
  const end = new Date(`${last.slice(0, 7)}-01T12:00:00Z`);
  end.setUTCMonth(end.getUTCMonth() + 1);
  const months: Date[] = [];
  for (const d = new Date(start); d < end; d.setUTCMonth(d.getUTCMonth() + 1)) months.push(new Date(d));
  const span = end.getTime() - start.getTime();
  const x = (iso: string) => `${(100 * (Date.parse(`${iso}T12:00:00Z`) - start.getTime())) / span}%`;
  const today = new Date().toISOString().slice(0, 10);
  const monthName = new Intl.DateTimeFormat(i18n.language.startsWith('en') ? 'en-GB' : 'fr-FR', {
    month: 'short',
    timeZone: 'UTC',
  });
  return (
    <figure className="preau-plan-timeline fr-mb-4w" data-testid="plan-timeline">
      <figcaption className="fr-text--bold fr-mb-1w">{t('rollout.plan.timeline')}</figcaption>
      <p className="fr-text--sm preau-muted">{t('rollout.plan.timelineHint')}</p>
      <div className="preau-plan-timeline__grid" aria-hidden="true">
        <div className="preau-plan-timeline__row preau-plan-timeline__months">
          <span className="preau-plan-timeline__label" />
          <span className="preau-plan-timeline__track">
            {months.map((m) => (
              <span
                key={m.toISOString()}
                className="preau-plan-timeline__month"
                style={{ left: x(m.toISOString().slice(0, 10)) }}
              >
                {monthName.format(m)}
              </span>
            ))}
          </span>
        </div>
        {services.map((s) => (
          <div key={s.key} className="preau-plan-timeline__row" data-timeline-service={s.key}>
            <span className="preau-plan-timeline__label">{s.name}</span>
            <span className="preau-plan-timeline__track">
              {today >= first && today <= last ? (
                <span className="preau-plan-timeline__today" style={{ left: x(today) }} />
              ) : null}
              {s.openingDate ? (
                <span
                  className="preau-plan-timeline__opening"
                  style={{ left: x(s.openingDate) }}
                  title={t('rollout.plan.opening')}
                />
              ) : null}
              {s.steps.map((step) => (
                <span
                  key={step.id}
                  className={`preau-plan-timeline__step preau-plan-timeline__step--${step.late ? 'late' : step.state}`}
                  style={{ left: x(step.dueDate) }}
                  title={`${step.title} — ${formatDate(step.dueDate, i18n.language)}`}
                />
              ))}
            </span>
          </div>
        ))}
      </div>
      <ul className="preau-plan-timeline__legend fr-text--xs">
        <li>
          <span className="preau-plan-timeline__step preau-plan-timeline__step--done" aria-hidden="true" />{' '}
          {t('rollout.step.state.done')}
        </li>
        <li>
          <span className="preau-plan-timeline__step preau-plan-timeline__step--todo" aria-hidden="true" />{' '}
          {t('rollout.plan.legendOpen')}
        </li>
        <li>
          <span className="preau-plan-timeline__step preau-plan-timeline__step--late" aria-hidden="true" />{' '}
          {t('rollout.step.late')}
        </li>
        <li>
          <span className="preau-plan-timeline__opening" aria-hidden="true" /> {t('rollout.plan.opening')}
        </li>
      </ul>
    </figure>
  );
}

function LateSteps({ plan }: { plan: RolloutPlan }) {
  const { t, i18n } = useTranslation();
  const name = (k: ServiceKey) => plan.services.find((s) => s.key === k)?.name ?? k;
  return (
    <section id="late" aria-labelledby="late-title" className="fr-mb-4w">
      <h2 id="late-title" className="fr-h4">
        {t('rollout.plan.lateTitle', { count: plan.lateSteps.length })}
      </h2>
      {plan.lateSteps.length === 0 ? (
        <p>{t('rollout.plan.noLate')}</p>
      ) : (
        <ul data-testid="late-steps">
          {plan.lateSteps.map((s) => (
            <li key={s.id}>
              <strong>{s.title}</strong> — {name(s.service)},{' '}
              {t('rollout.plan.dueOwner', { date: formatDate(s.dueDate, i18n.language), owner: s.ownerName })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function useInvalidate(establishment: string) {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: rolloutKey(establishment) });
}

const fieldState = (err: ApiError | null, path: string) =>
  err?.fieldError(path) ? { state: 'error' as const, stateRelatedMessage: err.fieldError(path) } : {};

function NewStep({
  establishment,
  services,
  people,
}: {
  establishment: string;
  services: PlanService[];
  people: { id: string; displayName: string }[];
}) {
  const { t } = useTranslation();
  const invalidate = useInvalidate(establishment);
  const [service, setService] = useState<ServiceKey>('logbook');
  const [title, setTitle] = useState('');
  const [ownerId, setOwnerId] = useState('');
  const [dueDate, setDueDate] = useState('');
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/steps', { body: { establishmentId: establishment, service, title, ownerId, dueDate } }),
    onSuccess: async () => {
      setTitle('');
      setDueDate('');
      await invalidate();
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form
      onSubmit={submit}
      noValidate
      className="preau-card fr-p-3w"
      aria-labelledby="new-step-title"
      data-testid="new-step"
    >
      <h2 id="new-step-title" className="fr-h5">
        {t('rollout.plan.newStep')}
      </h2>
      {err && !err.problem.errors ? <ErrorAlert error={err} /> : null}
      <Select
        label={t('rollout.plan.service')}
        nativeSelectProps={{
          name: 'service',
          value: service,
          onChange: (e) => setService(e.target.value as ServiceKey),
        }}
      >
        {services.map((s) => (
          <option key={s.key} value={s.key}>
            {s.name}
          </option>
        ))}
      </Select>
      <Input
        label={t('rollout.plan.stepTitle')}
        hintText={t('rollout.plan.stepTitleHint')}
        nativeInputProps={{ name: 'title', value: title, onChange: (e) => setTitle(e.target.value) }}
        {...fieldState(err, 'title')}
      />
      <Select
        label={t('rollout.plan.owner')}
        nativeSelectProps={{ name: 'ownerId', value: ownerId, onChange: (e) => setOwnerId(e.target.value) }}
        {...fieldState(err, 'ownerId')}
      >
        <option value="" disabled>
          {t('rollout.common.choose')}
        </option>
        {people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.displayName}
          </option>
        ))}
      </Select>
      <Input
        label={t('rollout.plan.dueDate')}
        nativeInputProps={{
          type: 'date',
          name: 'dueDate',
          value: dueDate,
          onChange: (e) => setDueDate(e.target.value),
        }}
        {...fieldState(err, 'dueDate')}
      />
      <Button type="submit" disabled={create.isPending} iconId="fr-icon-add-line">
        {t('rollout.plan.addStep')}
      </Button>
    </form>
  );
}

function NewObjective({ establishment, plan }: { establishment: string; plan: RolloutPlan }) {
  const { t } = useTranslation();
  const invalidate = useInvalidate(establishment);
  const [service, setService] = useState<ServiceKey>('logbook');
  const [indicator, setIndicator] = useState(plan.indicators[0]?.key ?? '');
  const [target, setTarget] = useState('');
  const [dueDate, setDueDate] = useState('');
  const [estAxis, setEstAxis] = useState('');
  const [academyAxis, setAcademyAxis] = useState('');
  const unit = plan.indicators.find((i) => i.key === indicator)?.unit ?? 'rate';
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/objectives', {
        body: {
          establishmentId: establishment,
          service,
          indicator,
          // A rate is typed as a percentage and sent as a share (80 → 0.8).
          target: unit === 'rate' ? Number(target.replace(',', '.')) / 100 : Number(target.replace(',', '.')),
          dueDate,
          establishmentAxisId: estAxis || null,
          academyAxisId: academyAxis || null,
        },
      }),
    onSuccess: async () => {
      setTarget('');
      setDueDate('');
      await invalidate();
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const axesOf = (scope: 'establishment' | 'academy') => plan.axes.filter((a) => a.scope === scope);
  return (
    <form
      onSubmit={submit}
      noValidate
      className="preau-card fr-p-3w"
      aria-labelledby="new-objective-title"
      data-testid="new-objective"
    >
      <h2 id="new-objective-title" className="fr-h5">
        {t('rollout.plan.newObjective')}
      </h2>
      {err && !err.problem.errors ? <ErrorAlert error={err} /> : null}
      <Select
        label={t('rollout.plan.service')}
        nativeSelectProps={{
          name: 'service',
          value: service,
          onChange: (e) => setService(e.target.value as ServiceKey),
        }}
      >
        {plan.services.map((s) => (
          <option key={s.key} value={s.key}>
            {s.name}
          </option>
        ))}
      </Select>
      <Select
        label={t('rollout.plan.indicator')}
        nativeSelectProps={{ name: 'indicator', value: indicator, onChange: (e) => setIndicator(e.target.value) }}
        {...fieldState(err, 'indicator')}
      >
        {plan.indicators.map((i) => (
          <option key={i.key} value={i.key}>
            {i.label}
          </option>
        ))}
      </Select>
      <Input
        label={unit === 'rate' ? t('rollout.plan.targetRate') : t('rollout.plan.targetCount')}
        nativeInputProps={{
          name: 'target',
          inputMode: 'decimal',
          value: target,
          onChange: (e) => setTarget(e.target.value),
        }}
        {...fieldState(err, 'target')}
      />
      <Input
        label={t('rollout.plan.dueDate')}
        nativeInputProps={{
          type: 'date',
          name: 'dueDate',
          value: dueDate,
          onChange: (e) => setDueDate(e.target.value),
        }}
        {...fieldState(err, 'dueDate')}
      />
      {axesOf('establishment').length ? (
        <Select
          label={t('rollout.plan.establishmentAxis')}
          nativeSelectProps={{
            name: 'establishmentAxisId',
            value: estAxis,
            onChange: (e) => setEstAxis(e.target.value),
          }}
        >
          <option value="">{t('rollout.common.none')}</option>
          {axesOf('establishment').map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </Select>
      ) : null}
      {axesOf('academy').length ? (
        <Select
          label={t('rollout.plan.academyAxis')}
          nativeSelectProps={{
            name: 'academyAxisId',
            value: academyAxis,
            onChange: (e) => setAcademyAxis(e.target.value),
          }}
        >
          <option value="">{t('rollout.common.none')}</option>
          {axesOf('academy').map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </Select>
      ) : null}
      <Button type="submit" disabled={create.isPending} iconId="fr-icon-add-line">
        {t('rollout.plan.addObjective')}
      </Button>
    </form>
  );
}

function ServicePlan({
  establishment,
  service,
  axes,
}: {
  establishment: string;
  service: PlanService;
  axes: RolloutPlan['axes'];
}) {
  const { t, i18n } = useTranslation();
  const headingId = `plan-${service.key}`;
  return (
    <section aria-labelledby={headingId} className="fr-mb-5w" data-plan-service={service.key}>
      <h2 id={headingId} className="fr-h4">
        {service.name}{' '}
        <Badge as="span" small noIcon severity={service.status === 'closed' ? undefined : 'success'}>
          {t(`services.status.${service.status}`)}
        </Badge>
      </h2>
      <p className="fr-text--sm">
        {t('rollout.plan.dates', {
          opening: service.openingDate ? formatDate(service.openingDate, i18n.language) : t('rollout.plan.noDate'),
          generalisation: service.generalisationDate
            ? formatDate(service.generalisationDate, i18n.language)
            : t('rollout.plan.noDate'),
        })}
      </p>
      {service.tools.length ? (
        <p className="fr-text--sm">
          {t('rollout.plan.tools')}{' '}
          {service.tools
            .map(
              (tool) =>
                `${tool.name} (${t(`rollout.tool.decision.${tool.decision}`)}${tool.decisionDate ? `, ${formatDate(tool.decisionDate, i18n.language)}` : ''})`,
            )
            .join(' ; ')}
        </p>
      ) : null}
      {service.steps.length ? <StepsTable establishment={establishment} service={service} /> : null}
      {service.objectives.length ? (
        <ObjectivesTable establishment={establishment} service={service} axes={axes} />
      ) : null}
    </section>
  );
}

function StepsTable({ establishment, service }: { establishment: string; service: PlanService }) {
  const { t, i18n } = useTranslation();
  const invalidate = useInvalidate(establishment);
  const update = useMutation({
    mutationFn: ({ id, state }: { id: string; state: StepState }) =>
      call('PATCH /api/rollout/steps/:id', { params: { id }, body: { state } }),
    onSuccess: invalidate,
  });
  const remove = useMutation({
    mutationFn: (id: string) => call('DELETE /api/rollout/steps/:id', { params: { id } }),
    onSuccess: invalidate,
  });
  return (
    <>
      <ErrorAlert error={update.error ?? remove.error} />
      <Table
        caption={t('rollout.plan.stepsOf', { service: service.name })}
        showCaption
        className="fr-table--sm preau-table-wrap"
      >
        <thead>
          <tr>
            <th scope="col">{t('rollout.plan.stepTitle')}</th>
            <th scope="col">{t('rollout.plan.owner')}</th>
            <th scope="col">{t('rollout.plan.dueDate')}</th>
            <th scope="col">{t('rollout.plan.state')}</th>
            <th scope="col">
              <span className="fr-sr-only">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {service.steps.map((s: Step) => (
            <tr key={s.id} data-step={s.title}>
              <th scope="row">{s.title}</th>
              <td>{s.ownerName}</td>
              <td className="preau-nowrap">
                {formatDate(s.dueDate, i18n.language)} {s.late ? <StepStateBadge state={s.state} late /> : null}
              </td>
              <td>
                <label className="fr-sr-only" htmlFor={`state-${s.id}`}>
                  {t('rollout.plan.stateOf', { title: s.title })}
                </label>
                <select
                  id={`state-${s.id}`}
                  className="fr-select"
                  value={s.state}
                  onChange={(e) => update.mutate({ id: s.id, state: e.target.value as StepState })}
                >
                  {STATES.map((x) => (
                    <option key={x} value={x}>
                      {t(`rollout.step.state.${x}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <Button
                  size="small"
                  priority="tertiary"
                  iconId="fr-icon-delete-line"
                  title={t('rollout.plan.removeStep', { title: s.title })}
                  onClick={() => remove.mutate(s.id)}
                >
                  {t('rollout.common.delete')}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}

function ObjectivesTable({
  establishment,
  service,
  axes,
}: {
  establishment: string;
  service: PlanService;
  axes: RolloutPlan['axes'];
}) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const invalidate = useInvalidate(establishment);
  const remove = useMutation({
    mutationFn: (id: string) => call('DELETE /api/rollout/objectives/:id', { params: { id } }),
    onSuccess: invalidate,
  });
  const value = (o: Objective, v: number | null) => (o.unit === 'rate' ? f.share(v) : f.number(v));
  const axis = (id: string | null) => axes.find((a) => a.id === id)?.label;
  return (
    <>
      <ErrorAlert error={remove.error} />
      <Table
        caption={t('rollout.plan.objectivesOf', { service: service.name })}
        showCaption
        className="fr-table--sm preau-table-wrap"
      >
        <thead>
          <tr>
            <th scope="col">{t('rollout.plan.indicator')}</th>
            <th scope="col">{t('rollout.plan.target')}</th>
            <th scope="col">{t('rollout.plan.current')}</th>
            <th scope="col">{t('rollout.plan.trend')}</th>
            <th scope="col">{t('rollout.plan.dueDate')}</th>
            <th scope="col">{t('rollout.plan.axes')}</th>
            <th scope="col">
              <span className="fr-sr-only">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {service.objectives.map((o) => (
            <tr key={o.id} data-objective={o.indicator}>
              <th scope="row">{o.label}</th>
              <td>{value(o, o.target)}</td>
              <td data-testid="objective-current">
                {value(o, o.current)}{' '}
                {o.reached ? (
                  <Badge as="span" small severity="success">
                    {t('rollout.plan.reached')}
                  </Badge>
                ) : null}
              </td>
              <td>
                <Trend trend={o.trend} />
              </td>
              <td className="preau-nowrap">{formatDate(o.dueDate, i18n.language)}</td>
              <td className="fr-text--sm">
                {[axis(o.establishmentAxisId), axis(o.academyAxisId)].filter(Boolean).join(' ; ') || '—'}
              </td>
              <td>
                <Button
                  size="small"
                  priority="tertiary"
                  iconId="fr-icon-delete-line"
                  title={t('rollout.plan.removeObjective', { label: o.label })}
                  onClick={() => remove.mutate(o.id)}
                >
                  {t('rollout.common.delete')}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}
