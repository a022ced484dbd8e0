import type { Metric } from '../../../sdk/types.js';

/** Checkboxes for a project's metrics, with what kind each is. */
export function MetricPicker({
  metrics,
  chosen,
  onChange,
  legend,
}: {
  metrics: Metric[];
  chosen: string[];
  onChange: (ids: string[]) => void;
  legend: string;
}) {
  return (
    <fieldset className="metric-picker">
      <legend>{legend}</legend>
      {metrics.length === 0 && <p className="muted small">This project has no metrics yet.</p>}
      {metrics.map((m) => (
        <label key={m.id} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(m.id)}
            onChange={(e) => onChange(e.target.checked ? [...chosen, m.id] : chosen.filter((id) => id !== m.id))}
          />
          <span>{m.name}</span>
          <span className="muted small">
            {m.evalType} · {m.outputType}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
