import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { HomeworkKind, Warning } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { AttachmentPicker, attachmentsBody, type ChosenDocument, chosenOf } from '../documents/AttachmentPicker.tsx';
import { clock, useDayLabel } from '../timetable/WeekView.tsx';
import { RichTextEditor } from './RichTextEditor.tsx';
import './logbook.css';

const KINDS: HomeworkKind[] = ['exercise', 'lesson', 'assessment', 'project'];

interface HomeworkDraft {
  key: number;
  id?: string;
  dueDate: string;
  kind: HomeworkKind;
  description: string;
  estimatedMinutes: string;
  attachments: ChosenDocument[];
}

/** A local date-time input value (`2026-11-30T08:00`) as an instant with the browser's offset. */
const toInstant = (local: string) => new Date(local).toISOString();

/** Fill (or edit) the lesson of one course occurrence, and the homework set in it. */
export function LessonEditor() {
  const { t } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const [params] = useSearchParams();
  const courseId = params.get('course') ?? '';
  const date = params.get('date') ?? '';
  const dayLabel = useDayLabel();
  const entry = useQuery({
    queryKey: ['logbook', 'entry', courseId, date],
    queryFn: () => call('GET /api/logbook/entries', { query: { establishment, from: date, to: date } }),
    enabled: !!establishment && !!date,
    select: (r) => r.items.find((e) => e.courseId === courseId && e.date === date) ?? null,
  });
  const lessonId = entry.data?.lesson?.id;
  const lesson = useQuery({
    queryKey: ['logbook', 'lesson', lessonId],
    queryFn: () => call('GET /api/logbook/lessons/:id', { params: { id: lessonId! } }),
    enabled: !!lessonId,
  });
  if (entry.isPending || (lessonId && lesson.isPending)) return <Loading />;
  if (entry.error || lesson.error) return <ErrorAlert error={entry.error ?? lesson.error} />;
  const e = entry.data;
  const title = e
    ? t('logbook.editor.title', {
        subject: e.subject.name,
        who: e.class?.name ?? e.group?.name ?? '',
        date: dayLabel(date),
      })
    : t('logbook.editor.titleShort');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {e?.start ? (
        <p className="fr-text--lead">
          {clock(e.start)} – {e.end ? clock(e.end) : ''}
          {e.room ? ` · ${t('timetable.room', { room: e.room })}` : ''}
        </p>
      ) : null}
      <EditorForm key={lessonId ?? 'new'} courseId={courseId} date={date} lesson={lesson.data ?? null} />
    </>
  );
}

function EditorForm({
  courseId,
  date,
  lesson,
}: {
  courseId: string;
  date: string;
  lesson: Awaited<ReturnType<typeof call<'GET /api/logbook/lessons/:id'>>> | null;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState(lesson?.title ?? '');
  const [content, setContent] = useState(lesson?.content ?? '');
  const [link, setLink] = useState(lesson?.links[0]?.url ?? '');
  const [later, setLater] = useState(!!lesson?.publishAt);
  const [publishAt, setPublishAt] = useState('');
  const [attachments, setAttachments] = useState<ChosenDocument[]>(chosenOf(lesson?.attachments ?? []));
  let next = 0;
  const [homework, setHomework] = useState<HomeworkDraft[]>(
    (lesson?.homework ?? []).map((h) => ({
      key: next++,
      id: h.id,
      dueDate: h.dueDate,
      kind: h.kind,
      description: h.description,
      estimatedMinutes: h.estimatedMinutes ? String(h.estimatedMinutes) : '',
      attachments: chosenOf(h.attachments),
    })),
  );
  const [warnings, setWarnings] = useState<Warning[]>([]);
  const add = () =>
    setHomework([
      ...homework,
      { key: Date.now(), dueDate: date, kind: 'exercise', description: '', estimatedMinutes: '', attachments: [] },
    ]);
  const update = (key: number, patch: Partial<HomeworkDraft>) =>
    setHomework(homework.map((h) => (h.key === key ? { ...h, ...patch } : h)));
  const save = useMutation({
    mutationFn: async () => {
      const links = link ? [{ url: link }] : [];
      const publish = later && publishAt ? toInstant(publishAt) : undefined;
      const fresh = homework.filter((h) => !h.id && h.description.trim());
      const newHomework = fresh.map((h) => ({
        dueDate: h.dueDate,
        description: h.description,
        kind: h.kind,
        ...(h.estimatedMinutes ? { estimatedMinutes: Number(h.estimatedMinutes) } : {}),
        ...(publish ? { publishAt: publish } : {}),
        ...(h.attachments.length > 0 ? { attachments: attachmentsBody(h.attachments) } : {}),
      }));
      if (!lesson) {
        const r = await call('POST /api/logbook/lessons', {
          body: {
            courseId,
            date,
            title,
            content,
            links,
            ...(publish ? { publishAt: publish } : {}),
            ...(attachments.length > 0 ? { attachments: attachmentsBody(attachments) } : {}),
            homework: newHomework,
          },
        });
        return r.warnings;
      }
      await call('PATCH /api/logbook/lessons/:id', {
        params: { id: lesson.id },
        body: {
          title,
          content,
          links,
          attachments: attachmentsBody(attachments),
          ...(later ? (publish ? { publishAt: publish } : {}) : { publishAt: null }),
        },
      });
      const out: Warning[] = [];
      for (const h of newHomework)
        out.push(...(await call('POST /api/logbook/homework', { body: { courseId, date, ...h } })).warnings);
      for (const h of homework.filter((x) => x.id))
        await call('PATCH /api/logbook/homework/:id', {
          params: { id: h.id! },
          body: {
            dueDate: h.dueDate,
            kind: h.kind,
            description: h.description,
            estimatedMinutes: h.estimatedMinutes ? Number(h.estimatedMinutes) : null,
            attachments: attachmentsBody(h.attachments),
          },
        });
      return out;
    },
    onSuccess: async (w) => {
      await qc.invalidateQueries({ queryKey: ['logbook'] });
      await qc.invalidateQueries({ queryKey: ['home'] });
      if (w.length) setWarnings(w);
      else navigate(`/logbook?view=mine&date=${date}`);
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => call('DELETE /api/logbook/homework/:id', { params: { id } }),
    onSuccess: (_, id) => setHomework(homework.filter((h) => h.id !== id)),
  });
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    setWarnings([]);
    save.mutate();
  };
  return (
    <form onSubmit={submit} data-testid="lesson-form">
      {lesson?.visa ? (
        <Alert
          className="fr-mb-3w"
          severity="info"
          small
          description={t('logbook.editor.signedNotice', { name: lesson.visa.signer?.displayName ?? '—' })}
        />
      ) : null}
      <Input
        label={t('logbook.editor.lessonTitle')}
        nativeInputProps={{ value: title, onChange: (e) => setTitle(e.target.value), required: true, maxLength: 200 }}
      />
      <RichTextEditor
        label={t('logbook.editor.content')}
        hint={t('logbook.editor.contentHint')}
        value={content}
        onChange={setContent}
        testId="lesson-content"
      />
      <Input
        label={t('logbook.editor.link')}
        hintText={t('logbook.editor.linkHint')}
        nativeInputProps={{
          type: 'url',
          value: link,
          onChange: (e) => setLink(e.target.value),
          placeholder: 'https://',
        }}
      />
      <AttachmentPicker value={attachments} onChange={setAttachments} />
      <Checkbox
        options={[
          {
            label: t('logbook.editor.later'),
            nativeInputProps: { checked: later, onChange: (e) => setLater(e.target.checked) },
          },
        ]}
      />
      {later ? (
        <Input
          label={t('logbook.editor.publishAt')}
          nativeInputProps={{
            type: 'datetime-local',
            value: publishAt,
            onChange: (e) => setPublishAt(e.target.value),
            required: true,
          }}
        />
      ) : null}

      <h2 className="fr-h5 fr-mt-4w">{t('logbook.editor.homework')}</h2>
      {homework.map((h, i) => (
        <fieldset key={h.key} className="preau-hw-editor" data-testid="homework-editor">
          <legend className="fr-text--bold">{t('logbook.editor.homeworkN', { n: i + 1 })}</legend>
          <Input
            label={t('logbook.editor.dueDate')}
            nativeInputProps={{
              type: 'date',
              value: h.dueDate,
              min: date,
              onChange: (e) => update(h.key, { dueDate: e.target.value }),
              required: true,
            }}
          />
          <Select
            label={t('logbook.editor.kind')}
            nativeSelectProps={{
              value: h.kind,
              onChange: (e) => update(h.key, { kind: e.target.value as HomeworkKind }),
            }}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`logbook.kind.${k}`)}
              </option>
            ))}
          </Select>
          <Input
            label={t('logbook.editor.description')}
            textArea
            nativeTextAreaProps={{
              value: h.description.replace(/<[^>]+>/g, ''),
              onChange: (e) => update(h.key, { description: e.target.value }),
              required: true,
              rows: 3,
            }}
          />
          <Input
            label={t('logbook.editor.minutes')}
            nativeInputProps={{
              type: 'number',
              min: 0,
              max: 600,
              value: h.estimatedMinutes,
              onChange: (e) => update(h.key, { estimatedMinutes: e.target.value }),
            }}
          />
          <AttachmentPicker value={h.attachments} onChange={(next) => update(h.key, { attachments: next })} />
          {h.id ? (
            <Button type="button" priority="tertiary" size="small" onClick={() => remove.mutate(h.id!)}>
              {t('logbook.editor.removeHomework')}
            </Button>
          ) : (
            <Button
              type="button"
              priority="tertiary"
              size="small"
              onClick={() => setHomework(homework.filter((x) => x.key !== h.key))}
            >
              {t('logbook.editor.removeHomework')}
            </Button>
          )}
        </fieldset>
      ))}
      <Button type="button" priority="secondary" iconId="fr-icon-add-line" onClick={add}>
        {t('logbook.editor.addHomework')}
      </Button>
      {warnings.map((w) => (
        <Alert key={w.message} className="fr-mt-2w" severity="warning" small description={w.message} />
      ))}
      <ErrorAlert error={save.error ?? remove.error} />
      <div className="preau-actions fr-mt-4w">
        <Button type="submit" disabled={save.isPending}>
          {t('logbook.editor.save')}
        </Button>
        <Link className="fr-btn fr-btn--secondary" to={`/logbook?view=mine&date=${date}`}>
          {warnings.length ? t('logbook.editor.done') : t('common.cancel')}
        </Link>
      </div>
    </form>
  );
}
