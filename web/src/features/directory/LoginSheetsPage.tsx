import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { withQuery } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { useClasses } from './directory.api.ts';

const PROFILES = ['student', 'guardian', 'teacher', 'staff'] as const;

export function LoginSheetsPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const classes = useClasses(id);
  const [form, setForm] = useState({
    profile: 'student' as (typeof PROFILES)[number],
    class: '',
    layout: 'full' as 'full' | 'half',
    onlyPending: true,
  });
  const byClass = form.profile === 'student' || form.profile === 'guardian';
  const url = withQuery(`/api/establishments/${id}/login-sheets.pdf`, {
    profile: form.profile,
    class: byClass ? form.class : undefined,
    layout: form.layout,
    onlyPending: form.onlyPending ? 'true' : undefined,
  });
  const fileName = `fiches-${form.profile}${byClass && form.class ? `-${form.class}` : ''}.pdf`;
  return (
    <>
      <PageTitle title={t('directory.sheets.title')}>{t('directory.sheets.title')}</PageTitle>
      <p>{t('directory.sheets.intro')}</p>
      <div className="preau-narrow">
        <Select
          label={t('directory.sheets.profile')}
          nativeSelectProps={{
            name: 'profile',
            value: form.profile,
            onChange: (e) => setForm({ ...form, profile: e.target.value as (typeof PROFILES)[number] }),
          }}
        >
          {PROFILES.map((p) => (
            <option key={p} value={p}>
              {t(`directory.sheets.profiles.${p}`)}
            </option>
          ))}
        </Select>
        {byClass ? (
          <>
            {classes.isPending ? <Loading /> : null}
            <ErrorAlert error={classes.error} />
            <Select
              label={t('directory.sheets.class')}
              hint={form.profile === 'guardian' ? t('directory.sheets.classHintGuardian') : undefined}
              nativeSelectProps={{
                name: 'class',
                value: form.class,
                onChange: (e) => setForm({ ...form, class: e.target.value }),
              }}
            >
              <option value="">{t('directory.sheets.allClasses')}</option>
              {classes.data?.items.map((c) => (
                <option key={c.id} value={c.code}>
                  {c.label === c.code ? c.code : `${c.code} — ${c.label}`} (
                  {t('directory.students', { count: c.students })})
                </option>
              ))}
            </Select>
          </>
        ) : null}
        <RadioButtons
          legend={t('directory.sheets.layout')}
          name="layout"
          options={(['full', 'half'] as const).map((l) => ({
            label: t(`directory.sheets.layouts.${l}`),
            nativeInputProps: { value: l, checked: form.layout === l, onChange: () => setForm({ ...form, layout: l }) },
          }))}
        />
        <Checkbox
          options={[
            {
              label: t('directory.sheets.onlyPending'),
              hintText: t('directory.sheets.onlyPendingHint'),
              nativeInputProps: {
                name: 'onlyPending',
                checked: form.onlyPending,
                onChange: (e) => setForm({ ...form, onlyPending: e.target.checked }),
              },
            },
          ]}
        />
        <Alert severity="warning" small className="fr-mb-3w" description={t('directory.sheets.warning')} />
        <a
          className="fr-btn fr-icon-download-line fr-btn--icon-left"
          href={url}
          download={fileName}
          data-testid="login-sheets-link"
        >
          {t('directory.sheets.download')}
        </a>
      </div>
    </>
  );
}
