/**
 * A small horizontal bar chart: each bar is `value` out of `total`. Plain HTML (a list with the figures in
 * text), so screen readers and zoom get the same information as the bars.
 */
export function BarChart({
  title,
  bars,
  format,
}: {
  title: string;
  bars: { key: string; label: string; value: number; total: number }[];
  format: (value: number, total: number) => string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.total || b.value));
  return (
    <figure className="preau-barchart fr-mb-3w">
      <figcaption className="fr-text--bold fr-mb-1w">{title}</figcaption>
      <ul>
        {bars.map((b) => (
          <li key={b.key} data-bar={b.key}>
            <span className="preau-barchart__label">{b.label}</span>
            <span className="preau-barchart__track" aria-hidden="true">
              <span className="preau-barchart__total" style={{ width: `${(100 * (b.total || b.value)) / max}%` }}>
                <span
                  className="preau-barchart__value"
                  style={{ width: `${b.total ? (100 * b.value) / b.total : 100}%` }}
                />
              </span>
            </span>
            <span className="preau-barchart__figure">{format(b.value, b.total)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
