import type { RolloutOverview } from '@preau/contracts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { WidgetProps } from '../../app/feature.ts';
import { Checklist, Help, ProfileRates } from './Checklist.tsx';

/** The direction's home page: the rollout checklist, the rates per profile and the académie's help, at a glance. */
export default function RolloutWidget({ data }: WidgetProps) {
  const { t } = useTranslation();
  const o = data as RolloutOverview;
  return (
    <div data-testid="rollout-widget">
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-lg-7">
          <Checklist items={o.checklist} headingLevel={4} compact />
        </div>
        <div className="fr-col-12 fr-col-lg-5">
          <ProfileRates overview={o} stacked />
          {o.lateSteps > 0 ? <p className="fr-text--sm">{t('rollout.overview.late', { count: o.lateSteps })}</p> : null}
          <Help help={o.help} headingLevel={4} />
        </div>
      </div>
      <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" to="/rollout">
        {t('rollout.widget.open')}
      </Link>
    </div>
  );
}
