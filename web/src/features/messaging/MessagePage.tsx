import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { formatDateTime } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { AttachmentList } from '../documents/AttachmentPicker.tsx';

/** A message, its thread, and what the reader may do with it (the server's `can` flags decide the buttons). */
export function MessagePage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const { membership } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const [notice, setNotice] = useState<string | null>(
    (location.state as { sent?: number } | null)?.sent !== undefined
      ? t('messaging.compose.sent', { count: (location.state as { sent: number }).sent })
      : null,
  );
  const [target, setTarget] = useState('');
  const m = useQuery({
    queryKey: ['messaging', 'message', id],
    queryFn: () => call('GET /api/messaging/messages/:id', { params: { id } }),
  });
  const folders = useQuery({
    queryKey: ['messaging', 'folders', membership?.establishment.id],
    queryFn: () => call('GET /api/messaging/folders', { query: { establishment: membership!.establishment.id } }),
    enabled: !!membership,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['messaging'] });
  const update = useMutation({
    mutationFn: (body: { read?: boolean; folder?: string }) =>
      call('PATCH /api/messaging/messages/:id', { params: { id }, body }),
    onSuccess: (_r, body) => {
      void refresh();
      if (body.read === false || body.folder === 'trash') navigate('/messaging');
    },
  });
  const remove = useMutation({
    mutationFn: () => call('DELETE /api/messaging/messages/:id', { params: { id } }),
    onSuccess: () => {
      void refresh();
      navigate('/messaging/folder/trash');
    },
  });
  const recall = useMutation({
    mutationFn: () => call('POST /api/messaging/messages/:id/recall', { params: { id } }),
    onSuccess: (r) => {
      setNotice(t('messaging.read.recalledResult', { recalled: r.recalled, read: r.alreadyRead }));
      void refresh();
    },
  });

  if (m.isPending) return <Loading />;
  if (!m.data) return <ErrorAlert error={m.error} />;
  const msg = m.data;
  const title = msg.subject || t('messaging.noSubject');
  return (
    <>
      <p>
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to="/messaging">
          {t('messaging.read.back')}
        </Link>
      </p>
      {notice ? (
        <div role="status" className="fr-mb-2w">
          <Alert severity="success" small description={notice} />
        </div>
      ) : null}
      <PageTitle title={title}>{title}</PageTitle>
      <p className="fr-mb-1w">
        {t('messaging.from', { from: msg.from.displayName })}
        {msg.noReply ? <span className="fr-badge fr-badge--sm fr-ml-1w">{t('messaging.noReply')}</span> : null}
      </p>
      <p className="fr-text--sm preau-muted">
        {t('messaging.to', { to: msg.toLabel })} — {t('messaging.recipients', { count: msg.recipientCount })}
        {msg.sentAt ? ` — ${t('messaging.sentAt', { date: formatDateTime(msg.sentAt, i18n.language) })}` : ''}
        {msg.readCount !== undefined
          ? ` — ${t('messaging.readBy', { count: msg.readCount, total: msg.recipientCount })}`
          : ''}
      </p>
      <div
        className="preau-message-body fr-mb-3w"
        data-testid="message-body"
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised on the server (sanitize-html allow-list); the CSP forbids inline scripts anyway
        dangerouslySetInnerHTML={{ __html: msg.body }}
      />
      {msg.attachments.length > 0 ? (
        <section className="fr-mb-3w" aria-labelledby="message-attachments" data-testid="message-attachments">
          <h2 className="fr-h6 fr-mb-1w" id="message-attachments">
            {t('messaging.read.attachments', { count: msg.attachments.length })}
          </h2>
          <AttachmentList items={msg.attachments} />
        </section>
      ) : null}
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
        {msg.status === 'draft' ? (
          <li>
            <Link className="fr-btn fr-icon-edit-line" to={`/messaging/new?draft=${msg.id}`}>
              {t('messaging.read.draftEdit')}
            </Link>
          </li>
        ) : null}
        {msg.can.reply ? (
          <li>
            <Link className="fr-btn fr-icon-reply-line" to={`/messaging/new?replyTo=${msg.id}`}>
              {t('messaging.read.reply')}
            </Link>
          </li>
        ) : null}
        {msg.can.replyAll ? (
          <li>
            <Link
              className="fr-btn fr-btn--secondary fr-icon-reply-all-line"
              to={`/messaging/new?replyTo=${msg.id}&all=1`}
            >
              {t('messaging.read.replyAll')}
            </Link>
          </li>
        ) : null}
        {msg.can.forward ? (
          <li>
            <Link
              className="fr-btn fr-btn--secondary fr-icon-share-forward-line"
              to={`/messaging/new?forward=${msg.id}`}
            >
              {t('messaging.read.forward')}
            </Link>
          </li>
        ) : null}
        {msg.can.recall ? (
          <li>
            <Button
              priority="tertiary"
              iconId="fr-icon-arrow-go-back-line"
              onClick={() => {
                if (window.confirm(t('messaging.read.recallConfirm'))) recall.mutate();
              }}
            >
              {t('messaging.read.recall')}
            </Button>
          </li>
        ) : null}
        {msg.status !== 'draft' && msg.mine.folder !== 'trash' ? (
          <li>
            <Button priority="tertiary" iconId="fr-icon-delete-line" onClick={() => update.mutate({ folder: 'trash' })}>
              {t('messaging.read.trash')}
            </Button>
          </li>
        ) : null}
        {msg.mine.folder === 'trash' ? (
          <>
            <li>
              <Button
                priority="secondary"
                iconId="fr-icon-refresh-line"
                onClick={() => update.mutate({ folder: 'inbox' })}
              >
                {t('messaging.read.restore')}
              </Button>
            </li>
            <li>
              <Button priority="tertiary" iconId="fr-icon-delete-bin-line" onClick={() => remove.mutate()}>
                {t('messaging.read.deleteForever')}
              </Button>
            </li>
          </>
        ) : null}
        {msg.mine.role === 'recipient' ? (
          <li>
            <Button priority="tertiary" iconId="fr-icon-mail-line" onClick={() => update.mutate({ read: false })}>
              {t('messaging.read.markUnread')}
            </Button>
          </li>
        ) : null}
      </ul>
      {msg.status !== 'draft' && (folders.data?.folders.length ?? 0) > 0 ? (
        <form
          className="preau-inline-form fr-mb-3w"
          onSubmit={(e) => {
            e.preventDefault();
            if (target) update.mutate({ folder: target });
          }}
        >
          <Select
            label={t('messaging.read.move')}
            nativeSelectProps={{ value: target, onChange: (e) => setTarget(e.target.value) }}
          >
            <option value="">—</option>
            {folders.data?.folders.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </Select>
          <Button type="submit" priority="secondary" disabled={!target}>
            {t('messaging.read.moveButton')}
          </Button>
        </form>
      ) : null}
      <ErrorAlert error={update.error ?? remove.error ?? recall.error} />
      {msg.thread.length > 0 ? (
        <section aria-labelledby="thread-title" className="fr-mt-4w">
          <h2 id="thread-title" className="fr-h5">
            {t('messaging.read.thread')}
          </h2>
          <ul className="preau-mailbox">
            {msg.thread.map((x) => (
              <li key={x.id} className="preau-mailbox__item">
                <p className="fr-mb-0">
                  <Link to={`/messaging/messages/${x.id}`}>{x.subject}</Link>
                </p>
                <p className="fr-text--sm fr-mb-0 preau-muted">
                  {x.from.displayName}
                  {x.sentAt ? ` — ${formatDateTime(x.sentAt, i18n.language)}` : ''}
                </p>
                <p className="fr-text--sm fr-mb-0">{x.preview}</p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
