import { Button } from '@codegouvfr/react-dsfr/Button';
import { CallOut } from '@codegouvfr/react-dsfr/CallOut';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import {
  type AccessibilityStatus,
  OPERATOR_KINDS,
  type OperatorIdentity,
  type OperatorIdentityBody,
  type OperatorKind,
} from '@preau/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, call } from '../../app/api.ts';
import { useOperator } from '../../app/operator.ts';
import { formatDateTime } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle, StatusNotice } from '../../components/states.tsx';

const STATUSES: AccessibilityStatus[] = ['full', 'partial', 'none'];
const LOGO_TYPES = 'image/png,image/jpeg,image/webp,image/svg+xml';
const LOGO_MAX_BYTES = 140_000; // ≈ 190,000 characters once encoded, under the API's 200,000

/** What the form edits: the identity without what the server computes. */
function editable(o: OperatorIdentity): OperatorIdentityBody {
  const { configured: _c, updatedAt: _u, ...body } = o;
  return body;
}

/**
 * The platform administrator's page for the instance's operator: who runs the ENT, the legal notice, the
 * accessibility statement, the data-protection contact, the logo, the name and the footer links.
 */
export function OperatorPage() {
  const { t } = useTranslation();
  const operator = useOperator();
  // Outside the form: a save gives the form a new key (it starts again from what was saved), the message stays.
  const [saved, setSaved] = useState(false);
  return (
    <>
      <PageTitle title={t('operator.title')}>{t('operator.title')}</PageTitle>
      <p>{t('operator.intro')}</p>
      {operator.isPending ? <Loading /> : null}
      <ErrorAlert error={operator.error} />
      {saved ? <StatusNotice description={t('operator.saved')} /> : null}
      {operator.data ? (
        <OperatorForm
          key={operator.data.updatedAt ?? 'default'}
          current={operator.data}
          onSaved={() => setSaved(true)}
          onEdit={() => setSaved(false)}
        />
      ) : null}
    </>
  );
}

function OperatorForm({
  current,
  onSaved,
  onEdit,
}: {
  current: OperatorIdentity;
  onSaved: () => void;
  onEdit: () => void;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState<OperatorIdentityBody>(() => editable(current));
  const [logoProblem, setLogoProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: OperatorIdentityBody) => call('PUT /api/operator', { body }),
    onSuccess: (identity) => {
      qc.setQueryData(['operator'], identity);
      onSaved();
    },
  });
  const err = save.error instanceof ApiError ? save.error : null;
  const fieldState = (path: string) =>
    err?.fieldError(path) ? { state: 'error' as const, stateRelatedMessage: err.fieldError(path) } : {};

  const set = <K extends keyof OperatorIdentityBody>(key: K, value: OperatorIdentityBody[K]) => {
    onEdit();
    setForm((f) => ({ ...f, [key]: value }));
  };
  const setIn = <K extends 'publisher' | 'host' | 'dpo' | 'accessibility'>(
    key: K,
    field: keyof OperatorIdentityBody[K],
    value: string | null,
  ) => {
    onEdit();
    setForm((f) => ({ ...f, [key]: { ...f[key], [field]: value } }));
  };

  function pickLogo(file: File | undefined) {
    setLogoProblem(null);
    if (!file) return;
    if (!LOGO_TYPES.split(',').includes(file.type)) return setLogoProblem(t('operator.logoType'));
    if (file.size > LOGO_MAX_BYTES) return setLogoProblem(t('operator.logoTooBig'));
    const reader = new FileReader();
    reader.onload = () =>
      set('logo', { dataUrl: String(reader.result), alt: form.logo?.alt || form.name || file.name });
    reader.readAsDataURL(file);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate(form);
  }

  const text = (
    label: string,
    value: string,
    onChange: (v: string) => void,
    path: string,
    opts: { hint?: string; textArea?: boolean; type?: string; name: string },
  ) =>
    opts.textArea ? (
      <Input
        label={label}
        hintText={opts.hint}
        textArea
        nativeTextAreaProps={{ name: opts.name, value, rows: 3, onChange: (e) => onChange(e.target.value) }}
        {...fieldState(path)}
      />
    ) : (
      <Input
        label={label}
        hintText={opts.hint}
        nativeInputProps={{
          name: opts.name,
          type: opts.type ?? 'text',
          value,
          onChange: (e) => onChange(e.target.value),
        }}
        {...fieldState(path)}
      />
    );

  return (
    <form onSubmit={submit} noValidate className="preau-narrow-wide" aria-labelledby="operator-form-title">
      <h2 id="operator-form-title" className="fr-sr-only">
        {t('operator.title')}
      </h2>
      {current.configured ? (
        <p className="preau-muted">
          {t('operator.updatedAt', { date: formatDateTime(current.updatedAt, i18n.language) })}
        </p>
      ) : (
        <CallOut title={t('operator.defaultTitle')} className="fr-mb-4w">
          {t('operator.defaultText')}
        </CallOut>
      )}
      {err && Object.keys(err.fieldErrors()).length === 0 ? <ErrorAlert error={err} /> : null}
      {err && Object.keys(err.fieldErrors()).length > 0 ? (
        <ErrorAlert error={err} title={t('operator.fixFields')} />
      ) : null}

      <fieldset className="fr-fieldset fr-mb-4w">
        <legend className="fr-fieldset__legend fr-h5">{t('operator.who')}</legend>
        <div className="fr-fieldset__element">
          <RadioButtons
            legend={t('operator.kind')}
            hintText={t('operator.kindHint')}
            name="kind"
            options={OPERATOR_KINDS.map((k) => ({
              label: t(`operator.kindOption.${k}`),
              nativeInputProps: { value: k, checked: form.kind === k, onChange: () => set('kind', k as OperatorKind) },
            }))}
            {...fieldState('kind')}
          />
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.name'), form.name, (v) => set('name', v), 'name', {
            name: 'name',
            hint: t('operator.nameHint'),
          })}
        </div>
        {form.kind === 'state' ? (
          <div className="fr-fieldset__element">
            {text(t('operator.brandTop'), form.brandTop, (v) => set('brandTop', v), 'brandTop', {
              name: 'brandTop',
              textArea: true,
              hint: t('operator.brandTopHint'),
            })}
          </div>
        ) : null}
        <div className="fr-fieldset__element">
          {text(t('operator.serviceName'), form.serviceName, (v) => set('serviceName', v), 'serviceName', {
            name: 'serviceName',
            hint: t('operator.serviceNameHint'),
          })}
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.tagline'), form.tagline, (v) => set('tagline', v), 'tagline', { name: 'tagline' })}
        </div>
        <div className="fr-fieldset__element">
          <Upload
            label={t('operator.logo')}
            hint={t('operator.logoHint')}
            state={logoProblem || err?.fieldError('logo.dataUrl') ? 'error' : 'default'}
            stateRelatedMessage={logoProblem ?? err?.fieldError('logo.dataUrl')}
            nativeInputProps={{ name: 'logo', accept: LOGO_TYPES, onChange: (e) => pickLogo(e.target.files?.[0]) }}
          />
          {form.logo ? (
            <div className="fr-mt-2w">
              <img src={form.logo.dataUrl} alt={form.logo.alt} className="preau-logo-preview" />
              {text(
                t('operator.logoAlt'),
                form.logo.alt,
                (v) => set('logo', form.logo ? { ...form.logo, alt: v } : null),
                'logo.alt',
                { name: 'logoAlt', hint: t('operator.logoAltHint') },
              )}
              <Button type="button" priority="tertiary" size="small" onClick={() => set('logo', null)}>
                {t('operator.logoRemove')}
              </Button>
            </div>
          ) : null}
        </div>
      </fieldset>

      <fieldset className="fr-fieldset fr-mb-4w">
        <legend className="fr-fieldset__legend fr-h5">{t('operator.publisher')}</legend>
        <div className="fr-fieldset__element">
          {text(
            t('operator.publisherName'),
            form.publisher.name,
            (v) => setIn('publisher', 'name', v),
            'publisher.name',
            {
              name: 'publisherName',
            },
          )}
        </div>
        <div className="fr-fieldset__element">
          {text(
            t('operator.address'),
            form.publisher.address,
            (v) => setIn('publisher', 'address', v),
            'publisher.address',
            {
              name: 'publisherAddress',
              textArea: true,
            },
          )}
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.email'), form.publisher.email, (v) => setIn('publisher', 'email', v), 'publisher.email', {
            name: 'publisherEmail',
            type: 'email',
            hint: t('operator.emailHint'),
          })}
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.phone'), form.publisher.phone, (v) => setIn('publisher', 'phone', v), 'publisher.phone', {
            name: 'publisherPhone',
            type: 'tel',
          })}
        </div>
        <div className="fr-fieldset__element">
          {text(
            t('operator.director'),
            form.publisher.director,
            (v) => setIn('publisher', 'director', v),
            'publisher.director',
            {
              name: 'director',
            },
          )}
        </div>
      </fieldset>

      <fieldset className="fr-fieldset fr-mb-4w">
        <legend className="fr-fieldset__legend fr-h5">{t('operator.host')}</legend>
        <div className="fr-fieldset__element">
          {text(t('operator.hostName'), form.host.name, (v) => setIn('host', 'name', v), 'host.name', {
            name: 'hostName',
          })}
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.address'), form.host.address, (v) => setIn('host', 'address', v), 'host.address', {
            name: 'hostAddress',
            textArea: true,
          })}
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.phone'), form.host.phone, (v) => setIn('host', 'phone', v), 'host.phone', {
            name: 'hostPhone',
            type: 'tel',
          })}
        </div>
      </fieldset>

      <fieldset className="fr-fieldset fr-mb-4w">
        <legend className="fr-fieldset__legend fr-h5">{t('operator.dpo')}</legend>
        <div className="fr-fieldset__element">
          {text(t('operator.dpoName'), form.dpo.name, (v) => setIn('dpo', 'name', v), 'dpo.name', { name: 'dpoName' })}
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.email'), form.dpo.email, (v) => setIn('dpo', 'email', v), 'dpo.email', {
            name: 'dpoEmail',
            type: 'email',
            hint: t('operator.emailHint'),
          })}
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.address'), form.dpo.address, (v) => setIn('dpo', 'address', v), 'dpo.address', {
            name: 'dpoAddress',
            textArea: true,
          })}
        </div>
        <div className="fr-fieldset__element">
          {text(t('operator.legalNotice'), form.legalNotice, (v) => set('legalNotice', v), 'legalNotice', {
            name: 'legalNotice',
            textArea: true,
            hint: t('operator.paragraphsHint'),
          })}
        </div>
      </fieldset>

      <fieldset className="fr-fieldset fr-mb-4w">
        <legend className="fr-fieldset__legend fr-h5">{t('operator.accessibility')}</legend>
        <div className="fr-fieldset__element">
          <Select
            label={t('operator.a11yStatus')}
            hint={t('operator.a11yStatusHint')}
            nativeSelectProps={{
              name: 'a11yStatus',
              value: form.accessibility.status,
              onChange: (e) => setIn('accessibility', 'status', e.target.value),
            }}
            {...fieldState('accessibility.status')}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`operator.a11yStatusOption.${s}`)}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-fieldset__element">
          <Input
            label={t('operator.auditDate')}
            hintText={t('operator.auditDateHint')}
            nativeInputProps={{
              name: 'auditDate',
              type: 'date',
              value: form.accessibility.auditDate ?? '',
              onChange: (e) => setIn('accessibility', 'auditDate', e.target.value || null),
            }}
            {...fieldState('accessibility.auditDate')}
          />
        </div>
        <div className="fr-fieldset__element">
          {text(
            t('operator.auditBy'),
            form.accessibility.auditBy,
            (v) => setIn('accessibility', 'auditBy', v),
            'accessibility.auditBy',
            {
              name: 'auditBy',
            },
          )}
        </div>
        <div className="fr-fieldset__element">
          {text(
            t('operator.a11yStatement'),
            form.accessibility.statement,
            (v) => setIn('accessibility', 'statement', v),
            'accessibility.statement',
            { name: 'a11yStatement', textArea: true, hint: t('operator.paragraphsHint') },
          )}
        </div>
        <div className="fr-fieldset__element">
          {text(
            t('operator.a11yContact'),
            form.accessibility.contact,
            (v) => setIn('accessibility', 'contact', v),
            'accessibility.contact',
            {
              name: 'a11yContact',
              hint: t('operator.a11yContactHint'),
            },
          )}
        </div>
      </fieldset>

      <fieldset className="fr-fieldset fr-mb-4w" aria-describedby="footer-links-hint">
        <legend className="fr-fieldset__legend fr-h5">{t('operator.footerLinks')}</legend>
        <p id="footer-links-hint" className="fr-hint-text fr-fieldset__element">
          {t('operator.footerLinksHint')}
        </p>
        {form.footerLinks.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows edited in place, in order
          <div key={i} className="fr-fieldset__element preau-link-row">
            {text(
              t('operator.linkLabel', { n: i + 1 }),
              l.label,
              (v) =>
                set(
                  'footerLinks',
                  form.footerLinks.map((x, j) => (j === i ? { ...x, label: v } : x)),
                ),
              `footerLinks.${i}.label`,
              { name: `linkLabel${i}` },
            )}
            {text(
              t('operator.linkUrl', { n: i + 1 }),
              l.url,
              (v) =>
                set(
                  'footerLinks',
                  form.footerLinks.map((x, j) => (j === i ? { ...x, url: v } : x)),
                ),
              `footerLinks.${i}.url`,
              { name: `linkUrl${i}`, hint: t('operator.linkUrlHint') },
            )}
            <Button
              type="button"
              priority="tertiary"
              size="small"
              iconId="fr-icon-delete-line"
              onClick={() =>
                set(
                  'footerLinks',
                  form.footerLinks.filter((_, j) => j !== i),
                )
              }
            >
              {t('operator.linkRemove')}
              <span className="fr-sr-only"> {l.label || t('operator.linkLabel', { n: i + 1 })}</span>
            </Button>
          </div>
        ))}
        {form.footerLinks.length < 8 ? (
          <div className="fr-fieldset__element">
            <Button
              type="button"
              priority="secondary"
              size="small"
              iconId="fr-icon-add-line"
              onClick={() => set('footerLinks', [...form.footerLinks, { label: '', url: '' }])}
            >
              {t('operator.linkAdd')}
            </Button>
          </div>
        ) : null}
      </fieldset>

      <Button type="submit" disabled={save.isPending}>
        {t('operator.save')}
      </Button>
    </form>
  );
}
