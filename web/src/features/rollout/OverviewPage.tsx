import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Tile } from '@codegouvfr/react-dsfr/Tile';
import type { RolloutOverview } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, call } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { Checklist, Help, ProfileRates } from './Checklist.tsx';
import { rolloutKey, useEstablishmentId, useRolloutMe } from './rollout.api.ts';
import { useFormat } from './rollout.format.ts';

/** The first screen: the steering group's overview, or — for the others — what the rollout offers them. */
export function OverviewPage() {
  const me = useRolloutMe();
  return me.data?.steering ? <SteeringOverview direction={me.data.direction} /> : <MyRollout />;
}

function SteeringOverview({ direction }: { direction: boolean }) {
  const { t } = useTranslation();
  const establishment = useEstablishmentId();
  const f = useFormat();
  const query = useQuery({
    queryKey: rolloutKey(establishment, 'overview'),
    queryFn: () => call('GET /api/rollout/overview', { query: { establishment } }),
  });
  const o = query.data;
  return (
    <>
      <PageTitle title={t('rollout.overview.title')}>{t('rollout.overview.title')}</PageTitle>
      <p>{t('rollout.overview.intro')}</p>
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />
      {o ? (
        <>
          {o.lateSteps > 0 ? (
            <div className="fr-mb-3w">
              <Alert
                severity="warning"
                small
                description={
                  <>
                    {t('rollout.overview.late', { count: o.lateSteps })}{' '}
                    <Link to="/rollout/plan#late">{t('rollout.overview.seeLate')}</Link>
                  </>
                }
              />
            </div>
          ) : null}
          <section aria-labelledby="checklist-title" className="fr-mb-5w">
            <h2 id="checklist-title" className="fr-h4">
              {t('rollout.overview.checklist')}
            </h2>
            <Checklist items={o.checklist} />
          </section>
          <section aria-labelledby="rates-title" className="fr-mb-5w">
            <h2 id="rates-title" className="fr-h4">
              {t('rollout.overview.rates')}
            </h2>
            <ProfileRates overview={o} />
            <ClassesTable classes={o.classes} format={f} />
          </section>
          {direction ? <Families establishment={establishment} overview={o} /> : null}
          <Help help={o.help} />
        </>
      ) : null}
    </>
  );
}

function ClassesTable({
  classes,
  format,
}: {
  classes: RolloutOverview['classes'];
  format: ReturnType<typeof useFormat>;
}) {
  const { t } = useTranslation();
  if (classes.length === 0) return null;
  return (
    <Table caption={t('rollout.classes.caption')} showCaption className="fr-table--sm preau-table-wrap">
      <thead>
        <tr>
          <th scope="col">{t('rollout.classes.class')}</th>
          <th scope="col">{t('rollout.classes.guardians')}</th>
          <th scope="col">{t('rollout.classes.students')}</th>
          <th scope="col">{t('rollout.classes.charter')}</th>
        </tr>
      </thead>
      <tbody>
        {classes.map((c) => (
          <tr key={c.classId} data-class={c.class}>
            <th scope="row">{c.class}</th>
            <td>
              {format.rate(c.guardians.activated, c.guardians.total)}{' '}
              <span className="preau-muted">
                ({c.guardians.activated}/{c.guardians.total})
              </span>
            </td>
            <td>
              {format.rate(c.students.activated, c.students.total)}{' '}
              <span className="preau-muted">
                ({c.students.activated}/{c.students.total})
              </span>
            </td>
            <td>
              {t('rollout.classes.charterFigures', {
                guardians: format.rate(c.guardians.accepted, c.guardians.total),
                students: format.rate(c.students.accepted, c.students.total),
              })}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** "Tell the families": one notice on every guardian's timeline; the checklist's item then counts who activated. */
function Families({ establishment, overview }: { establishment: string; overview: RolloutOverview }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const families = overview.checklist.find((i) => i.key === 'families');
  const send = useMutation({
    mutationFn: () => call('POST /api/rollout/announcements', { body: { establishmentId: establishment, text } }),
    onSuccess: async () => {
      setText('');
      await qc.invalidateQueries({ queryKey: rolloutKey(establishment) });
    },
  });
  const err = send.error instanceof ApiError ? send.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  return (
    <section id="families" aria-labelledby="families-title" className="fr-mb-5w">
      <h2 id="families-title" className="fr-h4">
        {t('rollout.families.title')}
      </h2>
      <p>
        {families?.date ? t('rollout.families.already', { count: families.total ?? 0 }) : t('rollout.families.intro')}
      </p>
      {send.data ? (
        <div role="status" className="fr-mb-2w">
          <Alert severity="success" small description={t('rollout.families.sent', { count: send.data.recipients })} />
        </div>
      ) : null}
      <form onSubmit={submit} noValidate className="preau-narrow">
        <Input
          label={t('rollout.families.text')}
          hintText={t('rollout.families.hint')}
          textArea
          nativeTextAreaProps={{
            value: text,
            onChange: (e) => setText(e.target.value),
            rows: 4,
            maxLength: 1000,
            name: 'text',
          }}
          {...(err ? { state: 'error' as const, stateRelatedMessage: err.problem.detail } : {})}
        />
        <Button type="submit" disabled={send.isPending || text.trim().length === 0} iconId="fr-icon-send-plane-line">
          {t('rollout.families.send')}
        </Button>
      </form>
    </section>
  );
}

/** For everyone taking part: where to find help, training, and where to be heard. */
function MyRollout() {
  const { t } = useTranslation();
  const tiles = ['support', 'needs', 'skills', 'pulse'] as const;
  return (
    <>
      <PageTitle title={t('rollout.mine.title')}>{t('rollout.mine.title')}</PageTitle>
      <p>{t('rollout.mine.intro')}</p>
      <ul className="fr-grid-row fr-grid-row--gutters preau-tiles">
        {tiles.map((k) => (
          <li key={k} className="fr-col-12 fr-col-md-6">
            <Tile
              title={t(`rollout.mine.${k}.title`)}
              titleAs="h2"
              desc={t(`rollout.mine.${k}.desc`)}
              linkProps={{ to: `/rollout/${k}` }}
              enlargeLinkOrButton
            />
          </li>
        ))}
      </ul>
    </>
  );
}
