import './rollout.css';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import type { ChecklistItem, HelpContact, RolloutOverview } from '@preau/contracts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate } from '../../components/format.ts';
import { byProfileOrder, useFormat } from './rollout.format.ts';

const SEVERITY = { done: 'success', partial: 'info', todo: 'warning' } as const;

/** What an item says is left, worded from its code (`label`, `profile` and `count` fill it in). */
function LeftLine({ left }: { left: ChecklistItem['left'][number] }) {
  const { t } = useTranslation();
  const profile = left.profile ? t(`rollout.profilesPlural.${left.profile}`) : '';
  return (
    <li>{t(`rollout.checklist.left.${left.code}`, { count: left.count ?? 0, label: left.label ?? '', profile })}</li>
  );
}

function ItemSummary({ item }: { item: ChecklistItem }) {
  const { t, i18n } = useTranslation();
  const date = item.date ? formatDate(item.date, i18n.language) : '';
  const vars = { count: item.count ?? 0, total: item.total ?? 0, date };
  const key = `rollout.checklist.${item.key}.summary`;
  if (item.key === 'directory' || item.key === 'families' || item.key === 'charter') {
    return item.date ? <p className="fr-mb-1w">{t(`${key}.dated`, vars)}</p> : null;
  }
  return <p className="fr-mb-1w">{t(key, vars)}</p>;
}

/** The rollout checklist, computed from the data: each item's state, what is left, and where it is done. */
export function Checklist({
  items,
  headingLevel = 3,
  compact = false,
}: {
  items: ChecklistItem[];
  headingLevel?: 3 | 4;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const H = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <ol className="preau-checklist" data-testid="rollout-checklist">
      {items.map((item) => (
        <li
          key={item.key}
          className={`preau-checklist__item preau-checklist__item--${item.state}`}
          data-item={item.key}
          data-state={item.state}
        >
          <div className="preau-checklist__head">
            <H className="fr-h6 fr-mb-0">{t(`rollout.checklist.${item.key}.title`)}</H>
            <Badge as="span" small severity={SEVERITY[item.state]}>
              {t(`rollout.checklist.state.${item.state}`)}
            </Badge>
          </div>
          <ItemSummary item={item} />
          {compact && item.left[0] ? (
            <ul className="fr-text--sm preau-checklist__first">
              <LeftLine left={item.left[0]} />
            </ul>
          ) : null}
          {!compact && item.left.length > 0 ? (
            <>
              <p className="fr-text--sm fr-mb-0">{t('rollout.checklist.leftTitle')}</p>
              <ul className="fr-text--sm">
                {item.left.slice(0, 8).map((l) => (
                  <LeftLine key={`${l.code}-${l.label ?? ''}-${l.profile ?? ''}`} left={l} />
                ))}
                {item.left.length > 8 ? <li>{t('rollout.checklist.more', { count: item.left.length - 8 })}</li> : null}
              </ul>
            </>
          ) : null}
          {item.state !== 'done' || !compact ? (
            <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right fr-text--sm" to={item.link}>
              {t(`rollout.checklist.${item.key}.action`)}
            </Link>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

/** Shares as bars of the same length (100 %), the figures in text: screen readers and zoom get the same. */
function RateBars({
  title,
  bars,
}: {
  title: string;
  bars: { key: string; label: string; value: number; total: number }[];
}) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <figure className="preau-barchart preau-rates fr-mb-3w">
      <figcaption className="fr-text--bold fr-mb-1w">{title}</figcaption>
      <ul>
        {bars.map((b) => (
          <li key={b.key} data-bar={b.key}>
            <span className="preau-barchart__label">{b.label}</span>
            <span className="preau-barchart__track" aria-hidden="true">
              <span className="preau-barchart__total">
                <span
                  className="preau-barchart__value"
                  style={{ width: `${b.total ? (100 * b.value) / b.total : 0}%` }}
                />
              </span>
            </span>
            <span className="preau-barchart__figure">
              {t('rollout.rates.figure', { value: b.value, total: b.total, rate: f.rate(b.value, b.total) })}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Activation and charter acceptance per profile, guardians first. */
export function ProfileRates({
  overview,
  stacked = false,
}: {
  overview: Pick<RolloutOverview, 'activation' | 'charter'>;
  stacked?: boolean;
}) {
  const { t } = useTranslation();
  const present = (rows: { profile: string; value: number; total: number }[]) =>
    byProfileOrder(rows)
      .filter((r) => r.total > 0)
      .map((r) => ({
        key: r.profile,
        label: t(`rollout.profilesPlural.${r.profile}`),
        value: r.value,
        total: r.total,
      }));
  const col = stacked ? 'fr-col-12' : 'fr-col-12 fr-col-lg-6';
  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      <div className={col} data-testid="activation-rates">
        <RateBars
          title={t('rollout.rates.activation')}
          bars={present(overview.activation.map((a) => ({ profile: a.profile, value: a.activated, total: a.total })))}
        />
      </div>
      <div className={col} data-testid="charter-rates">
        <RateBars
          title={t('rollout.rates.charter')}
          bars={present(overview.charter.map((a) => ({ profile: a.profile, value: a.accepted, total: a.total })))}
        />
      </div>
    </div>
  );
}

export function Help({ help, headingLevel = 2 }: { help: HelpContact | null; headingLevel?: 2 | 3 | 4 }) {
  const { t } = useTranslation();
  const H = `h${headingLevel}` as 'h2';
  return (
    <section className="preau-card fr-p-3w" aria-labelledby="rollout-help" data-testid="rollout-help">
      <H id="rollout-help" className="fr-h6">
        {t('rollout.help.title')}
      </H>
      {help ? (
        <>
          <p className="fr-mb-1w">
            <strong>{help.name}</strong> — {help.academy}
          </p>
          <ul className="preau-inline-list fr-text--sm">
            {help.email ? (
              <li>
                <a href={`mailto:${help.email}`}>{help.email}</a>
              </li>
            ) : null}
            {help.phone ? (
              <li>
                <a href={`tel:${help.phone.replace(/[^0-9+]/g, '')}`}>{help.phone}</a>
              </li>
            ) : null}
            {help.url ? (
              <li>
                <a
                  href={help.url}
                  target="_blank"
                  rel="noopener noreferrer"
                  title={t('rollout.help.newWindow', { url: help.url })}
                >
                  {help.url}
                </a>
              </li>
            ) : null}
          </ul>
          {help.hours ? <p className="fr-text--sm fr-mb-0">{help.hours}</p> : null}
        </>
      ) : (
        <p className="fr-mb-0">{t('rollout.help.none')}</p>
      )}
    </section>
  );
}
