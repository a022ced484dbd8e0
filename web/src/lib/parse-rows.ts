/** Rows of a testset file: CSV (RFC 4180: quoted fields, "" escapes, CRLF) or JSON Lines (one object a line). */
export function parseRows(fileName: string, text: string): Array<Record<string, unknown>> {
  if (/\.jsonl?$/i.test(fileName) || text.trimStart().startsWith('{')) return parseJsonLines(text);
  return parseCsv(text);
}

export function parseJsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split(/\r?\n/)
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`line ${n} is not JSON`);
      }
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new Error(`line ${n} is not a JSON object`);
      return value as Record<string, unknown>;
    });
}

export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => r.some((f) => f !== ''));
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ''])));
}
