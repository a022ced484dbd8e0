/** How numbers, times and JSON read on every page. */
export const percent = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`;

export const decimal = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(digits);

export const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`;

export const usd = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : v < 0.01 ? `$${v.toFixed(5)}` : `$${v.toFixed(2)}`;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const when = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');

/** One line of a JSON value for a table cell: strings as they are, objects compact. */
export function preview(value: unknown, max = 120): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value && typeof value === 'object' && Object.keys(value).length === 1) {
    const only = Object.values(value)[0];
    text = typeof only === 'string' ? only : JSON.stringify(value);
  } else text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export const shortId = (id: string) => id.slice(-8);
