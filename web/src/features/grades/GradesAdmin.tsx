import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import type { GradesSettings } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { dayLabel } from './format.ts';

/** The direction's grades settings: trimesters or semesters, the publication delay, the « non rendu » rule. */
export function GradesAdmin() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const settings = useQuery({
    queryKey: ['grades', 'settings', id],
    queryFn: () => call('GET /api/grades/settings', { query: { establishment: id } }),
  });
  return (
    <>
      <PageTitle title={t('grades.admin.title')}>{t('grades.admin.title')}</PageTitle>
      {settings.isPending ? <Loading /> : null}
      <ErrorAlert error={settings.error} />
      {settings.data ? <SettingsForm establishment={id} settings={settings.data} /> : null}
    </>
  );
}

function SettingsForm({ establishment, settings }: { establishment: string; settings: GradesSettings }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [kind, setKind] = useState(settings.periodKind);
  const [delay, setDelay] = useState(String(settings.publicationDelayHours));
  const [zero, setZero] = useState(settings.notHandedInCountsZero);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      call('PUT /api/grades/settings', {
        body: { establishment, periodKind: kind, publicationDelayHours: Number(delay), notHandedInCountsZero: zero },
      }),
    onSuccess: (next) => {
      qc.setQueryData(['grades', 'settings', establishment], next);
      void qc.invalidateQueries({ queryKey: ['grades', 'options'] });
      setSaved(true);
    },
  });
  const delayOk = /^\d{1,3}$/.test(delay) && Number(delay) <= 720;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (delayOk) save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate data-testid="grades-settings">
      <RadioButtons
        legend={t('grades.admin.periods')}
        options={(['trimester', 'semester'] as const).map((k) => ({
          label: t(`grades.admin.${k}`),
          nativeInputProps: { checked: kind === k, onChange: () => setKind(k) },
        }))}
      />
      <ul className="fr-mb-3w">
        {settings.periods.map((p) => (
          <li key={p.key}>
            {p.label} :{' '}
            {t('grades.admin.fromTo', { from: dayLabel(p.from, i18n.language), to: dayLabel(p.to, i18n.language) })}
          </li>
        ))}
      </ul>
      <Input
        label={t('grades.admin.delay')}
        hintText={t('grades.admin.delayHint')}
        state={delayOk ? 'default' : 'error'}
        stateRelatedMessage={delayOk ? undefined : t('grades.admin.delayError')}
        nativeInputProps={{ inputMode: 'numeric', value: delay, onChange: (e) => setDelay(e.target.value), size: 4 }}
      />
      <Checkbox
        options={[
          {
            label: t('grades.admin.zero'),
            hintText: t('grades.admin.zeroHint'),
            nativeInputProps: { checked: zero, onChange: (e) => setZero(e.target.checked) },
          },
        ]}
      />
      <ErrorAlert error={save.error} />
      {saved ? (
        <div role="status" className="fr-mb-2w">
          <Alert severity="success" small description={t('grades.admin.saved')} />
        </div>
      ) : null}
      <Button type="submit" disabled={save.isPending}>
        {t('grades.admin.save')}
      </Button>
    </form>
  );
}
