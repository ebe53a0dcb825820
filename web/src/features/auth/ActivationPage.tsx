import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { PasswordInput } from '@codegouvfr/react-dsfr/blocks/PasswordInput';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Stepper } from '@codegouvfr/react-dsfr/Stepper';
import { type FormEvent, useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ApiError, post, problemText, setCsrfToken } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { PasswordFeedback } from '../../components/PasswordFeedback.tsx';
import { PageTitle } from '../../components/states.tsx';
import { STEP_COUNT } from './activation-steps.ts';

type Step = 1 | 2;

/**
 * First login: login + activation code, checked at once (POST /api/auth/activation-check, under the activation
 * throttle) → a password checked live against the policy → the account is activated (a session opens) → the
 * charter gate asks for acceptance → an optional e-mail (PATCH /api/me) → portal. The login (and the code, when the
 * login page saw one typed as a password) may come filled in: `?login=` and the navigation's state.
 */
export function ActivationPage() {
  const { t } = useTranslation();
  const { me, refresh } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const given = (location.state ?? {}) as { login?: string; code?: string };
  const [step, setStep] = useState<Step>(1);
  const [form, setForm] = useState({
    login: given.login ?? params.get('login') ?? '',
    code: given.code ?? '',
    password: '',
    confirm: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [passwordOk, setPasswordOk] = useState(false);
  const [busy, setBusy] = useState(false);
  const onPasswordResult = useCallback((ok: boolean) => setPasswordOk(ok), []);

  if (me && !busy) return <Navigate to="/" replace />;

  const titles = [t('activation.step1'), t('activation.step2'), t('activation.step3'), t('activation.step4')];

  async function next1(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!form.login.trim()) errs.login = t('activation.loginRequired');
    if (form.code.trim().length < 4) errs.code = t('activation.codeRequired');
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    // The code is checked before a password is asked: nobody chooses a password for a code that does not work.
    setError(null);
    setBusy(true);
    try {
      await post('/api/auth/activation-check', { login: form.login.trim(), code: form.code.trim() });
      setStep(2);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError({ status: 0, code: 'UNKNOWN', detail: '' }));
    } finally {
      setBusy(false);
    }
  }

  function next2(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!passwordOk) errs.password = t('activation.passwordWeak');
    if (form.password !== form.confirm) errs.confirm = t('activation.confirmMismatch');
    setErrors(errs);
    if (Object.keys(errs).length === 0) void activate();
  }

  async function activate() {
    setError(null);
    setBusy(true);
    try {
      const res = await post<{ csrfToken: string }>('/api/auth/activate', {
        login: form.login.trim(),
        code: form.code.trim(),
        password: form.password,
      });
      setCsrfToken(res.csrfToken);
      sessionStorage.setItem('preau.justActivated', '1');
      await refresh();
      navigate('/', { replace: true });
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : null;
      setError(apiErr);
      if (apiErr?.code === 'INVALID_ACTIVATION' || apiErr?.code === 'TOO_MANY_ATTEMPTS') setStep(1);
      else if (apiErr?.fieldError('password') || apiErr?.code.startsWith('PASSWORD')) setStep(2);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-10 fr-col-lg-7">
        <PageTitle title={t('activation.title')}>{t('activation.title')}</PageTitle>
        <Stepper
          currentStep={step}
          stepCount={STEP_COUNT}
          title={titles[step - 1]}
          nextTitle={titles[step]}
          progressText={({ currentStep, stepCount }) => t('activation.progress', { currentStep, stepCount })}
          nextStepText={t('activation.nextStep')}
        />
        {error ? (
          <Alert
            className="fr-mb-3w"
            severity="error"
            title={t('activation.failedTitle')}
            description={problemText(error)}
          />
        ) : null}

        {step === 1 ? (
          <form onSubmit={next1} noValidate>
            <p>{t('activation.step1Intro')}</p>
            <Input
              label={t('login.login')}
              hintText={t('activation.loginHint')}
              state={errors.login ? 'error' : 'default'}
              stateRelatedMessage={errors.login}
              nativeInputProps={{
                name: 'login',
                autoComplete: 'username',
                autoCapitalize: 'none',
                spellCheck: false,
                value: form.login,
                onChange: (e) => setForm({ ...form, login: e.target.value }),
              }}
            />
            <Input
              label={t('activation.code')}
              hintText={t('activation.codeHint')}
              state={errors.code ? 'error' : 'default'}
              stateRelatedMessage={errors.code}
              nativeInputProps={{
                name: 'code',
                autoComplete: 'one-time-code',
                autoCapitalize: 'characters',
                spellCheck: false,
                value: form.code,
                onChange: (e) => setForm({ ...form, code: e.target.value }),
              }}
            />
            <Button type="submit" disabled={busy}>
              {t('common.continue')}
            </Button>
          </form>
        ) : null}

        {step === 2 ? (
          <form onSubmit={next2} noValidate>
            <p>{t('activation.step2Intro')}</p>
            <PasswordInput
              label={t('activation.newPassword')}
              messagesHint=""
              messages={errors.password && !passwordOk ? [{ message: errors.password, severity: 'error' }] : []}
              nativeInputProps={{
                name: 'new-password',
                autoComplete: 'new-password',
                value: form.password,
                onChange: (e) => setForm({ ...form, password: e.target.value }),
                'aria-describedby': 'activation-password-feedback',
              }}
            />
            <PasswordFeedback
              id="activation-password-feedback"
              login={form.login.trim()}
              code={form.code.trim()}
              password={form.password}
              onResult={onPasswordResult}
            />
            <PasswordInput
              label={t('activation.confirmPassword')}
              messagesHint=""
              messages={errors.confirm ? [{ message: errors.confirm, severity: 'error' }] : []}
              nativeInputProps={{
                name: 'confirm-password',
                autoComplete: 'new-password',
                value: form.confirm,
                onChange: (e) => setForm({ ...form, confirm: e.target.value }),
              }}
            />
            <div className="preau-actions fr-mt-3w">
              <Button type="button" priority="secondary" onClick={() => setStep(1)}>
                {t('common.back')}
              </Button>
              <Button type="submit" disabled={busy}>
                {busy ? t('activation.activating') : t('activation.activate')}
              </Button>
            </div>
          </form>
        ) : null}
      </div>
    </div>
  );
}
