import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import type { MailboxItem } from '@preau/contracts';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { EstablishmentSwitcher } from '../../components/EstablishmentSwitcher.tsx';
import { formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { MailboxNav } from './MailboxNav.tsx';

const SYSTEM = ['inbox', 'sent', 'drafts', 'trash'];

/** A folder of the mailbox, newest first, with full-text search. */
export function MailboxPage() {
  const { t, i18n } = useTranslation();
  const { membership } = useAuth();
  const { folder = 'inbox' } = useParams();
  const establishment = membership?.establishment.id ?? '';
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const list = useInfiniteQuery({
    queryKey: ['messaging', 'box', establishment, folder, q],
    queryFn: ({ pageParam }) =>
      call('GET /api/messaging/inbox', {
        query: { establishment, folder, q: q || undefined, before: pageParam, limit: 25 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
    enabled: !!establishment,
  });
  const createFolder = useMutation({
    mutationFn: (name: string) =>
      call('POST /api/messaging/folders', { body: { establishmentId: establishment, name } }),
    onSuccess: (f) => {
      void qc.invalidateQueries({ queryKey: ['messaging', 'folders'] });
      navigate(`/messaging/folder/${f.id}`);
    },
  });
  const deleteFolder = useMutation({
    mutationFn: () => call('DELETE /api/messaging/folders/:id', { params: { id: folder } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['messaging'] });
      navigate('/messaging');
    },
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = list.data?.pages[0]?.unread ?? 0;
  const title = SYSTEM.includes(folder) ? t(`messaging.folders.${folder}`) : t('messaging.title');
  const search = (e: FormEvent) => {
    e.preventDefault();
    setQ(typed.trim());
  };
  const open = (m: MailboxItem) =>
    folder === 'drafts' ? `/messaging/new?draft=${m.id}` : `/messaging/messages/${m.id}`;

  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      <div className="fr-col-12 fr-col-md-3">
        <p>
          <Link className="fr-btn fr-icon-edit-line fr-btn--icon-left" to="/messaging/new">
            {t('messaging.new')}
          </Link>
        </p>
        {establishment ? <MailboxNav establishmentId={establishment} current={folder} /> : null}
        <FolderForm onCreate={(name) => createFolder.mutate(name)} busy={createFolder.isPending} />
        <ErrorAlert error={createFolder.error ?? deleteFolder.error} />
      </div>
      <div className="fr-col-12 fr-col-md-9">
        <div className="preau-portal-head">
          <PageTitle title={title}>{title}</PageTitle>
          <EstablishmentSwitcher />
        </div>
        {folder === 'inbox' && unread > 0 ? (
          <p className="fr-badge fr-badge--info" data-testid="mailbox-unread">
            {t('messaging.unread', { count: unread })}
          </p>
        ) : null}
        <search aria-label={t('messaging.search')}>
          <form onSubmit={search} className="preau-inline-form fr-mb-3w">
            <Input
              label={t('messaging.searchLabel')}
              nativeInputProps={{ value: typed, onChange: (e) => setTyped(e.target.value), type: 'search', name: 'q' }}
            />
            <Button type="submit" priority="secondary">
              {t('messaging.searchButton')}
            </Button>
          </form>
        </search>
        {list.isPending ? <Loading /> : null}
        <ErrorAlert error={list.error} />
        {list.data && items.length === 0 ? (
          <EmptyState>{q ? t('messaging.emptySearch', { q }) : t('messaging.empty')}</EmptyState>
        ) : null}
        <ul className="preau-mailbox" data-testid="mailbox">
          {items.map((m) => (
            <li
              key={m.id}
              className={m.unread ? 'preau-mailbox__item preau-mailbox__item--unread' : 'preau-mailbox__item'}
            >
              <p className="fr-mb-0">
                {m.unread ? (
                  <span className="fr-badge fr-badge--sm fr-badge--info fr-mr-1w">{t('messaging.unreadBadge')}</span>
                ) : null}
                <Link to={open(m)} className="preau-mailbox__subject">
                  {m.subject || t('messaging.noSubject')}
                </Link>
                {m.noReply ? <span className="fr-badge fr-badge--sm fr-ml-1w">{t('messaging.noReply')}</span> : null}
                {m.recalled ? (
                  <span className="fr-badge fr-badge--sm fr-badge--warning fr-ml-1w">{t('messaging.recalled')}</span>
                ) : null}
              </p>
              <p className="fr-text--sm fr-mb-0 preau-muted">
                {folder === 'sent' || folder === 'drafts'
                  ? t('messaging.to', { to: m.toLabel || '—' })
                  : t('messaging.from', { from: m.from.displayName })}
                {m.sentAt ? ` — ${formatDateTime(m.sentAt, i18n.language)}` : ''}
                {m.readCount !== undefined
                  ? ` — ${t('messaging.readBy', { count: m.readCount, total: m.recipientCount })}`
                  : ''}
              </p>
              {m.preview ? <p className="fr-text--sm fr-mb-0">{m.preview}</p> : null}
            </li>
          ))}
        </ul>
        {list.hasNextPage ? (
          <Button priority="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {t('messaging.more')}
          </Button>
        ) : null}
        {!SYSTEM.includes(folder) ? (
          <p className="fr-mt-3w">
            <Button priority="tertiary" iconId="fr-icon-delete-line" onClick={() => deleteFolder.mutate()}>
              {t('messaging.folders.delete')}
            </Button>
            <span className="fr-hint-text">{t('messaging.folders.deleteHint')}</span>
          </p>
        ) : null}
      </div>
    </div>
  );
}

function FolderForm({ onCreate, busy }: { onCreate: (name: string) => void; busy: boolean }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  return (
    <form
      className="fr-mt-2w"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) onCreate(name.trim());
        setName('');
      }}
    >
      <Input
        label={t('messaging.folders.name')}
        nativeInputProps={{ value: name, onChange: (e) => setName(e.target.value), maxLength: 60 }}
      />
      <Button type="submit" size="small" priority="secondary" disabled={busy || !name.trim()}>
        {t('messaging.folders.create')}
      </Button>
    </form>
  );
}
