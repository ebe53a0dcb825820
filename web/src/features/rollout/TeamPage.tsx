import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { RolloutTeam, StaffPerson } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { rolloutKey, useEstablishmentId } from './rollout.api.ts';

/** The steering group: its pilot, its members, the TICE cell (one representative per discipline). */
export function TeamPage() {
  const { t } = useTranslation();
  const establishment = useEstablishmentId();
  const [editing, setEditing] = useState(false);
  const team = useQuery({
    queryKey: rolloutKey(establishment, 'team'),
    queryFn: () => call('GET /api/rollout/team', { query: { establishment } }),
  });
  const staff = useQuery({
    queryKey: rolloutKey(establishment, 'staff'),
    queryFn: () => call('GET /api/rollout/staff', { query: { establishment } }),
  });
  const g = team.data;
  return (
    <>
      <PageTitle title={t('rollout.team.title')}>{t('rollout.team.title')}</PageTitle>
      <p>{t('rollout.team.intro')}</p>
      {team.isPending ? <Loading /> : null}
      <ErrorAlert error={team.error ?? staff.error} />
      {g && !editing ? (
        <>
          <dl className="preau-dl fr-mb-3w">
            <div className="preau-dl-row">
              <dt>{t('rollout.team.pilot')}</dt>
              <dd data-testid="team-pilot">{g.pilot?.displayName ?? t('rollout.team.nobody')}</dd>
            </div>
            <div className="preau-dl-row">
              <dt>{t('rollout.team.members')}</dt>
              <dd>{g.members.map((m) => m.displayName).join(', ') || t('rollout.team.nobody')}</dd>
            </div>
          </dl>
          <Table caption={t('rollout.team.tice')} showCaption className="fr-table--sm preau-table-wrap">
            <thead>
              <tr>
                <th scope="col">{t('rollout.team.subject')}</th>
                <th scope="col">{t('rollout.team.representative')}</th>
              </tr>
            </thead>
            <tbody>
              {g.tice.map((x) => (
                <tr key={x.subjectCode}>
                  <th scope="row">{x.subject}</th>
                  <td>{x.person?.displayName ?? <span className="preau-muted">{t('rollout.team.vacant')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </Table>
          {g.can.edit ? (
            <Button iconId="fr-icon-edit-line" onClick={() => setEditing(true)}>
              {t('rollout.team.edit')}
            </Button>
          ) : (
            <p className="fr-text--sm preau-muted">{t('rollout.team.onlyDirection')}</p>
          )}
        </>
      ) : null}
      {g && editing && staff.data ? (
        <TeamEditor
          establishment={establishment}
          team={g}
          people={staff.data.people}
          onDone={() => setEditing(false)}
        />
      ) : null}
    </>
  );
}

function TeamEditor({
  establishment,
  team,
  people,
  onDone,
}: {
  establishment: string;
  team: RolloutTeam;
  people: StaffPerson[];
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [pilot, setPilot] = useState(team.pilot?.id ?? '');
  const [members, setMembers] = useState(new Set(team.members.map((m) => m.id)));
  const [tice, setTice] = useState<Record<string, string>>(
    Object.fromEntries(team.tice.map((x) => [x.subjectCode, x.person?.id ?? ''])),
  );
  const save = useMutation({
    mutationFn: () =>
      call('PUT /api/rollout/team', {
        body: {
          establishmentId: establishment,
          pilotId: pilot || null,
          memberIds: [...members],
          tice: Object.entries(tice)
            .filter(([, userId]) => userId)
            .map(([subjectCode, userId]) => ({ subjectCode, userId })),
        },
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: rolloutKey(establishment) });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="preau-editor fr-p-3w" aria-labelledby="team-edit-title">
      <h2 id="team-edit-title" className="fr-h5">
        {t('rollout.team.edit')}
      </h2>
      {save.error ? <ErrorAlert error={save.error} /> : null}
      <Select
        label={t('rollout.team.pilot')}
        nativeSelectProps={{ name: 'pilot', value: pilot, onChange: (e) => setPilot(e.target.value) }}
      >
        <option value="">{t('rollout.team.nobody')}</option>
        {people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.displayName}
          </option>
        ))}
      </Select>
      <Checkbox
        legend={t('rollout.team.members')}
        small
        className="preau-columns"
        options={people.map((p) => ({
          label: p.displayName,
          nativeInputProps: {
            checked: members.has(p.id),
            onChange: () => {
              const next = new Set(members);
              if (next.has(p.id)) next.delete(p.id);
              else next.add(p.id);
              setMembers(next);
            },
          },
        }))}
      />
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">{t('rollout.team.tice')}</legend>
        {team.tice.map((x) => {
          const teaching = people.filter((p) => p.subjects.includes(x.subjectCode));
          return (
            <div key={x.subjectCode} className="fr-fieldset__element">
              <Select
                label={x.subject}
                nativeSelectProps={{
                  name: `tice-${x.subjectCode}`,
                  value: tice[x.subjectCode] ?? '',
                  onChange: (e) => setTice({ ...tice, [x.subjectCode]: e.target.value }),
                }}
              >
                <option value="">{t('rollout.team.vacant')}</option>
                {teaching.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.displayName}
                  </option>
                ))}
              </Select>
            </div>
          );
        })}
      </fieldset>
      <Alert severity="info" small description={t('rollout.team.notice')} className="fr-mb-2w" />
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button type="submit" disabled={save.isPending}>
            {t('common.save')}
          </Button>
        </li>
        <li>
          <Button type="button" priority="secondary" onClick={onDone}>
            {t('common.cancel')}
          </Button>
        </li>
      </ul>
    </form>
  );
}
