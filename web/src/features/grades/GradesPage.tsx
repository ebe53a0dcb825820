import { Button } from '@codegouvfr/react-dsfr/Button';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { GradesOptions } from '@preau/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { dayLabel, num } from './format.ts';
import './grades.css';

/**
 * Grades: a student's or a guardian's overview (averages per subject with the class's, the latest grades, the
 * reports to download); a teacher's classes and groups (grade book, new assessment); the report classes.
 */
/** Grades shown at first in the latest list (all of them on demand). */
const LATEST = 10;

export function GradesPage() {
  const { t } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const options = useQuery({
    queryKey: ['grades', 'options', establishment],
    queryFn: () => call('GET /api/grades/options', { query: { establishment } }),
    enabled: !!establishment,
  });
  const o = options.data;
  // A student's overview: their own, a child's; for a teacher or the staff, the student named in the address.
  const [params] = useSearchParams();
  const follows =
    !!membership?.profiles.includes('student') || (o?.children.length ?? 0) > 0 || !!params.get('student');
  const title = t('grades.title');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {options.isPending ? <Loading /> : null}
      <ErrorAlert error={options.error} />
      {o && follows ? <StudentOverview establishment={establishment} options={o} /> : null}
      {o?.can.enter && !params.get('student') ? <Teaching options={o} /> : null}
      {o && o.reportClasses.length > 0 && !params.get('student') ? <ReportClasses options={o} /> : null}
      {o && !follows && !o.can.enter && o.reportClasses.length === 0 ? (
        <EmptyState>{t('grades.nothing')}</EmptyState>
      ) : null}
    </>
  );
}

function StudentOverview({ establishment, options }: { establishment: string; options: GradesOptions }) {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const student = params.get('student') ?? options.children[0]?.id ?? undefined;
  const period = params.get('period') ?? '';
  const query = {
    establishment,
    ...(student ? { student } : {}),
    ...(period ? { period: period as GradesOptions['periods'][number]['key'] } : {}),
  };
  const grades = useQuery({
    queryKey: ['grades', 'student', query],
    queryFn: () => call('GET /api/grades', { query }),
  });
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    setParams(p);
  };
  const g = grades.data;
  const [all, setAll] = useState(false);
  const shown = g ? (all ? g.items : g.items.slice(0, LATEST)) : [];
  return (
    <section aria-labelledby="grades-overview" data-testid="grades-overview">
      <h2 id="grades-overview" className="fr-h4">
        {g && g.student.id !== me?.user.id ? t('grades.of', { name: g.student.displayName }) : t('grades.mine')}
      </h2>
      <div className="preau-grades-pickers">
        {options.children.length > 1 ? (
          <Select
            label={t('grades.child')}
            nativeSelectProps={{ value: student, onChange: (e) => set('student', e.target.value) }}
          >
            {options.children.map((c) => (
              <option key={c.id} value={c.id}>
                {c.displayName}
              </option>
            ))}
          </Select>
        ) : null}
        <Select
          label={t('grades.period')}
          nativeSelectProps={{ value: period, onChange: (e) => set('period', e.target.value) }}
        >
          <option value="">{t('grades.wholeYear')}</option>
          {options.periods.map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
        </Select>
      </div>
      {grades.isPending ? <Loading /> : null}
      <ErrorAlert error={grades.error} />
      {g ? (
        <>
          {options.settings.publicationDelayHours > 0 ? (
            <p className="fr-text--sm preau-muted">
              {t('grades.delayNote', { count: options.settings.publicationDelayHours })}
            </p>
          ) : null}
          {g.averages.length === 0 ? (
            <EmptyState>{t('grades.none')}</EmptyState>
          ) : (
            <>
              <p className="fr-text--lg fr-mb-2w" data-testid="overall">
                {t('grades.overall')} : <strong>{num(g.overall, i18n.language)}</strong> / 20
              </p>
              <Table caption={t('grades.averagesCaption')} className="fr-table--sm preau-table-wrap preau-grades-table">
                <thead>
                  <tr>
                    <th scope="col">{t('grades.subject')}</th>
                    <th scope="col">{t('grades.average')}</th>
                    <th scope="col">{t('grades.classAverage')}</th>
                    <th scope="col">{t('grades.min')}</th>
                    <th scope="col">{t('grades.max')}</th>
                  </tr>
                </thead>
                <tbody>
                  {g.averages.map((a) => (
                    <tr key={a.subjectCode} data-subject={a.subjectCode}>
                      <th scope="row">{a.subject}</th>
                      <td>
                        <strong>{num(a.average, i18n.language)}</strong>
                      </td>
                      <td>{num(a.classAverage, i18n.language)}</td>
                      <td>{num(a.min, i18n.language)}</td>
                      <td>{num(a.max, i18n.language)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <h3 className="fr-h5 fr-mt-3w">{t('grades.latest')}</h3>
              <ul className="preau-grade-list">
                {shown.map((i) => (
                  <li key={i.assessmentId} className="preau-grade" data-testid="grade-item">
                    <div className="preau-grade__main">
                      <p className="fr-text--bold fr-mb-0">{i.subject}</p>
                      <p className="fr-mb-0">{i.title}</p>
                      <p className="fr-text--xs fr-mb-0 preau-muted">
                        {dayLabel(i.date, i18n.language)} ·{' '}
                        {t('grades.coefficient', { value: num(i.coefficient, i18n.language) })} ·{' '}
                        {t('grades.classAverageOf', {
                          value: num(i.classAverage, i18n.language),
                          scale: num(i.scale, i18n.language),
                        })}
                      </p>
                      {i.competencies ? (
                        <ul className="preau-competencies">
                          {i.competencies.map((c) => (
                            <li key={c.label}>
                              {c.label} : {c.level ? t(`grades.levels.${c.level}`) : '–'}
                            </li>
                          ))}
                        </ul>
                      ) : null}
                    </div>
                    <p className="preau-grade__value" data-testid="grade-value">
                      {i.value !== undefined ? (
                        <>
                          <strong>{num(i.value, i18n.language)}</strong>
                          <span> / {num(i.scale, i18n.language)}</span>
                        </>
                      ) : i.code ? (
                        <strong>{t(`grades.codes.${i.code}`)}</strong>
                      ) : (
                        '–'
                      )}
                    </p>
                  </li>
                ))}
              </ul>
              {g.items.length > LATEST ? (
                <Button priority="tertiary" size="small" className="fr-mt-1w" onClick={() => setAll(!all)}>
                  {all ? t('grades.showFewer') : t('grades.showAll', { count: g.items.length })}
                </Button>
              ) : null}
            </>
          )}
          {g.reports.length > 0 ? (
            <>
              <h3 className="fr-h5 fr-mt-3w">{t('grades.reports')}</h3>
              <ul className="fr-links-group">
                {g.reports.map((r) => (
                  <li key={r.period}>
                    <a
                      className="fr-link fr-icon-download-line fr-link--icon-left"
                      href={`/api/grades/reports/students/${g.student.id}/${r.period}?establishment=${establishment}`}
                      download
                    >
                      {t('grades.reportOf', { period: r.label })}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function Teaching({ options }: { options: GradesOptions }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="grades-teaching" className="fr-mt-4w" data-testid="grades-teaching">
      <h2 id="grades-teaching" className="fr-h4">
        {t('grades.teaching')}
      </h2>
      {options.teaching.length === 0 ? <EmptyState>{t('grades.noTeaching')}</EmptyState> : null}
      <ul className="preau-grades-targets">
        {options.teaching.map((c) => {
          const q = `${c.kind}=${c.id}`;
          return (
            <li key={c.id} className="preau-grades-target">
              <p className="fr-text--bold fr-mb-0">
                {c.kind === 'class' ? t('grades.className', { name: c.name }) : c.name}
              </p>
              <p className="fr-text--sm fr-mb-1w preau-muted">{c.subjects.map((s) => s.name).join(', ')}</p>
              <p className="fr-mb-0 preau-grades-target__links">
                <Link className="fr-link" to={`/grades/book?${q}`}>
                  {t('grades.book')}
                </Link>
                <Link className="fr-btn fr-btn--sm fr-btn--secondary" to={`/grades/new?${q}`}>
                  {t('grades.newAssessment')}
                </Link>
              </p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function ReportClasses({ options }: { options: GradesOptions }) {
  const { t } = useTranslation();
  const period = options.currentPeriod ?? options.periods[0]?.key ?? 'T1';
  return (
    <section aria-labelledby="grades-reports" className="fr-mt-4w">
      <h2 id="grades-reports" className="fr-h4">
        {t('grades.reportsTitle')}
      </h2>
      <ul className="preau-grades-chips">
        {options.reportClasses.map((c) => (
          <li key={c.id}>
            <Link className="fr-tag" to={`/grades/reports?class=${c.id}&period=${period}`}>
              {c.name}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
