// A follower's lease keep-alives go to the leader together (forwardRenewBatch): one peer request at a
// time per leader, carrying every keep-alive that arrived while the previous one was out, where one
// request each cost an HTTP/2 stream, its headers and its answer on both members. Each keep-alive
// still gets its own lease's answer, or the error of the request that carried it, within the request
// timeout counted from its own arrival. A batch out to a leader that lost its place (hung, cut off)
// does not hold back the next one: that goes to the new leader at once.
import { ServerError } from './errors';

export interface RenewBatcherOptions {
  /** Renews leases on the leader within timeoutMs: each one's TTL in order, undefined for a lease that is gone. */
  renewOnLeader(ids: bigint[], timeoutMs: number): Promise<(number | undefined)[]>;
  /** the leader's ID when the batcher is made, 0 when there is none; leaderChanged tells it the next ones */
  leader: bigint;
  /** etcd's request timeout */
  timeoutMs: number;
  /** the most IDs one request carries */
  maxBatch: number;
  /** the clock the timeouts are counted on (tests set their own); Date.now by default */
  now?: () => number;
}

interface Waiting {
  id: bigint;
  /** when the keep-alive arrived (on the batcher's clock) */
  at: number;
  resolve(ttl: number | undefined): void;
  reject(err: unknown): void;
}

export class RenewBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;
  /** the leaders a batch is out to */
  private readonly busy = new Set<bigint>();
  private leader: bigint;
  private readonly now: () => number;

  constructor(private readonly options: RenewBatcherOptions) {
    this.leader = options.leader;
    this.now = options.now ?? Date.now;
  }

  /** The lease's TTL once the leader renewed it, undefined when it is gone; rejects when the leader was not reached. */
  renew(id: bigint): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, at: this.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Keep-alives held back by a batch out to the old leader go to the new one now. */
  leaderChanged(leader: bigint): void {
    this.leader = leader;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0 || this.busy.has(this.leader)) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase: every keep-alive read from the sockets in this turn is in.
    setImmediate(() => this.send());
  }

  private send(): void {
    this.scheduled = false;
    const leader = this.leader;
    // The leader went back to one with a batch out: that batch's answer schedules again.
    if (this.busy.has(leader) || this.waiting.length === 0) return;
    const batch = this.waiting.slice(0, this.options.maxBatch);
    this.waiting = this.waiting.slice(batch.length);
    this.busy.add(leader);
    // The oldest keep-alive's time is the batch's; if it ran out while waiting, so did the request's.
    const timeoutMs = batch[0].at + this.options.timeoutMs - this.now();
    Promise.resolve()
      .then(() => (timeoutMs > 0 ? this.options.renewOnLeader(batch.map((w) => w.id), timeoutMs) : Promise.reject(new ServerError('timeout'))))
      .then(
        (ttls) => batch.forEach((w, n) => w.resolve(ttls[n])),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.busy.delete(leader);
        this.schedule();
      });
  }
}
