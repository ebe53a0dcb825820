import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { Absence } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError, call, callUpload } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { AbsenceEntryForm, IncidentForm } from './Forms.tsx';
import { dayOf, shiftDay, timeOf, todayInParis } from './format.ts';
import { ReasonsView } from './ReasonsView.tsx';
import './school-life.css';

type View = 'courses' | 'board' | 'justifications' | 'absenteeism' | 'absences' | 'incidents' | 'reasons';

/** School life's hub: the teacher's courses to call, the family's absences to justify, the CPE's day. */
export function SchoolLifePage() {
  const { t } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const profiles = membership?.profiles ?? [];
  const staff = profiles.includes('staff') || profiles.includes('principal');
  const views: View[] = [
    ...(profiles.includes('teacher') ? (['courses'] as const) : []),
    ...(staff ? (['board', 'justifications', 'absenteeism'] as const) : []),
    ...(profiles.some((p) => p === 'guardian' || p === 'student' || p === 'staff' || p === 'principal')
      ? (['absences'] as const)
      : []),
    'incidents',
    ...(membership?.permissions.includes('school_life.manage') ? (['reasons'] as const) : []),
  ];
  const [params, setParams] = useSearchParams();
  const wanted = params.get('tab') as View | null;
  const view: View = wanted && views.includes(wanted) ? wanted : (views[0] ?? 'absences');
  const go = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next))
      if (v === null) p.delete(k);
      else p.set(k, v);
    setParams(p);
  };
  const title = t('school_life.title');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {views.length > 1 ? (
        <nav className="preau-sl-nav" aria-label={t('school_life.views')}>
          {views.map((v) => (
            <Button
              key={v}
              size="small"
              priority={v === view ? 'primary' : 'secondary'}
              nativeButtonProps={{ 'aria-current': v === view ? 'page' : undefined }}
              onClick={() => go({ tab: v })}
            >
              {t(`school_life.view.${v}`)}
            </Button>
          ))}
        </nav>
      ) : null}
      {!establishment ? null : view === 'courses' ? (
        <MyCoursesView establishment={establishment} date={params.get('date') ?? todayInParis()} go={go} />
      ) : view === 'board' ? (
        <BoardView establishment={establishment} />
      ) : view === 'justifications' ? (
        <AbsencesView establishment={establishment} pending />
      ) : view === 'absenteeism' ? (
        <ThresholdView establishment={establishment} />
      ) : view === 'reasons' ? (
        <ReasonsView establishment={establishment} />
      ) : view === 'incidents' ? (
        <>
          {profiles.some((p) => p === 'teacher' || p === 'staff' || p === 'principal') ? (
            <IncidentForm establishment={establishment} direction={profiles.includes('principal')} />
          ) : null}
          <IncidentsView establishment={establishment} student={params.get('student')} />
        </>
      ) : (
        <>
          {staff ? <AbsenceEntryForm establishment={establishment} /> : null}
          <AbsencesView establishment={establishment} student={params.get('student')} go={go} />
        </>
      )}
    </>
  );
}

function MyCoursesView({
  establishment,
  date,
  go,
}: {
  establishment: string;
  date: string;
  go: (n: Record<string, string | null>) => void;
}) {
  const { t, i18n } = useTranslation();
  const q = useQuery({
    queryKey: ['school_life', 'my-courses', establishment, date],
    queryFn: () => call('GET /api/school-life/my-courses', { query: { establishment, date } }),
  });
  return (
    <section aria-labelledby="sl-courses">
      <h2 id="sl-courses" className="fr-h4">
        {t('school_life.courses.title', { day: dayOf(date, i18n.language) })}
      </h2>
      <div className="preau-sl-nav">
        <Button
          size="small"
          priority="secondary"
          iconId="fr-icon-arrow-left-s-line"
          onClick={() => go({ date: shiftDay(date, -1) })}
        >
          {t('school_life.previousDay')}
        </Button>
        <Button size="small" priority="tertiary" onClick={() => go({ date: null })}>
          {t('school_life.today')}
        </Button>
        <Button
          size="small"
          priority="secondary"
          iconId="fr-icon-arrow-right-s-line"
          iconPosition="right"
          onClick={() => go({ date: shiftDay(date, 1) })}
        >
          {t('school_life.nextDay')}
        </Button>
      </div>
      {q.isPending ? <Loading /> : null}
      <ErrorAlert error={q.error} />
      {q.data && q.data.items.length === 0 ? <EmptyState>{t('school_life.courses.none')}</EmptyState> : null}
      <ul className="preau-sl-cards">
        {q.data?.items.map((c) => (
          <li key={c.courseId} className="preau-sl-card">
            <p className="fr-text--bold">
              {timeOf(c.start)} – {timeOf(c.end)} · {c.audience}
            </p>
            <p>
              {c.subject}
              {c.room ? ` · ${t('school_life.room', { room: c.room })}` : ''}
            </p>
            {c.cancelled ? (
              <p className="fr-badge fr-badge--sm">{t('school_life.courses.cancelled')}</p>
            ) : (
              <>
                <p className={`fr-badge fr-badge--sm ${c.takenAt ? 'fr-badge--success' : 'fr-badge--warning'}`}>
                  {c.takenAt
                    ? t('school_life.courses.taken', { count: c.absent, time: timeOf(c.takenAt) })
                    : t('school_life.courses.notTaken')}
                </p>
                <Link
                  className="fr-btn fr-btn--sm fr-mt-1w"
                  to={`/school-life/roll-call/${c.courseId}/${q.data.date}`}
                  aria-label={t('school_life.courses.callOf', { audience: c.audience, time: timeOf(c.start) })}
                >
                  {c.takenAt ? t('school_life.courses.correct') : t('school_life.courses.call')}
                </Link>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

const stateBadge = (a: Absence) =>
  a.justification?.status === 'pending'
    ? 'fr-badge--info'
    : a.state === 'justified'
      ? 'fr-badge--success'
      : a.state === 'not_justified'
        ? 'fr-badge--error'
        : 'fr-badge--warning';

function AbsencesView({
  establishment,
  student,
  pending,
  go,
}: {
  establishment: string;
  student?: string | null;
  pending?: boolean;
  go?: (n: Record<string, string | null>) => void;
}) {
  const { t, i18n } = useTranslation();
  const { membership } = useAuth();
  const children = membership?.children ?? [];
  const query = {
    establishment,
    ...(student ? { student } : {}),
    ...(pending ? { pending: 'true' as const } : {}),
  };
  const q = useQuery({
    queryKey: ['school_life', 'absences', query],
    queryFn: () => call('GET /api/school-life/absences', { query }),
  });
  const reasons = useQuery({
    queryKey: ['school_life', 'reasons', establishment],
    queryFn: () => call('GET /api/school-life/reasons', { query: { establishment } }),
  });
  const items = q.data?.items ?? [];
  const toJustify = items.filter((a) => a.can.justify).length;
  return (
    <section aria-labelledby="sl-absences">
      <h2 id="sl-absences" className="fr-h4">
        {pending ? t('school_life.justifications.title') : t('school_life.absences.title')}
      </h2>
      {go && children.length > 1 ? (
        <Select
          label={t('school_life.child')}
          nativeSelectProps={{ value: student ?? '', onChange: (e) => go({ student: e.target.value || null }) }}
        >
          <option value="">{t('school_life.allChildren')}</option>
          {children.map((c) => (
            <option key={c.id} value={c.id}>
              {c.displayName}
            </option>
          ))}
        </Select>
      ) : null}
      {toJustify > 0 ? (
        <Alert
          className="fr-mb-2w"
          severity="warning"
          small
          description={t('school_life.absences.toJustify', { count: toJustify })}
        />
      ) : null}
      {q.isPending ? <Loading /> : null}
      <ErrorAlert error={q.error} />
      {q.data && items.length === 0 ? (
        <EmptyState>{pending ? t('school_life.justifications.none') : t('school_life.absences.none')}</EmptyState>
      ) : null}
      <ul className="preau-sl-cards">
        {items.map((a) => (
          <AbsenceCard
            key={a.id}
            absence={a}
            establishment={establishment}
            reasons={reasons.data?.items ?? []}
            lang={i18n.language}
          />
        ))}
      </ul>
    </section>
  );
}

function AbsenceCard({
  absence: a,
  establishment,
  reasons,
  lang,
}: {
  absence: Absence;
  establishment: string;
  reasons: { code: string; label: string }[];
  lang: string;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const [decisionComment, setDecisionComment] = useState('');
  const done = () => {
    setOpen(false);
    void qc.invalidateQueries({ queryKey: ['school_life'] });
  };
  const justify = useMutation({
    mutationFn: async () => {
      // An optional document (a doctor's note) goes to the guardian's own space first, then is attached by reference.
      let documentIds: string[] = [];
      const file = fileInput.current?.files?.[0];
      if (file) {
        const spaces = await call('GET /api/documents/spaces', { query: { establishment } });
        const personal = spaces.items.find((x) => x.kind === 'personal');
        if (!personal)
          throw new ApiError({ status: 403, code: 'DOCUMENTS_UNAVAILABLE', detail: t('school_life.justify.noSpace') });
        {
          const form = new FormData();
          form.append('file', file, file.name);
          const up = await callUpload(
            'POST /api/documents/spaces/:spaceId/files',
            { spaceId: personal.id },
            form,
            () => {},
          ).done;
          documentIds = [up.id];
        }
      }
      return call('POST /api/school-life/absences/:id/justification', {
        params: { id: a.id },
        body: {
          reason,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
          ...(documentIds.length ? { documentIds } : {}),
        },
      });
    },
    onSuccess: done,
  });
  const decide = useMutation({
    mutationFn: (accept: boolean) =>
      call('POST /api/school-life/absences/:id/decision', {
        params: { id: a.id },
        body: { accept, ...(decisionComment.trim() ? { comment: decisionComment.trim() } : {}) },
      }),
    onSuccess: done,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    justify.mutate();
  };
  const sameDay = a.start.slice(0, 10) === a.end.slice(0, 10);
  const what =
    a.kind === 'lateness'
      ? t('school_life.kind.lateness', { count: a.minutes ?? 0 })
      : a.leftEarly
        ? t('school_life.kind.leftEarly')
        : t('school_life.kind.absence');
  const status = a.justification?.status === 'pending' ? 'pending' : a.state;
  return (
    <li
      className={`preau-sl-card preau-sl-absence${a.state === 'justified' ? ' preau-sl-absence--justified' : ''}`}
      data-testid="absence"
    >
      <p className="fr-text--bold">
        {what} — {a.studentName}
        {a.classCode ? ` (${a.classCode})` : ''}
      </p>
      <p>
        {sameDay
          ? t('school_life.absences.on', { day: dayOf(a.start, lang), start: timeOf(a.start), end: timeOf(a.end) })
          : t('school_life.absences.from', { from: dayOf(a.start, lang), to: dayOf(a.end, lang) })}
        {a.subject ? ` · ${a.subject}` : ''}
      </p>
      <p>
        <span className={`fr-badge fr-badge--sm ${stateBadge(a)}`}>{t(`school_life.state.${status}`)}</span>
      </p>
      {a.reason ? <p className="fr-text--sm">{t('school_life.absences.reason', { reason: a.reason })}</p> : null}
      {a.justification ? (
        <p className="fr-text--sm">
          {t('school_life.absences.justifiedBy', { by: a.justification.by, reason: a.justification.reason })}
          {a.justification.comment ? ` — « ${a.justification.comment} »` : ''}
          {a.justification.decisionComment
            ? ` ${t('school_life.absences.answer', { comment: a.justification.decisionComment })}`
            : ''}
        </p>
      ) : null}
      {a.justification?.documents.map((d) => (
        <p key={d.id} className="fr-text--sm">
          <a
            className="fr-link fr-icon-attachment-line fr-link--icon-left"
            href={`/api/documents/references/${d.id}/content`}
            target="_blank"
            rel="noopener"
            title={t('school_life.justify.documentTitle', { name: d.name })}
          >
            {d.name}
          </a>
        </p>
      ))}
      {a.can.justify && !open ? (
        <Button size="small" className="fr-mt-1w" onClick={() => setOpen(true)}>
          {t('school_life.justify.open')}
        </Button>
      ) : null}
      {open ? (
        <form className="preau-sl-form" onSubmit={submit}>
          <Select
            label={t('school_life.justify.reason')}
            nativeSelectProps={{ value: reason, required: true, onChange: (e) => setReason(e.target.value) }}
          >
            <option value="" disabled>
              {t('school_life.justify.choose')}
            </option>
            {reasons.map((r) => (
              <option key={r.code} value={r.code}>
                {r.label}
              </option>
            ))}
          </Select>
          <Input
            label={t('school_life.justify.comment')}
            hintText={t('school_life.justify.commentHint')}
            textArea
            nativeTextAreaProps={{ value: comment, maxLength: 1000, onChange: (e) => setComment(e.target.value) }}
          />
          <div className="fr-upload-group fr-mb-2w">
            <label className="fr-label" htmlFor={`sl-file-${a.id}`}>
              {t('school_life.justify.document')}
              <span className="fr-hint-text">{t('school_life.justify.documentHint')}</span>
            </label>
            <input
              className="fr-upload"
              type="file"
              id={`sl-file-${a.id}`}
              accept="application/pdf,image/jpeg,image/png"
              ref={fileInput}
            />
          </div>
          <ErrorAlert error={justify.error} />
          <div className="preau-sl-nav">
            <Button type="submit" disabled={!reason || justify.isPending}>
              {t('school_life.justify.send')}
            </Button>
            <Button type="button" priority="secondary" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </Button>
          </div>
        </form>
      ) : null}
      {a.can.decide ? (
        <div className="preau-sl-form">
          <Input
            label={t('school_life.decide.comment')}
            nativeInputProps={{
              value: decisionComment,
              maxLength: 500,
              onChange: (e) => setDecisionComment(e.target.value),
            }}
          />
          <ErrorAlert error={decide.error} />
          <div className="preau-sl-nav">
            <Button
              size="small"
              iconId="fr-icon-check-line"
              disabled={decide.isPending}
              onClick={() => decide.mutate(true)}
            >
              {t('school_life.decide.accept')}
            </Button>
            <Button
              size="small"
              priority="secondary"
              iconId="fr-icon-close-line"
              disabled={decide.isPending}
              onClick={() => decide.mutate(false)}
            >
              {t('school_life.decide.refuse')}
            </Button>
          </div>
        </div>
      ) : null}
    </li>
  );
}

function BoardView({ establishment }: { establishment: string }) {
  const { t, i18n } = useTranslation();
  const q = useQuery({
    queryKey: ['school_life', 'board', establishment],
    queryFn: () => call('GET /api/school-life/board', { query: { establishment } }),
    refetchInterval: 60_000,
  });
  const b = q.data;
  return (
    <section aria-labelledby="sl-board">
      <h2 id="sl-board" className="fr-h4">
        {t('school_life.board.title', { day: b ? dayOf(b.date, i18n.language) : '' })}
      </h2>
      {q.isPending ? <Loading /> : null}
      <ErrorAlert error={q.error} />
      {b ? (
        <>
          <p className="fr-text--lead" data-testid="board-summary">
            {t('school_life.board.summary', { count: b.taken, missing: b.missing, total: b.courses.length })}
          </p>
          <h3 className="fr-h5">{t('school_life.board.missing', { count: b.missing })}</h3>
          {b.missing === 0 ? (
            <EmptyState>{t('school_life.board.noneMissing')}</EmptyState>
          ) : (
            <Table caption={t('school_life.board.missing', { count: b.missing })}>
              <thead>
                <tr>
                  <th scope="col">{t('school_life.board.time')}</th>
                  <th scope="col">{t('school_life.board.audience')}</th>
                  <th scope="col">{t('school_life.board.subject')}</th>
                  <th scope="col">{t('school_life.board.teachers')}</th>
                </tr>
              </thead>
              <tbody>
                {b.courses
                  .filter((c) => c.status === 'missing')
                  .map((c) => (
                    <tr key={c.courseId}>
                      <td>
                        {timeOf(c.start)} – {timeOf(c.end)}
                      </td>
                      <td>{c.audience}</td>
                      <td>{c.subject}</td>
                      <td>{c.teachers.join(', ')}</td>
                    </tr>
                  ))}
              </tbody>
            </Table>
          )}
          <h3 className="fr-h5">{t('school_life.board.byClass')}</h3>
          {b.byClass.length === 0 ? (
            <EmptyState>{t('school_life.board.noAbsence')}</EmptyState>
          ) : (
            <ul className="preau-sl-cards">
              {b.byClass.map((c) => (
                <li key={c.classId} className="preau-sl-card">
                  <p className="fr-text--bold">
                    {c.code} — {t('school_life.count.absent', { count: c.absent })}
                    {c.late ? ` · ${t('school_life.count.late', { count: c.late })}` : ''}
                  </p>
                  <p className="fr-text--sm">{c.students.map((s) => s.name).join(', ')}</p>
                </li>
              ))}
            </ul>
          )}
          <h3 className="fr-h5">{t('school_life.board.morningOnly')}</h3>
          {b.morningOnly.length === 0 ? (
            <EmptyState>{t('school_life.board.noMorningOnly')}</EmptyState>
          ) : (
            <ul>
              {b.morningOnly.map((s) => (
                <li key={s.id}>
                  {s.name}
                  {s.classCode ? ` (${s.classCode})` : ''}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}

function ThresholdView({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const [month, setMonth] = useState(todayInParis().slice(0, 7));
  const q = useQuery({
    queryKey: ['school_life', 'absenteeism', establishment, month],
    queryFn: () => call('GET /api/school-life/absenteeism', { query: { establishment, month } }),
  });
  return (
    <section aria-labelledby="sl-threshold">
      <h2 id="sl-threshold" className="fr-h4">
        {t('school_life.threshold.title')}
      </h2>
      <p>{t('school_life.threshold.intro', { count: q.data?.threshold ?? 4 })}</p>
      <Input
        label={t('school_life.threshold.month')}
        nativeInputProps={{ type: 'month', value: month, onChange: (e) => e.target.value && setMonth(e.target.value) }}
      />
      {q.isPending ? <Loading /> : null}
      <ErrorAlert error={q.error} />
      {q.data && q.data.items.length === 0 ? <EmptyState>{t('school_life.threshold.none')}</EmptyState> : null}
      {q.data && q.data.items.length > 0 ? (
        <Table caption={t('school_life.threshold.title')}>
          <thead>
            <tr>
              <th scope="col">{t('school_life.threshold.student')}</th>
              <th scope="col">{t('school_life.threshold.halfDays')}</th>
              <th scope="col">{t('school_life.threshold.history')}</th>
            </tr>
          </thead>
          <tbody>
            {q.data.items.map((i) => (
              <tr key={i.studentId}>
                <td>
                  {i.name}
                  {i.classCode ? ` (${i.classCode})` : ''}
                </td>
                <td>{i.halfDays}</td>
                <td>{i.history.map((h) => `${h.month} : ${h.halfDays}`).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </section>
  );
}

function IncidentsView({ establishment, student }: { establishment: string; student: string | null }) {
  const { t, i18n } = useTranslation();
  const query = { establishment, ...(student ? { student } : {}) };
  const q = useQuery({
    queryKey: ['school_life', 'incidents', query],
    queryFn: () => call('GET /api/school-life/incidents', { query }),
  });
  return (
    <section aria-labelledby="sl-incidents">
      <h2 id="sl-incidents" className="fr-h4">
        {t('school_life.incidents.title')}
      </h2>
      {q.isPending ? <Loading /> : null}
      <ErrorAlert error={q.error} />
      {q.data && q.data.items.length === 0 ? <EmptyState>{t('school_life.incidents.none')}</EmptyState> : null}
      <ul className="preau-sl-cards">
        {q.data?.items.map((i) => (
          <li key={i.id} className="preau-sl-card">
            <p className="fr-text--bold">
              {t(`school_life.incident.${i.kind}`)} — {i.studentName}
            </p>
            <p>{t('school_life.incidents.on', { day: dayOf(i.date, i18n.language), by: i.givenBy })}</p>
            <p className="fr-text--sm">{i.reason}</p>
            {i.detail ? <p className="fr-text--sm">{i.detail}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
