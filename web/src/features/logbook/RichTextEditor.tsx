import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A small rich-text editor for lessons and homework: bold, italic, lists, links, on a contentEditable area
 * labelled like a form field (the server keeps only that formatting and refuses code). Keyboard: Ctrl+B, Ctrl+I.
 */
export function RichTextEditor({
  label,
  hint,
  value,
  onChange,
  testId,
}: {
  label: string;
  hint?: string;
  value: string;
  onChange: (html: string) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();
  // The initial content, once; afterwards the element is the source of truth (the caret must not jump).
  const [initial] = useState(value);
  useEffect(() => {
    if (ref.current) ref.current.innerHTML = initial;
  }, [initial]);
  const exec = (command: string, arg?: string) => {
    ref.current?.focus();
    document.execCommand(command, false, arg);
    onChange(ref.current?.innerHTML ?? '');
  };
  const link = () => {
    const url = window.prompt(t('logbook.editor.linkPrompt'), 'https://');
    if (url && /^https?:\/\//i.test(url)) exec('createLink', url);
  };
  return (
    <div className="fr-input-group preau-rte">
      <span className="fr-label" id={`${id}-label`}>
        {label}
        {hint ? <span className="fr-hint-text">{hint}</span> : null}
      </span>
      <div className="preau-rte__toolbar" role="toolbar" aria-label={t('logbook.editor.toolbar')}>
        <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm" onClick={() => exec('bold')}>
          <strong>{t('logbook.editor.bold')}</strong>
        </button>
        <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm" onClick={() => exec('italic')}>
          <em>{t('logbook.editor.italic')}</em>
        </button>
        <button
          type="button"
          className="fr-btn fr-btn--tertiary fr-btn--sm"
          onClick={() => exec('insertUnorderedList')}
        >
          {t('logbook.editor.list')}
        </button>
        <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm" onClick={() => exec('insertOrderedList')}>
          {t('logbook.editor.numbered')}
        </button>
        <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm" onClick={link}>
          {t('logbook.editor.linkButton')}
        </button>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a rich-text area has no native element */}
      <div
        ref={ref}
        className="fr-input preau-rte__area"
        role="textbox"
        aria-multiline="true"
        aria-labelledby={`${id}-label`}
        tabIndex={0}
        contentEditable
        suppressContentEditableWarning
        data-testid={testId}
        onInput={() => onChange(ref.current?.innerHTML ?? '')}
      />
    </div>
  );
}
