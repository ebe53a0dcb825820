import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { AssessmentView, GradeCode, GradeInput } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { CODES, dateTimeLabel, num, parseGrade, todayInParis } from './format.ts';
import './grades.css';

interface Row {
  id: string;
  displayName: string;
  value: string;
  code: GradeCode | '';
  /** One level (1–4) per competency, or null. */
  levels: (number | null)[];
}

interface Fields {
  subjectId: string;
  title: string;
  date: string;
  coefficient: string;
  scale: string;
  /** The competencies assessed, one per line (optional). */
  competencies: string;
}

const competencyList = (text: string) =>
  text
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean)
    .slice(0, 12);

/** A new assessment of a class or group (`?class=…` or `?group=…`): its fields, then one line per student. */
export function NewAssessmentPage() {
  const { t } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const [params] = useSearchParams();
  const klass = params.get('class') ?? undefined;
  const group = params.get('group') ?? undefined;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const options = useQuery({
    queryKey: ['grades', 'options', establishment],
    queryFn: () => call('GET /api/grades/options', { query: { establishment } }),
    enabled: !!establishment,
  });
  const query = { establishment, ...(klass ? { class: klass } : {}), ...(group ? { group } : {}) };
  const book = useQuery({
    queryKey: ['grades', 'book', query],
    queryFn: () => call('GET /api/grades/book', { query }),
    enabled: !!establishment,
  });
  const target = options.data?.teaching.find((x) => x.id === (klass ?? group));
  const create = useMutation({
    mutationFn: (body: { fields: Fields; grades: GradeInput[] }) =>
      call('POST /api/grades/assessments', {
        body: {
          establishmentId: establishment,
          ...(klass ? { classId: klass } : { groupId: group! }),
          subjectId: body.fields.subjectId,
          title: body.fields.title,
          date: body.fields.date,
          coefficient: Number(body.fields.coefficient.replace(',', '.')),
          scale: Number(body.fields.scale.replace(',', '.')),
          competencies: competencyList(body.fields.competencies),
          grades: body.grades,
        },
      }),
    onSuccess: async ({ id }) => {
      await qc.invalidateQueries({ queryKey: ['grades'] });
      navigate(`/grades/assessments/${id}?saved=1`);
    },
  });
  const name = target ? (target.kind === 'class' ? t('grades.className', { name: target.name }) : target.name) : '';
  const title = t('grades.newAssessmentOf', { name });
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {options.isPending || book.isPending ? <Loading /> : null}
      <ErrorAlert error={options.error ?? book.error} />
      {target && book.data ? (
        <AssessmentForm
          subjects={target.subjects}
          initial={{
            subjectId: target.subjects[0]?.code ?? '',
            title: '',
            date: todayInParis(),
            coefficient: '1',
            scale: '20',
            competencies: '',
          }}
          rows={book.data.students.map((s) => ({
            id: s.id,
            displayName: s.displayName,
            value: '',
            code: '',
            levels: [],
          }))}
          pending={create.isPending}
          error={create.error}
          onSubmit={(fields, grades) => create.mutate({ fields, grades })}
          backTo={`/grades/book?${klass ? `class=${klass}` : `group=${group}`}`}
        />
      ) : null}
    </>
  );
}

/** An assessment, for its teacher: change it, show it now, remove it. */
export function EditAssessmentPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [saved, setSaved] = useState(params.get('saved') === '1');
  const view = useQuery({
    queryKey: ['grades', 'assessment', id],
    queryFn: () => call('GET /api/grades/assessments/:id', { params: { id } }),
  });
  const refresh = async (next: AssessmentView) => {
    qc.setQueryData(['grades', 'assessment', id], next);
    await qc.invalidateQueries({ queryKey: ['grades', 'book'] });
  };
  const update = useMutation({
    mutationFn: (body: { fields: Fields; grades: GradeInput[] }) =>
      call('PATCH /api/grades/assessments/:id', {
        params: { id },
        body: {
          title: body.fields.title,
          date: body.fields.date,
          coefficient: Number(body.fields.coefficient.replace(',', '.')),
          scale: Number(body.fields.scale.replace(',', '.')),
          competencies: competencyList(body.fields.competencies),
          grades: body.grades,
        },
      }),
    onSuccess: async (next) => {
      await refresh(next);
      setSaved(true);
    },
  });
  const publish = useMutation({
    mutationFn: () => call('POST /api/grades/assessments/:id/publish', { params: { id } }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => call('DELETE /api/grades/assessments/:id', { params: { id } }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['grades'] });
      navigate('/grades');
    },
  });
  const a = view.data;
  const back = a ? `/grades/book?${a.classId ? `class=${a.classId}` : `group=${a.groupId}`}` : '/grades';
  const title = a
    ? `${a.title} — ${a.subject.name}, ${a.classId ? t('grades.className', { name: a.target }) : a.target}`
    : t('grades.title');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <p>
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to={back}>
          {t('grades.backToBook')}
        </Link>
      </p>
      {view.isPending ? <Loading /> : null}
      <ErrorAlert error={view.error} />
      {saved ? (
        <div role="status" className="fr-mb-2w">
          <Alert severity="success" small description={t('grades.saved')} closable onClose={() => setSaved(false)} />
        </div>
      ) : null}
      {a ? (
        <>
          <div className="fr-mb-3w" data-testid="visibility">
            {a.visible ? (
              <p className="fr-badge fr-badge--success">{t('grades.visibleNow')}</p>
            ) : (
              <>
                <p className="fr-mb-1w">
                  <span className="fr-badge fr-badge--info fr-mr-1w">{t('grades.pending')}</span>
                  {t('grades.visibleAt', { when: dateTimeLabel(a.visibleAt, i18n.language) })}
                </p>
                {a.can.edit ? (
                  <Button
                    priority="secondary"
                    size="small"
                    disabled={publish.isPending}
                    onClick={() => publish.mutate()}
                  >
                    {t('grades.publishNow')}
                  </Button>
                ) : null}
              </>
            )}
            <ErrorAlert error={publish.error} />
            <p className="fr-mt-1w fr-mb-0">
              {t('grades.statsLine', {
                average: num(a.classAverage, i18n.language),
                min: num(a.min, i18n.language),
                max: num(a.max, i18n.language),
                scale: num(a.scale, i18n.language),
              })}
            </p>
          </div>
          {a.can.edit ? (
            <AssessmentForm
              key={a.id + a.visibleAt}
              subjects={null}
              initial={{
                subjectId: a.subject.code,
                title: a.title,
                date: a.date,
                coefficient: String(a.coefficient).replace('.', ','),
                scale: String(a.scale).replace('.', ','),
                competencies: a.competencies.join('\n'),
              }}
              rows={a.students.map((s) => ({
                id: s.id,
                displayName: s.displayName,
                value: s.value === undefined ? '' : String(s.value).replace('.', ','),
                code: s.code ?? '',
                levels: s.competencies ?? [],
              }))}
              pending={update.isPending}
              error={update.error}
              onSubmit={(fields, grades) => {
                setSaved(false);
                update.mutate({ fields, grades });
              }}
              backTo={back}
              onDelete={() => {
                if (window.confirm(t('grades.deleteConfirm'))) remove.mutate();
              }}
            />
          ) : (
            <ul className="preau-entry-list">
              {a.students.map((s) => (
                <li key={s.id}>
                  <span>{s.displayName}</span>
                  <span>
                    {s.value !== undefined ? num(s.value, i18n.language) : s.code ? t(`grades.codes.${s.code}`) : '–'}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </>
  );
}

function AssessmentForm({
  subjects,
  initial,
  rows: initialRows,
  pending,
  error,
  onSubmit,
  backTo,
  onDelete,
}: {
  subjects: { code: string; name: string }[] | null;
  initial: Fields;
  rows: Row[];
  pending: boolean;
  error: unknown;
  onSubmit: (fields: Fields, grades: GradeInput[]) => void;
  backTo: string;
  onDelete?: () => void;
}) {
  const { t } = useTranslation();
  const [fields, setFields] = useState(initial);
  const [rows, setRows] = useState(initialRows);
  const [tried, setTried] = useState(false);
  const scale = Number(fields.scale.replace(',', '.'));
  const problem = (r: Row) => {
    if (r.code) return null;
    const v = parseGrade(r.value);
    if (v === null) return null;
    if (Number.isNaN(v)) return t('grades.entry.notANumber');
    if (Number.isFinite(scale) && v > scale) return t('grades.entry.aboveScale', { scale: fields.scale });
    return null;
  };
  const set = (k: keyof Fields) => (e: { target: { value: string } }) => setFields({ ...fields, [k]: e.target.value });
  const setRow = (id: string, patch: Partial<Row>) => setRows(rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  const serverErrors = error instanceof ApiError ? error.problem : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (rows.some((r) => problem(r))) return;
    const grades: GradeInput[] = [];
    for (const r of rows) {
      const v = parseGrade(r.value);
      const levels = r.levels.slice(0, competencies.length);
      const withLevels = levels.some((l) => l !== null) ? { competencies: levels.map((l) => l ?? null) } : {};
      if (r.code) grades.push({ studentId: r.id, code: r.code, ...withLevels });
      else if (v !== null) grades.push({ studentId: r.id, value: v, ...withLevels });
      else if (levels.some((l) => l !== null)) grades.push({ studentId: r.id, ...withLevels });
      else if (!subjects) grades.push({ studentId: r.id }); // editing: an emptied line removes the grade
    }
    onSubmit(fields, grades);
  };
  const competencies = competencyList(fields.competencies);
  const entered = rows.filter((r) => r.code || parseGrade(r.value) !== null || r.levels.some((l) => l !== null)).length;
  return (
    <form onSubmit={submit} noValidate data-testid="assessment-form">
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">{t('grades.entry.assessment')}</legend>
        {subjects && subjects.length > 1 ? (
          <div className="fr-fieldset__element">
            <Select
              label={t('grades.subject')}
              nativeSelectProps={{ value: fields.subjectId, onChange: set('subjectId') }}
            >
              {subjects.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.name}
                </option>
              ))}
            </Select>
          </div>
        ) : null}
        <div className="fr-fieldset__element">
          <Input
            label={t('grades.entry.title')}
            nativeInputProps={{ value: fields.title, onChange: set('title'), required: true, maxLength: 120 }}
          />
        </div>
        <div className="fr-fieldset__element preau-entry-fields">
          <Input
            label={t('grades.entry.date')}
            nativeInputProps={{ type: 'date', value: fields.date, onChange: set('date'), required: true }}
          />
          <Input
            label={t('grades.entry.coefficient')}
            nativeInputProps={{ inputMode: 'decimal', value: fields.coefficient, onChange: set('coefficient') }}
          />
          <Input
            label={t('grades.entry.scale')}
            nativeInputProps={{ inputMode: 'decimal', value: fields.scale, onChange: set('scale') }}
          />
        </div>
        <div className="fr-fieldset__element">
          {/* Optional (the collège's socle): folded away unless the assessment has some. */}
          <details className="preau-entry-competencies" open={initial.competencies !== ''}>
            <summary>{t('grades.entry.competenciesToggle')}</summary>
            <Input
              textArea
              label={t('grades.entry.competencies')}
              hintText={t('grades.entry.competenciesHint')}
              nativeTextAreaProps={{ value: fields.competencies, onChange: set('competencies'), rows: 2 }}
            />
          </details>
        </div>
      </fieldset>
      <h2 className="fr-h5">{t('grades.entry.students', { count: rows.length })}</h2>
      <ul className="preau-entry-list">
        {rows.map((r) => {
          const p = tried || r.value ? problem(r) : null;
          const inputId = `grade-${r.id}`;
          return (
            <li key={r.id} data-testid="entry-row">
              <label htmlFor={inputId}>{r.displayName}</label>
              <input
                id={inputId}
                className={`fr-input${p ? ' fr-input--error' : ''}`}
                inputMode="decimal"
                autoComplete="off"
                value={r.value}
                disabled={!!r.code}
                aria-invalid={p ? true : undefined}
                aria-describedby={p ? `${inputId}-error` : undefined}
                aria-label={t('grades.entry.valueOf', { name: r.displayName, scale: fields.scale })}
                onChange={(e) => setRow(r.id, { value: e.target.value })}
              />
              <select
                className="fr-select preau-entry__code"
                value={r.code}
                aria-label={t('grades.entry.codeOf', { name: r.displayName })}
                onChange={(e) =>
                  setRow(r.id, { code: e.target.value as GradeCode | '', value: e.target.value ? '' : r.value })
                }
              >
                <option value="">{t('grades.entry.noCode')}</option>
                {CODES.map((c) => (
                  <option key={c} value={c}>
                    {t(`grades.codes.${c}`)}
                  </option>
                ))}
              </select>
              {competencies.length > 0 ? (
                <div className="preau-entry__levels">
                  {competencies.map((c, i) => (
                    <select
                      key={c}
                      className="fr-select"
                      value={r.levels[i] ?? ''}
                      aria-label={t('grades.entry.levelOf', { name: r.displayName, competency: c })}
                      onChange={(e) => {
                        const levels = [...r.levels];
                        while (levels.length < competencies.length) levels.push(null);
                        levels[i] = e.target.value ? Number(e.target.value) : null;
                        setRow(r.id, { levels });
                      }}
                    >
                      <option value="">{c} : –</option>
                      {[1, 2, 3, 4].map((l) => (
                        <option key={l} value={l}>
                          {c} : {t(`grades.levels.${l}`)}
                        </option>
                      ))}
                    </select>
                  ))}
                </div>
              ) : null}
              {p ? (
                <p id={`${inputId}-error`} className="fr-error-text preau-entry__error">
                  {p}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      {serverErrors ? <ErrorAlert error={error} /> : null}
      <div className="preau-entry-actions">
        <p className="fr-text--sm fr-mb-0" aria-live="polite">
          {t('grades.entry.entered', { count: entered, total: rows.length })}
        </p>
        <Button type="submit" disabled={pending}>
          {t('grades.entry.save')}
        </Button>
      </div>
      <ul className="fr-btns-group fr-btns-group--inline-sm fr-mt-2w">
        <li>
          <Link className="fr-btn fr-btn--secondary" to={backTo}>
            {t('grades.entry.cancel')}
          </Link>
        </li>
        {onDelete ? (
          <li>
            <Button type="button" priority="tertiary" iconId="fr-icon-delete-line" onClick={onDelete}>
              {t('grades.entry.delete')}
            </Button>
          </li>
        ) : null}
      </ul>
    </form>
  );
}
