// A progress bar on stderr: only on a terminal, only once a run has lasted a second, cleared when done.

export interface ProgressOptions {
  /** Where to draw; drawn only when it is a TTY. */
  stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>;
  /** False draws nothing (`--quiet`). */
  enabled?: boolean;
  /** Quiet period: a run that ends sooner shows no bar at all. */
  delayMs?: number;
  /** Minimum time between redraws. */
  intervalMs?: number;
  now?: () => number;
}

export interface Progress {
  update(done: number, total: number): void;
  /** Clears the bar so whatever is printed next starts on a clean line. */
  stop(): void;
}

/** `[########------]  4,210/10,000  42%  812/s  ETA 7s`, fitted to `width` columns. */
export function formatProgress(done: number, total: number, elapsedMs: number, width = 80): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.NaN;
  const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
  const tail = ` ${count} ${String(Math.floor(ratio * 100)).padStart(3)}% ${Math.round(rate).toLocaleString('en-US')}/s ETA ${duration(eta)}`;
  const room = Math.max(0, Math.min(40, width - 1 - tail.length - 2));
  const filled = Math.round(ratio * room);
  return room >= 5 ? `[${'#'.repeat(filled)}${'-'.repeat(room - filled)}]${tail}` : tail.trimStart();
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** Reviews done / total with rate and ETA; silent unless the stream is a terminal and the run is slow enough to need it. */
export function progressBar(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const enabled = (options.enabled ?? true) && Boolean(stream.isTTY);
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const started = now();
  let drawnAt = -Infinity;
  let drawn = false;
  return {
    update(done, total) {
      if (!enabled) return;
      const t = now();
      if (t - started < delay || (t - drawnAt < interval && done < total)) return;
      drawnAt = t;
      drawn = true;
      stream.write(`\r${formatProgress(done, total, t - started, stream.columns ?? 80)}\x1b[K`);
    },
    stop() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
