// The clock side of leases: when each lease expires, keep-alives that push that time back, and a
// timer that proposes a revoke for every lease past its time. Apply never reads this; it only
// hears of grants and revokes so it can start and stop the clocks.

export interface LeaseExpiryOptions {
  /** milliseconds since some fixed point; injected so tests can drive time */
  now: () => number;
  /** proposes revokes; resolves when applied (or rejects; the lease is then retried later) */
  revoke: (id: bigint) => Promise<void>;
  /** how often expired leases are looked for; etcd looks every 500ms */
  checkIntervalMs?: number;
}

/** etcd revokes at most 1000 leases a second; per check that is half of it at two checks a second. */
const revokesPerCheck = 500;

export class LeaseExpiry {
  private readonly expiresAt = new Map<bigint, number>();
  private readonly revoking = new Set<bigint>();
  private readonly now: () => number;
  private readonly revoke: (id: bigint) => Promise<void>;
  private readonly checkIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: LeaseExpiryOptions) {
    this.now = options.now;
    this.revoke = options.revoke;
    this.checkIntervalMs = options.checkIntervalMs ?? 500;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.revokeExpired(), this.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A lease was granted or restored with `ttlSeconds` to live from now. */
  track(id: bigint, ttlSeconds: number): void {
    this.expiresAt.set(id, this.now() + ttlSeconds * 1000);
  }

  /** Forgets every lease (a raft snapshot replaced them). */
  clear(): void {
    this.expiresAt.clear();
    this.revoking.clear();
  }

  forget(id: bigint): void {
    this.expiresAt.delete(id);
    this.revoking.delete(id);
  }

  /** Extends a live lease to `ttlSeconds` from now; false when it has expired (or is unknown). */
  renew(id: bigint, ttlSeconds: number): boolean {
    const at = this.expiresAt.get(id);
    if (at === undefined || at <= this.now()) return false;
    this.expiresAt.set(id, this.now() + ttlSeconds * 1000);
    return true;
  }

  /** Whole seconds left, rounded up as etcd does; undefined for an unknown lease, 0 once past due. */
  remainingSeconds(id: bigint): number | undefined {
    const at = this.expiresAt.get(id);
    if (at === undefined) return undefined;
    return Math.max(0, Math.ceil((at - this.now()) / 1000));
  }

  /** Proposes revokes for expired leases; public so tests can run a check without waiting. */
  revokeExpired(): void {
    const now = this.now();
    let started = 0;
    for (const [id, at] of this.expiresAt) {
      if (started >= revokesPerCheck) break;
      if (at > now || this.revoking.has(id)) continue;
      this.revoking.add(id);
      started++;
      this.revoke(id).then(
        () => this.forget(id),
        () => this.revoking.delete(id),
      );
    }
  }
}
