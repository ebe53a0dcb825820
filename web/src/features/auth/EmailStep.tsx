import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Stepper } from '@codegouvfr/react-dsfr/Stepper';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, patch } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { ErrorAlert, PageTitle } from '../../components/states.tsx';
import { STEP_COUNT } from './activation-steps.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Last step of the first login, after the charter: an optional e-mail, saved with PATCH /api/me. */
export function EmailStep({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { me, refresh } = useAuth();
  const [email, setEmail] = useState(me?.user.email ?? '');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const value = email.trim();
    if (!value) return onDone();
    if (!EMAIL.test(value)) {
      setFieldError(t('activation.emailInvalid'));
      return;
    }
    setFieldError(undefined);
    setError(null);
    setBusy(true);
    try {
      await patch('/api/me', { email: value });
      await refresh();
      onDone();
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : null;
      if (apiErr?.fieldError('email')) setFieldError(apiErr.fieldError('email'));
      else setError(apiErr);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-10 fr-col-lg-7">
        <Stepper
          currentStep={4}
          stepCount={STEP_COUNT}
          title={t('activation.step4')}
          progressText={({ currentStep, stepCount }) => t('activation.progress', { currentStep, stepCount })}
        />
        <PageTitle title={t('activation.emailTitle')}>{t('activation.emailTitle')}</PageTitle>
        <ErrorAlert error={error} />
        <form onSubmit={submit} noValidate>
          <p>{t('activation.step4Intro')}</p>
          <Input
            label={t('activation.email')}
            hintText={t('activation.emailHint')}
            state={fieldError ? 'error' : 'default'}
            stateRelatedMessage={fieldError}
            nativeInputProps={{
              name: 'email',
              type: 'email',
              autoComplete: 'email',
              value: email,
              onChange: (e) => setEmail(e.target.value),
            }}
          />
          <div className="preau-actions fr-mt-3w">
            <Button type="submit" disabled={busy}>
              {t('activation.emailSave')}
            </Button>
            <Button type="button" priority="tertiary" onClick={onDone}>
              {t('activation.emailSkip')}
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}
