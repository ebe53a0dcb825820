import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import type { TimetableImport, Zone } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { call, get } from '../../app/api.ts';
import { formatDate, formatDateTime } from '../../components/format.ts';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';

const WEEKDAYS = [1, 2, 3, 4, 5, 6];

interface SubjectList {
  items: { code: string; label: string }[];
}

/** The direction's timetable page: import the STS-Web files (or a CSV), the zone and weeks A/B, the courses. */
export function TimetableAdmin() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  return (
    <>
      <PageTitle title={t('timetable.admin.title')}>{t('timetable.admin.title')}</PageTitle>
      <ImportSection establishment={id} />
      <SettingsSection establishment={id} />
      <CoursesSection establishment={id} />
    </>
  );
}

function ImportSection({ establishment }: { establishment: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['timetable', 'imports', establishment],
    queryFn: () => call('GET /api/timetable/imports', { query: { establishment } }),
  });
  const job = useQuery({
    queryKey: ['timetable', 'import', jobId],
    queryFn: () => call('GET /api/timetable/imports/:id', { params: { id: jobId! } }),
    enabled: !!jobId,
    refetchInterval: (q) => (q.state.data?.status === 'done' || q.state.data?.status === 'failed' ? false : 500),
  });
  const start = useMutation({
    mutationFn: () => {
      const fd = new FormData();
      fd.set('establishment', establishment);
      for (const f of files) fd.append('files', f, f.name);
      return call('POST /api/timetable/imports', { body: fd });
    },
    onSuccess: async ({ id }) => {
      setJobId(id);
      await qc.invalidateQueries({ queryKey: ['timetable', 'imports', establishment] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  const shown = job.data ?? null;
  const finished = shown?.status === 'done' || shown?.status === 'failed';
  useEffect(() => {
    if (finished) void qc.invalidateQueries({ queryKey: ['timetable'] });
  }, [finished, qc]);
  return (
    <section aria-labelledby="import-title" className="fr-mb-6w">
      <h2 id="import-title" className="fr-h4">
        {t('timetable.admin.import')}
      </h2>
      <p>{t('timetable.admin.importIntro')}</p>
      <form onSubmit={submit} className="preau-card fr-p-3w">
        <Upload
          label={t('timetable.admin.files')}
          hint={t('timetable.admin.filesHint')}
          multiple
          nativeInputProps={{
            accept: '.xml,.csv,.txt,text/xml,text/csv',
            onChange: (e) => setFiles([...(e.target.files ?? [])]),
          }}
        />
        <ErrorAlert error={start.error} />
        <Button type="submit" className="fr-mt-2w" disabled={files.length === 0 || start.isPending}>
          {t('timetable.admin.startImport')}
        </Button>
      </form>
      {shown ? <ImportReport job={shown} /> : null}
      {list.data && list.data.items.length > 0 ? (
        <Table caption={t('timetable.admin.history')} showCaption>
          <thead>
            <tr>
              <th scope="col">{t('timetable.admin.when')}</th>
              <th scope="col">{t('timetable.admin.filesCol')}</th>
              <th scope="col">{t('timetable.admin.status')}</th>
              <th scope="col">{t('timetable.admin.result')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.slice(0, 5).map((j) => (
              <tr key={j.id}>
                <td>{formatDateTime(j.createdAt, i18n.language)}</td>
                <td>{j.files.map((f) => f.name).join(', ')}</td>
                <td>{t(`timetable.admin.statuses.${j.status}`)}</td>
                <td>
                  {j.status === 'done'
                    ? t('timetable.admin.summary', {
                        created: j.report.counts.created,
                        updated: j.report.counts.updated,
                        count: j.report.anomalies.length,
                      })
                    : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </section>
  );
}

function ImportReport({ job }: { job: TimetableImport }) {
  const { t } = useTranslation();
  const running = job.status === 'queued' || job.status === 'running';
  const c = job.report.counts;
  return (
    <div className="fr-mt-3w" data-testid="timetable-import-report" aria-live="polite">
      {running ? (
        <ProgressBar value={job.progress} label={t('timetable.admin.running', { phase: job.phase })} />
      ) : (
        <>
          <p>
            <Badge severity={job.status === 'done' ? 'success' : 'error'}>
              {t(`timetable.admin.statuses.${job.status}`)}
            </Badge>
          </p>
          {job.status === 'done' ? (
            <ul>
              <li>{t('timetable.admin.counts.courses', { count: c.courses })}</li>
              <li>
                {t('timetable.admin.counts.changes', { created: c.created, updated: c.updated, removed: c.removed })}
              </li>
              <li>{t('timetable.admin.counts.skipped', { count: c.skipped })}</li>
              <li>
                {t('timetable.admin.counts.matched', {
                  teachers: c.teachersMatched,
                  classes: c.classesMatched,
                  groups: c.groupsMatched,
                })}
              </li>
            </ul>
          ) : null}
          {job.report.anomalies.length > 0 ? (
            <>
              <h3 className="fr-h6">{t('timetable.admin.anomalies', { count: job.report.anomalies.length })}</h3>
              <ul data-testid="timetable-anomalies">
                {job.report.anomalies.map((a) => (
                  <li key={`${a.code}-${a.line ?? ''}-${a.message}`}>{a.message}</li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
    </div>
  );
}

function SettingsSection({ establishment }: { establishment: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const settings = useQuery({
    queryKey: ['timetable', 'settings', establishment],
    queryFn: () => call('GET /api/timetable/settings', { query: { establishment } }),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['timetable'] });
  const zone = useMutation({
    mutationFn: (z: Zone) => call('PUT /api/timetable/settings', { body: { establishment, zone: z } }),
    onSuccess: refresh,
  });
  const alternate = useMutation({
    mutationFn: () => call('POST /api/timetable/week-patterns/alternating', { body: { establishment } }),
    onSuccess: refresh,
  });
  const s = settings.data;
  return (
    <section aria-labelledby="settings-title" className="fr-mb-6w">
      <h2 id="settings-title" className="fr-h4">
        {t('timetable.admin.calendar')}
      </h2>
      {settings.isPending ? <Loading /> : null}
      <ErrorAlert error={settings.error ?? zone.error ?? alternate.error} />
      {s ? (
        <>
          <Select
            label={t('timetable.admin.zone')}
            hint={s.zoneChosen ? undefined : t('timetable.admin.zoneDefault')}
            nativeSelectProps={{ value: s.zone, onChange: (e) => zone.mutate(e.target.value as Zone) }}
          >
            {(['A', 'B', 'C'] as const).map((z) => (
              <option key={z} value={z}>
                {t('timetable.admin.zoneOption', { zone: z })}
              </option>
            ))}
          </Select>
          <Table caption={t('timetable.admin.holidays', { year: s.schoolYear.label })} showCaption>
            <thead>
              <tr>
                <th scope="col">{t('timetable.admin.holiday')}</th>
                <th scope="col">{t('timetable.admin.fromDay')}</th>
                <th scope="col">{t('timetable.admin.toDay')}</th>
              </tr>
            </thead>
            <tbody>
              {s.holidays.map((h) => (
                <tr key={h.from}>
                  <td>{h.name}</td>
                  <td>{formatDate(h.from, i18n.language)}</td>
                  <td>{formatDate(h.to, i18n.language)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
          <p className="fr-text--sm preau-muted">{t('timetable.admin.holidaySource')}</p>
          <h3 className="fr-h6">{t('timetable.admin.patterns')}</h3>
          {s.weekPatterns.length ? (
            <ul>
              {s.weekPatterns.map((p) => (
                <li key={p.id}>{t('timetable.admin.pattern', { label: p.label, count: p.weeks.length })}</li>
              ))}
            </ul>
          ) : (
            <p>{t('timetable.admin.noPatterns')}</p>
          )}
          <Button priority="secondary" size="small" onClick={() => alternate.mutate()} disabled={alternate.isPending}>
            {t('timetable.admin.makeAlternating')}
          </Button>
          <h3 className="fr-h6 fr-mt-3w">{t('timetable.admin.slots')}</h3>
          <p>{s.slots.map((x) => `${x.code} ${x.start}–${x.end}`).join(' · ')}</p>
        </>
      ) : null}
    </section>
  );
}

function CoursesSection({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [classId, setClassId] = useState('');
  const options = useQuery({
    queryKey: ['timetable', 'options', establishment],
    queryFn: () => call('GET /api/timetable/options', { query: { establishment } }),
  });
  const settings = useQuery({
    queryKey: ['timetable', 'settings', establishment],
    queryFn: () => call('GET /api/timetable/settings', { query: { establishment } }),
  });
  const subjects = useQuery({
    queryKey: ['subjects'],
    queryFn: () => get<SubjectList>('/api/subjects'),
    staleTime: 3_600_000,
  });
  const target = classId || options.data?.classes[0]?.id || '';
  const courses = useQuery({
    queryKey: ['timetable', 'courses', establishment, target],
    queryFn: () => call('GET /api/timetable/courses', { query: { establishment, class: target } }),
    enabled: !!target,
  });
  const remove = useMutation({
    mutationFn: (id: string) => call('DELETE /api/timetable/courses/:id', { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['timetable'] }),
  });
  const [form, setForm] = useState({
    subjectCode: '',
    teacherId: '',
    weekday: '1',
    start: '08:00',
    end: '08:55',
    room: '',
    pattern: '',
  });
  const add = useMutation({
    mutationFn: () =>
      call('POST /api/timetable/courses', {
        body: {
          establishment,
          classId: target,
          subjectCode: form.subjectCode,
          teacherIds: [form.teacherId],
          weekday: Number(form.weekday),
          start: form.start,
          end: form.end,
          room: form.room || null,
          weekPatternId: form.pattern || null,
        },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['timetable'] }),
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const o = options.data;
  return (
    <section aria-labelledby="courses-title" className="fr-mb-6w">
      <h2 id="courses-title" className="fr-h4">
        {t('timetable.admin.courses')}
      </h2>
      <ErrorAlert error={options.error ?? courses.error ?? remove.error} />
      {o && o.classes.length === 0 ? <EmptyState>{t('timetable.admin.noClasses')}</EmptyState> : null}
      {o && o.classes.length > 0 ? (
        <Select
          label={t('timetable.admin.class')}
          nativeSelectProps={{ value: target, onChange: (e) => setClassId(e.target.value) }}
        >
          {o.classes.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </Select>
      ) : null}
      {courses.data ? (
        courses.data.items.length === 0 ? (
          <EmptyState>{t('timetable.admin.noCourses')}</EmptyState>
        ) : (
          <Table caption={t('timetable.admin.coursesOf')}>
            <thead>
              <tr>
                <th scope="col">{t('timetable.admin.day')}</th>
                <th scope="col">{t('timetable.admin.time')}</th>
                <th scope="col">{t('timetable.admin.subject')}</th>
                <th scope="col">{t('timetable.admin.teachers')}</th>
                <th scope="col">{t('timetable.admin.roomCol')}</th>
                <th scope="col">{t('timetable.admin.weeks')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {courses.data.items.map((c) => (
                <tr key={c.id}>
                  <td>{t(`timetable.weekdays.${c.weekday}`)}</td>
                  <td className="preau-nowrap">
                    {c.start}–{c.end}
                  </td>
                  <td>{c.subject.name}</td>
                  <td>{c.teachers.map((x) => x.displayName).join(', ') || '—'}</td>
                  <td>{c.room ?? '—'}</td>
                  <td>
                    {c.weekPattern
                      ? t('timetable.weekPattern', { code: c.weekPattern.code })
                      : t('timetable.admin.everyWeek')}
                  </td>
                  <td>
                    <Button
                      priority="tertiary no outline"
                      size="small"
                      onClick={() => remove.mutate(c.id)}
                      title={t('timetable.admin.removeCourse', {
                        subject: c.subject.name,
                        day: t(`timetable.weekdays.${c.weekday}`),
                        time: c.start,
                      })}
                    >
                      {t('timetable.admin.remove')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )
      ) : null}
      {o && target ? (
        <form
          className="preau-card fr-p-3w fr-mt-3w"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <h3 className="fr-h6">{t('timetable.admin.addCourse')}</h3>
          <Select
            label={t('timetable.admin.subject')}
            nativeSelectProps={{ value: form.subjectCode, onChange: set('subjectCode'), required: true }}
          >
            <option value="">{t('timetable.admin.choose')}</option>
            {subjects.data?.items.map((s) => (
              <option key={s.code} value={s.code}>
                {s.label}
              </option>
            ))}
          </Select>
          <Select
            label={t('timetable.admin.teacher')}
            nativeSelectProps={{ value: form.teacherId, onChange: set('teacherId'), required: true }}
          >
            <option value="">{t('timetable.admin.choose')}</option>
            {o.teachers.map((x) => (
              <option key={x.id} value={x.id}>
                {x.displayName}
              </option>
            ))}
          </Select>
          <Select
            label={t('timetable.admin.day')}
            nativeSelectProps={{ value: form.weekday, onChange: set('weekday') }}
          >
            {WEEKDAYS.map((d) => (
              <option key={d} value={d}>
                {t(`timetable.weekdays.${d}`)}
              </option>
            ))}
          </Select>
          <Input
            label={t('timetable.manage.start')}
            nativeInputProps={{ type: 'time', value: form.start, onChange: set('start'), required: true }}
          />
          <Input
            label={t('timetable.manage.end')}
            nativeInputProps={{ type: 'time', value: form.end, onChange: set('end'), required: true }}
          />
          <Input label={t('timetable.manage.room')} nativeInputProps={{ value: form.room, onChange: set('room') }} />
          <Select
            label={t('timetable.admin.weeks')}
            nativeSelectProps={{ value: form.pattern, onChange: set('pattern') }}
          >
            <option value="">{t('timetable.admin.everyWeek')}</option>
            {settings.data?.weekPatterns.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </Select>
          <ErrorAlert error={add.error} />
          <Button type="submit" disabled={add.isPending}>
            {t('timetable.admin.add')}
          </Button>
        </form>
      ) : null}
    </section>
  );
}
