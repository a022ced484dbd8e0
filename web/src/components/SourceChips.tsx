import type { RunSource } from '../../../sdk/types.js';

export const SOURCES: Array<[RunSource, string]> = [
  ['api', 'API'],
  ['monitor', 'Monitor'],
  ['playground', 'Playground'],
  ['kickoff', 'Kickoff'],
];
export const sourceLabel = (s: RunSource) => SOURCES.find(([k]) => k === s)?.[1] ?? s;

/** Filter by where runs came from; one source at a time, as the API filters. */
export function SourceChips({
  value,
  onChange,
}: {
  value: RunSource | undefined;
  onChange: (s: RunSource | undefined) => void;
}) {
  return (
    <fieldset className="chips">
      <legend className="sr-only">Filter runs by source</legend>
      <button type="button" className="chip" aria-pressed={!value} onClick={() => onChange(undefined)}>
        All
      </button>
      {SOURCES.map(([source, label]) => (
        <button
          key={source}
          type="button"
          className="chip"
          aria-pressed={value === source}
          onClick={() => onChange(value === source ? undefined : source)}
        >
          {label}
        </button>
      ))}
    </fieldset>
  );
}
