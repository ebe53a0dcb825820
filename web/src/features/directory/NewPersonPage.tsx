import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, post } from '../../app/api.ts';
import { formatDateTime } from '../../components/format.ts';
import { ErrorAlert, PageTitle } from '../../components/states.tsx';
import { type Person, useClasses } from './directory.api.ts';

const PROFILES = ['student', 'guardian', 'teacher', 'staff'] as const;
const EMPTY = {
  profile: 'student' as (typeof PROFILES)[number],
  lastName: '',
  firstName: '',
  birthDate: '',
  email: '',
  phoneMobile: '',
  classId: '',
};

interface Created {
  person: Person;
  activationCode: { code: string; expiresAt: string };
}

export function NewPersonPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const classes = useClasses(id);
  const [form, setForm] = useState(EMPTY);
  const [created, setCreated] = useState<Created | null>(null);
  const create = useMutation({
    mutationFn: () => {
      const body: Record<string, string> = { profile: form.profile };
      for (const k of ['lastName', 'firstName', 'birthDate', 'email', 'phoneMobile'] as const)
        if (form[k].trim()) body[k] = form[k].trim();
      if (form.profile === 'student' && form.classId) body.classId = form.classId;
      return post<Created>(`/api/establishments/${id}/people`, body);
    },
    onSuccess: async (data) => {
      setCreated(data);
      setForm({ ...EMPTY, profile: form.profile, classId: form.classId });
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    create.mutate();
  }

  const field = (
    k: 'lastName' | 'firstName' | 'birthDate' | 'email' | 'phoneMobile',
    type = 'text',
    required = false,
  ) => (
    <Input
      label={`${t(`directory.person.${k}`)}${required ? '' : ` ${t('directory.person.optional')}`}`}
      state={err?.fieldError(k) ? 'error' : 'default'}
      stateRelatedMessage={err?.fieldError(k)}
      nativeInputProps={{
        name: k,
        type,
        required,
        autoComplete: 'off',
        value: form[k],
        onChange: (e) => setForm({ ...form, [k]: e.target.value }),
      }}
    />
  );

  return (
    <>
      <Breadcrumb
        currentPageLabel={t('directory.person.newTitle')}
        segments={[{ label: t('admin.users.title'), linkProps: { to: `/admin/${id}/users` } }]}
        homeLinkProps={{ to: '/' }}
        classes={{ root: 'fr-mt-0 fr-mb-2w' }}
      />
      <PageTitle title={t('directory.person.newTitle')}>{t('directory.person.newTitle')}</PageTitle>
      <p>{t('directory.person.newIntro')}</p>
      {created ? (
        <Alert
          role="status"
          className="fr-mb-4w"
          severity="success"
          title={t('directory.person.created', { name: created.person.displayName })}
          description={
            <>
              <span className="preau-block">
                {t('admin.users.login')} :{' '}
                <strong className="preau-code" data-testid="new-login">
                  {created.person.login}
                </strong>
              </span>
              <span className="preau-block">
                {t('activation.code')} :{' '}
                <strong className="preau-code" data-testid="activation-code">
                  {created.activationCode.code}
                </strong>
              </span>
              <span className="preau-block fr-mt-1w">
                {t('directory.person.codeOnce', {
                  expires: formatDateTime(created.activationCode.expiresAt, i18n.language),
                })}
              </span>
              <Link to={`/admin/${id}/users/${created.person.id}`}>{t('directory.person.openCreated')}</Link>
            </>
          }
        />
      ) : null}
      <form onSubmit={submit} noValidate className="preau-narrow">
        {err && Object.keys(err.fieldErrors()).length === 0 ? <ErrorAlert error={err} /> : null}
        <Select
          label={t('admin.users.profile')}
          nativeSelectProps={{
            name: 'profile',
            value: form.profile,
            onChange: (e) => setForm({ ...form, profile: e.target.value as (typeof PROFILES)[number] }),
          }}
        >
          {PROFILES.map((p) => (
            <option key={p} value={p}>
              {t(`profiles.${p}`)}
            </option>
          ))}
        </Select>
        {field('lastName', 'text', true)}
        {field('firstName', 'text', true)}
        {field('birthDate', 'date', form.profile === 'student')}
        {field('email', 'email')}
        {field('phoneMobile', 'tel')}
        {form.profile === 'student' ? (
          <Select
            label={`${t('admin.users.class')} ${t('directory.person.optional')}`}
            state={err?.fieldError('classId') ? 'error' : 'default'}
            stateRelatedMessage={err?.fieldError('classId')}
            nativeSelectProps={{
              name: 'classId',
              value: form.classId,
              onChange: (e) => setForm({ ...form, classId: e.target.value }),
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
        <Button type="submit" disabled={create.isPending} iconId="fr-icon-user-add-line">
          {t('directory.person.create')}
        </Button>
      </form>
    </>
  );
}
