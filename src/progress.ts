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
  /** How far the current stage is: `done` of `total` (drawn with its rate and ETA). */
  update(done: number, total: number): void;
  /**
   * Starts a stage of the run (`consolidating subjects`, `writing kb.json`): said at once, and its rate
   * and ETA counted from now. A run at repository scale spends minutes after the analysis.
   */
  stage(label: string): void;
  /** Clears the bar so whatever is printed next starts on a clean line. */
  stop(): void;
}

/** `reviews [########------] 4,210/10,000  42% 812/s ETA 7s`, fitted to `width` columns. */
export function formatProgress(done: number, total: number, elapsedMs: number, width = 80, label = ''): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.NaN;
  const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
  const tail = ` ${count} ${String(Math.floor(ratio * 100)).padStart(3)}% ${Math.round(rate).toLocaleString('en-US')}/s ETA ${duration(eta)}`;
  const head = label ? `${label} ` : '';
  const room = Math.max(0, Math.min(40, width - 1 - head.length - tail.length - 2));
  const filled = Math.round(ratio * room);
  if (room >= 5) return `${head}[${'#'.repeat(filled)}${'-'.repeat(room - filled)}]${tail}`;
  // Narrow: the bar goes first, then the label; the numbers stay.
  return head.length + tail.length <= width ? `${head}${tail.trimStart()}` : tail.trimStart();
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** The current stage and how far it is, with rate and ETA; silent unless the stream is a terminal and the run is slow enough to need it. */
export function progressBar(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const enabled = (options.enabled ?? true) && Boolean(stream.isTTY);
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const started = now();
  let stageStarted = started;
  let label = '';
  let drawnAt = -Infinity;
  let drawn = false;
  // A pseudo-terminal may report 0 columns: taken as 80.
  const width = (): number => stream.columns || 80;
  const draw = (t: number, line: string): void => {
    drawnAt = t;
    drawn = true;
    stream.write(`\r${line}\x1b[K`);
  };
  return {
    update(done, total) {
      if (!enabled) return;
      const t = now();
      if (t - started < delay || (t - drawnAt < interval && done < total)) return;
      draw(t, formatProgress(done, total, t - stageStarted, width(), label));
    },
    stage(next) {
      label = next;
      stageStarted = now();
      // A stage without counts (consolidation) holds the thread until it ends: said now or not at all.
      if (enabled && stageStarted - started >= delay) draw(stageStarted, `${next}…`.slice(0, width() - 1));
    },
    stop() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
