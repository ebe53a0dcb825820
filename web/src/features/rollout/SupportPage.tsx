import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import {
  type ResourcePerson,
  SERVICE_KEYS,
  type ServiceKey,
  type RolloutSlot as Slot,
  type Training,
} from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, call } from '../../app/api.ts';
import { formatDateTime, formatDateWith } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { rolloutKey, useEstablishmentId, useRolloutMe } from './rollout.api.ts';

/** Local date and time typed in a form → an instant (the browser's time zone is the school's). */
const instant = (date: string, time: string) => new Date(`${date}T${time}`).toISOString();

function useTime() {
  const { i18n } = useTranslation();
  const locale = i18n.language.startsWith('en') ? 'en-GB' : 'fr-FR';
  const hour = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });
  const start = (iso: string) =>
    formatDateWith(iso, i18n.language, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      hour: '2-digit',
      minute: '2-digit',
    });
  return {
    slot: (s: { startsAt: string; endsAt: string }) => `${start(s.startsAt)} – ${hour.format(new Date(s.endsAt))}`,
  };
}

/** The people who help: resource persons and their slots (book one), training sessions (register). */
export function SupportPage() {
  const { t } = useTranslation();
  const establishment = useEstablishmentId();
  const me = useRolloutMe();
  const persons = useQuery({
    queryKey: rolloutKey(establishment, 'resource-persons'),
    queryFn: () => call('GET /api/rollout/resource-persons', { query: { establishment } }),
  });
  const trainings = useQuery({
    queryKey: rolloutKey(establishment, 'trainings'),
    queryFn: () => call('GET /api/rollout/trainings', { query: { establishment } }),
  });
  return (
    <>
      <PageTitle title={t('rollout.support.title')}>{t('rollout.support.title')}</PageTitle>
      <p>{t('rollout.support.intro')}</p>
      <section aria-labelledby="persons-title" className="fr-mb-5w">
        <h2 id="persons-title" className="fr-h4">
          {t('rollout.support.persons')}
        </h2>
        {persons.isPending ? <Loading /> : null}
        <ErrorAlert error={persons.error} />
        {persons.data?.items.length === 0 ? <p>{t('rollout.support.noPerson')}</p> : null}
        {persons.data?.items.map((p) => (
          <PersonCard key={p.id} establishment={establishment} person={p} />
        ))}
        {persons.data?.can.manage ? <NamePerson establishment={establishment} /> : null}
      </section>
      <section aria-labelledby="trainings-title" className="fr-mb-5w">
        <h2 id="trainings-title" className="fr-h4">
          {t('rollout.support.trainings')}
        </h2>
        {trainings.isPending ? <Loading /> : null}
        <ErrorAlert error={trainings.error} />
        {trainings.data?.items.length === 0 ? <p>{t('rollout.support.noTraining')}</p> : null}
        {trainings.data?.items.map((tr) => (
          <TrainingCard key={tr.id} establishment={establishment} training={tr} manage={trainings.data.can.manage} />
        ))}
        {trainings.data?.can.manage && me.data?.steering ? <NewTraining establishment={establishment} /> : null}
      </section>
    </>
  );
}

function PersonCard({ establishment, person }: { establishment: string; person: ResourcePerson }) {
  const { t } = useTranslation();
  const time = useTime();
  const qc = useQueryClient();
  const invalidate = () => qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'resource-persons') });
  const [topic, setTopic] = useState('');
  const book = useMutation({
    mutationFn: (id: string) => call('POST /api/rollout/slots/:id/booking', { params: { id }, body: { topic } }),
    onSuccess: async () => {
      setTopic('');
      await invalidate();
    },
  });
  const cancel = useMutation({
    mutationFn: (id: string) => call('DELETE /api/rollout/slots/:id/booking', { params: { id } }),
    onSuccess: invalidate,
  });
  const now = Date.now();
  const upcoming = person.slots.filter((s) => Date.parse(s.endsAt) >= now);
  const free = upcoming.filter((s) => !s.booked);
  const scope = [person.service ? t(`rollout.services.${person.service}`) : null, person.subject]
    .filter(Boolean)
    .join(' — ');
  const headingId = `person-${person.id}`;
  return (
    <article
      className="preau-card fr-p-3w fr-mb-2w"
      aria-labelledby={headingId}
      data-person={person.person.displayName}
    >
      <h3 id={headingId} className="fr-h6 fr-mb-1w">
        {person.person.displayName} <span className="fr-text--sm preau-muted">— {scope}</span>
      </h3>
      {person.note ? <p className="fr-text--sm">{person.note}</p> : null}
      {person.load ? (
        <p className="fr-text--sm" data-testid="person-load">
          <Badge as="span" small severity={person.load.booked > 6 ? 'warning' : 'info'} noIcon>
            {t('rollout.support.load', { count: person.load.booked, hours: person.load.hours, free: person.load.free })}
          </Badge>
        </p>
      ) : null}
      <ErrorAlert error={book.error ?? cancel.error} />
      {book.isSuccess ? (
        <div role="status" className="fr-mb-2w">
          <Alert severity="success" small description={t('rollout.support.booked')} />
        </div>
      ) : null}
      {upcoming.length === 0 ? <p className="fr-text--sm">{t('rollout.support.noSlot')}</p> : null}
      {free.length > 0 && !person.mine ? (
        <Input
          label={t('rollout.support.topic')}
          hintText={t('rollout.support.topicHint')}
          nativeInputProps={{
            name: `topic-${person.id}`,
            value: topic,
            onChange: (e) => setTopic(e.target.value),
            maxLength: 300,
          }}
        />
      ) : null}
      <ul className="preau-slots">
        {upcoming.map((s: Slot) => (
          <li key={s.id} data-slot={s.id}>
            <span>
              {time.slot(s)} —{' '}
              {s.mode === 'onsite' ? t('rollout.support.room', { room: s.room }) : t('rollout.support.remote')}
            </span>{' '}
            {s.bookedByMe ? (
              <>
                <Badge as="span" small severity="success">
                  {t('rollout.support.yours')}
                </Badge>{' '}
                <Button size="small" priority="tertiary" onClick={() => cancel.mutate(s.id)}>
                  {t('rollout.support.cancel')}
                </Button>
              </>
            ) : s.booked ? (
              <span className="preau-muted fr-text--sm">
                {s.booker
                  ? t('rollout.support.bookedBy', { name: s.booker.displayName, topic: s.topic ?? '' })
                  : t('rollout.support.taken')}
              </span>
            ) : person.mine ? (
              <span className="preau-muted fr-text--sm">{t('rollout.support.free')}</span>
            ) : (
              <Button
                size="small"
                priority="secondary"
                onClick={() => book.mutate(s.id)}
                disabled={book.isPending}
                title={t('rollout.support.bookSlot', { slot: time.slot(s) })}
              >
                {t('rollout.support.book')}
              </Button>
            )}
          </li>
        ))}
      </ul>
      {person.mine ? <NewSlot establishment={establishment} personId={person.id} /> : null}
    </article>
  );
}

function NewSlot({ establishment, personId }: { establishment: string; personId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState({
    date: '',
    start: '12:30',
    end: '13:30',
    mode: 'onsite' as 'onsite' | 'remote',
    room: '',
  });
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/slots', {
        body: {
          resourcePersonId: personId,
          startsAt: instant(form.date, form.start),
          endsAt: instant(form.date, form.end),
          mode: form.mode,
          room: form.mode === 'onsite' ? form.room || null : null,
        },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'resource-persons') }),
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form.date) create.mutate();
  };
  return (
    <details className="fr-mt-2w">
      <summary>{t('rollout.support.newSlot')}</summary>
      <form onSubmit={submit} noValidate aria-label={t('rollout.support.newSlot')}>
        {err ? <ErrorAlert error={err} /> : null}
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-4">
            <Input
              label={t('rollout.support.date')}
              nativeInputProps={{ type: 'date', value: form.date, onChange: set('date') }}
            />
          </div>
          <div className="fr-col-6 fr-col-md-4">
            <Input
              label={t('rollout.support.start')}
              nativeInputProps={{ type: 'time', value: form.start, onChange: set('start') }}
            />
          </div>
          <div className="fr-col-6 fr-col-md-4">
            <Input
              label={t('rollout.support.end')}
              nativeInputProps={{ type: 'time', value: form.end, onChange: set('end') }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <Select label={t('rollout.support.mode')} nativeSelectProps={{ value: form.mode, onChange: set('mode') }}>
              <option value="onsite">{t('rollout.support.onsite')}</option>
              <option value="remote">{t('rollout.support.remote')}</option>
            </Select>
          </div>
          {form.mode === 'onsite' ? (
            <div className="fr-col-12 fr-col-md-6">
              <Input
                label={t('rollout.support.roomLabel')}
                nativeInputProps={{ value: form.room, onChange: set('room') }}
              />
            </div>
          ) : null}
        </div>
        <Button type="submit" size="small" disabled={create.isPending}>
          {t('rollout.support.offer')}
        </Button>
      </form>
    </details>
  );
}

function NamePerson({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const staff = useQuery({
    queryKey: rolloutKey(establishment, 'staff'),
    queryFn: () => call('GET /api/rollout/staff', { query: { establishment } }),
  });
  const [form, setForm] = useState({ userId: '', service: '' as ServiceKey | '', subjectCode: '', note: '' });
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/resource-persons', {
        body: {
          establishmentId: establishment,
          userId: form.userId,
          service: form.service || null,
          subjectCode: form.subjectCode || null,
          note: form.note,
        },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'resource-persons') }),
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <details className="fr-mt-2w">
      <summary>{t('rollout.support.name')}</summary>
      <form onSubmit={submit} noValidate className="preau-card fr-p-3w" aria-label={t('rollout.support.name')}>
        <ErrorAlert error={create.error} />
        <Select label={t('rollout.support.person')} nativeSelectProps={{ value: form.userId, onChange: set('userId') }}>
          <option value="" disabled>
            {t('rollout.common.choose')}
          </option>
          {staff.data?.people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.displayName}
            </option>
          ))}
        </Select>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <Select
              label={t('rollout.needs.service')}
              nativeSelectProps={{ value: form.service, onChange: set('service') }}
            >
              <option value="">{t('rollout.common.none')}</option>
              {SERVICE_KEYS.map((k) => (
                <option key={k} value={k}>
                  {t(`rollout.services.${k}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <Select
              label={t('rollout.needs.subject')}
              nativeSelectProps={{ value: form.subjectCode, onChange: set('subjectCode') }}
            >
              <option value="">{t('rollout.common.none')}</option>
              {staff.data?.subjects.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.label}
                </option>
              ))}
            </Select>
          </div>
        </div>
        <Input label={t('rollout.support.note')} nativeInputProps={{ value: form.note, onChange: set('note') }} />
        <Button type="submit" size="small" disabled={create.isPending}>
          {t('rollout.support.name')}
        </Button>
      </form>
    </details>
  );
}

function TrainingCard({
  establishment,
  training,
  manage,
}: {
  establishment: string;
  training: Training;
  manage: boolean;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const invalidate = () => qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'trainings') });
  const register = useMutation({
    mutationFn: () => call('POST /api/rollout/trainings/:id/registration', { params: { id: training.id } }),
    onSuccess: invalidate,
  });
  const leave = useMutation({
    mutationFn: () => call('DELETE /api/rollout/trainings/:id/registration', { params: { id: training.id } }),
    onSuccess: invalidate,
  });
  const [present, setPresent] = useState(new Set((training.attendees ?? []).filter((a) => a.present).map((a) => a.id)));
  const attendance = useMutation({
    mutationFn: () =>
      call('PUT /api/rollout/trainings/:id/attendance', {
        params: { id: training.id },
        body: { present: [...present] },
      }),
    onSuccess: invalidate,
  });
  const past = Date.parse(training.startsAt) <= Date.now();
  const full = training.registered >= training.capacity;
  const headingId = `training-${training.id}`;
  return (
    <article className="preau-card fr-p-3w fr-mb-2w" aria-labelledby={headingId} data-training={training.title}>
      <h3 id={headingId} className="fr-h6 fr-mb-1w">
        {training.title}
      </h3>
      <p className="fr-text--sm fr-mb-1w">
        {t('rollout.support.trainingLine', {
          date: formatDateTime(training.startsAt, i18n.language),
          place: training.place,
          audience: training.audience,
        })}
      </p>
      <p className="fr-text--sm">
        {t('rollout.support.places', { count: training.registered, capacity: training.capacity })}
        {training.step ? ` — ${t('rollout.support.forStep', { step: training.step.title })}` : ''}
      </p>
      <ErrorAlert error={register.error ?? leave.error ?? attendance.error} />
      {past ? null : training.registeredMe ? (
        <p>
          <Badge as="span" small severity="success">
            {t('rollout.support.registered')}
          </Badge>{' '}
          <Button size="small" priority="tertiary" onClick={() => leave.mutate()}>
            {t('rollout.support.unregister')}
          </Button>
        </p>
      ) : (
        <Button size="small" onClick={() => register.mutate()} disabled={full || register.isPending}>
          {full ? t('rollout.support.full') : t('rollout.support.register')}
        </Button>
      )}
      {manage && training.attendees && training.attendees.length > 0 ? (
        <details className="fr-mt-2w">
          <summary>{t('rollout.support.attendance')}</summary>
          <Checkbox
            legend={t('rollout.support.presentLegend')}
            small
            options={training.attendees.map((a) => ({
              label: a.displayName,
              nativeInputProps: {
                checked: present.has(a.id),
                onChange: () => {
                  const next = new Set(present);
                  if (next.has(a.id)) next.delete(a.id);
                  else next.add(a.id);
                  setPresent(next);
                },
              },
            }))}
          />
          <Button size="small" priority="secondary" onClick={() => attendance.mutate()} disabled={attendance.isPending}>
            {t('rollout.support.saveAttendance')}
          </Button>
        </details>
      ) : null}
    </article>
  );
}

function NewTraining({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const plan = useQuery({
    queryKey: rolloutKey(establishment, 'plan'),
    queryFn: () => call('GET /api/rollout/plan', { query: { establishment } }),
  });
  const [form, setForm] = useState({
    title: '',
    audience: '',
    date: '',
    start: '14:00',
    end: '16:00',
    place: '',
    capacity: '12',
    stepId: '',
  });
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/trainings', {
        body: {
          establishmentId: establishment,
          title: form.title,
          audience: form.audience,
          startsAt: instant(form.date, form.start),
          endsAt: instant(form.date, form.end),
          place: form.place,
          capacity: Number(form.capacity),
          stepId: form.stepId || null,
        },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'trainings') }),
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form.date) create.mutate();
  };
  const steps = plan.data?.services.flatMap((s) => s.steps.map((step) => ({ ...step, service: s.name }))) ?? [];
  return (
    <details className="fr-mt-2w">
      <summary>{t('rollout.support.newTraining')}</summary>
      <form onSubmit={submit} noValidate className="preau-card fr-p-3w" aria-label={t('rollout.support.newTraining')}>
        <ErrorAlert error={create.error} />
        <Input
          label={t('rollout.support.trainingTitle')}
          nativeInputProps={{ value: form.title, onChange: set('title') }}
        />
        <Input
          label={t('rollout.support.audience')}
          nativeInputProps={{ value: form.audience, onChange: set('audience') }}
        />
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-4">
            <Input
              label={t('rollout.support.date')}
              nativeInputProps={{ type: 'date', value: form.date, onChange: set('date') }}
            />
          </div>
          <div className="fr-col-6 fr-col-md-4">
            <Input
              label={t('rollout.support.start')}
              nativeInputProps={{ type: 'time', value: form.start, onChange: set('start') }}
            />
          </div>
          <div className="fr-col-6 fr-col-md-4">
            <Input
              label={t('rollout.support.end')}
              nativeInputProps={{ type: 'time', value: form.end, onChange: set('end') }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-8">
            <Input
              label={t('rollout.support.place')}
              nativeInputProps={{ value: form.place, onChange: set('place') }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <Input
              label={t('rollout.support.capacity')}
              nativeInputProps={{ inputMode: 'numeric', value: form.capacity, onChange: set('capacity') }}
            />
          </div>
        </div>
        <Select label={t('rollout.support.step')} nativeSelectProps={{ value: form.stepId, onChange: set('stepId') }}>
          <option value="">{t('rollout.common.none')}</option>
          {steps.map((s) => (
            <option key={s.id} value={s.id}>
              {s.service} — {s.title}
            </option>
          ))}
        </Select>
        <Button type="submit" size="small" disabled={create.isPending}>
          {t('rollout.support.plan')}
        </Button>
      </form>
    </details>
  );
}
