// How long each stage of a run took (the stages its progress line names), for the `--json` summary's `timings` and the benchmark.
import type { Progress } from './progress.js';

export interface StageTime {
  stage: string;
  seconds: number;
}

/** Times consecutive stages: each one ends where the next starts, or at `end()`. */
export class StageClock {
  private readonly done: StageTime[] = [];
  private current: { stage: string; since: number } | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Ends the stage under way, if any, and starts `stage`. */
  start(stage: string): void {
    this.end();
    this.current = { stage, since: this.now() };
  }

  /** Ends the stage under way, if any. */
  end(): void {
    if (this.current === null) return;
    const seconds = (this.now() - this.current.since) / 1000;
    this.done.push({ stage: this.current.stage, seconds: Math.round(seconds * 1000) / 1000 });
    this.current = null;
  }

  /** The stages ended so far, in order. */
  get stages(): StageTime[] {
    return [...this.done];
  }
}

/** `progress`, its stages timed by `clock` as they are started. */
export function timed(progress: Progress, clock: StageClock): Progress {
  return {
    update: (done, total) => progress.update(done, total),
    stage: (label) => {
      clock.start(label);
      progress.stage(label);
    },
    stop: () => progress.stop(),
  };
}
