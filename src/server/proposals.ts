// The proposal pipeline: encode a request with a unique ID, register a waiter, propose it to the
// replication log; when the log hands back committed entries, apply them in one store batch (one
// write transaction that also records the consistent index), then answer each waiter.
import { InternalRaftRequest } from './internal-request';
import { encodeWith } from '../protobuf-writer';
import type { Logger } from '../log';
import type * as mvcc from '../mvcc';
import { ApplyState, ApplyValue, applyRequest } from './apply';
import type { AuthInfo } from './auth';
import type { ServerMetrics } from './metrics';
import type { CommittedEntry, ReplicationLog } from './replication-log';
import type { RequestIdGenerator } from './request-id';
import { ServerError } from './errors';
import { failpoint } from './failpoint';
import { checkRequestSize } from './validate';
import { WaitRegistry } from './wait';

/** A request before the pipeline gives it an ID: exactly one of the request fields set. */
export type Proposal = Omit<Partial<InternalRaftRequest>, 'header' | 'ID'>;

/** What a waiter receives: the value, or the error the request was answered with. */
type Outcome = { ok: true; value: ApplyValue } | { ok: false; error: Error };

/** The part of the mvcc store the pipeline writes to. */
export interface BatchStore {
  readonly consistentIndex: number;
  /** Runs fn in one write transaction that also records the consistent index (and term). */
  applyBatch<T>(index: number, fn: (writer: mvcc.BatchWriter) => T, options?: { term?: number }): T;
}

export interface ProposalsOptions {
  log: ReplicationLog;
  store: BatchStore;
  state: ApplyState;
  ids: RequestIdGenerator;
  maxRequestBytes: number;
  metrics: ServerMetrics;
  logger: Logger;
  /** A proposal not applied within this many milliseconds is answered with etcd's timeout (default: waits). */
  requestTimeoutMs?: number;
  /** Runs after each applied request, outside the transaction (drivers watch grants and revokes here). */
  afterApply(req: InternalRaftRequest, value: ApplyValue): void;
}

/** How often a request held while there is no leader offers itself again. */
const LEADER_POLL_MS = 10;

/** etcd warns about applies slower than this. */
const slowApplySeconds = 0.1;

interface AppliedWaiter {
  index: number;
  resolve(): void;
}

/**
 * The request to encode. Puts, deletes and txns come whole from the gRPC decoder and encode as they
 * are; other proposals are built in the server, some partly, and get their defaults filled in
 * (`fromPartial` copies the whole tree: ~2 % of a member's CPU at 100 clients when every put took it).
 */
function wholeRequest(proposal: Proposal, id: bigint, caller: AuthInfo | undefined): InternalRaftRequest {
  const header = caller === undefined ? { ID: id, username: '', authRevision: 0n } : { ID: id, username: caller.username, authRevision: BigInt(caller.revision) };
  if (proposal.put !== undefined || proposal.deleteRange !== undefined || proposal.txn !== undefined) {
    return { ID: 0n, ...proposal, header } as InternalRaftRequest;
  }
  return InternalRaftRequest.fromPartial({ ...proposal, header });
}

export class Proposals {
  private readonly waits = new WaitRegistry<Outcome>();
  private readonly appliedWaiters: AppliedWaiter[] = [];
  private applied: number;
  private stopError: Error | undefined;

  constructor(private readonly options: ProposalsOptions) {
    this.applied = options.store.consistentIndex;
  }

  get appliedIndex(): number {
    return this.applied;
  }

  /**
   * Proposes a request and resolves with what applying it produced. `caller`: who asked, while auth
   * is enabled; apply checks the request again as them. @throws the request's error
   */
  async propose(proposal: Proposal, caller?: AuthInfo): Promise<ApplyValue> {
    if (this.stopError) throw this.stopError;
    const id = this.options.ids.next();
    const encoded = encodeWith((w) => InternalRaftRequest.encode(wholeRequest(proposal, id, caller), w));
    // Copied into Buffer's shared pool (an 8 KiB slab holds many small requests): raft keeps the
    // entry until a snapshot, and a backing store of its own cost ~250 bytes more per small put.
    const data = Buffer.from(encoded);
    checkRequestSize(data.length, this.options.maxRequestBytes);
    const outcome = this.waits.register(id);
    const timeoutMs = this.options.requestTimeoutMs;
    // Timed out before the log took it (no leader all along): etcd's raft was still holding it and
    // etcd answers with the bare context error; once proposed, with its own timeout error.
    let proposed = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      this.options.metrics.proposalsFailed.inc();
      this.waits.fail(id, new ServerError(proposed ? 'timeout' : 'deadline-exceeded'));
    }, timeoutMs);
    void this.submit(id, data, timeoutMs !== undefined).then((taken) => (proposed = taken));
    let result: Outcome;
    try {
      result = await outcome;
    } finally {
      clearTimeout(timer);
    }
    if (!result.ok) throw result.error;
    return result.value;
  }

  /**
   * Hands the request to the log. While no leader is known (an election, a leadership transfer)
   * the request waits for one, as etcd's raft holds proposals then, until its timeout fails it;
   * the log refused it, so nothing was proposed and offering it again cannot apply it twice.
   * @returns whether the log took it
   */
  private async submit(id: bigint, data: Buffer, holdWithoutLeader: boolean): Promise<boolean> {
    for (;;) {
      try {
        this.options.log.propose(data);
        return true;
      } catch (err) {
        const waitForLeader = holdWithoutLeader && err instanceof ServerError && err.code === 'no-leader' && this.waits.has(id) && !this.stopError;
        if (!waitForLeader) {
          // etcd counts a proposal raft refused, and one that timed out, as failed; not one whose apply failed.
          if (this.waits.has(id)) this.options.metrics.proposalsFailed.inc();
          this.waits.fail(id, err instanceof Error ? err : new Error(String(err)));
          return false;
        }
      }
      await new Promise((r) => setTimeout(r, LEADER_POLL_MS));
    }
  }

  /** Resolves once everything proposed before the call is applied (a linearizable read may then read). */
  async readBarrier(): Promise<void> {
    if (this.stopError) throw this.stopError;
    const index = await this.options.log.readIndex();
    await this.waitApplied(index);
  }

  waitApplied(index: number): Promise<void> {
    if (index <= this.applied) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ index, resolve }));
  }

  /** Applies committed entries as one batch; the replication log calls this. */
  async apply(entries: CommittedEntry[]): Promise<void> {
    const fresh = entries.filter((e) => e.index > this.applied);
    if (fresh.length === 0) return;
    const { store, state, metrics } = this.options;
    const last = fresh[fresh.length - 1];
    // An entry without data (a new raft leader's, or a conf change) only moves the applied index.
    const decoded = fresh.filter((e) => e.data.length > 0).map((e) => InternalRaftRequest.decode(e.data));
    if (decoded.length > 0) failpoint('beforeApply');
    const started = process.hrtime.bigint();
    const outcomes = store.applyBatch(
      last.index,
      (writer) =>
        decoded.map((req): Outcome => {
          try {
            return { ok: true, value: applyRequest(writer, req, state) };
          } catch (err) {
            return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
          }
        }),
      { term: last.term },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (seconds > slowApplySeconds) metrics.slowApplies.inc();
    this.applied = last.index;
    decoded.forEach((req, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) this.options.afterApply(req, outcome.value);
      this.waits.trigger(req.header?.ID ?? req.ID, outcome);
    });
    this.releaseAppliedWaiters();
  }

  /** The store was replaced by a leader's image applied up to `index`: entries up to it are skipped, those after it applied. */
  restoredTo(index: number): void {
    this.applied = index;
    this.releaseAppliedWaiters();
  }

  /** The log failed: nothing in flight will be applied. */
  fatal(err: Error): void {
    this.options.logger.error({ err: err.message }, 'replication log failed; refusing further proposals');
    this.stop(err);
  }

  stop(err: Error): void {
    this.stopError ??= err;
    this.waits.failAll(err);
  }

  pendingWaiters(): number {
    return this.waits.size;
  }

  private releaseAppliedWaiters(): void {
    for (let i = this.appliedWaiters.length - 1; i >= 0; i--) {
      const waiter = this.appliedWaiters[i];
      if (waiter.index <= this.applied) {
        this.appliedWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
