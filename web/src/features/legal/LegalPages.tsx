import { CallOut } from '@codegouvfr/react-dsfr/CallOut';
import type { OperatorIdentity } from '@preau/contracts';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useOperator } from '../../app/operator.ts';
import { formatDate } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';

/** Paragraphs separated by a blank line, as the operator typed them (plain text, never HTML). */
function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed paragraphs of one text
          <p key={i} className="preau-prewrap">
            {p}
          </p>
        ))}
    </>
  );
}

/** A contact that may be an e-mail address or a web address. */
function Contact({ value }: { value: string }) {
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return <a href={`mailto:${value}`}>{value}</a>;
  if (/^https?:\/\//.test(value))
    return (
      <a href={value} target="_blank" rel="noopener">
        {value}
      </a>
    );
  return <>{value}</>;
}

/** Lines of an address block, leaving out what the operator did not give. */
function Lines({ lines }: { lines: (ReactNode | false | null | undefined | '')[] }) {
  const shown = lines.filter(Boolean);
  return (
    <p>
      {shown.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: fixed lines of one block
        <span key={i} className="preau-block">
          {l}
        </span>
      ))}
    </p>
  );
}

/** The identity of the instance, or the page's loading and error states. */
function WithOperator({ title, children }: { title: string; children: (o: OperatorIdentity) => ReactNode }) {
  const { t } = useTranslation();
  const operator = useOperator();
  return (
    <div className="preau-prose">
      <PageTitle title={title}>{title}</PageTitle>
      {operator.isPending ? <Loading /> : null}
      <ErrorAlert error={operator.error} />
      {operator.data && !operator.data.configured ? (
        <CallOut title={t('legal.demoTitle')} className="fr-mb-4w" data-testid="demo-instance">
          {t('legal.demoText')}
        </CallOut>
      ) : null}
      {operator.data ? children(operator.data) : null}
    </div>
  );
}

export function LegalNoticePage() {
  const { t } = useTranslation();
  return (
    <WithOperator title={t('legal.title')}>
      {(o) => (
        <>
          <h2 className="fr-h4">{t('legal.publisherTitle')}</h2>
          <Lines
            lines={[
              <strong key="n">{o.publisher.name}</strong>,
              o.publisher.address,
              o.publisher.phone && t('legal.phone', { phone: o.publisher.phone }),
              o.publisher.email && <Contact value={o.publisher.email} />,
            ]}
          />
          {o.publisher.director ? <p>{t('legal.director', { name: o.publisher.director })}</p> : null}
          <p>{t('legal.operator', { name: o.name, kind: t(`operator.kinds.${o.kind}`) })}</p>

          <h2 className="fr-h4">{t('legal.hostTitle')}</h2>
          {o.host.name || o.host.address ? (
            <Lines lines={[o.host.name, o.host.address, o.host.phone && t('legal.phone', { phone: o.host.phone })]} />
          ) : (
            <p>{t('legal.hostIsOperator', { name: o.name })}</p>
          )}

          <h2 className="fr-h4" id="donnees-personnelles">
            {t('legal.dataTitle')}
          </h2>
          <p>{t('legal.data')}</p>
          <p>{t('legal.dataRights')}</p>
          {o.dpo.name || o.dpo.email || o.dpo.address ? (
            <>
              <h3 className="fr-h6">{t('legal.dpoTitle')}</h3>
              <Lines lines={[o.dpo.name, o.dpo.address, o.dpo.email && <Contact value={o.dpo.email} />]} />
            </>
          ) : null}
          <p>
            <Link to="/privacy">{t('legal.register')}</Link>
          </p>

          {o.legalNotice ? (
            <>
              <h2 className="fr-h4">{t('legal.moreTitle')}</h2>
              <Paragraphs text={o.legalNotice} />
            </>
          ) : null}

          <h2 className="fr-h4">{t('legal.licenceTitle')}</h2>
          <p>{t('legal.licence')}</p>
        </>
      )}
    </WithOperator>
  );
}

export function AccessibilityPage() {
  const { t, i18n } = useTranslation();
  return (
    <WithOperator title={t('a11y.title')}>
      {(o) => {
        const a = o.accessibility;
        return (
          <>
            <p>{t('a11y.intro', { name: o.publisher.name || o.name })}</p>
            <p>{t('a11y.scope', { service: o.serviceName })}</p>
            <h2 className="fr-h4">{t('a11y.statusTitle')}</h2>
            <p>
              <strong data-testid="a11y-status">{t(`a11y.status.${a.status}`, { service: o.serviceName })}</strong>
            </p>
            <p>
              {a.auditDate
                ? t('a11y.audited', {
                    date: formatDate(a.auditDate, i18n.language),
                    by: a.auditBy || o.publisher.name || o.name,
                  })
                : t('a11y.notAudited')}
            </p>
            {a.statement ? (
              <>
                <h2 className="fr-h4">{t('a11y.knownTitle')}</h2>
                <Paragraphs text={a.statement} />
              </>
            ) : null}
            <h2 className="fr-h4">{t('a11y.contactTitle')}</h2>
            <p>{t('a11y.contact')}</p>
            {a.contact ? (
              <p>
                <Contact value={a.contact} />
              </p>
            ) : (
              <p>{t('a11y.contactSchool')}</p>
            )}
            <h2 className="fr-h4">{t('a11y.remedyTitle')}</h2>
            <p>{t('a11y.remedy')}</p>
          </>
        );
      }}
    </WithOperator>
  );
}

export { NotFoundPage } from '../../components/NotFoundPage.tsx';
