import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { PasswordInput } from '@codegouvfr/react-dsfr/blocks/PasswordInput';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { ApiError, post } from '../../app/api.ts';
import { PasswordFeedback } from '../../components/PasswordFeedback.tsx';
import { PageTitle } from '../../components/states.tsx';

const asApiError = (e: unknown) =>
  e instanceof ApiError ? e : new ApiError({ status: 0, code: 'UNKNOWN', detail: String(e) });

/**
 * "Mot de passe oublié": the same answer whether the identifier exists or not. People without an e-mail address
 * are told to ask their school, which prints a new login sheet.
 */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [identifier, setIdentifier] = useState('');
  const [missing, setMissing] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setMissing(!identifier.trim());
    if (!identifier.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await post('/api/auth/recovery', { identifier: identifier.trim() });
      setSent(true);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <PageTitle title={t('recovery.title')}>{t('recovery.title')}</PageTitle>
        {sent ? (
          <div role="status" className="fr-mb-3w">
            <Alert severity="success" title={t('recovery.sentTitle')} description={t('recovery.sent')} />
          </div>
        ) : (
          <>
            <p>{t('recovery.intro')}</p>
            {error ? (
              <div role="alert" className="fr-mb-3w">
                <Alert severity="error" title={t('errors.title')} description={error.problem.detail} />
              </div>
            ) : null}
            <form onSubmit={submit} noValidate aria-label={t('recovery.title')}>
              <Input
                label={t('recovery.identifier')}
                hintText={t('recovery.identifierHint')}
                state={missing ? 'error' : 'default'}
                stateRelatedMessage={missing ? t('recovery.identifierRequired') : undefined}
                nativeInputProps={{
                  name: 'identifier',
                  autoComplete: 'username',
                  autoCapitalize: 'none',
                  spellCheck: false,
                  value: identifier,
                  onChange: (e) => setIdentifier(e.target.value),
                }}
              />
              <Button type="submit" disabled={busy}>
                {t('recovery.submit')}
              </Button>
            </form>
          </>
        )}
        <h2 className="fr-h5 fr-mt-4w">{t('recovery.noEmailTitle')}</h2>
        <p>{t('recovery.noEmail')}</p>
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to="/login">
          {t('recovery.backToLogin')}
        </Link>
      </div>
    </div>
  );
}

/** The link of the mail: `#token=…` (a fragment, so the token never reaches the server's logs). */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  const { hash } = useLocation();
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [passwordOk, setPasswordOk] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const onResult = useCallback((ok: boolean) => setPasswordOk(ok), []);
  const link = useQuery({
    queryKey: ['recovery', token],
    queryFn: () => post<{ login: string; displayName: string }>('/api/auth/recovery/check', { token }),
    enabled: token.length > 0,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!passwordOk) errs.password = t('activation.passwordWeak');
    if (password !== confirm) errs.confirm = t('activation.confirmMismatch');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      await post('/api/auth/recovery/reset', { token, password });
      setDone(true);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }
  const invalid = !token || link.isError;
  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <PageTitle title={t('recovery.resetTitle')}>{t('recovery.resetTitle')}</PageTitle>
        {done ? (
          <>
            <div role="status" className="fr-mb-3w">
              <Alert severity="success" title={t('recovery.doneTitle')} description={t('recovery.done')} />
            </div>
            <Link className="fr-btn" to="/login">
              {t('recovery.toLogin')}
            </Link>
          </>
        ) : invalid ? (
          <>
            <div role="alert" className="fr-mb-3w">
              <Alert
                severity="error"
                title={t('recovery.invalidTitle')}
                description={link.error instanceof ApiError ? link.error.problem.detail : t('recovery.invalid')}
              />
            </div>
            <Link className="fr-btn fr-btn--secondary" to="/forgot-password">
              {t('recovery.again')}
            </Link>
          </>
        ) : link.data ? (
          <>
            <p>{t('recovery.for', { login: link.data.login, name: link.data.displayName })}</p>
            {error ? (
              <div role="alert" className="fr-mb-3w">
                <Alert
                  severity="error"
                  title={t('errors.title')}
                  description={[
                    error.problem.detail,
                    ...(error.problem.errors ?? []).map((x) => x.message.replace(/^[A-Z_]+: /, '')),
                  ].join(' ')}
                />
              </div>
            ) : null}
            <form onSubmit={submit} noValidate aria-label={t('recovery.resetTitle')}>
              <PasswordInput
                label={t('recovery.newPassword')}
                messages={errors.password ? [{ message: errors.password, severity: 'error' }] : []}
                messagesHint=""
                nativeInputProps={{
                  name: 'password',
                  autoComplete: 'new-password',
                  value: password,
                  onChange: (e) => setPassword(e.target.value),
                  'aria-describedby': 'reset-feedback',
                }}
              />
              <PasswordFeedback id="reset-feedback" login={link.data.login} password={password} onResult={onResult} />
              <PasswordInput
                label={t('recovery.confirm')}
                messages={errors.confirm ? [{ message: errors.confirm, severity: 'error' }] : []}
                messagesHint=""
                nativeInputProps={{
                  name: 'confirm',
                  autoComplete: 'new-password',
                  value: confirm,
                  onChange: (e) => setConfirm(e.target.value),
                }}
              />
              <Button type="submit" disabled={busy} className="fr-mt-2w">
                {t('recovery.save')}
              </Button>
            </form>
          </>
        ) : null}
      </div>
    </div>
  );
}
