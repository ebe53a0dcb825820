import { Button } from '@codegouvfr/react-dsfr/Button';
import { PasswordInput } from '@codegouvfr/react-dsfr/blocks/PasswordInput';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, del, get, patch, post } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { formatDateTime, genderContext } from '../../components/format.ts';
import { PasswordFeedback } from '../../components/PasswordFeedback.tsx';
import { listOfNames, membershipRoles } from '../../components/people.ts';
import { ErrorAlert, Loading, PageTitle, StatusNotice } from '../../components/states.tsx';

interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  address: string | null;
  current: boolean;
  rememberMe: boolean;
}

function browserName(ua: string | null, unknown: string): string {
  if (!ua) return unknown;
  const m = /(Firefox|Edg|Chrome|Chromium|Safari)\/[\d.]+/.exec(ua);
  const os = /(Windows|Android|iPhone|iPad|Mac OS X|Linux)/.exec(ua);
  return [m?.[1] === 'Edg' ? 'Edge' : m?.[1], os?.[1]].filter(Boolean).join(' — ') || unknown;
}

export function AccountPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  if (!me) return null;
  return (
    <>
      <PageTitle title={t('account.title')}>{t('account.title')}</PageTitle>
      <section aria-labelledby="profile-title" className="fr-mb-5w">
        <h2 id="profile-title" className="fr-h4">
          {t('account.profile')}
        </h2>
        <dl className="preau-dl">
          <dt>{t('account.name')}</dt>
          <dd>{me.user.displayName}</dd>
          <dt>{t('login.login')}</dt>
          <dd>{me.user.login}</dd>
          <dt>{t('account.email')}</dt>
          <dd>
            <EmailEditor email={me.user.email} />
          </dd>
          {me.memberships.map((m) => (
            <div key={m.establishment.id} className="preau-dl-row">
              <dt>{m.establishment.name}</dt>
              <dd>
                {membershipRoles(t, m, me.user.gender).join(', ')}
                {m.classes.length ? ` — ${m.classes.map((c) => c.label).join(', ')}` : ''}
                {m.children.length
                  ? ` — ${t('portal.children', {
                      count: m.children.length,
                      names: listOfNames(
                        m.children.map((c) => c.displayName),
                        i18n.language,
                      ),
                    })}`
                  : ''}
              </dd>
            </div>
          ))}
          {me.user.platformAdmin ? (
            <>
              <dt>{t('account.platform')}</dt>
              <dd>{t('profiles.platform_admin', genderContext(me.user.gender ?? undefined))}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <ChangePassword login={me.user.login} />
      <Sessions />
    </>
  );
}

function ChangePassword({ login }: { login: string }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ currentPassword: '', newPassword: '', confirm: '' });
  const [ok, setOk] = useState(false);
  const [policyOk, setPolicyOk] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const onResult = useCallback((v: boolean) => setPolicyOk(v), []);
  const mutation = useMutation({
    mutationFn: () =>
      post('/api/me/password', { currentPassword: form.currentPassword, newPassword: form.newPassword }),
    onSuccess: () => {
      setOk(true);
      setForm({ currentPassword: '', newPassword: '', confirm: '' });
    },
  });
  const err = mutation.error instanceof ApiError ? mutation.error : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    setOk(false);
    const errs: Record<string, string> = {};
    if (!form.currentPassword) errs.currentPassword = t('account.currentRequired');
    if (!policyOk) errs.newPassword = t('activation.passwordWeak');
    if (form.newPassword !== form.confirm) errs.confirm = t('activation.confirmMismatch');
    setErrors(errs);
    if (Object.keys(errs).length === 0) mutation.mutate();
  }

  const msg = (k: string) => {
    const m = (k === 'newPassword' && policyOk ? undefined : errors[k]) ?? err?.fieldError(k);
    return m ? [{ message: m, severity: 'error' as const }] : [];
  };
  return (
    <section aria-labelledby="password-title" className="fr-mb-5w">
      <h2 id="password-title" className="fr-h4">
        {t('account.changePassword')}
      </h2>
      {ok ? <StatusNotice className="fr-mb-2w" description={t('account.passwordChanged')} /> : null}
      {err && !err.fieldError('newPassword') && !err.fieldError('currentPassword') ? <ErrorAlert error={err} /> : null}
      <form onSubmit={submit} noValidate className="preau-narrow">
        <PasswordInput
          label={t('account.currentPassword')}
          messagesHint=""
          messages={msg('currentPassword')}
          nativeInputProps={{
            name: 'current-password',
            autoComplete: 'current-password',
            value: form.currentPassword,
            onChange: (e) => setForm({ ...form, currentPassword: e.target.value }),
          }}
        />
        <PasswordInput
          label={t('activation.newPassword')}
          messagesHint=""
          messages={msg('newPassword')}
          nativeInputProps={{
            name: 'new-password',
            autoComplete: 'new-password',
            value: form.newPassword,
            onChange: (e) => setForm({ ...form, newPassword: e.target.value }),
            'aria-describedby': 'account-password-feedback',
          }}
        />
        <PasswordFeedback
          id="account-password-feedback"
          login={login}
          password={form.newPassword}
          onResult={onResult}
        />
        <PasswordInput
          label={t('activation.confirmPassword')}
          messagesHint=""
          messages={msg('confirm')}
          nativeInputProps={{
            name: 'confirm-password',
            autoComplete: 'new-password',
            value: form.confirm,
            onChange: (e) => setForm({ ...form, confirm: e.target.value }),
          }}
        />
        <Button type="submit" disabled={mutation.isPending} className="fr-mt-2w">
          {t('account.changePasswordSubmit')}
        </Button>
      </form>
    </section>
  );
}

function Sessions() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { logout } = useAuth();
  const query = useQuery({ queryKey: ['sessions'], queryFn: () => get<{ sessions: Session[] }>('/api/me/sessions') });
  const end = useMutation({
    mutationFn: (s: Session) => del(`/api/me/sessions/${s.id}`),
    onSuccess: async (_d, s) => {
      if (s.current) {
        await logout();
        navigate('/login');
      } else await qc.invalidateQueries({ queryKey: ['sessions'] });
    },
  });
  const endOthers = useMutation({
    mutationFn: () => del('/api/me/sessions?others=true'),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sessions'] }),
  });
  const others = query.data?.sessions.filter((s) => !s.current).length ?? 0;
  return (
    <section aria-labelledby="sessions-title" className="fr-mb-5w">
      <h2 id="sessions-title" className="fr-h4">
        {t('account.sessions')}
      </h2>
      <p>{t('account.sessionsIntro')}</p>
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error ?? end.error ?? endOthers.error} />
      {query.data ? (
        <ul className="preau-sessions">
          {query.data.sessions.map((s) => (
            <li key={s.id} className="fr-p-2w fr-mb-2w preau-card" data-current={s.current}>
              <p className="fr-mb-1w">
                <strong>{browserName(s.userAgent, t('account.unknownDevice'))}</strong>
                {s.current ? (
                  <span className="fr-badge fr-badge--sm fr-badge--success fr-ml-1w">{t('account.thisSession')}</span>
                ) : null}
              </p>
              <p className="fr-text--sm fr-mb-1w">
                {t('account.sessionDetails', {
                  created: formatDateTime(s.createdAt, i18n.language),
                  seen: formatDateTime(s.lastSeenAt, i18n.language),
                  address: s.address ?? '—',
                })}
              </p>
              <Button size="small" priority="secondary" onClick={() => end.mutate(s)} disabled={end.isPending}>
                {s.current ? t('account.endThisSession') : t('account.endSession')}
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      {others > 0 ? (
        <Button
          priority="secondary"
          iconId="fr-icon-logout-box-r-line"
          onClick={() => endOthers.mutate()}
          disabled={endOthers.isPending}
        >
          {t('account.endOthers', { count: others })}
        </Button>
      ) : query.data ? (
        <p className="preau-muted">{t('account.noOthers')}</p>
      ) : null}
    </section>
  );
}

/** "Mon compte": one's own e-mail, changed or removed with PATCH /api/me. */
function EmailEditor({ email }: { email: string | null }) {
  const { t } = useTranslation();
  const { refresh } = useAuth();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(email ?? '');
  const [saved, setSaved] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const save = useMutation({
    mutationFn: (next: string | null) => patch('/api/me', { email: next }),
    onSuccess: async () => {
      await refresh();
      setEditing(false);
      setSaved(true);
    },
  });
  const err = save.error instanceof ApiError ? save.error : null;
  if (!editing)
    return (
      <>
        <span data-testid="account-email">{email ?? t('account.noEmail')}</span>{' '}
        <Button
          size="small"
          priority="tertiary"
          iconId="fr-icon-edit-line"
          onClick={() => {
            setValue(email ?? '');
            setSaved(false);
            save.reset();
            setEditing(true);
          }}
        >
          {email ? t('account.editEmail') : t('account.addEmail')}
        </Button>
        {saved ? (
          <span role="status" className="preau-block fr-text--sm">
            {t('account.emailSaved')}
          </span>
        ) : null}
      </>
    );
  return (
    <form
      noValidate
      className="preau-narrow"
      onSubmit={(e) => {
        e.preventDefault();
        const v = value.trim();
        const ok = !v || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
        setInvalid(!ok);
        if (ok) save.mutate(v || null);
      }}
    >
      <Input
        label={t('account.email')}
        hintText={t('account.emailHint')}
        state={invalid || err?.fieldError('email') ? 'error' : 'default'}
        stateRelatedMessage={invalid ? t('activation.emailInvalid') : err?.fieldError('email')}
        nativeInputProps={{
          name: 'email',
          type: 'email',
          autoComplete: 'email',
          value,
          onChange: (e) => setValue(e.target.value),
        }}
      />
      {err && !err.fieldError('email') ? <ErrorAlert error={err} /> : null}
      <div className="preau-actions">
        <Button type="submit" size="small" disabled={save.isPending}>
          {t('common.save')}
        </Button>
        <Button type="button" size="small" priority="tertiary" onClick={() => setEditing(false)}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
