export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  update(label: string, done: number, total: number, suffix?: string): void;
  finish(): void;
}

/** A one-line progress bar on a terminal; on anything else (CI logs, pipes, files) it prints nothing. */
export function progressBar(stream: ProgressStream): Progress {
  if (!stream.isTTY) return { update() {}, finish() {} };
  let drawn = false;
  let last = '';
  return {
    update(label, done, total, suffix = '') {
      const width = 28;
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(share * width);
      const line = `${label.padEnd(8)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total || '?'}${suffix ? ` · ${suffix}` : ''}`;
      if (line === last) return;
      last = line;
      stream.write(`\r\u001b[2K${line.slice(0, Math.max(20, (stream.columns ?? 100) - 1))}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
