import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';

interface Row {
  code: string;
  label: string;
  legitimate: boolean;
}

/** A code for a new reason, from its label: `rendez_vous_administratif`, numbered if taken. */
export function codeFor(label: string, taken: readonly string[]): string {
  const base =
    label
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 36) || 'motif';
  let code = base;
  for (let i = 2; taken.includes(code); i++) code = `${base}_${i}`;
  return code;
}

/**
 * The establishment's absence reasons (CPE, direction): what families and the vie scolaire choose from when an
 * absence is justified, and whether each one justifies it (« légitime »). Edited in place, saved together.
 */
export function ReasonsView({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['school_life', 'reasons', establishment],
    queryFn: () => call('GET /api/school-life/reasons', { query: { establishment } }),
  });
  const [rows, setRows] = useState<Row[] | null>(null);
  const [label, setLabel] = useState('');
  const [legitimate, setLegitimate] = useState(true);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (q.data && rows === null) setRows(q.data.items.map((r) => ({ ...r })));
  }, [q.data, rows]);
  const save = useMutation({
    mutationFn: (items: Row[]) => call('PUT /api/school-life/reasons', { body: { establishment, items } }),
    onSuccess: (res) => {
      qc.setQueryData(['school_life', 'reasons', establishment], res);
      setRows(res.items.map((r) => ({ ...r })));
      setSaved(true);
    },
  });
  const change = (i: number, patch: Partial<Row>) => {
    setSaved(false);
    setRows((rs) => (rs ?? []).map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };
  const move = (i: number, by: -1 | 1) => {
    setSaved(false);
    setRows((rs) => {
      const next = [...(rs ?? [])];
      const [r] = next.splice(i, 1);
      next.splice(i + by, 0, r!);
      return next;
    });
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    const text = label.trim();
    if (!text || !rows) return;
    setSaved(false);
    setRows([
      ...rows,
      {
        code: codeFor(
          text,
          rows.map((r) => r.code),
        ),
        label: text,
        legitimate,
      },
    ]);
    setLabel('');
    setLegitimate(true);
  };
  const dirty = !!rows && !!q.data && JSON.stringify(rows) !== JSON.stringify(q.data.items);
  return (
    <section aria-labelledby="sl-reasons">
      <h2 id="sl-reasons" className="fr-h4">
        {t('school_life.reasons.title')}
      </h2>
      <p>{t('school_life.reasons.intro')}</p>
      {q.isPending ? <Loading /> : null}
      <ErrorAlert error={q.error} />
      {rows ? (
        <>
          <Table caption={t('school_life.reasons.title')}>
            <thead>
              <tr>
                <th scope="col">{t('school_life.reasons.label')}</th>
                <th scope="col">{t('school_life.reasons.legitimate')}</th>
                <th scope="col">{t('school_life.reasons.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={r.code}>
                  <td>
                    <Input
                      label={<span className="fr-sr-only">{t('school_life.reasons.labelOf', { code: r.code })}</span>}
                      nativeInputProps={{
                        value: r.label,
                        maxLength: 80,
                        required: true,
                        onChange: (e) => change(i, { label: e.target.value }),
                      }}
                    />
                  </td>
                  <td>
                    <Checkbox
                      small
                      options={[
                        {
                          label: t('school_life.reasons.justifies', { label: r.label }),
                          nativeInputProps: {
                            checked: r.legitimate,
                            onChange: (e) => change(i, { legitimate: e.target.checked }),
                          },
                        },
                      ]}
                    />
                  </td>
                  <td>
                    <div className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
                      <Button
                        priority="tertiary"
                        size="small"
                        iconId="fr-icon-arrow-up-line"
                        title={t('school_life.reasons.up', { label: r.label })}
                        disabled={i === 0}
                        onClick={() => move(i, -1)}
                      />
                      <Button
                        priority="tertiary"
                        size="small"
                        iconId="fr-icon-arrow-down-line"
                        title={t('school_life.reasons.down', { label: r.label })}
                        disabled={i === rows.length - 1}
                        onClick={() => move(i, 1)}
                      />
                      <Button
                        priority="tertiary"
                        size="small"
                        iconId="fr-icon-delete-line"
                        title={t('school_life.reasons.remove', { label: r.label })}
                        disabled={rows.length === 1}
                        onClick={() => {
                          setSaved(false);
                          setRows(rows.filter((_, j) => j !== i));
                        }}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          <p className="fr-hint-text">{t('school_life.reasons.removedKept')}</p>
          <form onSubmit={add} className="preau-sl-reason-add" aria-labelledby="sl-reason-add">
            <h3 id="sl-reason-add" className="fr-h6">
              {t('school_life.reasons.add')}
            </h3>
            <Input
              label={t('school_life.reasons.newLabel')}
              nativeInputProps={{ value: label, maxLength: 80, onChange: (e) => setLabel(e.target.value) }}
            />
            <Checkbox
              small
              options={[
                {
                  label: t('school_life.reasons.newLegitimate'),
                  nativeInputProps: { checked: legitimate, onChange: (e) => setLegitimate(e.target.checked) },
                },
              ]}
            />
            <Button type="submit" priority="secondary" iconId="fr-icon-add-line" disabled={!label.trim()}>
              {t('school_life.reasons.addButton')}
            </Button>
          </form>
          <ErrorAlert error={save.error} />
          {saved ? <Alert severity="success" small description={t('school_life.reasons.saved')} /> : null}
          <Button
            className="fr-mt-2w"
            disabled={!dirty || save.isPending || rows.some((r) => !r.label.trim())}
            onClick={() => save.mutate(rows.map((r) => ({ ...r, label: r.label.trim() })))}
          >
            {t('school_life.reasons.save')}
          </Button>
        </>
      ) : null}
    </section>
  );
}
