import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { LoginSheetsPreview } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { get, postDownload, withQuery } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { keys, useClasses } from './directory.api.ts';

const PROFILES = ['student', 'guardian', 'teacher', 'staff'] as const;

const confirmModal = createModal({ id: 'sheets-confirm-modal', isOpenedByDefault: false });

/**
 * Login sheets of a class or a profile. Printing hands out new activation codes, so it is a POST; a preview
 * (a GET that changes nothing) says beforehand how many sheets, how many new codes and how many printed
 * sheets stop working — and when some do, a confirmation asks first.
 */
export function LoginSheetsPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const classes = useClasses(id);
  const [form, setForm] = useState({
    profile: 'student' as (typeof PROFILES)[number],
    class: '',
    layout: 'full' as 'full' | 'half',
    onlyPending: true,
  });
  const [printed, setPrinted] = useState(false);
  const byClass = form.profile === 'student' || form.profile === 'guardian';
  const selection = {
    profile: form.profile,
    class: byClass && form.class ? form.class : undefined,
    onlyPending: form.onlyPending,
  };
  const preview = useQuery({
    queryKey: [...keys.sheetsPreview(id), selection],
    queryFn: () =>
      get<LoginSheetsPreview>(
        withQuery(`/api/establishments/${id}/login-sheets/preview`, {
          profile: selection.profile,
          class: selection.class,
          onlyPending: selection.onlyPending ? 'true' : undefined,
        }),
      ),
  });
  const p = preview.data;
  const fileName = `fiches-${form.profile}${selection.class ? `-${selection.class}` : ''}.pdf`;
  const print = useMutation({
    mutationFn: (confirmReplace: number) =>
      postDownload(
        `/api/establishments/${id}/login-sheets`,
        { ...selection, layout: form.layout, confirmReplace },
        fileName,
      ),
    onSuccess: async () => {
      confirmModal.close();
      setPrinted(true);
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
    onError: () => {
      confirmModal.close();
      void preview.refetch();
    },
  });
  const tooMany = !!p && p.sheets > p.max;

  function start() {
    setPrinted(false);
    print.reset();
    if (!p) return;
    if (p.replacedCodes > 0) confirmModal.open();
    else print.mutate(0);
  }

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
          {PROFILES.map((x) => (
            <option key={x} value={x}>
              {t(`directory.sheets.profiles.${x}`)}
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
        <section aria-labelledby="sheets-preview-title" className="preau-card fr-p-3w fr-mb-3w" aria-live="polite">
          <h2 id="sheets-preview-title" className="fr-h6 fr-mb-1w">
            {t('directory.sheets.previewTitle')}
          </h2>
          {preview.isPending ? <Loading /> : null}
          <ErrorAlert error={preview.error} />
          {p ? (
            <ul className="fr-mb-0" data-testid="sheets-preview">
              <li>{t('directory.sheets.count', { count: p.sheets })}</li>
              <li>{t('directory.sheets.newCodes', { count: p.newCodes })}</li>
              {p.replacedCodes > 0 ? (
                <li className="fr-text--bold">{t('directory.sheets.replaced', { count: p.replacedCodes })}</li>
              ) : null}
              {p.codesFromPlatform > 0 ? (
                <li>{t('directory.sheets.fromPlatform', { count: p.codesFromPlatform })}</li>
              ) : null}
            </ul>
          ) : null}
        </section>
        {tooMany && p ? (
          <Alert
            severity="error"
            small
            className="fr-mb-3w"
            description={t('directory.sheets.tooMany', { count: p.sheets, max: p.max })}
          />
        ) : (
          <Alert severity="warning" small className="fr-mb-3w" description={t('directory.sheets.warning')} />
        )}
        {printed ? (
          <Alert
            role="status"
            className="fr-mb-3w"
            severity="success"
            small
            description={t('directory.sheets.printed')}
          />
        ) : null}
        <ErrorAlert error={print.error} />
        <Button
          iconId="fr-icon-printer-line"
          onClick={start}
          disabled={!p || tooMany || print.isPending}
          nativeButtonProps={{ 'data-testid': 'login-sheets-print' }}
        >
          {t('directory.sheets.print')}
        </Button>
      </div>
      <confirmModal.Component
        title={t('directory.sheets.confirmTitle')}
        buttons={[
          { children: t('common.cancel'), priority: 'secondary' },
          {
            children: t('directory.sheets.confirmButton'),
            doClosesModal: false,
            disabled: print.isPending || !p,
            onClick: () => p && print.mutate(p.replacedCodes),
          },
        ]}
      >
        {p ? (
          <p data-testid="sheets-confirm-text">{t('directory.sheets.confirmText', { count: p.replacedCodes })}</p>
        ) : null}
      </confirmModal.Component>
    </>
  );
}
