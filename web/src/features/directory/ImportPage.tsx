import { Accordion } from '@codegouvfr/react-dsfr/Accordion';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import {
  IMPORT_COUNTED,
  type ImportAnomaly,
  type ImportJob,
  type ImportReport,
  type ImportRow,
} from '@preau/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { ApiError, postForm } from '../../app/api.ts';
import { formatDate, formatDateTime } from '../../components/format.ts';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { type CsvPreview, keys, useImportJob, useImports } from './directory.api.ts';

const IGNORE = '__ignore__';

/** The phase as the server names it (`writing 0931234X`), in words. */
export function usePhaseLabel() {
  const { t } = useTranslation();
  return (phase: string) => {
    const [head, ...rest] = phase.split(' ');
    const known = ['queued', 'parsing', 'resolving', 'writing', 'report', 'done', 'failed', 'interrupted'];
    if (!head || !known.includes(head)) return phase;
    return t(`directory.import.phase.${head}`, { target: rest.join(' ') });
  };
}

export function useAnomalyLabel() {
  const { t, i18n } = useTranslation();
  return (code: string) =>
    i18n.exists(`directory.anomaly.${code}`) ? t(`directory.anomaly.${code}`) : t('directory.anomaly.other', { code });
}

/**
 * The detail of an anomaly in the reader's language: the wording of its code (and `params.variant` when the code
 * has several) filled with its `params`; the server's English `message` for a code without a wording, or for an
 * anomaly without `params` (reports stored before they existed).
 */
export function useAnomalyDetail() {
  const { t, i18n } = useTranslation();
  return (a: ImportAnomaly): { text: string; lang?: string } => {
    // Anomalies stored before `params` existed carry only their message.
    if (!a.params) return { text: a.message, lang: 'en' };
    const { variant, ...params } = a.params;
    const key = `directory.anomalyDetail.${a.code}${variant ? `_${variant}` : ''}`;
    if (!i18n.exists(key)) return { text: a.message, lang: 'en' };
    return { text: t(key, { file: a.file, key: a.key ?? '', line: a.line ?? '', ...params }) };
  };
}

function isCsv(f: File) {
  return /\.(csv|txt)$/i.test(f.name);
}

export function ImportPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const jobId = params.get('job');
  const qc = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const [dryRun, setDryRun] = useState(true);
  const [missing, setMissing] = useState(false);
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, Record<string, string>>>({});
  // The mapping of the last import sent: a run with choices for ambiguous rows sends the same files and mapping.
  const [sentMapping, setSentMapping] = useState<string | null>(null);

  const form = (run: { withMapping: boolean; resolutions?: Record<string, string>; dryRun?: boolean }) => {
    const fd = new FormData();
    fd.set('establishment', id);
    if (run.dryRun ?? dryRun) fd.set('dryRun', 'true');
    let mappingJson: string | null = run.resolutions ? sentMapping : null;
    if (run.withMapping && preview) {
      const m: Record<string, { columns: Record<string, string | null> }> = {};
      for (const f of preview.files) {
        const cols: Record<string, string | null> = {};
        for (const c of f.columns) {
          const v = mapping[f.file]?.[c.header] ?? c.field ?? IGNORE;
          cols[c.header] = v === IGNORE ? null : v;
        }
        m[f.file] = { columns: cols };
      }
      mappingJson = JSON.stringify(m);
    }
    if (mappingJson) fd.set('mapping', mappingJson);
    if (run.resolutions) fd.set('resolutions', JSON.stringify(run.resolutions));
    for (const f of files) fd.append('files', f, f.name);
    return { fd, mappingJson };
  };

  const previewCsv = useMutation({
    mutationFn: () => {
      const fd = new FormData();
      for (const f of files) fd.append('files', f, f.name);
      return postForm<CsvPreview>('/api/imports/csv/preview', fd);
    },
    onSuccess: (p) => {
      setPreview(p);
      setMapping({});
    },
  });
  const start = useMutation({
    mutationFn: async (run: { withMapping: boolean; resolutions?: Record<string, string>; dryRun?: boolean }) => {
      const { fd, mappingJson } = form(run);
      const res = await postForm<{ id: string }>('/api/imports', fd);
      return { ...res, mappingJson };
    },
    onSuccess: async ({ id: job, mappingJson }) => {
      setPreview(null);
      setSentMapping(mappingJson);
      setParams({ job });
      await qc.invalidateQueries({ queryKey: keys.imports(id) });
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (files.length === 0) {
      setMissing(true);
      return;
    }
    setMissing(false);
    start.reset();
    previewCsv.reset();
    if (files.some(isCsv)) previewCsv.mutate();
    else start.mutate({ withMapping: false });
  }

  const uploadError = start.error ?? previewCsv.error;
  const fieldErr = uploadError instanceof ApiError ? uploadError.fieldError('mapping') : undefined;

  return (
    <>
      <PageTitle title={t('directory.import.title')}>{t('directory.import.title')}</PageTitle>
      <p>{t('directory.import.intro')}</p>
      {!preview ? (
        <form onSubmit={submit} noValidate className="fr-mb-5w" aria-labelledby="import-form-title">
          <h2 id="import-form-title" className="fr-h4">
            {t('directory.import.new')}
          </h2>
          <Upload
            label={t('directory.import.files')}
            hint={t('directory.import.filesHint')}
            multiple
            state={missing ? 'error' : 'default'}
            stateRelatedMessage={missing ? t('directory.import.filesRequired') : undefined}
            nativeInputProps={{
              name: 'files',
              accept:
                '.xml,.csv,.txt,.zip,.tar.gz,.tgz,text/xml,application/xml,text/csv,application/zip,application/gzip',
              onChange: (e) => setFiles(Array.from(e.target.files ?? [])),
            }}
          />
          {files.length > 0 ? (
            <p className="fr-text--sm fr-mt-1w" data-testid="selected-files">
              {t('directory.import.selected', { count: files.length })}
            </p>
          ) : null}
          <Checkbox
            className="fr-mt-3w"
            options={[
              {
                label: t('directory.import.dryRun'),
                hintText: t('directory.import.dryRunHint'),
                nativeInputProps: { name: 'dryRun', checked: dryRun, onChange: (e) => setDryRun(e.target.checked) },
              },
            ]}
          />
          <ErrorAlert error={uploadError} />
          <Button type="submit" iconId="fr-icon-upload-line" disabled={start.isPending || previewCsv.isPending}>
            {start.isPending || previewCsv.isPending ? t('directory.import.sending') : t('directory.import.start')}
          </Button>
        </form>
      ) : (
        <MappingStep
          preview={preview}
          mapping={mapping}
          onChange={(file, header, field) =>
            setMapping((m) => ({ ...m, [file]: { ...(m[file] ?? {}), [header]: field } }))
          }
          error={fieldErr ? null : uploadError}
          fieldError={fieldErr}
          busy={start.isPending}
          onCancel={() => setPreview(null)}
          onConfirm={() => start.mutate({ withMapping: true })}
        />
      )}
      {jobId ? (
        <JobPanel
          jobId={jobId}
          establishmentId={id}
          onRerun={
            files.length
              ? (resolutions, dry) => start.mutate({ withMapping: false, resolutions, dryRun: dry })
              : undefined
          }
          rerunning={start.isPending}
          rerunError={start.error}
        />
      ) : null}
      <History establishmentId={id} currentJob={jobId} onOpen={(job) => setParams({ job })} />
    </>
  );
}

function MappingStep({
  preview,
  mapping,
  onChange,
  error,
  fieldError,
  busy,
  onCancel,
  onConfirm,
}: {
  preview: CsvPreview;
  mapping: Record<string, Record<string, string>>;
  onChange: (file: string, header: string, field: string) => void;
  error: unknown;
  fieldError?: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { t } = useTranslation();
  // `r1.email` → « Responsable 1 — Courriel »: people choose among words, never the file format's keys.
  const fieldLabel = (field: string) => {
    const m = /^r([12])\.(.+)$/.exec(field);
    return m
      ? t('directory.csvFieldGuardian', { n: m[1], field: t(`directory.csvField.${m[2]}`) })
      : t(`directory.csvField.${field}`);
  };
  const anomalyLabel = useAnomalyLabel();
  const anomalyDetail = useAnomalyDetail();
  return (
    <section aria-labelledby="mapping-title" className="fr-mb-5w">
      <h2 id="mapping-title" className="fr-h4">
        {t('directory.import.mappingTitle')}
      </h2>
      <p>{t('directory.import.mappingIntro')}</p>
      {preview.files.map((f) => (
        <div key={f.file} className="fr-mb-4w" data-testid="mapping-file">
          <h3 className="fr-h6 fr-mb-1w">{f.file}</h3>
          <p className="fr-text--sm preau-muted">
            {t('directory.import.fileInfo', {
              rows: f.rows,
              encoding: f.encoding,
              separator: f.separator,
              profile: f.profile ? t(`directory.csvProfile.${f.profile}`) : t('directory.csvProfile.unknown'),
            })}
          </p>
          {f.unknownColumns.length > 0 ? (
            <Alert
              severity="warning"
              small
              className="fr-mb-2w"
              description={t('directory.import.unknownColumns', { columns: f.unknownColumns.join(', ') })}
            />
          ) : null}
          {f.anomalies.map((a) => {
            const detail = anomalyDetail(a);
            return (
              <p key={`${a.code}-${a.line ?? ''}-${a.message}`} className="fr-text--sm fr-error-text">
                {anomalyLabel(a.code)} — <span lang={detail.lang}>{detail.text}</span>
              </p>
            );
          })}
          <Table caption={t('directory.import.mappingCaption', { file: f.file })} className="preau-table-wrap">
            <thead>
              <tr>
                <th scope="col">{t('directory.import.column')}</th>
                <th scope="col">{t('directory.import.samples')}</th>
                <th scope="col">{t('directory.import.field')}</th>
              </tr>
            </thead>
            <tbody>
              {f.columns.map((c, i) => {
                const value = mapping[f.file]?.[c.header] ?? c.field ?? IGNORE;
                const unknown = f.unknownColumns.includes(c.header);
                return (
                  <tr key={c.header} data-column={c.header}>
                    <th scope="row">
                      {c.header}{' '}
                      {unknown ? (
                        <Badge as="span" severity="warning" small noIcon>
                          {t('directory.import.unknown')}
                        </Badge>
                      ) : null}
                    </th>
                    <td className="fr-text--sm">{c.samples.slice(0, 3).join(' · ') || '—'}</td>
                    <td>
                      <Select
                        label={t('directory.import.fieldFor', { column: c.header })}
                        className="fr-mb-0 preau-sr-label"
                        nativeSelectProps={{
                          id: `map-${f.file}-${i}`,
                          value,
                          onChange: (e) => onChange(f.file, c.header, e.target.value),
                        }}
                      >
                        <option value={IGNORE}>{t('directory.import.ignore')}</option>
                        {preview.fields.map((field) => (
                          <option key={field} value={field}>
                            {fieldLabel(field)}
                          </option>
                        ))}
                      </Select>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </div>
      ))}
      {fieldError ? <p className="fr-error-text">{fieldError}</p> : null}
      <ErrorAlert error={error} />
      <div className="preau-actions">
        <Button onClick={onConfirm} disabled={busy} iconId="fr-icon-upload-line">
          {t('directory.import.confirmMapping')}
        </Button>
        <Button priority="tertiary" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
      </div>
    </section>
  );
}

function JobPanel({
  jobId,
  establishmentId,
  onRerun,
  rerunning,
  rerunError,
}: {
  jobId: string;
  establishmentId: string;
  /** Run the same files again with choices for the ambiguous rows (absent when the files are no longer chosen). */
  onRerun?: (resolutions: Record<string, string>, dryRun: boolean) => void;
  rerunning: boolean;
  rerunError: unknown;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const phaseLabel = usePhaseLabel();
  const job = useImportJob(jobId);
  const finished = job.data?.status === 'done' || job.data?.status === 'failed' || job.data?.status === 'interrupted';
  useEffect(() => {
    if (finished) void qc.invalidateQueries({ queryKey: ['admin', establishmentId] });
  }, [finished, qc, establishmentId]);
  const j = job.data;
  return (
    <section aria-labelledby="job-title" className="fr-mb-5w" data-testid="import-job">
      <h2 id="job-title" className="fr-h4">
        {j?.dryRun ? t('directory.import.jobTitleDry') : t('directory.import.jobTitle')}
      </h2>
      {job.isPending ? <Loading /> : null}
      <ErrorAlert error={job.error} />
      {j ? (
        <>
          <p className="fr-text--sm preau-muted">
            {t('directory.import.jobMeta', {
              date: formatDateTime(j.createdAt, i18n.language),
              files: j.files.map((f) => f.name).join(', '),
            })}
          </p>
          <ProgressBar
            value={j.progress}
            label={t('directory.import.progressLabel', { phase: phaseLabel(j.phase) })}
            valueText={`${Math.round(j.progress * 100)} % — ${phaseLabel(j.phase)}`}
          />
          <p role="status" aria-live="polite" data-testid="import-status">
            {finished
              ? j.status === 'done'
                ? j.dryRun
                  ? t('directory.import.doneDry')
                  : t('directory.import.done')
                : j.status === 'interrupted'
                  ? t('directory.import.interrupted')
                  : t('directory.import.failed')
              : ''}
          </p>
          {j.status === 'failed' ? (
            <Alert severity="error" small className="fr-mb-3w" description={t('directory.import.failedText')} />
          ) : null}
          {j.status === 'interrupted' ? (
            <Alert severity="warning" small className="fr-mb-3w" description={t('directory.import.interruptedText')} />
          ) : null}
          {j.report ? <Report report={j.report} job={j} /> : null}
          {j.report?.rows?.length ? (
            <RowsSection rows={j.report.rows} onRerun={onRerun} busy={rerunning} error={rerunError} />
          ) : null}
        </>
      ) : null}
    </section>
  );
}

export function Report({ report, job }: { report: ImportReport; job: ImportJob }) {
  const { t } = useTranslation();
  const anomalyLabel = useAnomalyLabel();
  const anomalyDetail = useAnomalyDetail();
  const groups = new Map<string, ImportAnomaly[]>();
  for (const a of report.anomalies) groups.set(a.code, [...(groups.get(a.code) ?? []), a]);
  return (
    <div data-testid="import-report">
      <h3 className="fr-h5">{job.dryRun ? t('directory.import.countsDry') : t('directory.import.counts')}</h3>
      <Table caption={t('directory.import.counts')} className="preau-table-wrap">
        <thead>
          <tr>
            <th scope="col">{t('directory.import.entity')}</th>
            <th scope="col">{t('directory.import.created')}</th>
            <th scope="col">{t('directory.import.updated')}</th>
            <th scope="col">{t('directory.import.detached')}</th>
          </tr>
        </thead>
        <tbody>
          {IMPORT_COUNTED.map((k) => (
            <tr key={k} data-entity={k}>
              <th scope="row">{t(`directory.entity.${k}`)}</th>
              <td>{report.counts[k].created}</td>
              <td>{report.counts[k].updated}</td>
              <td>{report.counts[k].detached}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      <h3 className="fr-h5">{t('directory.import.anomalies', { count: report.anomalies.length })}</h3>
      {report.anomalies.length === 0 ? (
        <EmptyState>{t('directory.import.noAnomaly')}</EmptyState>
      ) : (
        <div className="fr-accordions-group fr-mb-3w">
          {[...groups.entries()].map(([code, list]) => (
            <Accordion key={code} titleAs="h4" label={`${anomalyLabel(code)} (${list.length})`} data-anomaly={code}>
              <Table caption={anomalyLabel(code)} className="preau-table-wrap">
                <thead>
                  <tr>
                    <th scope="col">{t('directory.import.file')}</th>
                    <th scope="col">{t('directory.import.record')}</th>
                    <th scope="col">{t('directory.import.message')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((a) => {
                    const detail = anomalyDetail(a);
                    return (
                      <tr key={`${a.file}-${a.record}-${a.key ?? ''}-${a.line ?? ''}-${a.message}`}>
                        <td className="fr-text--sm">{a.file}</td>
                        <td>
                          {a.record ?? '—'}
                          {a.line ? (
                            <span className="preau-block fr-text--xs preau-muted">
                              {t('directory.import.line', { line: a.line })}
                            </span>
                          ) : null}
                          {a.key ? (
                            <span className="preau-block fr-text--xs preau-muted">
                              {t('directory.import.key', { key: a.key })}
                            </span>
                          ) : null}
                        </td>
                        <td className="fr-text--sm" lang={detail.lang} data-testid="anomaly-detail">
                          {detail.text}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            </Accordion>
          ))}
        </div>
      )}
    </div>
  );
}

const OUTCOMES: ImportRow['outcome'][] = ['ambiguous', 'refused', 'skipped', 'created', 'updated', 'unchanged'];
const OUTCOME_SEVERITY: Record<ImportRow['outcome'], 'new' | 'success' | 'info' | 'warning' | 'error'> = {
  ambiguous: 'warning',
  refused: 'error',
  skipped: 'info',
  created: 'new',
  updated: 'success',
  unchanged: 'info',
};
const ROWS_SHOWN = 50;

/**
 * What became of each person of a CSV import (created, updated, to confirm…), and for the rows to confirm the
 * choice among the people they may be: this one, a new person, or skip the row; then the same files run again
 * with those choices.
 */
export function RowsSection({
  rows,
  onRerun,
  busy,
  error,
}: {
  rows: ImportRow[];
  onRerun?: (resolutions: Record<string, string>, dryRun: boolean) => void;
  busy: boolean;
  error: unknown;
}) {
  const { t, i18n } = useTranslation();
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [all, setAll] = useState(false);
  const counts = new Map<ImportRow['outcome'], number>();
  for (const r of rows) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const ambiguous = rows.filter((r) => r.outcome === 'ambiguous');
  const others = rows.filter((r) => r.outcome !== 'ambiguous' && (all || r.outcome !== 'unchanged'));
  const chosen = ambiguous.filter((r) => choices[r.key]).length;
  const where = (r: ImportRow) => (r.line ? t('directory.import.rows.where', { file: r.file, line: r.line }) : r.file);
  return (
    <section aria-labelledby="rows-title" className="fr-mt-4w" data-testid="import-rows">
      <h3 id="rows-title" className="fr-h5">
        {t('directory.import.rows.title')}
      </h3>
      <ul className="fr-badges-group fr-mb-2w">
        {OUTCOMES.filter((o) => counts.get(o)).map((o) => (
          <li key={o}>
            <Badge as="span" small noIcon severity={OUTCOME_SEVERITY[o]}>
              {t(`directory.import.rows.count.${o}`, { count: counts.get(o) ?? 0 })}
            </Badge>
          </li>
        ))}
      </ul>
      {ambiguous.length > 0 ? (
        <div className="fr-mb-4w" data-testid="ambiguous-rows">
          <h4 className="fr-h6">{t('directory.import.rows.toConfirm', { count: ambiguous.length })}</h4>
          <p className="fr-text--sm">{t('directory.import.rows.toConfirmIntro')}</p>
          {ambiguous.map((r) => (
            <RadioButtons
              key={r.key}
              legend={`${r.name} — ${where(r)}`}
              name={`choice-${r.key}`}
              options={[
                ...(r.candidates ?? []).map((c) => ({
                  label: t('directory.import.rows.thisPerson', { name: c.name }),
                  hintText: [
                    c.birthDate
                      ? t('directory.import.rows.born', { date: formatDate(c.birthDate, i18n.language) })
                      : t('directory.import.rows.noBirthDate'),
                    c.classes.length ? c.classes.join(', ') : null,
                  ]
                    .filter(Boolean)
                    .join(' — '),
                  nativeInputProps: {
                    value: c.id,
                    checked: choices[r.key] === c.id,
                    onChange: () => setChoices((x) => ({ ...x, [r.key]: c.id })),
                  },
                })),
                {
                  label: t('directory.import.rows.createNew'),
                  nativeInputProps: {
                    value: 'new',
                    checked: choices[r.key] === 'new',
                    onChange: () => setChoices((x) => ({ ...x, [r.key]: 'new' })),
                  },
                },
                {
                  label: t('directory.import.rows.skip'),
                  nativeInputProps: {
                    value: 'skip',
                    checked: choices[r.key] === 'skip',
                    onChange: () => setChoices((x) => ({ ...x, [r.key]: 'skip' })),
                  },
                },
              ]}
            />
          ))}
          {onRerun ? (
            <div className="preau-actions">
              <Button
                iconId="fr-icon-upload-line"
                disabled={busy || chosen === 0}
                onClick={() => onRerun(choices, false)}
              >
                {t('directory.import.rows.runWithChoices', { count: chosen })}
              </Button>
              <Button priority="secondary" disabled={busy || chosen === 0} onClick={() => onRerun(choices, true)}>
                {t('directory.import.rows.simulateWithChoices')}
              </Button>
            </div>
          ) : (
            <p className="fr-text--sm preau-muted">{t('directory.import.rows.chooseFilesAgain')}</p>
          )}
          <ErrorAlert error={error} />
        </div>
      ) : null}
      {others.length > 0 ? (
        <Table caption={t('directory.import.rows.caption')} className="preau-table-wrap">
          <thead>
            <tr>
              <th scope="col">{t('directory.import.rows.person')}</th>
              <th scope="col">{t('directory.import.rows.kind')}</th>
              <th scope="col">{t('directory.import.rows.whereCol')}</th>
              <th scope="col">{t('directory.import.rows.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {others.slice(0, all ? undefined : ROWS_SHOWN).map((r) => (
              <tr key={r.key} data-outcome={r.outcome}>
                <td>{r.name || '—'}</td>
                <td>{t(`directory.import.rows.kinds.${r.kind}`)}</td>
                <td className="fr-text--sm">{where(r)}</td>
                <td>
                  <Badge as="span" small noIcon severity={OUTCOME_SEVERITY[r.outcome]}>
                    {t(`directory.import.rows.outcomes.${r.outcome}`)}
                  </Badge>
                  {r.match && r.match.by !== 'key' ? (
                    <span className="preau-block fr-text--xs preau-muted">
                      {t(`directory.import.rows.by.${r.match.by}`)}
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      {!all && (others.length > ROWS_SHOWN || rows.some((r) => r.outcome === 'unchanged')) ? (
        <Button priority="tertiary" size="small" onClick={() => setAll(true)}>
          {t('directory.import.rows.showAll', { count: rows.length - ambiguous.length })}
        </Button>
      ) : null}
    </section>
  );
}

function History({
  establishmentId,
  currentJob,
  onOpen,
}: {
  establishmentId: string;
  currentJob: string | null;
  onOpen: (job: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const list = useImports(establishmentId);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title" className="fr-h4">
        {t('directory.import.history')}
      </h2>
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error} />
      {list.data && list.data.items.length === 0 ? <EmptyState>{t('directory.import.noHistory')}</EmptyState> : null}
      {list.data && list.data.items.length > 0 ? (
        <Table caption={t('directory.import.history')} className="preau-table-wrap">
          <thead>
            <tr>
              <th scope="col">{t('directory.import.date')}</th>
              <th scope="col">{t('directory.import.filesCol')}</th>
              <th scope="col">{t('directory.import.statusCol')}</th>
              <th scope="col">{t('directory.import.summary')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((j) => {
              const created = j.counts ? Object.values(j.counts).reduce((n, c) => n + c.created, 0) : null;
              const updated = j.counts ? Object.values(j.counts).reduce((n, c) => n + c.updated, 0) : null;
              return (
                <tr key={j.id} aria-current={j.id === currentJob ? 'true' : undefined}>
                  <td className="preau-nowrap">{formatDateTime(j.createdAt, i18n.language)}</td>
                  <td className="fr-text--sm">
                    {t('directory.import.filesCount', { count: j.files.length, kind: j.kind.toUpperCase() })}
                    {j.dryRun ? (
                      <span className="preau-block">
                        <Badge as="span" small noIcon severity="info">
                          {t('directory.import.dryRunBadge')}
                        </Badge>
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <Badge
                      as="span"
                      small
                      noIcon
                      severity={
                        j.status === 'done'
                          ? 'success'
                          : j.status === 'failed'
                            ? 'error'
                            : j.status === 'interrupted'
                              ? 'warning'
                              : 'info'
                      }
                    >
                      {t(`directory.import.status.${j.status}`)}
                    </Badge>
                  </td>
                  <td className="fr-text--sm">
                    {created !== null
                      ? t('directory.import.summaryText', { created, updated, anomalies: j.anomalies ?? 0 })
                      : '—'}
                  </td>
                  <td>
                    <Button priority="tertiary" size="small" onClick={() => onOpen(j.id)}>
                      {t('directory.import.open')}
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      ) : null}
    </section>
  );
}
