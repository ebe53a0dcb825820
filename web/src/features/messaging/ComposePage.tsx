import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import type { RecipientItem } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import {
  AttachmentList,
  AttachmentPicker,
  attachmentsBody,
  type ChosenDocument,
  chosenOf,
} from '../documents/AttachmentPicker.tsx';
import { Editor } from './Editor.tsx';

interface Chosen {
  id: string;
  label: string;
  count?: number;
}

/** Debounced value: the address book is asked once the person stops typing. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * Writing a message: recipients from the address book (only whom the rules allow), the count by profile before
 * sending, subject, rich text; saved as a draft while one types. Reply, reply-all and forward start from a message.
 */
export function ComposePage() {
  const { t, i18n } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const [params] = useSearchParams();
  const replyTo = params.get('replyTo');
  const all = params.get('all') === '1';
  const forwardOf = params.get('forward');
  const draftParam = params.get('draft');
  const navigate = useNavigate();
  const qc = useQueryClient();

  const [to, setTo] = useState<Chosen[]>([]);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [noReply, setNoReply] = useState(false);
  const [attachments, setAttachments] = useState<ChosenDocument[]>([]);
  const [draftId, setDraftId] = useState<string | null>(draftParam);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [loaded, setLoaded] = useState(!replyTo && !forwardOf && !draftParam);
  const dirty = useRef(false);
  const q = useDebounced(typed.trim(), 250);

  // Starting from a message (reply, reply-all, forward) or a draft.
  const source = useQuery({
    queryKey: ['messaging', 'message', replyTo ?? forwardOf ?? draftParam],
    queryFn: () => call('GET /api/messaging/messages/:id', { params: { id: (replyTo ?? forwardOf ?? draftParam)! } }),
    enabled: !!(replyTo ?? forwardOf ?? draftParam),
  });
  useEffect(() => {
    const m = source.data;
    if (!m || loaded) return;
    if (draftParam && m.draft) {
      setTo(m.draft.to);
      setSubject(m.subject);
      setBody(m.body);
      setNoReply(m.noReply);
      setAttachments(chosenOf(m.attachments));
    } else if (replyTo) {
      setTo(all ? m.replyAll : m.replyAll.filter((r) => r.id === m.from.id).slice(0, 1));
      setSubject(m.subject.startsWith('RE:') ? m.subject : `RE: ${m.subject}`);
      setBody(`<p></p><blockquote><p>${escapeHtml(m.from.displayName)} :</p>${m.body}</blockquote>`);
    } else if (forwardOf) {
      setSubject(m.subject.startsWith('TR:') ? m.subject : `TR: ${m.subject}`);
      setBody(`<p></p><blockquote><p>${escapeHtml(m.from.displayName)} :</p>${m.body}</blockquote>`);
    }
    setLoaded(true);
  }, [source.data, loaded, draftParam, replyTo, forwardOf, all]);

  const book = useQuery({
    queryKey: ['messaging', 'recipients', establishment, q],
    queryFn: () => call('GET /api/messaging/recipients', { query: { establishment, q: q || undefined, limit: 20 } }),
    enabled: !!establishment,
  });
  const audience = useQuery({
    queryKey: ['messaging', 'audience', establishment, to.map((x) => x.id).join(','), replyTo],
    queryFn: () =>
      call('GET /api/messaging/audience', {
        query: { establishment, to: to.map((x) => x.id).join(','), replyTo: replyTo ?? undefined },
      }),
    enabled: !!establishment && to.length > 0,
  });

  const draft = useMutation({
    mutationFn: async () => {
      const payload = {
        establishmentId: establishment,
        to: to.map((x) => x.id),
        subject,
        body,
        noReply,
        attachments: attachmentsBody(attachments),
        replyTo: replyTo ?? null,
        forwardOf: forwardOf ?? null,
      };
      return draftId
        ? call('PUT /api/messaging/drafts/:id', { params: { id: draftId }, body: payload })
        : call('POST /api/messaging/drafts', { body: payload });
    },
    onSuccess: (r) => {
      setDraftId(r.id);
      setSavedAt(r.savedAt);
      void qc.invalidateQueries({ queryKey: ['messaging', 'folders'] });
    },
  });
  // Saved as one types: two seconds after the last change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: saving follows the fields only, not the mutation object
  useEffect(() => {
    if (!loaded || !establishment) return;
    if (!dirty.current) return;
    const timer = setTimeout(() => {
      if (subject || body || to.length) draft.mutate();
    }, 2000);
    return () => clearTimeout(timer);
  }, [subject, body, to, noReply, attachments, loaded, establishment]);
  const touch = () => {
    dirty.current = true;
  };

  const send = useMutation({
    mutationFn: () =>
      call('POST /api/messaging/messages', {
        body: {
          establishmentId: establishment,
          to: to.map((x) => x.id),
          subject,
          body: body || '<p></p>',
          ...(attachments.length > 0 ? { attachments: attachmentsBody(attachments) } : {}),
          ...(noReply ? { noReply } : {}),
          ...(replyTo ? { replyTo } : {}),
          ...(forwardOf ? { forwardOf } : {}),
          ...(draftId ? { draftId } : {}),
        },
      }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['messaging'] });
      navigate(`/messaging/messages/${r.id}`, { state: { sent: r.recipientCount } });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    dirty.current = false;
    send.mutate();
  };

  const add = (item: RecipientItem) => {
    touch();
    if (!to.some((x) => x.id === item.id)) setTo([...to, { id: item.id, label: item.label, count: item.count }]);
    setTyped('');
  };
  const refusedIds = new Set([
    ...(audience.data?.refused ?? []),
    ...(send.error instanceof ApiError ? ((send.error.problem as { refused?: string[] }).refused ?? []) : []),
  ]);
  const canNoReply = membership?.permissions.includes('messaging.no_reply') ?? false;
  const title = replyTo
    ? t('messaging.compose.replyTitle')
    : forwardOf
      ? t('messaging.compose.forwardTitle')
      : t('messaging.compose.title');
  const byProfile = Object.entries(audience.data?.byProfile ?? {})
    .map(([p, n]) => t(`messaging.profiles.${p}`, { count: n }))
    .join(', ');
  const results = (book.data?.items ?? []).filter((i) => !to.some((x) => x.id === i.id));

  if (!loaded) return <Loading />;
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <ErrorAlert error={source.error} />
      <form onSubmit={submit} aria-label={title} noValidate>
        <fieldset className="fr-fieldset" aria-labelledby="recipients-legend">
          <legend className="fr-fieldset__legend" id="recipients-legend">
            {t('messaging.compose.recipients')}
          </legend>
          {to.length > 0 ? (
            <ul className="fr-tags-group fr-fieldset__element" data-testid="chosen">
              {to.map((x) => (
                <li key={x.id}>
                  <button
                    type="button"
                    className={`fr-tag fr-tag--dismiss${refusedIds.has(x.id) ? ' preau-tag--refused' : ''}`}
                    aria-label={t('messaging.compose.remove', { label: x.label })}
                    onClick={() => {
                      touch();
                      setTo(to.filter((y) => y.id !== x.id));
                    }}
                  >
                    {x.label}
                    {x.count !== undefined ? ` (${x.count})` : ''}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <div className="fr-fieldset__element">
            <Input
              label={t('messaging.compose.search')}
              hintText={t('messaging.compose.searchHint')}
              nativeInputProps={{
                value: typed,
                onChange: (e) => setTyped(e.target.value),
                type: 'search',
                autoComplete: 'off',
                'aria-controls': 'recipient-results',
              }}
            />
            <ul id="recipient-results" className="preau-recipients" aria-live="polite" data-testid="recipient-results">
              {results.slice(0, 12).map((i) => (
                <li key={i.id}>
                  <button
                    type="button"
                    className="fr-btn fr-btn--tertiary fr-btn--sm"
                    onClick={() => add(i)}
                    aria-label={t('messaging.compose.add', { label: i.label })}
                  >
                    {i.label}
                  </button>
                  <span className="fr-text--sm preau-muted fr-ml-1w">
                    {i.kind === 'list'
                      ? `${t('messaging.compose.list')} — ${t('messaging.compose.members', { count: i.count ?? 0 })}`
                      : (i.detail ?? '')}
                  </span>
                </li>
              ))}
              {book.data && results.length === 0 ? (
                <li className="fr-text--sm">{t('messaging.compose.noResult')}</li>
              ) : null}
            </ul>
          </div>
          <div className="fr-fieldset__element" role="status" data-testid="audience">
            {to.length === 0 ? (
              <p className="fr-hint-text">{t('messaging.compose.audienceNone')}</p>
            ) : audience.data ? (
              <>
                <p className="fr-mb-1w">
                  <strong>
                    {t('messaging.compose.audience', {
                      total: t('messaging.recipients', { count: audience.data.total }),
                    })}
                  </strong>{' '}
                  {byProfile}
                </p>
                {audience.data.cap !== null && audience.data.total > audience.data.cap ? (
                  <p className="fr-error-text">{t('messaging.compose.cap', { cap: audience.data.cap })}</p>
                ) : null}
                {audience.data.refused.length > 0 ? (
                  <p className="fr-error-text">
                    {t('messaging.compose.refused', {
                      names: to
                        .filter((x) => audience.data.refused.includes(x.id))
                        .map((x) => x.label)
                        .join(', '),
                    })}
                  </p>
                ) : null}
              </>
            ) : null}
          </div>
        </fieldset>
        <Input
          label={t('messaging.compose.subject')}
          nativeInputProps={{
            value: subject,
            onChange: (e) => {
              touch();
              setSubject(e.target.value);
            },
            maxLength: 200,
            required: true,
            name: 'subject',
          }}
        />
        <div className="fr-input-group">
          <p className="fr-label" id="compose-body-label">
            {t('messaging.compose.body')}
          </p>
          <Editor
            value={body}
            labelId="compose-body-label"
            onChange={(html) => {
              touch();
              setBody(html);
            }}
          />
        </div>
        {forwardOf && source.data && source.data.attachments.length > 0 ? (
          <div className="fr-mb-2w" data-testid="forwarded-attachments">
            <p className="fr-label fr-mb-1w">{t('messaging.compose.forwardedAttachments')}</p>
            <AttachmentList items={source.data.attachments} />
          </div>
        ) : null}
        <AttachmentPicker
          value={attachments}
          onChange={(next) => {
            touch();
            setAttachments(next);
          }}
        />
        {canNoReply ? (
          <Checkbox
            options={[
              {
                label: t('messaging.compose.noReply'),
                hintText: t('messaging.compose.noReplyHint'),
                nativeInputProps: {
                  checked: noReply,
                  onChange: (e) => {
                    touch();
                    setNoReply(e.target.checked);
                  },
                },
              },
            ]}
          />
        ) : null}
        <ErrorAlert error={send.error ?? draft.error} />
        {savedAt ? (
          <p className="fr-hint-text" role="status">
            {t('messaging.compose.draftSaved', {
              time: new Date(savedAt).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }),
            })}
          </p>
        ) : null}
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <Button
              type="submit"
              iconId="fr-icon-send-plane-line"
              disabled={send.isPending || to.length === 0 || !subject.trim()}
            >
              {send.isPending ? t('messaging.compose.sending') : t('messaging.compose.send')}
            </Button>
          </li>
          <li>
            <Button type="button" priority="secondary" onClick={() => draft.mutate()} disabled={draft.isPending}>
              {t('messaging.compose.saveDraft')}
            </Button>
          </li>
        </ul>
      </form>
    </>
  );
}
