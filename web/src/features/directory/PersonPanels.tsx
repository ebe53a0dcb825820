import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { UserDetail } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, del, get, patch, post, postDownload, withQuery } from '../../app/api.ts';
import { EmptyState, ErrorAlert, Loading } from '../../components/states.tsx';
import { type Assignment, keys, type Person, useClasses, useGroups, useSubjects } from './directory.api.ts';

const FIELDS = ['lastName', 'firstName', 'birthDate', 'email', 'phoneMobile', 'phoneHome', 'phoneWork'] as const;
type Field = (typeof FIELDS)[number];

/** The correction form of a person: identity, e-mail, phones and, for a student, the class. */
export function EditPerson({
  establishmentId: id,
  userId,
  onDone,
}: {
  establishmentId: string;
  userId: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const person = useQuery({
    queryKey: keys.person(id, userId),
    queryFn: () => get<Person>(`/api/establishments/${id}/people/${userId}`),
  });
  const isStudent = !!person.data?.profiles.includes('student');
  const classes = useClasses(id);
  const [draft, setDraft] = useState<Record<string, string> | null>(null);
  const p = person.data;
  const values: Record<string, string> =
    draft ??
    (p
      ? {
          ...Object.fromEntries(FIELDS.map((f) => [f, (p[f] as string | null) ?? ''])),
          classId: p.class?.id ?? '',
        }
      : {});
  const save = useMutation({
    mutationFn: (body: Record<string, string | null>) =>
      patch<Person>(`/api/establishments/${id}/people/${userId}`, body),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['admin', id] });
      onDone();
    },
  });
  const err = save.error instanceof ApiError ? save.error : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!p) return;
    const body: Record<string, string | null> = {};
    for (const f of p.accountShared ? [] : FIELDS) {
      const v = (values[f] ?? '').trim();
      const before = (p[f] as string | null) ?? '';
      if (v === before) continue;
      if ((f === 'firstName' || f === 'lastName') && !v) body[f] = v;
      else body[f] = v || null;
    }
    if (isStudent && (values.classId ?? '') !== (p.class?.id ?? '')) body.classId = values.classId || null;
    if (Object.keys(body).length === 0) {
      onDone();
      return;
    }
    save.mutate(body);
  }

  const input = (f: Field, type = 'text', autoComplete?: string) => (
    <Input
      key={f}
      label={t(`directory.person.${f}`)}
      hintText={
        f.startsWith('phone') ? t('directory.person.phoneHint') : f === 'email' ? t('activation.emailHint') : undefined
      }
      state={err?.fieldError(f) ? 'error' : 'default'}
      stateRelatedMessage={err?.fieldError(f)}
      disabled={p?.accountShared}
      nativeInputProps={{
        name: f,
        type,
        autoComplete,
        value: values[f] ?? '',
        onChange: (e) => setDraft({ ...values, [f]: e.target.value }),
      }}
    />
  );

  return (
    <section aria-labelledby="edit-person-title" className="preau-editor fr-p-3w fr-mb-4w">
      <h2 id="edit-person-title" className="fr-h4">
        {t('directory.person.editTitle')}
      </h2>
      {person.isPending ? <Loading /> : null}
      <ErrorAlert error={person.error} />
      {p ? (
        <form onSubmit={submit} noValidate>
          {p.fromFeed ? (
            <Alert severity="info" small className="fr-mb-3w" description={t('directory.person.fromFeed')} />
          ) : null}
          {p.accountShared ? (
            <Alert severity="info" small className="fr-mb-3w" description={t('directory.person.sharedAccount')} />
          ) : null}
          {err && Object.keys(err.fieldErrors()).length === 0 ? <ErrorAlert error={err} /> : null}
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-6">{input('lastName', 'text', 'off')}</div>
            <div className="fr-col-12 fr-col-md-6">{input('firstName', 'text', 'off')}</div>
            <div className="fr-col-12 fr-col-md-6">{input('birthDate', 'date', 'off')}</div>
            <div className="fr-col-12 fr-col-md-6">{input('email', 'email', 'off')}</div>
            <div className="fr-col-12 fr-col-md-4">{input('phoneMobile', 'tel', 'off')}</div>
            <div className="fr-col-12 fr-col-md-4">{input('phoneHome', 'tel', 'off')}</div>
            <div className="fr-col-12 fr-col-md-4">{input('phoneWork', 'tel', 'off')}</div>
          </div>
          {isStudent ? (
            <Select
              label={t('admin.users.class')}
              state={err?.fieldError('classId') ? 'error' : 'default'}
              stateRelatedMessage={err?.fieldError('classId')}
              nativeSelectProps={{
                name: 'classId',
                value: values.classId ?? '',
                onChange: (e) => setDraft({ ...values, classId: e.target.value }),
              }}
            >
              <option value="">{t('directory.person.noClass')}</option>
              {classes.data?.items.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.code}
                </option>
              ))}
            </Select>
          ) : null}
          <div className="preau-actions">
            <Button type="submit" disabled={save.isPending}>
              {t('common.save')}
            </Button>
            <Button type="button" priority="tertiary" onClick={onDone}>
              {t('common.cancel')}
            </Button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

interface UserList {
  items: { id: string; displayName: string; login: string; profiles: string[] }[];
}

/** A student's guardians: remove a link, or add one (search a guardian of the establishment). */
export function GuardianLinks({ establishmentId: id, user }: { establishmentId: string; user: UserDetail }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [guardianId, setGuardianId] = useState('');
  const [level, setLevel] = useState<'legal' | 'in_charge'>('legal');
  const found = useQuery({
    queryKey: ['admin', id, 'guardian-search', search],
    queryFn: () =>
      get<UserList>(withQuery(`/api/establishments/${id}/users`, { q: search, profile: 'guardian', pageSize: 20 })),
    enabled: search.length > 0,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['admin', id] });
  const add = useMutation({
    mutationFn: () => post(`/api/establishments/${id}/people/${user.id}/guardians`, { guardianId, level }),
    onSuccess: async () => {
      setGuardianId('');
      setSearch('');
      setQ('');
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (g: string) => del(`/api/establishments/${id}/people/${user.id}/guardians/${g}`),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="guardians-title" className="fr-mb-4w">
      <h2 id="guardians-title" className="fr-h5">
        {t('directory.person.guardiansTitle')}
      </h2>
      <ErrorAlert error={remove.error} />
      {user.guardians.length === 0 ? (
        <EmptyState>{t('directory.person.noGuardian')}</EmptyState>
      ) : (
        <ul className="preau-sessions">
          {user.guardians.map((g) => (
            <li key={g.id} className="preau-actions fr-mb-1w">
              <span>
                <Link to={`/admin/${id}/users/${g.id}`}>{g.displayName}</Link> ({t(`admin.users.level.${g.level}`)})
              </span>
              <Button
                size="small"
                priority="tertiary"
                iconId="fr-icon-delete-line"
                disabled={remove.isPending}
                onClick={() => remove.mutate(g.id)}
                title={t('directory.person.removeGuardianFor', { name: g.displayName })}
              >
                {t('directory.person.remove')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="preau-narrow"
        onSubmit={(e) => {
          e.preventDefault();
          if (guardianId) add.mutate();
          else setSearch(q.trim());
        }}
      >
        <h3 className="fr-h6">{t('directory.person.addGuardian')}</h3>
        <div className="preau-actions">
          <Input
            label={t('directory.person.searchGuardian')}
            className="fr-mb-0"
            nativeInputProps={{ type: 'search', name: 'guardian-q', value: q, onChange: (e) => setQ(e.target.value) }}
          />
          <Button type="button" priority="secondary" onClick={() => setSearch(q.trim())} className="fr-mt-4w">
            {t('common.search')}
          </Button>
        </div>
        {found.isFetching ? <Loading /> : null}
        {found.data && found.data.items.length === 0 ? <EmptyState>{t('admin.users.empty')}</EmptyState> : null}
        {found.data && found.data.items.length > 0 ? (
          <>
            <Select
              label={t('directory.person.guardian')}
              nativeSelectProps={{
                name: 'guardianId',
                value: guardianId,
                onChange: (e) => setGuardianId(e.target.value),
              }}
            >
              <option value="">{t('directory.person.choose')}</option>
              {found.data.items.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.displayName} ({g.login})
                </option>
              ))}
            </Select>
            <RadioButtons
              legend={t('directory.person.level')}
              name="level"
              orientation="horizontal"
              options={(['legal', 'in_charge'] as const).map((l) => ({
                label: t(`admin.users.level.${l}`),
                nativeInputProps: { value: l, checked: level === l, onChange: () => setLevel(l) },
              }))}
            />
            <ErrorAlert error={add.error} />
            <Button type="submit" disabled={!guardianId || add.isPending}>
              {t('directory.person.link')}
            </Button>
          </>
        ) : null}
      </form>
    </section>
  );
}

/**
 * A teacher's teaching assignments of the current year, and the classes they are head teacher of: each panel
 * shown as the server's flags allow.
 */
export function TeacherPanels({
  establishmentId: id,
  userId,
  can,
}: {
  establishmentId: string;
  userId: string;
  can: Pick<UserDetail['can'], 'manageAssignments' | 'setHeadTeacher'>;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const assignments = useQuery({
    queryKey: keys.assignments(id, userId),
    queryFn: () => get<{ items: Assignment[] }>(`/api/establishments/${id}/people/${userId}/assignments`),
    enabled: can.manageAssignments,
  });
  const classes = useClasses(id);
  const groups = useGroups(id);
  const subjects = useSubjects();
  const [target, setTarget] = useState('');
  const [subject, setSubject] = useState('');
  const [headClass, setHeadClass] = useState('');
  const [ok, setOk] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['admin', id] });
  const add = useMutation({
    mutationFn: () => {
      const [kind, tid] = target.split(':');
      return post(`/api/establishments/${id}/people/${userId}/assignments`, {
        [kind === 'group' ? 'groupId' : 'classId']: tid,
        subjectCode: subject,
      });
    },
    onSuccess: async () => {
      setTarget('');
      setSubject('');
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (a: string) => del(`/api/establishments/${id}/people/${userId}/assignments/${a}`),
    onSuccess: refresh,
  });
  const setHead = useMutation({
    mutationFn: () => post(`/api/establishments/${id}/people/${userId}/head-teacher`, { classId: headClass }),
    onSuccess: async () => {
      const c = classes.data?.items.find((x) => x.id === headClass);
      setOk(t('directory.person.headTeacherSet', { class: c?.code ?? '' }));
      setHeadClass('');
      await refresh();
    },
  });
  const unsetHead = useMutation({
    mutationFn: (classId: string) => del(`/api/establishments/${id}/people/${userId}/head-teacher/${classId}`),
    onSuccess: refresh,
  });
  const headOf = classes.data?.items.filter((c) => c.headTeachers.some((h) => h.id === userId)) ?? [];
  const list = assignments.data?.items ?? [];
  return (
    <>
      {can.manageAssignments ? (
        <section aria-labelledby="assignments-title" className="fr-mb-4w">
          <h2 id="assignments-title" className="fr-h5">
            {t('directory.person.assignmentsTitle')}
          </h2>
          {assignments.isPending ? <Loading /> : null}
          <ErrorAlert error={assignments.error ?? remove.error} />
          {assignments.data && list.length === 0 ? <EmptyState>{t('directory.person.noAssignment')}</EmptyState> : null}
          {list.length > 0 ? (
            <ul className="preau-sessions">
              {list.map((a) => (
                <li key={a.id} className="preau-actions fr-mb-1w">
                  <span>
                    {a.subject.label} — {a.class?.code ?? a.group?.label ?? '—'}
                  </span>
                  <Button
                    size="small"
                    priority="tertiary"
                    iconId="fr-icon-delete-line"
                    disabled={remove.isPending}
                    onClick={() => remove.mutate(a.id)}
                    title={t('directory.person.removeAssignmentFor', {
                      name: `${a.subject.label} — ${a.class?.code ?? a.group?.label ?? ''}`,
                    })}
                  >
                    {t('directory.person.remove')}
                  </Button>
                </li>
              ))}
            </ul>
          ) : null}
          <form
            className="preau-narrow"
            onSubmit={(e) => {
              e.preventDefault();
              if (target && subject) add.mutate();
            }}
          >
            <h3 className="fr-h6">{t('directory.person.addAssignment')}</h3>
            <Select
              label={t('directory.person.classOrGroup')}
              nativeSelectProps={{ name: 'target', value: target, onChange: (e) => setTarget(e.target.value) }}
            >
              <option value="">{t('directory.person.choose')}</option>
              <optgroup label={t('directory.person.classes')}>
                {classes.data?.items.map((c) => (
                  <option key={c.id} value={`class:${c.id}`}>
                    {c.code}
                  </option>
                ))}
              </optgroup>
              <optgroup label={t('directory.person.groups')}>
                {groups.data?.items.map((g) => (
                  <option key={g.id} value={`group:${g.id}`}>
                    {g.label}
                  </option>
                ))}
              </optgroup>
            </Select>
            <Select
              label={t('directory.person.subject')}
              nativeSelectProps={{ name: 'subject', value: subject, onChange: (e) => setSubject(e.target.value) }}
            >
              <option value="">{t('directory.person.choose')}</option>
              {subjects.data?.items.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.label} ({s.code})
                </option>
              ))}
            </Select>
            <ErrorAlert error={add.error} />
            <Button type="submit" disabled={!target || !subject || add.isPending}>
              {t('directory.person.addAssignmentButton')}
            </Button>
          </form>
        </section>
      ) : null}
      {can.setHeadTeacher ? (
        <section aria-labelledby="head-title" className="fr-mb-4w">
          <h2 id="head-title" className="fr-h5">
            {t('directory.person.headTeacherTitle')}
          </h2>
          {ok ? <Alert role="status" className="fr-mb-2w" severity="success" small description={ok} /> : null}
          <ErrorAlert error={unsetHead.error} />
          {classes.data && headOf.length === 0 ? <EmptyState>{t('directory.person.noHeadTeacher')}</EmptyState> : null}
          {headOf.length > 0 ? (
            <ul className="preau-sessions">
              {headOf.map((c) => (
                <li key={c.id} className="preau-actions fr-mb-1w">
                  <span>{c.code}</span>
                  <Button
                    size="small"
                    priority="tertiary"
                    iconId="fr-icon-delete-line"
                    disabled={unsetHead.isPending}
                    onClick={() => unsetHead.mutate(c.id)}
                    title={t('directory.person.removeHeadFor', { class: c.code })}
                  >
                    {t('directory.person.remove')}
                  </Button>
                </li>
              ))}
            </ul>
          ) : null}
          <form
            className="preau-narrow"
            onSubmit={(e) => {
              e.preventDefault();
              if (headClass) setHead.mutate();
            }}
          >
            <Select
              label={t('directory.person.headTeacherOf')}
              nativeSelectProps={{ name: 'headClass', value: headClass, onChange: (e) => setHeadClass(e.target.value) }}
            >
              <option value="">{t('directory.person.choose')}</option>
              {classes.data?.items
                .filter((c) => !headOf.includes(c))
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.code}
                    {c.headTeachers.length === 0 ? ` — ${t('directory.person.noHeadYet')}` : ''}
                  </option>
                ))}
            </Select>
            <ErrorAlert error={setHead.error} />
            <Button type="submit" disabled={!headClass || setHead.isPending}>
              {t('directory.person.setHeadTeacher')}
            </Button>
          </form>
        </section>
      ) : null}
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Reprinting one person's login sheet (their page, the data-quality list)

const reprintModal = createModal({ id: 'reprint-sheet-modal', isOpenedByDefault: false });

interface SheetPerson {
  id: string;
  displayName: string;
  login: string | null;
}

/**
 * Reprint one person's login sheet. The server asks for a confirmation (409 CONFIRMATION_REQUIRED) when the
 * person's current code still works — the sheet printed before would stop working —; the modal then says so
 * and prints on confirmation. Render `element` once in the page.
 */
export function useReprintSheet(establishmentId: string): {
  print: (p: SheetPerson) => void;
  pending: boolean;
  element: ReactNode;
} {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [person, setPerson] = useState<SheetPerson | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: ({ p, confirm }: { p: SheetPerson; confirm: boolean }) =>
      postDownload(
        `/api/establishments/${establishmentId}/users/${p.id}/login-sheet`,
        confirm ? { confirmReplace: 1 } : {},
        `identifiants-${p.login ?? p.id}.pdf`,
      ),
    onSuccess: async (_data, { p }) => {
      reprintModal.close();
      setDone(p.displayName);
      await qc.invalidateQueries({ queryKey: ['admin', establishmentId] });
    },
    onError: (e, { p, confirm }) => {
      if (!confirm && e instanceof ApiError && e.code === 'CONFIRMATION_REQUIRED') {
        setPerson(p);
        reprintModal.open();
      } else {
        reprintModal.close();
      }
    },
  });
  const error =
    mutation.error instanceof ApiError && mutation.error.code === 'CONFIRMATION_REQUIRED' ? null : mutation.error;
  const element = (
    <>
      {done ? (
        <Alert
          role="status"
          className="fr-mb-3w"
          severity="success"
          small
          description={t('directory.reprint.done', { name: done })}
        />
      ) : null}
      <ErrorAlert error={error} />
      <reprintModal.Component
        title={t('directory.reprint.confirmTitle')}
        buttons={[
          { children: t('common.cancel'), priority: 'secondary' },
          {
            children: t('directory.reprint.confirmButton'),
            doClosesModal: false,
            disabled: mutation.isPending || !person,
            onClick: () => person && mutation.mutate({ p: person, confirm: true }),
          },
        ]}
      >
        {person ? <p>{t('directory.reprint.confirmText', { name: person.displayName })}</p> : null}
      </reprintModal.Component>
    </>
  );
  return {
    print: (p) => {
      setDone(null);
      mutation.mutate({ p, confirm: false });
    },
    pending: mutation.isPending,
    element,
  };
}
