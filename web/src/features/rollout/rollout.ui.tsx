import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { CategoryScale, Chart as ChartJS, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import { useId } from 'react';
import { Line } from 'react-chartjs-2';
import { useTranslation } from 'react-i18next';
import { Table } from '../../components/Table.tsx';

export { byProfileOrder, PROFILE_ORDER, useFormat } from './rollout.format.ts';

ChartJS.register(LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend);

/** DSFR colours (blue France, green, orange, plum, blue, brown), each line with its own dash for colour blindness. */
const COLORS = ['#000091', '#18753c', '#b34000', '#6e445a', '#0063cb', '#716043'];
const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 2]];

export function StepStateBadge({ state, late }: { state: string; late?: boolean }) {
  const { t } = useTranslation();
  const severity = late ? 'error' : state === 'done' ? 'success' : state === 'in_progress' ? 'info' : undefined;
  return (
    <Badge as="span" small noIcon severity={severity}>
      {late ? t('rollout.step.late') : t(`rollout.step.state.${state}`)}
    </Badge>
  );
}

export function Trend({ trend }: { trend: 'up' | 'down' | 'flat' | null }) {
  const { t } = useTranslation();
  if (!trend) return <span className="preau-muted">—</span>;
  const icon =
    trend === 'up'
      ? 'fr-icon-arrow-right-up-line'
      : trend === 'down'
        ? 'fr-icon-arrow-right-down-line'
        : 'fr-icon-arrow-right-line';
  return (
    <span className={`preau-trend preau-trend--${trend}`}>
      <span className={`${icon} fr-icon--sm`} aria-hidden="true" /> {t(`rollout.trend.${trend}`)}
    </span>
  );
}

export interface Series {
  label: string;
  values: (number | null)[];
}

/**
 * A line chart (Chart.js) with its figures in a table right below (a disclosure): the canvas is an image
 * described by its caption and summary; the table is the same information for screen readers and copy-paste.
 */
export function LineChart({
  title,
  summary,
  labels,
  series,
  format,
  yMax,
  testId,
}: {
  title: string;
  summary: string;
  labels: string[];
  series: Series[];
  format: (v: number | null) => string;
  yMax?: number;
  testId?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <figure className="preau-chart fr-mb-4w" aria-labelledby={`${id}-caption`} data-testid={testId}>
      <figcaption id={`${id}-caption`} className="fr-text--bold fr-mb-1w">
        {title}
      </figcaption>
      <div className="preau-chart__canvas">
        <Line
          role="img"
          aria-label={`${title}. ${summary}`}
          data={{
            labels,
            datasets: series.map((s, i) => ({
              label: s.label,
              data: s.values,
              borderColor: COLORS[i % COLORS.length],
              backgroundColor: COLORS[i % COLORS.length],
              borderDash: DASHES[i % DASHES.length],
              borderWidth: 2,
              pointRadius: labels.length > 40 ? 0 : 2,
              tension: 0.2,
            })),
          }}
          options={{
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            interaction: { mode: 'index', intersect: false },
            scales: {
              y: {
                beginAtZero: true,
                ...(yMax !== undefined ? { max: yMax } : {}),
                ticks: { callback: (v) => format(Number(v)) },
              },
              x: { ticks: { maxTicksLimit: 10 } },
            },
            plugins: {
              legend: { position: 'bottom', labels: { usePointStyle: true } },
              tooltip: { callbacks: { label: (c) => `${c.dataset.label} : ${format(c.parsed.y)}` } },
            },
          }}
        />
      </div>
      <p className="fr-text--sm preau-muted fr-mt-1w">{summary}</p>
      <details className="fr-mt-1w">
        <summary>{t('rollout.chart.table')}</summary>
        <Table caption={title} className="fr-table--sm">
          <thead>
            <tr>
              <th scope="col">{t('rollout.chart.date')}</th>
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.label}>{format(s.values[i] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </Table>
      </details>
    </figure>
  );
}

/** A labelled pair of figures in a definition list. */
export function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="preau-dl-row">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
