import { Select } from '@codegouvfr/react-dsfr/Select';
import type { PeriodKey } from '@preau/contracts';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { num, shortDay } from './format.ts';
import './grades.css';

/** A teacher's grade book of a class or group: students × assessments, each student's average, the class's. */
export function BookPage() {
  const { t, i18n } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const [params, setParams] = useSearchParams();
  const klass = params.get('class') ?? undefined;
  const group = params.get('group') ?? undefined;
  const period = (params.get('period') ?? undefined) as PeriodKey | undefined;
  const options = useQuery({
    queryKey: ['grades', 'options', establishment],
    queryFn: () => call('GET /api/grades/options', { query: { establishment } }),
    enabled: !!establishment,
  });
  const query = {
    establishment,
    ...(klass ? { class: klass } : {}),
    ...(group ? { group } : {}),
    ...(period ? { period } : {}),
  };
  const book = useQuery({
    queryKey: ['grades', 'book', query],
    queryFn: () => call('GET /api/grades/book', { query }),
    enabled: !!establishment,
  });
  const b = book.data;
  const target = klass ? `class=${klass}` : `group=${group}`;
  const name = b ? (b.target.kind === 'class' ? t('grades.className', { name: b.target.name }) : b.target.name) : '';
  const title = t('grades.bookOf', { name });
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
            value: period ?? '',
            onChange: (e) => {
              const p = new URLSearchParams(params);
              if (e.target.value) p.set('period', e.target.value);
              else p.delete('period');
              setParams(p);
            },
          }}
        >
          <option value="">{t('grades.wholeYear')}</option>
          {(options.data?.periods ?? []).map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
        </Select>
      </div>
      <p>
        <Link className="fr-btn fr-icon-add-line fr-btn--icon-left" to={`/grades/new?${target}`}>
          {t('grades.newAssessment')}
        </Link>
      </p>
      {book.isPending ? <Loading /> : null}
      <ErrorAlert error={book.error} />
      {b && b.assessments.length === 0 ? <EmptyState>{t('grades.bookEmpty')}</EmptyState> : null}
      {b && b.assessments.length > 0 ? (
        <>
          <p data-testid="book-stats">
            {t('grades.bookStats', {
              average: num(b.classAverage, i18n.language),
              min: num(b.min, i18n.language),
              max: num(b.max, i18n.language),
            })}
          </p>
          <Table caption={title} className="fr-table--sm fr-table--bordered preau-book">
            <thead>
              <tr>
                <th scope="col">{t('grades.student')}</th>
                {b.assessments.map((a) => (
                  <th scope="col" key={a.id}>
                    <Link to={`/grades/assessments/${a.id}`}>{a.title}</Link>
                    <br />
                    <span className="fr-text--xs">
                      {shortDay(a.date, i18n.language)} · /{num(a.scale, i18n.language)} · ×
                      {num(a.coefficient, i18n.language)}
                    </span>
                    {a.visible ? null : (
                      <>
                        <br />
                        <span className="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">
                          {t('grades.pending')}
                        </span>
                      </>
                    )}
                  </th>
                ))}
                <th scope="col">{t('grades.average')}</th>
              </tr>
            </thead>
            <tbody>
              {b.students.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <Link to={`/grades?student=${s.id}`}>{s.displayName}</Link>
                  </th>
                  {b.assessments.map((a) => {
                    const v = s.grades[a.id];
                    return (
                      <td key={a.id}>
                        {v === undefined
                          ? ''
                          : typeof v === 'number'
                            ? num(v, i18n.language)
                            : t(`grades.codesShort.${v}`)}
                      </td>
                    );
                  })}
                  <td>
                    <strong>{num(s.average, i18n.language)}</strong>
                  </td>
                </tr>
              ))}
              <tr>
                <th scope="row">{t('grades.classAverage')}</th>
                {b.assessments.map((a) => (
                  <td key={a.id}>{num(a.classAverage, i18n.language)}</td>
                ))}
                <td>
                  <strong>{num(b.classAverage, i18n.language)}</strong>
                </td>
              </tr>
            </tbody>
          </Table>
        </>
      ) : null}
    </>
  );
}
