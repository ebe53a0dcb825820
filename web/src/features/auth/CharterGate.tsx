import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Stepper } from '@codegouvfr/react-dsfr/Stepper';
import type { PendingCharter } from '@preau/contracts';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { formatDate } from '../../components/format.ts';
import { PlainMarkdown } from '../../components/PlainMarkdown.tsx';
import { ErrorAlert, PageTitle } from '../../components/states.tsx';

/** Shown instead of anything else while a charter (new user, or a new version) waits for acceptance. */
export function CharterGate({ charter, firstLogin }: { charter: PendingCharter; firstLogin: boolean }) {
  const { t, i18n } = useTranslation();
  const { refresh, logout } = useAuth();
  const [checked, setChecked] = useState(false);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function accept(e: FormEvent) {
    e.preventDefault();
    if (!checked) {
      setMissing(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await call('POST /api/me/charter/accept', { body: { charterId: charter.charterId } });
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err : null);
    } finally {
      setBusy(false);
    }
  }

  const where = charter.establishmentName ?? t('charter.platform');
  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-lg-9">
        {firstLogin ? (
          <Stepper
            currentStep={3}
            stepCount={4}
            title={t('activation.step3')}
            nextTitle={t('activation.step4')}
            nextStepText={t('activation.nextStep')}
            progressText={({ currentStep, stepCount }) => t('activation.progress', { currentStep, stepCount })}
          />
        ) : null}
        <PageTitle title={t('charter.acceptTitle')}>{t('charter.acceptTitle')}</PageTitle>
        <p>{firstLogin ? t('charter.introFirst', { where }) : t('charter.introNew', { where })}</p>
        <ErrorAlert error={error} />
        <article className="preau-charter fr-p-3w fr-mb-3w" aria-labelledby="charter-title">
          <h2 id="charter-title" className="fr-h4">
            {charter.title}
          </h2>
          <p className="fr-text--sm preau-muted">
            {t('charter.versionOf', {
              version: charter.version,
              date: formatDate(charter.publishedAt, i18n.language),
            })}
          </p>
          <PlainMarkdown text={charter.body} topLevel={3} />
        </article>
        <form onSubmit={accept} noValidate>
          <Checkbox
            state={missing && !checked ? 'error' : 'default'}
            stateRelatedMessage={missing && !checked ? t('charter.mustCheck') : undefined}
            options={[
              {
                label: t('charter.checkbox', { version: charter.version }),
                nativeInputProps: {
                  name: 'accept',
                  checked,
                  onChange: (e) => setChecked(e.target.checked),
                },
              },
            ]}
          />
          <div className="preau-actions fr-mt-3w">
            <Button type="submit" disabled={busy}>
              {t('charter.accept')}
            </Button>
            <Button type="button" priority="tertiary" onClick={() => void logout()}>
              {t('charter.refuseLogout')}
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}
