import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import {
  DUPLICATE_REASON_WEIGHTS,
  type DuplicateDismissal,
  type DuplicatePair,
  type DuplicatePerson,
} from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { get, post } from '../../app/api.ts';
import { formatDate, formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { UserStatusBadge } from '../admin/UsersAdmin.tsx';
import { type DuplicateList, keys, type MergeItem } from './directory.api.ts';

const mergeModal = createModal({ id: 'merge-modal', isOpenedByDefault: false });

export function DuplicatesPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: keys.duplicates(id),
    queryFn: () => get<DuplicateList>(`/api/establishments/${id}/duplicates`),
  });
  const merges = useQuery({
    queryKey: keys.merges(id),
    queryFn: () => get<{ items: MergeItem[] }>(`/api/establishments/${id}/duplicates/merges`),
  });
  const [pair, setPair] = useState<DuplicatePair | null>(null);
  const [shown, setShown] = useState(10);
  const [keepId, setKeepId] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const merge = useMutation({
    mutationFn: (body: { keepId: string; mergeId: string }) => post(`/api/establishments/${id}/duplicates/merge`, body),
    onSuccess: async () => {
      const kept = pair?.people.find((p) => p.id === keepId);
      setMessage(t('directory.duplicates.merged', { name: kept?.displayName ?? '' }));
      mergeModal.close();
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
  });
  const undo = useMutation({
    mutationFn: (m: MergeItem) => post(`/api/establishments/${id}/duplicates/merges/${m.id}/undo`),
    onSuccess: async (_d, m) => {
      setMessage(t('directory.duplicates.undone', { name: m.merged.displayName }));
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
  });
  const dismissals = useQuery({
    queryKey: keys.dismissals(id),
    queryFn: () => get<{ items: DuplicateDismissal[] }>(`/api/establishments/${id}/duplicates/dismissals`),
  });
  const dismiss = useMutation({
    mutationFn: (p: DuplicatePair) =>
      post(`/api/establishments/${id}/duplicates/dismissals`, { aId: p.people[0].id, bId: p.people[1].id }),
    onSuccess: async (_d, p) => {
      setMessage(t('directory.duplicates.dismissed', { a: p.people[0].displayName, b: p.people[1].displayName }));
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
  });
  const undoDismiss = useMutation({
    mutationFn: (d: DuplicateDismissal) => post(`/api/establishments/${id}/duplicates/dismissals/${d.id}/undo`),
    onSuccess: async (_d, d) => {
      setMessage(t('directory.duplicates.dismissUndone', { a: d.people[0].displayName, b: d.people[1].displayName }));
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
  });

  function openMerge(p: DuplicatePair) {
    setPair(p);
    setKeepId(p.suggestedKeepId);
    merge.reset();
    mergeModal.open();
  }

  const mergeId = pair?.people.find((p) => p.id !== keepId)?.id ?? '';
  return (
    <>
      <PageTitle title={t('directory.duplicates.title')}>{t('directory.duplicates.title')}</PageTitle>
      <p>{t('directory.duplicates.intro')}</p>
      {message ? <Alert role="status" className="fr-mb-3w" severity="success" small description={message} /> : null}
      <ErrorAlert error={undo.error ?? dismiss.error ?? undoDismiss.error} />
      <section aria-labelledby="pairs-title" className="fr-mb-5w">
        <h2 id="pairs-title" className="fr-h4">
          {t('directory.duplicates.pairs')}
        </h2>
        <p className="fr-text--sm">{t('directory.duplicates.scoreHelp')}</p>
        {list.isPending ? <Loading /> : null}
        <ErrorAlert error={list.error} />
        {list.data && list.data.pairs.length === 0 ? <EmptyState>{t('directory.duplicates.none')}</EmptyState> : null}
        {list.data?.pairs.slice(0, shown).map((p) => (
          <div
            key={`${p.people[0].id}-${p.people[1].id}`}
            className="preau-card fr-p-3w fr-mb-3w"
            data-testid="pair"
            data-kind={p.kind}
          >
            <p className="fr-mb-1w">
              <Badge as="span" small noIcon severity={p.score >= 0.9 ? 'warning' : 'info'} className="fr-mr-1w">
                {t('directory.duplicates.score', { score: Math.round(p.score * 100) })}
              </Badge>
              <span className="fr-text--sm preau-muted">{t(`directory.duplicates.kind.${p.kind}`)}</span>
            </p>
            <p className="fr-text--sm fr-mb-0 fr-text--bold">{t('directory.duplicates.why')}</p>
            <ul className="fr-text--sm fr-mb-1w" data-testid="pair-reasons">
              {p.reasons.map((r) => (
                <li key={r}>
                  {t('directory.duplicates.reasonWeight', {
                    reason: t(`directory.duplicates.reason.${r}`),
                    weight: Math.round(DUPLICATE_REASON_WEIGHTS[r] * 100),
                  })}
                </li>
              ))}
            </ul>
            <div className="preau-pair">
              {p.people.map((person) => (
                <PersonCard key={person.id} person={person} suggested={person.id === p.suggestedKeepId} />
              ))}
            </div>
            {!p.can.merge && p.people.some((x) => x.otherEstablishments) ? (
              <p className="fr-text--sm fr-mt-2w fr-mb-0">{t('directory.duplicates.platformOnly')}</p>
            ) : null}
            <div className="preau-actions fr-mt-2w">
              {p.can.merge ? (
                <Button priority="secondary" iconId="fr-icon-git-merge-line" onClick={() => openMerge(p)}>
                  {t('directory.duplicates.merge')}
                </Button>
              ) : null}
              {p.can.dismiss ? (
                <Button
                  priority="tertiary"
                  iconId="fr-icon-close-circle-line"
                  disabled={dismiss.isPending}
                  onClick={() => dismiss.mutate(p)}
                  nativeButtonProps={{
                    'aria-label': t('directory.duplicates.dismissFor', {
                      a: p.people[0].displayName,
                      b: p.people[1].displayName,
                    }),
                  }}
                >
                  {t('directory.duplicates.dismiss')}
                </Button>
              ) : null}
            </div>
          </div>
        ))}
        {list.data && list.data.pairs.length > shown ? (
          <Button priority="secondary" onClick={() => setShown((n) => n + 10)} className="fr-mb-2w">
            {t('directory.duplicates.more', { shown, count: list.data.pairs.length })}
          </Button>
        ) : null}
        {list.data?.truncated ? (
          <p className="fr-text--sm preau-muted">{t('directory.duplicates.truncated', { count: list.data.total })}</p>
        ) : null}
      </section>

      <section aria-labelledby="merges-title">
        <h2 id="merges-title" className="fr-h4">
          {t('directory.duplicates.history')}
        </h2>
        {merges.isPending ? <Loading /> : null}
        <ErrorAlert error={merges.error} />
        {merges.data && merges.data.items.length === 0 ? (
          <EmptyState>{t('directory.duplicates.noMerges')}</EmptyState>
        ) : null}
        {merges.data && merges.data.items.length > 0 ? (
          <Table caption={t('directory.duplicates.history')} className="preau-table-wrap">
            <thead>
              <tr>
                <th scope="col">{t('directory.duplicates.date')}</th>
                <th scope="col">{t('directory.duplicates.kept')}</th>
                <th scope="col">{t('directory.duplicates.mergedAccount')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {merges.data.items.map((m) => (
                <tr key={m.id}>
                  <td className="preau-nowrap">{formatDateTime(m.mergedAt, i18n.language)}</td>
                  <td>
                    <Link to={`/admin/${id}/users/${m.kept.id}`}>{m.kept.displayName}</Link>
                    <span className="preau-block fr-text--xs preau-muted">{m.kept.login}</span>
                  </td>
                  <td>
                    {m.merged.displayName}
                    <span className="preau-block fr-text--xs preau-muted">{m.merged.login}</span>
                  </td>
                  <td>
                    {m.undoneAt ? (
                      t('directory.duplicates.undoneAt', { date: formatDateTime(m.undoneAt, i18n.language) })
                    ) : m.can.undo ? (
                      <Button
                        size="small"
                        priority="secondary"
                        iconId="fr-icon-arrow-go-back-line"
                        disabled={undo.isPending}
                        onClick={() => undo.mutate(m)}
                      >
                        {t('directory.duplicates.undo')}
                      </Button>
                    ) : (
                      t('directory.duplicates.undoExpired', { date: formatDate(m.undoUntil, i18n.language) })
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </section>

      <section aria-labelledby="dismissals-title" className="fr-mt-5w">
        <h2 id="dismissals-title" className="fr-h4">
          {t('directory.duplicates.dismissals')}
        </h2>
        {dismissals.isPending ? <Loading /> : null}
        <ErrorAlert error={dismissals.error} />
        {dismissals.data && dismissals.data.items.length === 0 ? (
          <EmptyState>{t('directory.duplicates.noDismissals')}</EmptyState>
        ) : null}
        {dismissals.data && dismissals.data.items.length > 0 ? (
          <Table caption={t('directory.duplicates.dismissals')} className="preau-table-wrap">
            <thead>
              <tr>
                <th scope="col">{t('directory.duplicates.date')}</th>
                <th scope="col">{t('directory.duplicates.people')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {dismissals.data.items.map((d) => (
                <tr key={d.id} data-testid="dismissal">
                  <td className="preau-nowrap">{formatDateTime(d.dismissedAt, i18n.language)}</td>
                  <td>
                    {d.people.map((x) => (
                      <span key={x.id} className="preau-block">
                        <Link to={`/admin/${id}/users/${x.id}`}>{x.displayName}</Link>{' '}
                        <span className="fr-text--xs preau-muted">{x.login}</span>
                      </span>
                    ))}
                  </td>
                  <td>
                    {d.undoneAt ? (
                      t('directory.duplicates.dismissalUndoneAt', { date: formatDateTime(d.undoneAt, i18n.language) })
                    ) : d.can.undo ? (
                      <Button
                        size="small"
                        priority="secondary"
                        iconId="fr-icon-arrow-go-back-line"
                        disabled={undoDismiss.isPending}
                        onClick={() => undoDismiss.mutate(d)}
                        nativeButtonProps={{
                          'aria-label': t('directory.duplicates.undoDismissFor', {
                            a: d.people[0].displayName,
                            b: d.people[1].displayName,
                          }),
                        }}
                      >
                        {t('directory.duplicates.undoDismiss')}
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </section>

      <mergeModal.Component
        title={t('directory.duplicates.modalTitle')}
        buttons={[
          { children: t('common.cancel'), priority: 'secondary' },
          {
            children: t('directory.duplicates.confirmMerge'),
            doClosesModal: false,
            disabled: merge.isPending || !pair,
            onClick: () => merge.mutate({ keepId, mergeId }),
          },
        ]}
      >
        {pair ? (
          <>
            <p>{t('directory.duplicates.modalIntro')}</p>
            <RadioButtons
              legend={t('directory.duplicates.keepLegend')}
              name="keep"
              options={pair.people.map((p) => ({
                label: `${p.displayName} (${p.login})`,
                hintText: `${t(`users.status.${p.status}`)}${p.fromFeed ? ` — ${t('directory.duplicates.fromFeed')}` : ''}${
                  p.id === pair.suggestedKeepId ? ` — ${t('directory.duplicates.suggested')}` : ''
                }`,
                nativeInputProps: { value: p.id, checked: keepId === p.id, onChange: () => setKeepId(p.id) },
              }))}
            />
            <Alert severity="info" small description={t('directory.duplicates.modalWarning')} />
            <ErrorAlert error={merge.error} />
          </>
        ) : null}
      </mergeModal.Component>
    </>
  );
}

function PersonCard({ person: p, suggested }: { person: DuplicatePerson; suggested: boolean }) {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  return (
    <div>
      <p className="fr-text--bold fr-mb-1w">
        <Link to={`/admin/${id}/users/${p.id}`}>{p.displayName}</Link>{' '}
        {suggested ? (
          <Badge as="span" small noIcon severity="success">
            {t('directory.duplicates.suggested')}
          </Badge>
        ) : null}
      </p>
      <dl className="preau-dl fr-text--sm">
        <dt>{t('admin.users.login')}</dt>
        <dd>{p.login}</dd>
        <dt>{t('admin.users.status')}</dt>
        <dd>
          <UserStatusBadge status={p.status} />
        </dd>
        <dt>{t('admin.users.birthDate')}</dt>
        <dd>{formatDate(p.birthDate, i18n.language)}</dd>
        <dt>{t('account.email')}</dt>
        <dd>{p.email ?? '—'}</dd>
        <dt>{t('admin.users.profile')}</dt>
        <dd>{p.profiles.map((x) => t(`profiles.${x}`)).join(', ') || '—'}</dd>
        <dt>{t('admin.users.class')}</dt>
        <dd>{p.classes.join(', ') || '—'}</dd>
        <dt>{t('directory.duplicates.origin')}</dt>
        <dd>
          {p.fromFeed ? t('directory.duplicates.fromFeed') : t('directory.duplicates.manual')}
          {p.otherEstablishments ? ` — ${t('directory.duplicates.otherEstablishment')}` : ''}
        </dd>
        <dt>{t('admin.users.lastLogin')}</dt>
        <dd>{formatDateTime(p.lastLoginAt, i18n.language)}</dd>
      </dl>
    </div>
  );
}
