/**
 * A small horizontal bar chart: each bar is `value` out of `total`. Plain HTML (a list with the figures in
 * text), so screen readers and zoom get the same information as the bars.
 *
 * Drawn to scale either way: with `scale="shared"` (default) every length is proportional to the numbers, on
 * one axis for the whole chart (the largest total fills the track); with `scale="own"` each bar is its value's
 * share of its own total (a progress bar each: "1 out of 1" is full, whatever the other bars' totals).
 */
export function BarChart({
  title,
  bars,
  format,
  scale = 'shared',
}: {
  title: string;
  bars: { key: string; label: string; value: number; total: number }[];
  format: (value: number, total: number) => string;
  scale?: 'shared' | 'own';
}) {
  const max = Math.max(1, ...bars.map((b) => b.total || b.value));
  return (
    <figure className="preau-barchart fr-mb-3w" data-scale={scale}>
      <figcaption className="fr-text--bold fr-mb-1w">{title}</figcaption>
      <ul>
        {bars.map((b) => {
          const whole = b.total || b.value;
          const totalWidth = scale === 'own' ? (whole > 0 ? 100 : 0) : (100 * whole) / max;
          return (
            <li key={b.key} data-bar={b.key}>
              <span className="preau-barchart__label">{b.label}</span>
              <span className="preau-barchart__track" aria-hidden="true">
                <span className="preau-barchart__total" style={{ width: `${totalWidth}%` }}>
                  <span
                    className="preau-barchart__value"
                    style={{ width: `${b.total ? (100 * b.value) / b.total : 100}%` }}
                  />
                </span>
              </span>
              <span className="preau-barchart__figure">{format(b.value, b.total)}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
