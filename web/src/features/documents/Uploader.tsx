import { Button } from '@codegouvfr/react-dsfr/Button';
import { type DragEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, callUpload } from '../../app/api.ts';
import { formatBytes } from './documents.api.ts';

interface Item {
  key: number;
  name: string;
  size: number;
  loaded: number;
  state: 'sending' | 'done' | 'failed';
  error?: string;
}

let counter = 0;

/**
 * Drag and drop (or choose) several files: each is sent on its own request, with its own progress bar
 * (XMLHttpRequest upload progress), its own success or its own error in words. Two at a time.
 */
export function Uploader({
  spaceId,
  folderId,
  onUploaded,
}: {
  spaceId: string;
  folderId: string | null;
  onUploaded: () => void;
}) {
  const { t, i18n } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const id = useId();

  const update = (key: number, patch: Partial<Item>) =>
    setItems((all) => all.map((it) => (it.key === key ? { ...it, ...patch } : it)));

  async function send(files: File[]) {
    const queue = files.map((f) => ({ file: f, key: ++counter }));
    setItems((all) => [
      ...queue.map(({ file, key }) => ({
        key,
        name: file.name,
        size: file.size,
        loaded: 0,
        state: 'sending' as const,
      })),
      ...all,
    ]);
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { file, key } = next;
        const form = new FormData();
        if (folderId) form.append('folderId', folderId);
        form.append('file', file, file.name);
        try {
          await callUpload('POST /api/documents/spaces/:spaceId/files', { spaceId }, form, (loaded) =>
            update(key, { loaded: Math.min(loaded, file.size) }),
          ).done;
          update(key, { state: 'done', loaded: file.size });
          onUploaded();
        } catch (e) {
          update(key, { state: 'failed', error: e instanceof ApiError ? e.problem.detail : String(e) });
        }
      }
    };
    await Promise.all([worker(), worker()]);
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const files = [...e.dataTransfer.files];
    if (files.length) void send(files);
  };

  return (
    <section className="fr-mb-3w" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="fr-sr-only">
        {t('documents.upload.title')}
      </h2>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target only; its button does the same by keyboard */}
      <div
        className={over ? 'preau-dropzone preau-dropzone--over' : 'preau-dropzone'}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p className="fr-mb-1w">
          <span className="fr-icon-upload-2-line fr-mr-1w" aria-hidden="true" />
          {t('documents.upload.drop')}
        </p>
        <Button priority="secondary" iconId="fr-icon-add-line" onClick={() => input.current?.click()}>
          {t('documents.upload.choose')}
        </Button>
        <input
          ref={input}
          type="file"
          multiple
          className="fr-sr-only"
          tabIndex={-1}
          aria-label={t('documents.upload.choose')}
          data-testid="file-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) void send(files);
          }}
        />
      </div>
      {items.length > 0 ? (
        <ul className="preau-uploads" aria-live="polite" data-testid="uploads">
          {items.map((it) => {
            const percent = it.size ? Math.round((it.loaded / it.size) * 100) : it.state === 'done' ? 100 : 0;
            return (
              <li key={it.key} className="preau-uploads__item" data-state={it.state}>
                <div className="preau-progress__head">
                  <span id={`${id}-${it.key}`}>
                    {it.name} <span className="preau-muted">({formatBytes(it.size, i18n.language)})</span>
                  </span>
                  <span>
                    {it.state === 'done'
                      ? t('documents.upload.done')
                      : it.state === 'failed'
                        ? t('documents.upload.failed')
                        : `${percent} %`}
                  </span>
                </div>
                <div
                  className="preau-progress__track"
                  role="progressbar"
                  aria-labelledby={`${id}-${it.key}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent}
                  data-testid="upload-progress"
                >
                  <div
                    className={
                      it.state === 'failed' ? 'preau-progress__bar preau-progress__bar--failed' : 'preau-progress__bar'
                    }
                    style={{ width: `${it.state === 'failed' ? 100 : percent}%` }}
                  />
                </div>
                {it.error ? (
                  <p className="fr-error-text fr-mt-1w" role="alert">
                    {it.error}
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
