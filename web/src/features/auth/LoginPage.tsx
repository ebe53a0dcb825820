import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { PasswordInput } from '@codegouvfr/react-dsfr/blocks/PasswordInput';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, problemText } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { PageTitle } from '../../components/states.tsx';

/** The shape of an activation code (10 characters of Crockford base32, `XXXXX-XXXXX`), however it was typed. */
const ACTIVATION_CODE = /^[0-9A-HJKMNP-TV-Z]{5}[\s-]?[0-9A-HJKMNP-TV-Z]{5}$/i;
export const looksLikeActivationCode = (value: string) => ACTIVATION_CODE.test(value.trim());

export function LoginPage() {
  const { t } = useTranslation();
  const { me, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [form, setForm] = useState({ login: '', password: '', rememberMe: false });
  const [error, setError] = useState<ApiError | null>(null);
  const [missing, setMissing] = useState<{ login?: boolean; password?: boolean }>({});
  const [busy, setBusy] = useState(false);
  /** What was typed as a password looked like an activation code, and the login failed: offer activation. */
  const [codeTyped, setCodeTyped] = useState<{ login: string; code: string } | null>(null);

  const from = (location.state as { from?: string } | null)?.from ?? '/';
  if (me) return <Navigate to={from} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const m = { login: !form.login.trim(), password: !form.password };
    setMissing(m);
    if (m.login || m.password) return;
    setBusy(true);
    setError(null);
    setCodeTyped(null);
    try {
      await login({ login: form.login.trim(), password: form.password, rememberMe: form.rememberMe });
      navigate(from, { replace: true });
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError({ status: 0, code: 'UNKNOWN', detail: '' });
      // A code typed as a password: the server answers like any wrong password (it never says an account is
      // pending); the shape of what was typed is enough to offer the right door.
      if (apiErr.code === 'INVALID_CREDENTIALS' && looksLikeActivationCode(form.password)) {
        setCodeTyped({ login: form.login.trim(), code: form.password.trim() });
      } else setError(apiErr);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <PageTitle title={t('login.title')}>{t('login.title')}</PageTitle>
        <p>{t('login.intro')}</p>
        {error ? (
          <Alert
            className="fr-mb-3w"
            severity="error"
            title={error.code === 'TOO_MANY_ATTEMPTS' ? t('login.throttledTitle') : t('login.failedTitle')}
            description={problemText(error)}
          />
        ) : null}
        {codeTyped ? (
          <Alert
            className="fr-mb-3w"
            severity="info"
            title={t('login.codeTypedTitle')}
            description={
              <>
                {t('login.codeTypedText')}{' '}
                <Link
                  to={`/activate?login=${encodeURIComponent(codeTyped.login)}`}
                  state={codeTyped}
                  data-testid="activate-instead"
                >
                  {t('login.codeTypedLink')}
                </Link>
              </>
            }
          />
        ) : null}
        <form onSubmit={submit} noValidate aria-label={t('login.formLabel')}>
          <fieldset className="fr-fieldset">
            <legend className="fr-fieldset__legend">{t('login.legend')}</legend>
            <div className="fr-fieldset__element">
              <Input
                label={t('login.login')}
                hintText={t('login.loginHint')}
                state={missing.login ? 'error' : 'default'}
                stateRelatedMessage={missing.login ? t('login.loginRequired') : undefined}
                nativeInputProps={{
                  name: 'login',
                  autoComplete: 'username',
                  autoCapitalize: 'none',
                  spellCheck: false,
                  value: form.login,
                  onChange: (e) => setForm({ ...form, login: e.target.value }),
                  required: true,
                }}
              />
            </div>
            <div className="fr-fieldset__element">
              <PasswordInput
                label={t('login.password')}
                messages={missing.password ? [{ message: t('login.passwordRequired'), severity: 'error' }] : []}
                messagesHint=""
                nativeInputProps={{
                  name: 'password',
                  autoComplete: 'current-password',
                  value: form.password,
                  onChange: (e) => setForm({ ...form, password: e.target.value }),
                  required: true,
                }}
              />
            </div>
            <div className="fr-fieldset__element">
              <Checkbox
                options={[
                  {
                    label: t('login.rememberMe'),
                    hintText: t('login.rememberMeHint'),
                    nativeInputProps: {
                      name: 'rememberMe',
                      checked: form.rememberMe,
                      onChange: (e) => setForm({ ...form, rememberMe: e.target.checked }),
                    },
                  },
                ]}
              />
            </div>
            <div className="fr-fieldset__element">
              <Button type="submit" disabled={busy}>
                {busy ? t('login.submitting') : t('login.submit')}
              </Button>
            </div>
          </fieldset>
        </form>
        <p className="fr-mt-2w">
          <Link className="fr-link" to="/forgot-password">
            {t('recovery.link')}
          </Link>
        </p>
        <hr className="fr-mt-3w" />
        <h2 className="fr-h5">{t('login.firstTimeTitle')}</h2>
        <p>{t('login.firstTimeText')}</p>
        <Link
          className="fr-btn fr-btn--secondary"
          to={form.login.trim() ? `/activate?login=${encodeURIComponent(form.login.trim())}` : '/activate'}
        >
          {t('login.firstTimeLink')}
        </Link>
      </div>
    </div>
  );
}
