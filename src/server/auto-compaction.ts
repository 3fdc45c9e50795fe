// The auto-compaction driver (--auto-compaction-mode/--auto-compaction-retention): a clock decides
// when, and the decision leaves as a Compact proposal like any client's, so apply stays
// deterministic. The schedule is etcd 3.4's:
//   periodic P: sample the revision every min(P, 1h)/10; first compact after P to the revision seen
//               P ago, then again every min(P, 1h)
//   revision N: every 5 minutes compact to (current revision - N), unless that is <= 0 or unchanged

import { parseGoDuration } from '../go-values';

export type AutoCompactionPolicy = { mode: 'periodic'; periodMs: number } | { mode: 'revision'; retain: number };

const hourMs = 3_600_000;
const revisionCheckMs = 5 * 60_000;

/**
 * etcd's reading of the two flags: a whole number is hours (periodic) or revisions (revision);
 * anything else must be a duration. Returns undefined when auto-compaction is off.
 */
export function parseAutoCompaction(mode: string, retention: string): AutoCompactionPolicy | undefined {
  if (mode !== 'periodic' && mode !== 'revision') {
    throw new Error(`etcdserver: unknown auto-compaction-mode ${JSON.stringify(mode)} (periodic or revision)`);
  }
  const text = retention.trim() === '' ? '0' : retention.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n === 0) return undefined;
    return mode === 'revision' ? { mode, retain: n } : { mode, periodMs: n * hourMs };
  }
  const ms = parseGoDuration(text);
  if (ms === undefined) throw new Error(`etcdserver: error parsing auto-compaction-retention ${JSON.stringify(retention)}: not a number or duration`);
  if (ms <= 0) return undefined;
  // A duration in revision mode counts nanoseconds as revisions in etcd; nobody means that, so refuse it.
  if (mode === 'revision') throw new Error(`etcdserver: auto-compaction-retention ${JSON.stringify(retention)} must be a revision count in revision mode`);
  return { mode, periodMs: ms };
}

export interface AutoCompactorOptions {
  now: () => number;
  currentRevision: () => number;
  /** proposes a compaction; a refusal (already compacted, ...) is logged by the caller and the schedule goes on */
  compact: (revision: number) => Promise<void>;
}

export class AutoCompactor {
  private readonly samples: number[] = [];
  private lastCompaction: number;
  private lastRevision = 0;
  private waitMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly policy: AutoCompactionPolicy, private readonly options: AutoCompactorOptions) {
    this.lastCompaction = options.now();
    this.waitMs = policy.mode === 'periodic' ? policy.periodMs : revisionCheckMs;
  }

  /** How often tick() should run. */
  get intervalMs(): number {
    return this.policy.mode === 'periodic' ? Math.min(this.policy.periodMs, hourMs) / 10 : revisionCheckMs;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One step of the schedule; public so tests can drive it with their own clock. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (this.policy.mode === 'periodic') await this.periodicTick(this.policy.periodMs);
      else await this.revisionTick(this.policy.retain);
    } finally {
      this.running = false;
    }
  }

  private async periodicTick(periodMs: number): Promise<void> {
    const keep = Math.floor(periodMs / this.intervalMs) + 1;
    this.samples.push(this.options.currentRevision());
    if (this.samples.length > keep) this.samples.shift();
    const now = this.options.now();
    if (now - this.lastCompaction < this.waitMs) return;
    const revision = this.samples[0];
    this.waitMs = Math.min(periodMs, hourMs);
    if (revision <= 0 || revision === this.lastRevision) return;
    await this.options.compact(revision);
    this.lastCompaction = now;
    this.lastRevision = revision;
  }

  private async revisionTick(retain: number): Promise<void> {
    const revision = this.options.currentRevision() - retain;
    if (revision <= 0 || revision === this.lastRevision) return;
    await this.options.compact(revision);
    this.lastRevision = revision;
  }
}
