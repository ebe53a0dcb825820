import { EditorContent, useEditor, useEditorState } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The message editor (tiptap): paragraphs, bold, italic, underline, lists, quotes, links — what the server's
 * sanitiser keeps. A labelled, keyboard-usable toolbar; the editable area is a multi-line text box for screen readers.
 */
export function Editor({
  value,
  onChange,
  labelId,
}: {
  value: string;
  onChange: (html: string) => void;
  labelId: string;
}) {
  const { t } = useTranslation();
  const editor = useEditor({
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3] },
        code: false,
        codeBlock: false,
        link: { openOnClick: false, autolink: true, protocols: ['https', 'http', 'mailto'] },
      }),
    ],
    content: value,
    immediatelyRender: true,
    editorProps: {
      attributes: {
        class: 'preau-editor__area fr-input',
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': labelId,
        'data-testid': 'editor',
      },
    },
    onUpdate: ({ editor: e }) => onChange(e.isEmpty ? '' : e.getHTML()),
  });
  // A draft or a reply loaded after the first render.
  useEffect(() => {
    if (editor && value && editor.getHTML() !== value && !editor.isFocused)
      editor.commands.setContent(value, { emitUpdate: false });
  }, [editor, value]);
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e?.isActive('bold') ?? false,
      italic: e?.isActive('italic') ?? false,
      underline: e?.isActive('underline') ?? false,
      bullet: e?.isActive('bulletList') ?? false,
      ordered: e?.isActive('orderedList') ?? false,
      quote: e?.isActive('blockquote') ?? false,
      link: e?.isActive('link') ?? false,
    }),
  });
  if (!editor) return null;
  const button = (key: keyof NonNullable<typeof state>, icon: string, run: () => void) => (
    <button
      type="button"
      className={`fr-btn fr-btn--tertiary-no-outline fr-btn--sm ${icon}`}
      aria-pressed={state?.[key] ?? false}
      title={t(`messaging.editor.${key}`)}
      onClick={run}
    >
      {t(`messaging.editor.${key}`)}
    </button>
  );
  const chain = () => editor.chain().focus();
  return (
    <div className="preau-editor">
      <div className="preau-editor__toolbar" role="toolbar" aria-label={t('messaging.editor.toolbar')}>
        {button('bold', 'fr-icon-bold', () => chain().toggleBold().run())}
        {button('italic', 'fr-icon-italic', () => chain().toggleItalic().run())}
        {button('underline', 'fr-icon-underline', () => chain().toggleUnderline().run())}
        {button('bullet', 'fr-icon-list-unordered', () => chain().toggleBulletList().run())}
        {button('ordered', 'fr-icon-list-ordered', () => chain().toggleOrderedList().run())}
        {button('quote', 'fr-icon-quote-line', () => chain().toggleBlockquote().run())}
        {button('link', 'fr-icon-link', () => {
          if (editor.isActive('link')) {
            chain().unsetLink().run();
            return;
          }
          const href = window.prompt(t('messaging.editor.linkPrompt'));
          if (href && /^(https?:\/\/|mailto:)/i.test(href)) chain().extendMarkRange('link').setLink({ href }).run();
        })}
      </div>
      <EditorContent editor={editor} />
    </div>
  );
}
