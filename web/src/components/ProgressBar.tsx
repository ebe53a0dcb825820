/** A determinate progress bar (0..1) in DSFR colours, announced as a progressbar with its value. */
export function ProgressBar({ value, label, valueText }: { value: number; label: string; valueText?: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="preau-progress">
      <div className="preau-progress__head">
        <span id="preau-progress-label">{label}</span>
        <span aria-hidden="true">{percent} %</span>
      </div>
      <div
        className="preau-progress__track"
        role="progressbar"
        aria-labelledby="preau-progress-label"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={valueText ?? `${percent} %`}
        data-testid="import-progress"
      >
        <div className="preau-progress__bar" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
