import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../app/api.ts';

interface PasswordCheck {
  ok: boolean;
  minLength: number;
  maxLength: number;
  problems: ('TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'CONTAINS_NAME')[];
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

const RULES = ['TOO_SHORT', 'COMMON', 'CONTAINS_NAME'] as const;

/**
 * Live feedback on the password policy, asked to the server (POST /api/auth/password-check) so the rules shown
 * are exactly the rules enforced. Announced politely to screen readers.
 */
export function PasswordFeedback({
  id,
  login,
  code,
  password,
  onResult,
}: {
  id: string;
  login?: string;
  /** The activation code, when there is no session yet: the server then applies the person's own rules. */
  code?: string;
  password: string;
  onResult?: (ok: boolean) => void;
}) {
  const { t } = useTranslation();
  const debounced = useDebounced(password, 250);
  const { data } = useQuery({
    queryKey: ['password-check', login ?? '', code ?? '', debounced],
    queryFn: () =>
      post<PasswordCheck>('/api/auth/password-check', {
        login: login || undefined,
        code: code && code.length >= 4 ? code : undefined,
        password: debounced,
      }),
    placeholderData: (prev) => prev,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const upToDate = debounced === password;
  const ok = !!data && upToDate && data.ok && password.length > 0;
  useEffect(() => onResult?.(ok), [ok, onResult]);

  const min = data?.minLength ?? 12;
  return (
    <div id={id} className="fr-messages-group preau-password-feedback" aria-live="polite">
      <p className="fr-message">{t('password.rulesIntro')}</p>
      {RULES.map((rule) => {
        const failing = !data || password.length === 0 || data.problems.includes(rule);
        const cls = failing ? 'fr-message--info' : 'fr-message--valid';
        return (
          <p key={rule} className={`fr-message ${cls}`} data-rule={rule} data-ok={!failing}>
            {t(`password.rule.${rule}`, { min })}
            <span className="fr-sr-only"> {failing ? t('password.ruleNotMet') : t('password.ruleMet')}</span>
          </p>
        );
      })}
      {data?.problems.includes('TOO_LONG') ? (
        <p className="fr-message fr-message--error">{t('password.rule.TOO_LONG', { max: data.maxLength })}</p>
      ) : null}
    </div>
  );
}
