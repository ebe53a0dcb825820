import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { ClassReport, CommentBody, PeriodKey } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { dateTimeLabel, num } from './format.ts';
import './grades.css';

/** A class's reports for a period: averages, comments to write (per the caller's rights), publication, PDFs. */
export function ReportsPage() {
  const { t, i18n } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const [params, setParams] = useSearchParams();
  const klass = params.get('class') ?? '';
  const period = (params.get('period') ?? 'T1') as PeriodKey;
  const qc = useQueryClient();
  const options = useQuery({
    queryKey: ['grades', 'options', establishment],
    queryFn: () => call('GET /api/grades/options', { query: { establishment } }),
    enabled: !!establishment,
  });
  const query = { establishment, class: klass, period };
  const report = useQuery({
    queryKey: ['grades', 'report', query],
    queryFn: () => call('GET /api/grades/reports', { query }),
    enabled: !!establishment && !!klass,
  });
  const publish = useMutation({
    mutationFn: () => call('POST /api/grades/reports/publish', { body: { establishment, classId: klass, period } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['grades', 'report'] }),
  });
  const r = report.data;
  const title = r ? t('grades.reportTitle', { name: r.class.name, period: r.period.label }) : t('grades.reportsTitle');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <p>
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to="/grades">
          {t('grades.back')}
        </Link>
      </p>
      <div className="preau-grades-pickers">
        <Select
          label={t('grades.period')}
          nativeSelectProps={{
            value: period,
            onChange: (e) => {
              const p = new URLSearchParams(params);
              p.set('period', e.target.value);
              setParams(p);
            },
          }}
        >
          {(options.data?.periods ?? []).map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
        </Select>
      </div>
      {report.isPending ? <Loading /> : null}
      <ErrorAlert error={report.error} />
      {r ? (
        <>
          <div className="fr-mb-3w" data-testid="report-status">
            {r.publishedAt ? (
              <p className="fr-badge fr-badge--success">
                {t('grades.publishedOn', { when: dateTimeLabel(r.publishedAt, i18n.language) })}
              </p>
            ) : (
              <p className="fr-badge fr-badge--info">{t('grades.notPublished')}</p>
            )}
            <ul className="fr-btns-group fr-btns-group--inline-sm fr-mt-1w">
              {r.can.publish ? (
                <li>
                  <Button disabled={publish.isPending} onClick={() => publish.mutate()}>
                    {r.publishedAt ? t('grades.republish') : t('grades.publish')}
                  </Button>
                </li>
              ) : null}
              <li>
                <a
                  className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left"
                  href={`/api/grades/reports/classes/${klass}/${period}?establishment=${establishment}`}
                  download
                >
                  {t('grades.classPdf')}
                </a>
              </li>
            </ul>
            <ErrorAlert error={publish.error} />
          </div>
          {r.students.map((s) => (
            <StudentReport key={s.id} report={r} student={s} establishment={establishment} period={period} />
          ))}
        </>
      ) : null}
    </>
  );
}

function StudentReport({
  report,
  student,
  establishment,
  period,
}: {
  report: ClassReport;
  student: ClassReport['students'][number];
  establishment: string;
  period: PeriodKey;
}) {
  const { t, i18n } = useTranslation();
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (body: Omit<CommentBody, 'establishment' | 'period' | 'studentId'>) =>
      call('PUT /api/grades/reports/comments', { body: { establishment, period, studentId: student.id, ...body } }),
    onSuccess: () => setSaved(true),
  });
  const field = (
    key: string,
    label: string,
    value: string | null,
    body: (text: string) => Omit<CommentBody, 'establishment' | 'period' | 'studentId' | 'text'>,
  ) => (
    <Input
      key={key}
      textArea
      label={label}
      nativeTextAreaProps={{
        defaultValue: value ?? '',
        rows: 2,
        maxLength: 1000,
        onBlur: (e) => {
          if (e.target.value !== (value ?? '')) save.mutate({ ...body(e.target.value), text: e.target.value });
        },
      }}
    />
  );
  const subjects = report.subjects.filter((s) => report.can.commentSubjects.includes(s.code));
  return (
    <section className="preau-report-student" aria-labelledby={`report-${student.id}`} data-testid="report-student">
      <h2 id={`report-${student.id}`} className="fr-h5 fr-mb-1w">
        <Link to={`/grades?student=${student.id}&period=${period}`}>{student.displayName}</Link> — {t('grades.overall')}{' '}
        : {num(student.overall, i18n.language)}
      </h2>
      <p className="fr-text--sm fr-mb-1w">
        {student.averages.map((a) => `${a.subject} ${num(a.average, i18n.language)}`).join(' · ') || t('grades.none')}
      </p>
      {subjects.map((s) =>
        field(
          `s-${s.code}`,
          t('grades.commentSubject', { subject: s.name }),
          student.comments.subjects[s.code] ?? null,
          () => ({
            kind: 'subject',
            subjectCode: s.code,
          }),
        ),
      )}
      {report.can.headTeacher
        ? field('h', t('grades.commentHead'), student.comments.headTeacher, () => ({ kind: 'head_teacher' }))
        : null}
      {report.can.direction
        ? field('d', t('grades.commentDirection'), student.comments.direction, () => ({ kind: 'direction' }))
        : null}
      <ErrorAlert error={save.error} />
      {saved ? (
        <div role="status">
          <Alert severity="success" small description={t('grades.commentSaved')} />
        </div>
      ) : null}
      <a
        className="fr-link fr-icon-download-line fr-link--icon-left"
        href={`/api/grades/reports/students/${student.id}/${period}?establishment=${establishment}`}
        download
      >
        {t('grades.studentPdf', { name: student.displayName })}
      </a>
    </section>
  );
}
