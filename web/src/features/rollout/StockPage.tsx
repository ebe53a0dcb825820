import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { SERVICE_KEYS, type ServiceKey, TOOL_CATEGORIES } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, call } from '../../app/api.ts';
import { formatDate } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { rolloutKey, useEstablishmentId } from './rollout.api.ts';

const LEVELS = [1, 2, 3, 4] as const;

/** Taking stock before opening: the tools already in use and the decision, the risk register, the axes. */
export function StockPage() {
  const { t, i18n } = useTranslation();
  const establishment = useEstablishmentId();
  const qc = useQueryClient();
  const invalidate = () => qc.invalidateQueries({ queryKey: rolloutKey(establishment) });
  const stock = useQuery({
    queryKey: rolloutKey(establishment, 'stock'),
    queryFn: () => call('GET /api/rollout/stock', { query: { establishment } }),
  });
  const staff = useQuery({
    queryKey: rolloutKey(establishment, 'staff'),
    queryFn: () => call('GET /api/rollout/staff', { query: { establishment } }),
  });
  const review = useMutation({
    mutationFn: (id: string) => call('PATCH /api/rollout/risks/:id', { params: { id }, body: { reviewed: true } }),
    onSuccess: invalidate,
  });
  const decide = useMutation({
    mutationFn: ({ id, decision }: { id: string; decision: 'undecided' | 'integrate' | 'move' }) =>
      call('PATCH /api/rollout/tools/:id', { params: { id }, body: { decision } }),
    onSuccess: invalidate,
  });
  const s = stock.data;
  return (
    <>
      <PageTitle title={t('rollout.stock.title')}>{t('rollout.stock.title')}</PageTitle>
      <p>{t('rollout.stock.intro')}</p>
      {stock.isPending ? <Loading /> : null}
      <ErrorAlert error={stock.error ?? review.error ?? decide.error} />
      {s ? (
        <>
          <section aria-labelledby="tools-title" className="fr-mb-5w">
            <h2 id="tools-title" className="fr-h4">
              {t('rollout.stock.tools')}
            </h2>
            <Table caption={t('rollout.stock.toolsCaption')} className="fr-table--sm preau-table-wrap">
              <thead>
                <tr>
                  <th scope="col">{t('rollout.tool.name')}</th>
                  <th scope="col">{t('rollout.tool.usage')}</th>
                  <th scope="col">{t('rollout.tool.value')}</th>
                  <th scope="col">{t('rollout.tool.decisionTitle')}</th>
                  <th scope="col">{t('rollout.tool.notes')}</th>
                </tr>
              </thead>
              <tbody>
                {s.tools.map((tool) => (
                  <tr key={tool.id}>
                    <th scope="row">
                      {tool.name}
                      <span className="preau-block fr-text--xs preau-muted">
                        {t(`rollout.tool.category.${tool.category}`)}
                        {tool.service ? ` → ${t(`rollout.services.${tool.service}`)}` : ''}
                      </span>
                    </th>
                    <td>
                      {t(`rollout.tool.frequency.${tool.frequency}`)}
                      {tool.users !== null ? (
                        <span className="preau-block fr-text--xs">
                          {t('rollout.tool.users', { count: tool.users })}
                        </span>
                      ) : null}
                    </td>
                    <td>{t(`rollout.tool.teachingValue.${tool.teachingValue}`)}</td>
                    <td>
                      <label className="fr-sr-only" htmlFor={`decision-${tool.id}`}>
                        {t('rollout.tool.decisionOf', { name: tool.name })}
                      </label>
                      <select
                        id={`decision-${tool.id}`}
                        className="fr-select"
                        value={tool.decision}
                        onChange={(e) => decide.mutate({ id: tool.id, decision: e.target.value as 'move' })}
                      >
                        {(['undecided', 'integrate', 'move'] as const).map((x) => (
                          <option key={x} value={x}>
                            {t(`rollout.tool.decision.${x}`)}
                          </option>
                        ))}
                      </select>
                      {tool.decisionDate ? (
                        <span className="preau-block fr-text--xs">{formatDate(tool.decisionDate, i18n.language)}</span>
                      ) : null}
                    </td>
                    <td className="fr-text--sm">{tool.notes || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <NewTool establishment={establishment} onDone={invalidate} />
          </section>

          <section aria-labelledby="risks-title" className="fr-mb-5w">
            <h2 id="risks-title" className="fr-h4">
              {t('rollout.stock.risks')}
            </h2>
            <Table caption={t('rollout.stock.risksCaption')} className="fr-table--sm preau-table-wrap">
              <thead>
                <tr>
                  <th scope="col">{t('rollout.risk.title')}</th>
                  <th scope="col">{t('rollout.risk.score')}</th>
                  <th scope="col">{t('rollout.risk.owner')}</th>
                  <th scope="col">{t('rollout.risk.mitigation')}</th>
                  <th scope="col">{t('rollout.risk.reviewed')}</th>
                </tr>
              </thead>
              <tbody>
                {s.risks.map((r) => (
                  <tr key={r.id} data-risk-status={r.status}>
                    <th scope="row">
                      {r.title}
                      {r.status === 'closed' ? (
                        <span className="preau-block fr-text--xs preau-muted">{t('rollout.risk.closed')}</span>
                      ) : null}
                    </th>
                    <td className="preau-nowrap">
                      {t('rollout.risk.scoreValue', {
                        likelihood: r.likelihood,
                        impact: r.impact,
                        score: r.likelihood * r.impact,
                      })}
                    </td>
                    <td>{r.owner?.displayName ?? '—'}</td>
                    <td className="fr-text--sm">{r.mitigation || '—'}</td>
                    <td>
                      {r.reviewedAt ? formatDate(r.reviewedAt, i18n.language) : t('rollout.risk.never')}
                      <Button
                        size="small"
                        priority="tertiary"
                        onClick={() => review.mutate(r.id)}
                        title={t('rollout.risk.reviewOf', { title: r.title })}
                      >
                        {t('rollout.risk.review')}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <NewRisk establishment={establishment} people={staff.data?.people ?? []} onDone={invalidate} />
          </section>

          <section aria-labelledby="axes-title" className="fr-mb-5w">
            <h2 id="axes-title" className="fr-h4">
              {t('rollout.stock.axes')}
            </h2>
            <ul>
              {s.axes.map((a) => (
                <li key={a.id}>
                  {a.label} <span className="preau-muted fr-text--sm">({t(`rollout.axis.${a.scope}`)})</span>
                </li>
              ))}
            </ul>
            <NewAxis establishment={establishment} onDone={invalidate} />
          </section>
        </>
      ) : null}
    </>
  );
}

const fieldState = (err: ApiError | null, path: string) =>
  err?.fieldError(path) ? { state: 'error' as const, stateRelatedMessage: err.fieldError(path) } : {};

function NewTool({ establishment, onDone }: { establishment: string; onDone: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({
    name: '',
    category: 'other' as (typeof TOOL_CATEGORIES)[number],
    service: '' as ServiceKey | '',
    users: '',
    frequency: 'weekly' as 'daily' | 'weekly' | 'monthly' | 'rare',
    teachingValue: 'medium' as 'low' | 'medium' | 'high',
    decision: 'undecided' as 'undecided' | 'integrate' | 'move',
    decisionDate: '',
  });
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/tools', {
        body: {
          establishmentId: establishment,
          name: form.name,
          category: form.category,
          service: form.service || null,
          users: form.users ? Number(form.users) : null,
          frequency: form.frequency,
          teachingValue: form.teachingValue,
          decision: form.decision,
          decisionDate: form.decisionDate || null,
        },
      }),
    onSuccess: async () => {
      setForm({ ...form, name: '', users: '', decisionDate: '' });
      await onDone();
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <details className="fr-mt-2w">
      <summary>{t('rollout.stock.addTool')}</summary>
      <form onSubmit={submit} noValidate className="preau-card fr-p-3w" aria-label={t('rollout.stock.addTool')}>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <Input
              label={t('rollout.tool.name')}
              nativeInputProps={{ name: 'name', value: form.name, onChange: set('name') }}
              {...fieldState(err, 'name')}
            />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <Select
              label={t('rollout.tool.categoryTitle')}
              nativeSelectProps={{ name: 'category', value: form.category, onChange: set('category') }}
            >
              {TOOL_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(`rollout.tool.category.${c}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <Select
              label={t('rollout.tool.service')}
              nativeSelectProps={{ name: 'service', value: form.service, onChange: set('service') }}
            >
              <option value="">{t('rollout.common.none')}</option>
              {SERVICE_KEYS.map((k) => (
                <option key={k} value={k}>
                  {t(`rollout.services.${k}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <Input
              label={t('rollout.tool.usersLabel')}
              nativeInputProps={{ name: 'users', inputMode: 'numeric', value: form.users, onChange: set('users') }}
              {...fieldState(err, 'users')}
            />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <Select
              label={t('rollout.tool.frequencyTitle')}
              nativeSelectProps={{ name: 'frequency', value: form.frequency, onChange: set('frequency') }}
            >
              {(['daily', 'weekly', 'monthly', 'rare'] as const).map((x) => (
                <option key={x} value={x}>
                  {t(`rollout.tool.frequency.${x}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <Select
              label={t('rollout.tool.value')}
              nativeSelectProps={{ name: 'teachingValue', value: form.teachingValue, onChange: set('teachingValue') }}
            >
              {(['low', 'medium', 'high'] as const).map((x) => (
                <option key={x} value={x}>
                  {t(`rollout.tool.teachingValue.${x}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <Select
              label={t('rollout.tool.decisionTitle')}
              nativeSelectProps={{ name: 'decision', value: form.decision, onChange: set('decision') }}
            >
              {(['undecided', 'integrate', 'move'] as const).map((x) => (
                <option key={x} value={x}>
                  {t(`rollout.tool.decision.${x}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <Input
              label={t('rollout.tool.decisionDate')}
              nativeInputProps={{
                type: 'date',
                name: 'decisionDate',
                value: form.decisionDate,
                onChange: set('decisionDate'),
              }}
            />
          </div>
        </div>
        <Button type="submit" disabled={create.isPending}>
          {t('rollout.stock.addTool')}
        </Button>
      </form>
    </details>
  );
}

function NewRisk({
  establishment,
  people,
  onDone,
}: {
  establishment: string;
  people: { id: string; displayName: string }[];
  onDone: () => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ title: '', likelihood: '2', impact: '2', ownerId: '', mitigation: '' });
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/risks', {
        body: {
          establishmentId: establishment,
          title: form.title,
          likelihood: Number(form.likelihood),
          impact: Number(form.impact),
          ownerId: form.ownerId || null,
          mitigation: form.mitigation,
        },
      }),
    onSuccess: async () => {
      setForm({ ...form, title: '', mitigation: '' });
      await onDone();
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <details className="fr-mt-2w">
      <summary>{t('rollout.stock.addRisk')}</summary>
      <form onSubmit={submit} noValidate className="preau-card fr-p-3w" aria-label={t('rollout.stock.addRisk')}>
        <Input
          label={t('rollout.risk.title')}
          nativeInputProps={{ name: 'title', value: form.title, onChange: set('title') }}
          {...fieldState(err, 'title')}
        />
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-6">
            <Select
              label={t('rollout.risk.likelihood')}
              nativeSelectProps={{ name: 'likelihood', value: form.likelihood, onChange: set('likelihood') }}
            >
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {t(`rollout.risk.level.${l}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-6">
            <Select
              label={t('rollout.risk.impact')}
              nativeSelectProps={{ name: 'impact', value: form.impact, onChange: set('impact') }}
            >
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {t(`rollout.risk.level.${l}`)}
                </option>
              ))}
            </Select>
          </div>
        </div>
        <Select
          label={t('rollout.risk.owner')}
          nativeSelectProps={{ name: 'ownerId', value: form.ownerId, onChange: set('ownerId') }}
        >
          <option value="">{t('rollout.common.none')}</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.displayName}
            </option>
          ))}
        </Select>
        <Input
          label={t('rollout.risk.mitigation')}
          textArea
          nativeTextAreaProps={{ name: 'mitigation', value: form.mitigation, onChange: set('mitigation'), rows: 3 }}
        />
        <Button type="submit" disabled={create.isPending}>
          {t('rollout.stock.addRisk')}
        </Button>
      </form>
    </details>
  );
}

function NewAxis({ establishment, onDone }: { establishment: string; onDone: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const [label, setLabel] = useState('');
  const create = useMutation({
    mutationFn: () => call('POST /api/rollout/axes', { body: { establishmentId: establishment, label } }),
    onSuccess: async () => {
      setLabel('');
      await onDone();
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="preau-narrow" aria-label={t('rollout.stock.addAxis')}>
      <Input
        label={t('rollout.stock.axisLabel')}
        nativeInputProps={{ name: 'label', value: label, onChange: (e) => setLabel(e.target.value) }}
        {...fieldState(err, 'label')}
      />
      <Button type="submit" priority="secondary" disabled={create.isPending}>
        {t('rollout.stock.addAxis')}
      </Button>
    </form>
  );
}
