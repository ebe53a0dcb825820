import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { Delivery, NotificationPreferences } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';

const DELIVERIES: Delivery[] = ['app', 'email', 'digest'];
const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** How each kind of notification reaches the person, and their quiet hours (no e-mail then). */
export function PreferencesPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const prefs = useQuery({
    queryKey: ['timeline', 'preferences'],
    queryFn: () => call('GET /api/timeline/preferences'),
  });
  const [draft, setDraft] = useState<NotificationPreferences | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (prefs.data) setDraft(prefs.data);
  }, [prefs.data]);
  const save = useMutation({
    mutationFn: (d: NotificationPreferences) =>
      call('PUT /api/timeline/preferences', {
        body: { deliveries: Object.fromEntries(d.kinds.map((k) => [k.kind, k.delivery])), quietHours: d.quietHours },
      }),
    onSuccess: (data) => {
      qc.setQueryData(['timeline', 'preferences'], data);
      setSaved(true);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (draft) save.mutate(draft);
  };
  const hour = (h: number) => t('timeline.prefs.hour', { hour: String(h).padStart(2, '0') });

  return (
    <>
      <PageTitle title={t('timeline.prefs.title')}>{t('timeline.prefs.title')}</PageTitle>
      <p className="fr-text--lead">{t('timeline.prefs.intro')}</p>
      {prefs.isPending ? <Loading /> : null}
      <ErrorAlert error={prefs.error ?? save.error} />
      {draft ? (
        <form onSubmit={submit} aria-label={t('timeline.prefs.title')}>
          {draft.email ? (
            <p>{t('timeline.prefs.emailTo', { email: draft.email })}</p>
          ) : (
            <div className="fr-mb-3w">
              <Alert
                severity="info"
                small
                description={
                  <>
                    {t('timeline.prefs.noEmail')} <Link to="/account">{t('timeline.prefs.addEmail')}</Link>
                  </>
                }
              />
            </div>
          )}
          {draft.kinds.length === 0 ? <p>{t('timeline.prefs.noKinds')}</p> : null}
          {draft.kinds.length > 0 ? (
            <Table caption={t('timeline.prefs.kindsCaption')}>
              <thead>
                <tr>
                  <th scope="col">{t('timeline.prefs.kind')}</th>
                  <th scope="col">{t('timeline.prefs.delivery')}</th>
                </tr>
              </thead>
              <tbody>
                {draft.kinds.map((k, i) => (
                  <tr key={k.kind}>
                    <th scope="row" id={`kind-${i}`}>
                      {k.label}
                    </th>
                    <td>
                      <select
                        className="fr-select"
                        aria-labelledby={`kind-${i}`}
                        data-kind={k.kind}
                        value={k.delivery}
                        onChange={(e) =>
                          setDraft({
                            ...draft,
                            kinds: draft.kinds.map((x) =>
                              x.kind === k.kind ? { ...x, delivery: e.target.value as Delivery } : x,
                            ),
                          })
                        }
                      >
                        {DELIVERIES.map((d) => (
                          <option key={d} value={d}>
                            {t(`timeline.prefs.deliveries.${d}`)}
                            {d === k.defaultDelivery ? ` ${t('timeline.prefs.default')}` : ''}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : null}
          <fieldset className="fr-fieldset fr-mt-3w">
            <legend className="fr-fieldset__legend">{t('timeline.prefs.quietTitle')}</legend>
            <p className="fr-hint-text fr-fieldset__element">{t('timeline.prefs.quietHint')}</p>
            <div className="fr-fieldset__element fr-fieldset__element--inline">
              <Select
                label={t('timeline.prefs.quietStart')}
                nativeSelectProps={{
                  value: draft.quietHours.start,
                  onChange: (e) =>
                    setDraft({ ...draft, quietHours: { ...draft.quietHours, start: Number(e.target.value) } }),
                }}
              >
                {HOURS.map((h) => (
                  <option key={h} value={h}>
                    {hour(h)}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-fieldset__element fr-fieldset__element--inline">
              <Select
                label={t('timeline.prefs.quietEnd')}
                nativeSelectProps={{
                  value: draft.quietHours.end,
                  onChange: (e) =>
                    setDraft({ ...draft, quietHours: { ...draft.quietHours, end: Number(e.target.value) } }),
                }}
              >
                {HOURS.map((h) => (
                  <option key={h} value={h}>
                    {hour(h)}
                  </option>
                ))}
              </Select>
            </div>
          </fieldset>
          {saved ? (
            <div role="status" className="fr-mb-2w">
              <Alert severity="success" small description={t('timeline.prefs.saved')} />
            </div>
          ) : null}
          <Button type="submit" disabled={save.isPending}>
            {t('common.save')}
          </Button>
        </form>
      ) : null}
    </>
  );
}
