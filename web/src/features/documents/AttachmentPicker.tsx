import { Button } from '@codegouvfr/react-dsfr/Button';
import type { AttachedDocument } from '@preau/contracts';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading } from '../../components/states.tsx';
import { formatBytes, useBrowse, useEstablishment, useSpaces } from './documents.api.ts';

/**
 * Documents attached by reference to another service's object (a message, a lesson, a homework): the other
 * features use this picker and this list; the bytes are never copied, the server checks the reader.
 */

/** A document chosen to attach: what the server needs, and what the page shows. */
export interface ChosenDocument {
  documentId: string;
  name: string;
  size?: number | undefined;
  version?: 'latest' | 'this' | undefined;
}

/** What the API's `attachments` field takes. */
export const attachmentsBody = (list: readonly ChosenDocument[]) =>
  list.map((d) => ({ documentId: d.documentId, version: d.version ?? ('latest' as const) }));

/** From the attachments an object carries, to chosen documents (editing it). */
export const chosenOf = (list: readonly AttachedDocument[]): ChosenDocument[] =>
  list.map((a) => ({ documentId: a.documentId, name: a.name, size: a.size, version: a.version }));

/**
 * « Joindre un document »: the chosen documents (each with its remove button), and a panel to pick from
 * « Mes documents » (folders browsed) or « Partagés avec moi ».
 */
export function AttachmentPicker({
  value,
  onChange,
  disabled,
}: {
  value: readonly ChosenDocument[];
  onChange: (next: ChosenDocument[]) => void;
  disabled?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const headingId = useId();
  const chosen = new Set(value.map((d) => d.documentId));
  const add = (d: ChosenDocument) => {
    if (!chosen.has(d.documentId)) onChange([...value, d]);
  };
  return (
    <div className="preau-attachments fr-mb-3w" data-testid="attachment-picker">
      <p className="fr-label fr-mb-1w" id={headingId}>
        {t('documents.picker.attachments')}
      </p>
      {value.length > 0 ? (
        <ul className="fr-tags-group" aria-labelledby={headingId} data-testid="attachments-chosen">
          {value.map((d) => (
            <li key={d.documentId}>
              <button
                type="button"
                className="fr-tag fr-tag--dismiss"
                aria-label={t('documents.picker.remove', { name: d.name })}
                onClick={() => onChange(value.filter((x) => x.documentId !== d.documentId))}
                disabled={disabled}
              >
                {d.name}
                {d.size !== undefined ? ` (${formatBytes(d.size, i18n.language)})` : ''}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="fr-hint-text">{t('documents.picker.none')}</p>
      )}
      <Button
        type="button"
        priority="secondary"
        size="small"
        iconId="fr-icon-attachment-line"
        nativeButtonProps={{ 'aria-expanded': open, 'aria-controls': panelId }}
        onClick={() => setOpen(!open)}
        disabled={disabled}
      >
        {open ? t('documents.picker.close') : t('documents.picker.open')}
      </Button>
      {open ? (
        <section id={panelId} className="preau-picker fr-mt-2w fr-p-2w" aria-label={t('documents.picker.title')}>
          <PickerPanel chosen={chosen} onPick={add} />
        </section>
      ) : null}
    </div>
  );
}

function PickerPanel({ chosen, onPick }: { chosen: Set<string>; onPick: (d: ChosenDocument) => void }) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'mine' | 'shared'>('mine');
  const uid = useId();
  return (
    <>
      <fieldset className="fr-segmented fr-segmented--sm fr-mb-2w">
        <legend className="fr-segmented__legend">{t('documents.picker.from')}</legend>
        <div className="fr-segmented__elements">
          {(['mine', 'shared'] as const).map((k) => (
            <div className="fr-segmented__element" key={k}>
              <input
                type="radio"
                id={`${uid}-${k}`}
                name={`${uid}-tab`}
                value={k}
                checked={tab === k}
                onChange={() => setTab(k)}
              />
              <label className="fr-label" htmlFor={`${uid}-${k}`}>
                {k === 'mine' ? t('documents.menu.mine') : t('documents.menu.shared')}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      {tab === 'mine' ? <MineList chosen={chosen} onPick={onPick} /> : <SharedList chosen={chosen} onPick={onPick} />}
    </>
  );
}

function PickButton({
  name,
  size,
  taken,
  onClick,
}: {
  name: string;
  size: number;
  taken: boolean;
  onClick: () => void;
}) {
  const { t, i18n } = useTranslation();
  return (
    <li className="preau-picker__item">
      <span className="fr-icon-file-line fr-mr-1w" aria-hidden="true" />
      <span>
        {name} <span className="preau-muted">({formatBytes(size, i18n.language)})</span>
      </span>
      <Button
        type="button"
        size="small"
        priority="tertiary"
        className="fr-ml-2w"
        onClick={onClick}
        disabled={taken}
        nativeButtonProps={{
          'aria-label': taken ? t('documents.picker.attachedOf', { name }) : t('documents.picker.attachOf', { name }),
        }}
      >
        {taken ? t('documents.picker.attached') : t('documents.picker.attach')}
      </Button>
    </li>
  );
}

/** « Mes documents »: the personal space, folder by folder. */
function MineList({ chosen, onPick }: { chosen: Set<string>; onPick: (d: ChosenDocument) => void }) {
  const { t } = useTranslation();
  const spaces = useSpaces();
  const personal = spaces.data?.items.find((s) => s.kind === 'personal');
  const [folder, setFolder] = useState<string | undefined>(undefined);
  const browse = useBrowse(personal?.id, folder);
  if (spaces.isPending || (personal && browse.isPending)) return <Loading />;
  const data = browse.data;
  return (
    <>
      <ErrorAlert error={spaces.error ?? browse.error} />
      {data && data.breadcrumb.length > 0 ? (
        <p className="fr-mb-1w">
          <Button
            type="button"
            size="small"
            priority="tertiary no outline"
            iconId="fr-icon-arrow-left-line"
            onClick={() => setFolder(data.breadcrumb.at(-2)?.id)}
          >
            {t('documents.picker.up')}
          </Button>{' '}
          <span className="preau-muted">{data.breadcrumb.map((b) => b.name).join(' / ')}</span>
        </p>
      ) : null}
      {data ? (
        <ul className="preau-picker__list" data-testid="picker-mine">
          {data.folders.map((f) => (
            <li key={f.id} className="preau-picker__item">
              <span className="fr-icon-folder-2-fill fr-mr-1w" aria-hidden="true" />
              <Button
                type="button"
                size="small"
                priority="tertiary no outline"
                onClick={() => setFolder(f.id)}
                nativeButtonProps={{ 'aria-label': t('documents.picker.openFolder', { name: f.name }) }}
              >
                {f.name}
              </Button>
            </li>
          ))}
          {data.files.map((f) => (
            <PickButton
              key={f.id}
              name={f.name}
              size={f.size}
              taken={chosen.has(f.id)}
              onClick={() => onPick({ documentId: f.id, name: f.name, size: f.size })}
            />
          ))}
          {data.folders.length + data.files.length === 0 ? (
            <li className="fr-hint-text">{t('documents.picker.empty')}</li>
          ) : null}
        </ul>
      ) : null}
    </>
  );
}

/** « Partagés avec moi »: the files shared with the person (folders are browsed in the documents pages). */
function SharedList({ chosen, onPick }: { chosen: Set<string>; onPick: (d: ChosenDocument) => void }) {
  const { t } = useTranslation();
  const establishment = useEstablishment();
  const shared = useQuery({
    queryKey: ['documents', 'shared', establishment],
    queryFn: () => call('GET /api/documents/shared', { query: { establishment } }),
    enabled: !!establishment,
  });
  if (shared.isPending) return <Loading />;
  const files = (shared.data?.items ?? []).filter((i) => i.type === 'file');
  return (
    <>
      <ErrorAlert error={shared.error} />
      <ul className="preau-picker__list" data-testid="picker-shared">
        {files.map((f) => (
          <PickButton
            key={f.id}
            name={f.name}
            size={f.size ?? 0}
            taken={chosen.has(f.id)}
            onClick={() => onPick({ documentId: f.id, name: f.name, size: f.size ?? undefined })}
          />
        ))}
        {files.length === 0 ? <li className="fr-hint-text">{t('documents.picker.sharedEmpty')}</li> : null}
      </ul>
    </>
  );
}

/** The attachments of a message, a lesson or a homework: each a download link, with its size and type. */
export function AttachmentList({ items, className }: { items: readonly AttachedDocument[]; className?: string }) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return null;
  return (
    <ul className={`preau-attachment-list ${className ?? ''}`} aria-label={t('documents.picker.listLabel')}>
      {items.map((a) => (
        <li key={a.id}>
          <a
            className="fr-link fr-icon-attachment-line fr-link--icon-left"
            href={a.url}
            download
            aria-label={t('documents.picker.download', { name: a.name })}
          >
            {a.name}
          </a>{' '}
          <span className="fr-text--sm preau-muted">
            ({typeLabel(a.mime)} — {formatBytes(a.size, i18n.language)})
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A short type label from the MIME type (« PDF », « PNG », « DOCX »…). */
function typeLabel(mime: string): string {
  const known: Record<string, string> = {
    'application/pdf': 'PDF',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PPTX',
    'application/vnd.oasis.opendocument.text': 'ODT',
    'text/plain': 'TXT',
  };
  return known[mime] ?? (mime.split('/')[1] ?? mime).toUpperCase().slice(0, 10);
}
