import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { ErrorAlert, StatusNotice } from '../../components/states.tsx';
import { todayInParis } from './format.ts';

/** A student of the establishment (the staff) or of the teacher's classes: type a name or a class, then choose. */
function StudentPicker({
  establishment,
  value,
  onChange,
  id,
}: {
  establishment: string;
  value: string;
  onChange: (id: string) => void;
  id: string;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const query = { establishment, ...(q.trim() ? { q: q.trim() } : {}) };
  const found = useQuery({
    queryKey: ['school_life', 'students', query],
    queryFn: () => call('GET /api/school-life/students', { query }),
  });
  return (
    <>
      <Input
        label={t('school_life.form.search')}
        hintText={t('school_life.form.searchHint')}
        nativeInputProps={{ id: `${id}-q`, value: q, onChange: (e) => setQ(e.target.value), autoComplete: 'off' }}
      />
      <Select
        label={t('school_life.form.student')}
        nativeSelectProps={{ id, value, required: true, onChange: (e) => onChange(e.target.value) }}
      >
        <option value="" disabled>
          {t('school_life.form.choose', { count: found.data?.items.length ?? 0 })}
        </option>
        {found.data?.items.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
            {s.classCode ? ` (${s.classCode})` : ''}
          </option>
        ))}
      </Select>
    </>
  );
}

/** The school life's own entry: a whole day, several days, or a period of one day. */
export function AbsenceEntryForm({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [student, setStudent] = useState('');
  const [mode, setMode] = useState<'day' | 'period'>('day');
  const [from, setFrom] = useState(todayInParis());
  const [to, setTo] = useState(todayInParis());
  const [start, setStart] = useState('08:00');
  const [end, setEnd] = useState('12:00');
  const [reason, setReason] = useState('');
  const reasons = useQuery({
    queryKey: ['school_life', 'reasons', establishment],
    queryFn: () => call('GET /api/school-life/reasons', { query: { establishment } }),
  });
  const offset = (date: string) => {
    const d = new Date(`${date}T12:00:00Z`);
    const paris = new Date(d.toLocaleString('en-US', { timeZone: 'Europe/Paris' }));
    const h = Math.round(
      (paris.getTime() - new Date(d.toLocaleString('en-US', { timeZone: 'UTC' })).getTime()) / 3_600_000,
    );
    return `+0${h}:00`;
  };
  const save = useMutation({
    mutationFn: () =>
      call('POST /api/school-life/absences', {
        body: {
          establishment,
          studentId: student,
          ...(mode === 'day'
            ? { from, to }
            : { start: `${from}T${start}:00${offset(from)}`, end: `${from}T${end}:00${offset(from)}` }),
          ...(reason ? { reason } : {}),
        },
      }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['school_life'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="preau-sl-form fr-mb-4w" onSubmit={submit} aria-labelledby="sl-entry">
      <h3 id="sl-entry" className="fr-h5">
        {t('school_life.form.entryTitle')}
      </h3>
      <StudentPicker establishment={establishment} value={student} onChange={setStudent} id="sl-entry-student" />
      <Select
        label={t('school_life.form.mode')}
        nativeSelectProps={{ value: mode, onChange: (e) => setMode(e.target.value as 'day' | 'period') }}
      >
        <option value="day">{t('school_life.form.days')}</option>
        <option value="period">{t('school_life.form.period')}</option>
      </Select>
      <div className="preau-sl-nav">
        <Input
          label={mode === 'day' ? t('school_life.form.from') : t('school_life.form.date')}
          nativeInputProps={{ type: 'date', value: from, required: true, onChange: (e) => setFrom(e.target.value) }}
        />
        {mode === 'day' ? (
          <Input
            label={t('school_life.form.to')}
            nativeInputProps={{ type: 'date', value: to, min: from, onChange: (e) => setTo(e.target.value) }}
          />
        ) : (
          <>
            <Input
              label={t('school_life.form.start')}
              nativeInputProps={{
                type: 'time',
                value: start,
                required: true,
                onChange: (e) => setStart(e.target.value),
              }}
            />
            <Input
              label={t('school_life.form.end')}
              nativeInputProps={{ type: 'time', value: end, required: true, onChange: (e) => setEnd(e.target.value) }}
            />
          </>
        )}
      </div>
      <Select
        label={t('school_life.form.reason')}
        hint={t('school_life.form.reasonHint')}
        nativeSelectProps={{ value: reason, onChange: (e) => setReason(e.target.value) }}
      >
        <option value="">{t('school_life.form.noReason')}</option>
        {reasons.data?.items.map((r) => (
          <option key={r.code} value={r.code}>
            {r.label}
          </option>
        ))}
      </Select>
      <ErrorAlert error={save.error} />
      {save.isSuccess ? <StatusNotice description={t('school_life.form.entrySaved')} /> : null}
      <Button type="submit" disabled={!student || save.isPending}>
        {t('school_life.form.entrySubmit')}
      </Button>
    </form>
  );
}

/** A punishment or an incident (sanctions: the direction only, the server says so). */
export function IncidentForm({ establishment, direction }: { establishment: string; direction: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [student, setStudent] = useState('');
  const [kind, setKind] = useState<'retenue' | 'exclusion_cours' | 'incident' | 'sanction'>('retenue');
  const [date, setDate] = useState(todayInParis());
  const [reason, setReason] = useState('');
  const [detail, setDetail] = useState('');
  const save = useMutation({
    mutationFn: () =>
      call('POST /api/school-life/incidents', {
        body: {
          establishment,
          studentId: student,
          kind,
          date,
          reason: reason.trim(),
          ...(detail.trim() ? { detail: detail.trim() } : {}),
        },
      }),
    onSuccess: () => {
      setReason('');
      setDetail('');
      void qc.invalidateQueries({ queryKey: ['school_life'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="preau-sl-form fr-mb-4w" onSubmit={submit} aria-labelledby="sl-incident">
      <h3 id="sl-incident" className="fr-h5">
        {t('school_life.form.incidentTitle')}
      </h3>
      <StudentPicker establishment={establishment} value={student} onChange={setStudent} id="sl-incident-student" />
      <Select
        label={t('school_life.form.kind')}
        nativeSelectProps={{ value: kind, onChange: (e) => setKind(e.target.value as typeof kind) }}
      >
        <option value="retenue">{t('school_life.incident.retenue')}</option>
        <option value="exclusion_cours">{t('school_life.incident.exclusion_cours')}</option>
        <option value="incident">{t('school_life.incident.incident')}</option>
        {direction ? <option value="sanction">{t('school_life.incident.sanction')}</option> : null}
      </Select>
      <Input
        label={t('school_life.form.date')}
        nativeInputProps={{ type: 'date', value: date, required: true, onChange: (e) => setDate(e.target.value) }}
      />
      <Input
        label={t('school_life.form.why')}
        textArea
        nativeTextAreaProps={{
          value: reason,
          required: true,
          maxLength: 1000,
          onChange: (e) => setReason(e.target.value),
        }}
      />
      <Input
        label={t('school_life.form.detail')}
        hintText={t('school_life.form.detailHint')}
        nativeInputProps={{ value: detail, maxLength: 200, onChange: (e) => setDetail(e.target.value) }}
      />
      <ErrorAlert error={save.error} />
      {save.isSuccess ? <StatusNotice description={t('school_life.form.incidentSaved')} /> : null}
      <Button type="submit" disabled={!student || !reason.trim() || save.isPending}>
        {t('school_life.form.incidentSubmit')}
      </Button>
    </form>
  );
}
