import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import type { ServiceKey } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { rolloutKey, useEstablishmentId, useRolloutMe } from './rollout.api.ts';
import { useFormat } from './rollout.ui.tsx';

/** The satisfaction pulse: an anonymous opinion per service, once a month; results for the steering group. */
export function PulsePage() {
  const { t } = useTranslation();
  const establishment = useEstablishmentId();
  const me = useRolloutMe();
  const mine = useQuery({
    queryKey: rolloutKey(establishment, 'pulse', 'mine'),
    queryFn: () => call('GET /api/rollout/pulse/mine', { query: { establishment } }),
  });
  const m = mine.data;
  const open = m?.services.filter((s) => !m.answered.includes(s)) ?? [];
  return (
    <>
      <PageTitle title={t('rollout.pulse.title')}>{t('rollout.pulse.title')}</PageTitle>
      <p>{t('rollout.pulse.intro')}</p>
      {mine.isPending ? <Loading /> : null}
      <ErrorAlert error={mine.error} />
      {m && open.length === 0 ? <p>{t('rollout.pulse.allDone')}</p> : null}
      {open.map((s) => (
        <PulseForm key={s} establishment={establishment} service={s} />
      ))}
      {me.data?.steering ? <Results /> : null}
    </>
  );
}

function PulseForm({ establishment, service }: { establishment: string; service: ServiceKey }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const send = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/pulse', {
        body: { establishmentId: establishment, service, score: score ?? 0, comment },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'pulse') }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  const name = t(`rollout.services.${service}`);
  return (
    <form onSubmit={submit} noValidate className="preau-card fr-p-3w fr-mb-3w" aria-labelledby={`pulse-${service}`}>
      <h2 id={`pulse-${service}`} className="fr-h5">
        {t('rollout.pulse.about', { service: name })}
      </h2>
      <ErrorAlert error={send.error} />
      {send.isSuccess ? <Alert severity="success" small description={t('rollout.pulse.thanks')} /> : null}
      <RadioButtons
        legend={t('rollout.pulse.question', { service: name })}
        orientation="horizontal"
        name={`score-${service}`}
        options={[1, 2, 3, 4, 5].map((n) => ({
          label: t(`rollout.pulse.score.${n}`),
          nativeInputProps: { value: String(n), checked: score === n, onChange: () => setScore(n) },
        }))}
      />
      <Input
        label={t('rollout.pulse.comment')}
        hintText={t('rollout.pulse.commentHint')}
        textArea
        nativeTextAreaProps={{ value: comment, onChange: (e) => setComment(e.target.value), rows: 3, maxLength: 1000 }}
      />
      <Button type="submit" disabled={score === null || send.isPending}>
        {t('rollout.pulse.send')}
      </Button>
    </form>
  );
}

function Results() {
  const { t } = useTranslation();
  const establishment = useEstablishmentId();
  const f = useFormat();
  const { i18n } = useTranslation();
  const month = new Intl.DateTimeFormat(i18n.language.startsWith('en') ? 'en-GB' : 'fr-FR', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const results = useQuery({
    queryKey: rolloutKey(establishment, 'pulse', 'results'),
    queryFn: () => call('GET /api/rollout/pulse', { query: { establishment } }),
  });
  const r = results.data;
  return (
    <section aria-labelledby="pulse-results" className="fr-mt-5w">
      <h2 id="pulse-results" className="fr-h4">
        {t('rollout.pulse.results')}
      </h2>
      <p className="fr-text--sm">{t('rollout.pulse.resultsIntro', { min: r?.minAnswers ?? 5 })}</p>
      <ErrorAlert error={results.error} />
      {r && r.services.length === 0 ? <p>{t('rollout.pulse.none')}</p> : null}
      {r && r.services.length > 0 ? (
        <Table caption={t('rollout.pulse.results')} className="fr-table--sm preau-table-wrap">
          <thead>
            <tr>
              <th scope="col">{t('rollout.pulse.service')}</th>
              <th scope="col">{t('rollout.pulse.month')}</th>
              <th scope="col">{t('rollout.pulse.answers')}</th>
              <th scope="col">{t('rollout.pulse.mean')}</th>
              <th scope="col">{t('rollout.pulse.comments')}</th>
            </tr>
          </thead>
          <tbody>
            {r.services.map((s) => (
              <tr key={`${s.key}-${s.period}`}>
                <th scope="row">{t(`rollout.services.${s.key}`)}</th>
                <td>{month.format(new Date(`${s.period}-15T12:00:00Z`))}</td>
                <td>{s.answers}</td>
                <td>{s.mean === null ? t('rollout.pulse.tooFew') : `${f.number(s.mean)} / 5`}</td>
                <td className="fr-text--sm">
                  {s.comments === null ? (
                    '—'
                  ) : s.comments.length === 0 ? (
                    t('rollout.pulse.noComment')
                  ) : (
                    <ul>
                      {s.comments.map((c, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: anonymous comments have no identity
                        <li key={i}>{c}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </section>
  );
}
