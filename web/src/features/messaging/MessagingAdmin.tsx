import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import {
  ESTABLISHMENT_PROFILES,
  type EstablishmentProfile,
  type MessagingSettings,
  RECIPIENT_CATEGORIES,
  type Rules,
  type StructureRule,
} from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { call } from '../../app/api.ts';
import { formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';

type Level = 'none' | 'related' | 'all';
const RELATING = ['student', 'guardian', 'teacher'];

/**
 * The direction's messaging page: who may write to whom (levels per profile pair, adjustments per class or group,
 * the rules in plain words), the suspension switch and the caps, the alerts of unusual mass sending and the purge.
 */
export function MessagingAdmin() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const title = t('messaging.admin.title');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <RulesSection establishment={id} />
      <SettingsSection establishment={id} />
      <ModerationSection establishment={id} />
    </>
  );
}

function RulesSection({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const rules = useQuery({
    queryKey: ['messaging', 'rules', establishment],
    queryFn: () => call('GET /api/messaging/rules', { query: { establishment } }),
  });
  const [levels, setLevels] = useState<Map<string, Level>>(new Map());
  const [structures, setStructures] = useState<Rules['structures']>([]);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!rules.data) return;
    setLevels(new Map(rules.data.levels.map((l) => [`${l.from}:${l.to}`, l.level])));
    setStructures(rules.data.structures);
  }, [rules.data]);
  const save = useMutation({
    mutationFn: () =>
      call('PUT /api/messaging/rules', {
        body: {
          establishmentId: establishment,
          levels: [...levels.entries()].map(([k, level]) => {
            const [from, to] = k.split(':') as [EstablishmentProfile, (typeof RECIPIENT_CATEGORIES)[number]];
            return { from, to, level };
          }),
          structures: structures.map(({ label: _label, ...s }) => s),
        },
      }),
    onSuccess: (data) => {
      qc.setQueryData(['messaging', 'rules', establishment], data);
      setSaved(true);
    },
  });
  const [adj, setAdj] = useState<{
    structure: string;
    from: StructureRule['from'];
    to: StructureRule['to'];
    allowed: boolean;
  }>({
    structure: '',
    from: 'student',
    to: 'student',
    allowed: true,
  });
  if (rules.isPending) return <Loading />;
  if (!rules.data) return <ErrorAlert error={rules.error} />;
  const defaults = new Map(rules.data.levels.map((l) => [`${l.from}:${l.to}`, l.default]));
  return (
    <section aria-labelledby="rules-title" className="fr-mb-6w">
      <h2 id="rules-title" className="fr-h4">
        {t('messaging.admin.rulesTitle')}
      </h2>
      <h3 className="fr-h6">{t('messaging.admin.summary')}</h3>
      <ul data-testid="rules-summary">
        {rules.data.summary.map((s) => (
          <li key={s.profile}>{s.text}</li>
        ))}
      </ul>
      <p>{t('messaging.admin.rulesIntro')}</p>
      <Table caption={t('messaging.admin.rulesTitle')} className="preau-rules">
        <thead>
          <tr>
            <th scope="col">{t('messaging.admin.from')}</th>
            {RECIPIENT_CATEGORIES.map((c) => (
              <th key={c} scope="col">
                {t(`messaging.admin.categories.${c}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ESTABLISHMENT_PROFILES.map((p) => (
            <tr key={p}>
              <th scope="row" id={`from-${p}`}>
                {t(`messaging.admin.fromProfiles.${p}`)}
              </th>
              {RECIPIENT_CATEGORIES.map((c) => {
                const key = `${p}:${c}`;
                const options: Level[] = RELATING.includes(p) ? ['none', 'related', 'all'] : ['none', 'all'];
                return (
                  <td key={c}>
                    <select
                      className="fr-select"
                      aria-label={`${t(`messaging.admin.fromProfiles.${p}`)} → ${t(`messaging.admin.categories.${c}`)}`}
                      value={levels.get(key) ?? 'none'}
                      data-rule={key}
                      onChange={(e) => {
                        setSaved(false);
                        setLevels(new Map(levels).set(key, e.target.value as Level));
                      }}
                    >
                      {options.map((o) => (
                        <option key={o} value={o}>
                          {t(`messaging.admin.levels.${o}`)}
                          {defaults.get(key) === o ? ' *' : ''}
                        </option>
                      ))}
                    </select>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </Table>
      <p className="fr-hint-text">{t('messaging.admin.defaultMark')}</p>

      <h3 className="fr-h6 fr-mt-3w">{t('messaging.admin.structuresTitle')}</h3>
      <p>{t('messaging.admin.structuresIntro')}</p>
      {structures.length === 0 ? <p>{t('messaging.admin.noAdjustment')}</p> : null}
      <ul>
        {structures.map((s, i) => (
          <li key={`${s.structure.id}:${s.from}:${s.to}`}>
            {s.label} — {t(`messaging.admin.fromProfiles.${s.from}`)} → {t(`messaging.admin.categories.${s.to}`)} :{' '}
            <strong>{s.allowed ? t('messaging.admin.allowed') : t('messaging.admin.forbidden')}</strong>{' '}
            <Button
              size="small"
              priority="tertiary"
              onClick={() => setStructures(structures.filter((_, j) => j !== i))}
            >
              {t('messaging.admin.removeAdjustment')}
            </Button>
          </li>
        ))}
      </ul>
      <div className="preau-inline-form">
        <Select
          label={t('messaging.admin.structure')}
          nativeSelectProps={{ value: adj.structure, onChange: (e) => setAdj({ ...adj, structure: e.target.value }) }}
        >
          <option value="">—</option>
          {rules.data.classes.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </Select>
        <Select
          label={t('messaging.admin.structureFrom')}
          nativeSelectProps={{
            value: adj.from,
            onChange: (e) => setAdj({ ...adj, from: e.target.value as 'student' | 'guardian' }),
          }}
        >
          <option value="student">{t('messaging.admin.fromProfiles.student')}</option>
          <option value="guardian">{t('messaging.admin.fromProfiles.guardian')}</option>
        </Select>
        <Select
          label={t('messaging.admin.structureTo')}
          nativeSelectProps={{
            value: adj.to,
            onChange: (e) => setAdj({ ...adj, to: e.target.value as StructureRule['to'] }),
          }}
        >
          <option value="student">{t('messaging.admin.categories.student')}</option>
          <option value="guardian">{t('messaging.admin.categories.guardian')}</option>
          <option value="teacher">{t('messaging.admin.categories.teacher')}</option>
        </Select>
        <Select
          label={t('messaging.admin.allowed')}
          nativeSelectProps={{
            value: adj.allowed ? '1' : '0',
            onChange: (e) => setAdj({ ...adj, allowed: e.target.value === '1' }),
          }}
        >
          <option value="1">{t('messaging.admin.allowed')}</option>
          <option value="0">{t('messaging.admin.forbidden')}</option>
        </Select>
        <Button
          priority="secondary"
          disabled={!adj.structure}
          onClick={() => {
            const c = rules.data.classes.find((x) => x.id === adj.structure);
            if (!c) return;
            setSaved(false);
            setStructures([
              ...structures.filter((s) => !(s.structure.id === c.id && s.from === adj.from && s.to === adj.to)),
              {
                structure: { type: c.type, id: c.id },
                from: adj.from,
                to: adj.to,
                allowed: adj.allowed,
                label: c.label,
              },
            ]);
          }}
        >
          {t('messaging.admin.addAdjustment')}
        </Button>
      </div>
      <ErrorAlert error={save.error} />
      {saved ? (
        <div role="status" className="fr-my-2w">
          <Alert severity="success" small description={t('messaging.admin.rulesSaved')} />
        </div>
      ) : null}
      <Button className="fr-mt-2w" onClick={() => save.mutate()} disabled={save.isPending}>
        {t('messaging.admin.saveRules')}
      </Button>
    </section>
  );
}

function SettingsSection({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const settings = useQuery({
    queryKey: ['messaging', 'settings', establishment],
    queryFn: () => call('GET /api/messaging/settings', { query: { establishment } }),
  });
  const [draft, setDraft] = useState<MessagingSettings | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    if (settings.data) setDraft(settings.data);
  }, [settings.data]);
  const save = useMutation({
    mutationFn: (body: Partial<MessagingSettings>) =>
      call('PUT /api/messaging/settings', { body: { establishmentId: establishment, ...body } }),
    onSuccess: (data) => qc.setQueryData(['messaging', 'settings', establishment], data),
  });
  if (!draft) return settings.error ? <ErrorAlert error={settings.error} /> : <Loading />;
  const cap = (p: EstablishmentProfile, k: keyof MessagingSettings['caps'][EstablishmentProfile], label: string) => (
    <Input
      label={label}
      hintText={t('messaging.admin.unlimited')}
      nativeInputProps={{
        type: 'number',
        min: 1,
        value: draft.caps[p][k] ?? '',
        onChange: (e) =>
          setDraft({
            ...draft,
            caps: {
              ...draft.caps,
              [p]: { ...draft.caps[p], [k]: e.target.value === '' ? null : Number(e.target.value) },
            },
          }),
      }}
    />
  );
  return (
    <>
      <section aria-labelledby="suspend-title" className="fr-mb-6w">
        <h2 id="suspend-title" className="fr-h4">
          {t('messaging.admin.suspendTitle')}
        </h2>
        <p>{t('messaging.admin.suspendIntro')}</p>
        <Checkbox
          legend={t('messaging.admin.suspended')}
          orientation="horizontal"
          options={ESTABLISHMENT_PROFILES.map((p) => ({
            label: t(`messaging.admin.fromProfiles.${p}`),
            nativeInputProps: {
              name: 'suspended',
              value: p,
              checked: draft.suspendedProfiles.includes(p),
              onChange: (e) =>
                setDraft({
                  ...draft,
                  suspendedProfiles: e.target.checked
                    ? [...draft.suspendedProfiles, p]
                    : draft.suspendedProfiles.filter((x) => x !== p),
                }),
            },
          }))}
        />
        {saved === 'suspension' ? (
          <div role="status" className="fr-mb-2w">
            <Alert severity="success" small description={t('messaging.admin.suspensionSaved')} />
          </div>
        ) : null}
        <Button
          priority="primary"
          iconId="fr-icon-pause-circle-line"
          onClick={() =>
            save.mutate({ suspendedProfiles: draft.suspendedProfiles }, { onSuccess: () => setSaved('suspension') })
          }
        >
          {t('messaging.admin.applySuspension')}
        </Button>
      </section>
      <section aria-labelledby="caps-title" className="fr-mb-6w">
        <h2 id="caps-title" className="fr-h4">
          {t('messaging.admin.capsTitle')}
        </h2>
        {ESTABLISHMENT_PROFILES.map((p) => (
          <fieldset key={p} className="fr-fieldset">
            <legend className="fr-fieldset__legend fr-text--regular">{t(`messaging.admin.fromProfiles.${p}`)}</legend>
            <div className="fr-fieldset__element fr-fieldset__element--inline">
              {cap(p, 'recipientsPerMessage', t('messaging.admin.perMessage'))}
            </div>
            <div className="fr-fieldset__element fr-fieldset__element--inline">
              {cap(p, 'messagesPerHour', t('messaging.admin.perHour'))}
            </div>
            <div className="fr-fieldset__element fr-fieldset__element--inline">
              {cap(p, 'alertRecipientsPerHour', t('messaging.admin.alertAt'))}
            </div>
          </fieldset>
        ))}
        <ErrorAlert error={save.error} />
        <Button priority="secondary" onClick={() => save.mutate({ caps: draft.caps })}>
          {t('messaging.admin.saveCaps')}
        </Button>
      </section>
    </>
  );
}

function ModerationSection({ establishment }: { establishment: string }) {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const sender = params.get('sender') ?? undefined;
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const mod = useQuery({
    queryKey: ['messaging', 'moderation', establishment, sender],
    queryFn: () => call('GET /api/messaging/moderation', { query: { establishment, sender } }),
  });
  const purge = useMutation({
    mutationFn: (id: string) => call('POST /api/messaging/messages/:id/purge', { params: { id }, body: { reason } }),
    onSuccess: (r) => {
      setDone(t('messaging.admin.purged', { count: r.removedFrom }));
      void qc.invalidateQueries({ queryKey: ['messaging', 'moderation'] });
    },
  });
  return (
    <section aria-labelledby="moderation-title" className="fr-mb-6w">
      <h2 id="moderation-title" className="fr-h4">
        {t('messaging.admin.alertsTitle')}
      </h2>
      {mod.isPending ? <Loading /> : null}
      <ErrorAlert error={mod.error ?? purge.error} />
      {mod.data && mod.data.alerts.length === 0 ? <EmptyState>{t('messaging.admin.noAlert')}</EmptyState> : null}
      <ul>
        {mod.data?.alerts.map((a) => (
          <li key={a.id}>
            {formatDateTime(a.at, i18n.language)} —{' '}
            {t('messaging.admin.alertLine', {
              name: a.sender.displayName,
              profile: t(`profiles.${a.profile}`),
              reason: a.reason,
              messages: a.messages,
              recipients: a.recipients,
            })}{' '}
            <Button size="small" priority="tertiary" onClick={() => setParams({ sender: a.sender.id })}>
              {t('messaging.admin.showMessages')}
            </Button>
          </li>
        ))}
      </ul>
      <h3 className="fr-h5 fr-mt-3w">{t('messaging.admin.messagesTitle')}</h3>
      <p>{t('messaging.admin.messagesIntro')}</p>
      <Input
        label={t('messaging.admin.purgeReason')}
        nativeInputProps={{ value: reason, onChange: (e) => setReason(e.target.value), maxLength: 500 }}
      />
      {done ? (
        <div role="status" className="fr-mb-2w">
          <Alert severity="success" small description={done} />
        </div>
      ) : null}
      {mod.data && mod.data.messages.length === 0 ? <EmptyState>{t('messaging.admin.noMessage')}</EmptyState> : null}
      <ul data-testid="moderation-messages">
        {mod.data?.messages.map((m) => (
          <li key={m.id} className="fr-mb-1w">
            <strong>{m.subject}</strong> — {m.from.displayName} —{' '}
            {t('messaging.recipients', { count: m.recipientCount })}
            {m.sentAt ? ` — ${formatDateTime(m.sentAt, i18n.language)}` : ''}{' '}
            {m.status === 'purged' ? (
              <span className="fr-badge fr-badge--sm">{t('messaging.admin.statusPurged')}</span>
            ) : (
              <Button
                size="small"
                priority="secondary"
                disabled={reason.trim().length < 3 || purge.isPending}
                onClick={() => purge.mutate(m.id)}
              >
                {t('messaging.admin.purge')}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
