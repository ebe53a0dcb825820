import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { SKILL_DOMAINS, type SkillDomain, type SkillLevels, type SkillsAggregate } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { formatDate } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { rolloutKey, useEstablishmentId, useRolloutMe } from './rollout.api.ts';
import { useFormat } from './rollout.ui.tsx';

const LEVELS = [1, 2, 3, 4, 5] as const;

/** The digital-skill self-assessment: one's own (private), and for the steering group the aggregates only. */
export function SkillsPage() {
  const { t } = useTranslation();
  const me = useRolloutMe();
  return (
    <>
      <PageTitle title={t('rollout.skills.title')}>{t('rollout.skills.title')}</PageTitle>
      <p>{t('rollout.skills.intro')}</p>
      <MyAssessment />
      {me.data?.steering ? <Aggregates /> : null}
    </>
  );
}

function MyAssessment() {
  const { t, i18n } = useTranslation();
  const establishment = useEstablishmentId();
  const qc = useQueryClient();
  const mine = useQuery({
    queryKey: rolloutKey(establishment, 'skills', 'me'),
    queryFn: () => call('GET /api/rollout/skills/me', { query: { establishment } }),
  });
  const [levels, setLevels] = useState<Partial<SkillLevels>>({});
  useEffect(() => {
    if (mine.data?.levels) setLevels(mine.data.levels);
  }, [mine.data]);
  const save = useMutation({
    mutationFn: () =>
      call('PUT /api/rollout/skills/me', { body: { establishmentId: establishment, levels: levels as SkillLevels } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'skills') }),
  });
  const complete = SKILL_DOMAINS.every((d) => levels[d] !== undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <section aria-labelledby="my-skills" className="fr-mb-5w">
      <h2 id="my-skills" className="fr-h4">
        {t('rollout.skills.mine')}
      </h2>
      <p className="fr-text--sm">{t('rollout.skills.private')}</p>
      {mine.isPending ? <Loading /> : null}
      <ErrorAlert error={mine.error ?? save.error} />
      {mine.data?.assessedAt ? (
        <p className="fr-text--sm preau-muted">
          {t('rollout.skills.assessedAt', { date: formatDate(mine.data.assessedAt, i18n.language) })}
        </p>
      ) : null}
      {save.isSuccess ? (
        <div role="status" className="fr-mb-2w">
          <Alert severity="success" small description={t('rollout.skills.saved')} />
        </div>
      ) : null}
      <form onSubmit={submit} noValidate data-testid="skills-form">
        {SKILL_DOMAINS.map((d: SkillDomain) => (
          <RadioButtons
            key={d}
            legend={t(`rollout.skills.domain.${d}`)}
            hintText={t(`rollout.skills.domainHint.${d}`)}
            orientation="horizontal"
            name={`skill-${d}`}
            options={LEVELS.map((l) => ({
              label: t(`rollout.skills.level.${l}`),
              nativeInputProps: {
                value: String(l),
                checked: levels[d] === l,
                onChange: () => setLevels({ ...levels, [d]: l }),
              },
            }))}
          />
        ))}
        <Button type="submit" disabled={!complete || save.isPending}>
          {t('rollout.skills.save')}
        </Button>
      </form>
    </section>
  );
}

function Aggregates() {
  const { t } = useTranslation();
  const establishment = useEstablishmentId();
  const f = useFormat();
  const agg = useQuery({
    queryKey: rolloutKey(establishment, 'skills', 'aggregate'),
    queryFn: () => call('GET /api/rollout/skills', { query: { establishment } }),
  });
  const a = agg.data;
  const row = (label: string, g: SkillsAggregate['overall'], key: string) => (
    <tr key={key}>
      <th scope="row">{label}</th>
      <td>{g.count ?? t('rollout.skills.hidden')}</td>
      {SKILL_DOMAINS.map((d) => (
        <td key={d}>
          {g.domains ? (
            <>
              {f.number(g.domains[d]!.mean)}
              {g.domains[d]!.atMost2 > 0 ? (
                <span className="preau-block fr-text--xs preau-muted">
                  {t('rollout.skills.atMost2', { count: g.domains[d]!.atMost2 })}
                </span>
              ) : null}
            </>
          ) : (
            '—'
          )}
        </td>
      ))}
    </tr>
  );
  return (
    <section aria-labelledby="skills-aggregates" className="fr-mb-5w">
      <h2 id="skills-aggregates" className="fr-h4">
        {t('rollout.skills.aggregates')}
      </h2>
      <p className="fr-text--sm">{t('rollout.skills.aggregatesIntro', { min: a?.minGroup ?? 5 })}</p>
      {agg.isPending ? <Loading /> : null}
      <ErrorAlert error={agg.error} />
      {a ? (
        <Table caption={t('rollout.skills.aggregatesCaption')} className="fr-table--sm preau-table-wrap">
          <thead>
            <tr>
              <th scope="col">{t('rollout.skills.group')}</th>
              <th scope="col">{t('rollout.skills.people')}</th>
              {SKILL_DOMAINS.map((d) => (
                <th key={d} scope="col">
                  {t(`rollout.skills.domainShort.${d}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {row(t('rollout.skills.everyone'), a.overall, 'all')}
            {a.bySubject.map((g) => row(g.subject, g, g.subjectCode))}
          </tbody>
        </Table>
      ) : null}
    </section>
  );
}
