import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import {
  ESTABLISHMENT_PROFILES,
  type EstablishmentProfile,
  type EstablishmentService,
  type ServiceStatus,
  type UsageRules,
} from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, call } from '../../app/api.ts';
import { formatDate } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle, StatusNotice } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';

const RULES: (keyof UsageRules)[] = ['whoEnters', 'whoUses', 'whoPublishes', 'forWhom'];
const STATUSES: ServiceStatus[] = ['mandatory', 'recommended', 'closed'];

function StatusBadge({ status }: { status: ServiceStatus }) {
  const { t } = useTranslation();
  const severity = status === 'mandatory' ? 'success' : status === 'recommended' ? 'info' : undefined;
  return (
    <Badge as="span" severity={severity} small noIcon>
      {t(`services.status.${status}`)}
    </Badge>
  );
}

export function ServicesAdmin() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const query = useQuery({
    queryKey: ['admin', id, 'services'],
    queryFn: () => call('GET /api/establishments/:id/services', { params: { id } }),
  });

  return (
    <>
      <PageTitle title={t('admin.services.title')}>{t('admin.services.title')}</PageTitle>
      <p>{t('admin.services.intro')}</p>
      {saved ? (
        <StatusNotice
          className="fr-mb-2w"
          description={t('admin.services.saved', { name: saved })}
          onClose={() => setSaved(null)}
        />
      ) : null}
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />
      {query.data ? (
        <Table caption={t('admin.services.caption')} className="fr-table--sm preau-table-wrap preau-services-table">
          <thead>
            <tr>
              <th scope="col">{t('admin.services.service')}</th>
              <th scope="col">{t('admin.services.status')}</th>
              <th scope="col">{t('admin.services.profiles')}</th>
              <th scope="col">{t('admin.services.dates')}</th>
              <th scope="col">{t('admin.services.rules')}</th>
              <th scope="col">
                <span className="fr-sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {query.data.services.map((s) =>
              editing === s.key ? (
                <tr key={s.key} data-service={s.key}>
                  <td colSpan={6}>
                    <ServiceEditor
                      establishmentId={id}
                      service={s}
                      onDone={(ok) => {
                        setEditing(null);
                        if (ok) setSaved(s.name);
                      }}
                    />
                  </td>
                </tr>
              ) : (
                <tr key={s.key} data-service={s.key}>
                  <th scope="row">
                    {s.name}
                    {!s.available ? (
                      <span className="fr-text--xs preau-muted preau-block">{t('portal.soon')}</span>
                    ) : null}
                  </th>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>
                    {s.profiles.length === ESTABLISHMENT_PROFILES.length
                      ? t('admin.services.allProfiles')
                      : s.profiles.map((p) => t(`profiles.${p}`)).join(', ') || '—'}
                  </td>
                  <td className="preau-nowrap">
                    {t('admin.services.opensOn')} {formatDate(s.opensOn, i18n.language)}
                    <br />
                    {t('admin.services.generalizesOn')} {formatDate(s.generalizesOn, i18n.language)}
                  </td>
                  <td className="preau-rules">
                    {RULES.some((r) => s.usageRules[r]) ? (
                      <dl>
                        {RULES.filter((r) => s.usageRules[r]).map((r) => (
                          <div key={r}>
                            <dt>{t(`admin.services.rule.${r}`)}</dt>
                            <dd>{s.usageRules[r]}</dd>
                          </div>
                        ))}
                      </dl>
                    ) : (
                      <span className="preau-muted">{t('admin.services.noRules')}</span>
                    )}
                  </td>
                  <td>
                    <Button
                      size="small"
                      priority="secondary"
                      iconId="fr-icon-edit-line"
                      onClick={() => setEditing(s.key)}
                      disabled={editing !== null}
                    >
                      {/* Seen: "Modifier"; heard: "Modifier Cahier de textes" (twelve buttons, each named). */}
                      {t('common.edit')}
                      <span className="fr-sr-only"> {s.name}</span>
                    </Button>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </Table>
      ) : null}
    </>
  );
}

function ServiceEditor({
  establishmentId,
  service,
  onDone,
}: {
  establishmentId: string;
  service: EstablishmentService;
  onDone: (saved: boolean) => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [status, setStatus] = useState<ServiceStatus>(service.status);
  const [profiles, setProfiles] = useState<EstablishmentProfile[]>(service.profiles);
  const [opensOn, setOpensOn] = useState(service.opensOn ?? '');
  const [generalizesOn, setGeneralizesOn] = useState(service.generalizesOn ?? '');
  const [rules, setRules] = useState<UsageRules>(service.usageRules);
  const mutation = useMutation({
    mutationFn: () =>
      call('PATCH /api/establishments/:id/services/:key', {
        params: { id: establishmentId, key: service.key },
        body: { status, profiles, opensOn: opensOn || null, generalizesOn: generalizesOn || null, usageRules: rules },
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['admin', establishmentId, 'services'] });
      await qc.invalidateQueries({ queryKey: ['portal'] });
      onDone(true);
    },
  });
  const err = mutation.error instanceof ApiError ? mutation.error : null;
  const fieldState = (path: string) =>
    err?.fieldError(path) ? { state: 'error' as const, stateRelatedMessage: err.fieldError(path) } : {};

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  const headingId = `edit-${service.key}`;
  return (
    <form onSubmit={submit} aria-labelledby={headingId} className="preau-editor fr-p-2w" noValidate>
      <h2 id={headingId} className="fr-h5">
        {t('admin.services.editTitle', { name: service.name })}
      </h2>
      {err ? <ErrorAlert error={err} /> : null}
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label={t('admin.services.status')}
            nativeSelectProps={{
              name: 'status',
              value: status,
              onChange: (e) => setStatus(e.target.value as ServiceStatus),
            }}
            {...fieldState('status')}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`services.status.${s}`)}
              </option>
            ))}
          </Select>
          <Input
            label={t('admin.services.opensOn')}
            nativeInputProps={{
              type: 'date',
              name: 'opensOn',
              value: opensOn,
              onChange: (e) => setOpensOn(e.target.value),
            }}
            {...fieldState('opensOn')}
          />
          <Input
            label={t('admin.services.generalizesOn')}
            nativeInputProps={{
              type: 'date',
              name: 'generalizesOn',
              value: generalizesOn,
              onChange: (e) => setGeneralizesOn(e.target.value),
            }}
            {...fieldState('generalizesOn')}
          />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Checkbox
            legend={t('admin.services.profiles')}
            small
            options={ESTABLISHMENT_PROFILES.map((p) => ({
              label: t(`profiles.${p}`),
              nativeInputProps: {
                name: 'profiles',
                value: p,
                checked: profiles.includes(p),
                onChange: (e) => setProfiles(e.target.checked ? [...profiles, p] : profiles.filter((x) => x !== p)),
              },
            }))}
            {...fieldState('profiles')}
          />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          {RULES.map((r) => (
            <Input
              key={r}
              textArea
              label={t(`admin.services.rule.${r}`)}
              nativeTextAreaProps={{
                name: r,
                rows: 2,
                value: rules[r],
                onChange: (e) => setRules({ ...rules, [r]: e.target.value }),
              }}
              {...fieldState(`usageRules.${r}`)}
            />
          ))}
        </div>
      </div>
      <div className="preau-actions">
        <Button type="submit" disabled={mutation.isPending}>
          {t('common.save')}
        </Button>
        <Button type="button" priority="secondary" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
