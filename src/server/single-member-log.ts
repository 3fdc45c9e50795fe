// The replication log of a one-member cluster: this member is the leader, a proposal is committed
// once it is durable in the WAL. Proposals that arrive in the same event-loop turn are written by
// one WAL save with one fdatasync (group commit), then applied as one batch.
import type { Wal } from '../wal';
import { ServerError } from './errors';
import { failpoint } from './failpoint';
import type { CommittedEntry, ReplicationHandlers, ReplicationLog, ReplicationStatus } from './replication-log';

/** raft's EntryNormal: the entry carries a proposal. */
const entryNormal = 0;

export interface SingleMemberLogOptions {
  memberId: bigint;
  /** Entries the WAL held at open, after its snapshot. */
  walEntries: CommittedEntry[];
  /** Term of the WAL's last hard state (0 for a new log); each start elects this member in the next term, as raft would. */
  lastTerm: number;
}

export class SingleMemberLog implements ReplicationLog {
  private readonly wal: Wal;
  private readonly memberId: bigint;
  private readonly term: number;
  private walEntries: CommittedEntry[];
  private handlers: ReplicationHandlers | undefined;
  private queued: Buffer[] = [];
  private lastIndex = 0;
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private failed: Error | undefined;

  constructor(wal: Wal, options: SingleMemberLogOptions) {
    this.wal = wal;
    this.memberId = options.memberId;
    // A new etcd member boots at term 1 and wins its first election at term 2; we report the same.
    this.term = Math.max(options.lastTerm, 1) + 1;
    this.walEntries = options.walEntries;
  }

  async start(appliedIndex: number, handlers: ReplicationHandlers): Promise<void> {
    this.handlers = handlers;
    const replay = this.walEntries.filter((e) => e.index > appliedIndex);
    this.walEntries = [];
    const walLast = replay.length > 0 ? replay[replay.length - 1].index : 0;
    this.lastIndex = Math.max(appliedIndex, walLast);
    // The new term is durable before anything of this term is acknowledged.
    await this.wal.save({ term: this.term, vote: this.memberId, commit: this.lastIndex }, []);
    if (replay.length > 0) await handlers.apply(replay);
  }

  propose(data: Buffer): void {
    if (this.stopped) throw new ServerError('stopped');
    if (this.failed) throw this.failed;
    this.queued.push(data);
    if (!this.flushScheduled && this.flushing === undefined) {
      this.flushScheduled = true;
      setImmediate(() => this.flushLoop());
    }
  }

  async readIndex(): Promise<number> {
    if (this.failed) throw this.failed;
    return this.lastIndex + this.queued.length;
  }

  status(): ReplicationStatus {
    return { leader: this.failed ? 0n : this.memberId, term: this.term, commitIndex: this.lastIndex, isLearner: false };
  }

  pending(): number {
    return this.queued.length;
  }

  async close(): Promise<void> {
    this.stopped = true;
    // Proposals already queued (their flush may still be scheduled) are written and applied first.
    while (this.flushing !== undefined || (this.queued.length > 0 && !this.failed)) {
      if (this.flushing === undefined) this.flushLoop();
      await this.flushing;
    }
    await this.wal.close();
  }

  private flushLoop(): void {
    this.flushScheduled = false;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
    });
  }

  private async flush(): Promise<void> {
    const handlers = this.handlers as ReplicationHandlers;
    while (this.queued.length > 0 && !this.failed) {
      const batch = this.queued;
      this.queued = [];
      const entries: CommittedEntry[] = batch.map((data) => ({ index: ++this.lastIndex, term: this.term, data }));
      try {
        await this.wal.save(
          { term: this.term, vote: this.memberId, commit: this.lastIndex },
          entries.map((e) => ({ index: e.index, term: e.term, type: entryNormal, data: e.data })),
        );
      } catch (err) {
        this.failed = err instanceof Error ? err : new Error(String(err));
        handlers.fatal(this.failed);
        return;
      }
      failpoint('beforeApply');
      try {
        await handlers.apply(entries);
      } catch (err) {
        // The store could not commit the batch: its state no longer follows the log.
        this.failed = err instanceof Error ? err : new Error(String(err));
        handlers.fatal(this.failed);
        return;
      }
    }
  }
}
