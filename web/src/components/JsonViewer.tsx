import { useState } from 'react';

/**
 * A collapsible JSON tree: objects and arrays fold (open to `openDepth`), long strings keep their line breaks,
 * and every node opens from the keyboard (its toggle is a button with aria-expanded).
 */
export function JsonViewer({ value, label, openDepth = 2 }: { value: unknown; label: string; openDepth?: number }) {
  return (
    <div className="json" data-label={label}>
      <JsonNode value={value} depth={0} openDepth={openDepth} name={null} />
    </div>
  );
}

function JsonNode({
  value,
  depth,
  openDepth,
  name,
}: {
  value: unknown;
  depth: number;
  openDepth: number;
  name: string | null;
}) {
  const [open, setOpen] = useState(depth < openDepth);
  const key = name !== null ? <span className="json-key">{name}: </span> : null;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="json-leaf">
        {key}
        <Leaf value={value} />
      </div>
    );
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  const [openMark, closeMark] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div className="json-leaf">
        {key}
        <span className="json-punct">{`${openMark}${closeMark}`}</span>
      </div>
    );
  }
  return (
    <div>
      <button
        type="button"
        className="json-toggle"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-label={`${open ? 'Collapse' : 'Expand'} ${name ?? 'value'}`}
      >
        <span aria-hidden="true">{open ? '▾' : '▸'}</span>
      </button>
      {key}
      <span className="json-punct">{openMark}</span>
      {!open && (
        <span className="json-punct">
          {' '}
          {entries.length} {Array.isArray(value) ? 'items' : 'keys'} {closeMark}
        </span>
      )}
      {open && (
        <div className="json-children">
          {entries.map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
          <span className="json-punct">{closeMark}</span>
        </div>
      )}
    </div>
  );
}

function Leaf({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span className="json-string">{value}</span>;
  if (typeof value === 'number') return <span className="json-number">{value}</span>;
  if (typeof value === 'boolean') return <span className="json-bool">{String(value)}</span>;
  return <span className="json-null">null</span>;
}
