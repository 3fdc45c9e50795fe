// Exponential back-off between reconnection attempts: the delay doubles from `initialMs` up to
// `maxMs`, and each wait is drawn from [delay/2, delay) so members that lost each other at the same
// moment do not redial in step.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Uniform in [0, 1); Math.random unless injected. */
  rng: () => number;
}

export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The wait before the next attempt; each call counts one more failure. */
  next(): number {
    const { initialMs, maxMs, rng } = this.options;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return delay / 2 + rng() * (delay / 2);
  }

  reset(): void {
    this.failures = 0;
  }
}
