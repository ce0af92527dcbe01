/** Time and timers, injectable so the scheduling policy can be tested without waiting. */
export interface Clock {
  now(): number;
  /** Runs `callback` right after the events already queued; returns a cancel function. */
  soon(callback: () => void): () => void;
  /** Runs `callback` after `ms` milliseconds; returns a cancel function. */
  after(ms: number, callback: () => void): () => void;
}

export const NODE_CLOCK: Clock = {
  now: () => performance.now(),
  soon(callback) {
    const immediate = setImmediate(callback);
    return () => clearImmediate(immediate);
  },
  after(ms, callback) {
    const timeout = setTimeout(callback, ms);
    return () => clearTimeout(timeout);
  },
};

/**
 * When to analyse after changes: at once when nothing was analysed during the last
 * `windowMs`, so a keystroke's squiggles come back as fast as the analysis runs (a timer
 * would add at least a millisecond); otherwise at the end of that window, so a burst of
 * changes is analysed once per window and last at its final state. Requests while a run is
 * scheduled join it.
 */
export class AnalysisScheduler {
  private cancel?: () => void;
  private lastRun = -Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly run: () => void,
    private readonly clock: Clock = NODE_CLOCK,
  ) {}

  request(): void {
    if (this.cancel) return;
    const wait = Math.max(0, this.lastRun + this.windowMs - this.clock.now());
    this.cancel = wait === 0 ? this.clock.soon(this.fire) : this.clock.after(wait, this.fire);
  }

  /** Whether a run is scheduled. */
  get scheduled(): boolean {
    return this.cancel !== undefined;
  }

  dispose(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private readonly fire = (): void => {
    this.cancel = undefined;
    this.lastRun = this.clock.now();
    this.run();
  };
}
