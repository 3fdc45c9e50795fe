// The leases as apply sees them: which leases exist, their granted TTLs and the keys attached to
// them. Everything here changes only inside apply (the `unsafe*` methods run in the apply batch's
// write transaction), so it is the same on every member. Expiry is a clock matter and lives in
// lease-expiry.ts, which proposes revokes.
import type { BatchWriter, LeaseHooks } from '../mvcc';
import type { BackendSnapshot } from '../mvcc';
import { ServerError } from './errors';
import { decodeLeaseRecord, encodeLeaseRecord, leaseKey } from './lease-record';

/** etcd's upper bound on a lease TTL in seconds. */
export const maxLeaseTtl = 9_000_000_000;

interface Lease {
  ttl: number;
  remainingTtl: number;
  /** attached keys, as latin1 strings of their bytes */
  keys: Set<string>;
}

export class Lessor implements LeaseHooks {
  private readonly leases = new Map<bigint, Lease>();
  /** Key (latin1 string of its bytes) → its lease, for attached keys only: etcd's itemMap. */
  private readonly leaseByKey = new Map<string, bigint>();
  /** etcd's minimum TTL: 1.5 election timeouts, rounded up to whole seconds. */
  readonly minTtl: number;

  constructor(minTtl: number) {
    this.minTtl = minTtl;
  }

  /** Loads the leases the store holds; keys attach as the store restores its index. */
  restore(snapshot: BackendSnapshot): void {
    this.leases.clear();
    this.leaseByKey.clear();
    for (const { value } of snapshot.entries('lease')) {
      const record = decodeLeaseRecord(value);
      this.leases.set(record.id, { ttl: record.ttl, remainingTtl: record.remainingTtl, keys: new Set() });
    }
  }

  exists(id: bigint): boolean {
    return this.leases.has(id);
  }

  attach(id: bigint, key: Buffer): void {
    const lease = this.leases.get(id);
    if (lease === undefined) return;
    const name = key.toString('latin1');
    lease.keys.add(name);
    this.leaseByKey.set(name, id);
  }

  detach(id: bigint, key: Buffer): void {
    const name = key.toString('latin1');
    this.leases.get(id)?.keys.delete(name);
    if (this.leaseByKey.get(name) === id) this.leaseByKey.delete(name);
  }

  leaseOf(key: Buffer): bigint {
    return this.leaseByKey.get(key.toString('latin1')) ?? 0n;
  }

  ids(): bigint[] {
    return [...this.leases.keys()];
  }

  ttl(id: bigint): number | undefined {
    return this.leases.get(id)?.ttl;
  }

  /** Remaining TTL last checkpointed, or the granted TTL when never checkpointed. */
  startingTtl(id: bigint): number | undefined {
    const lease = this.leases.get(id);
    if (lease === undefined) return undefined;
    return lease.remainingTtl > 0 ? lease.remainingTtl : lease.ttl;
  }

  /** Attached keys in byte order. */
  keys(id: bigint): Buffer[] {
    const lease = this.leases.get(id);
    if (lease === undefined) return [];
    return [...lease.keys].map((k) => Buffer.from(k, 'latin1')).sort(Buffer.compare);
  }

  /** Grants a lease, raising its TTL to the minimum; returns the granted TTL. */
  unsafeGrant(writer: BatchWriter, id: bigint, requestedTtl: number): number {
    if (requestedTtl > maxLeaseTtl) throw new ServerError('lease-ttl-too-large');
    if (this.leases.has(id)) throw new ServerError('lease-exists');
    const ttl = Math.max(requestedTtl, this.minTtl);
    this.leases.set(id, { ttl, remainingTtl: 0, keys: new Set() });
    writer.backend.put('lease', leaseKey(id), encodeLeaseRecord({ id, ttl, remainingTtl: 0 }));
    return ttl;
  }

  /** Revokes a lease: its keys are deleted in one revision, then the lease itself. */
  unsafeRevoke(writer: BatchWriter, id: bigint): void {
    if (!this.leases.has(id)) throw new ServerError('lease-not-found');
    const keys = this.keys(id);
    if (keys.length > 0) {
      writer.txn({ compare: [], success: keys.map((key) => ({ deleteRange: { key } })), failure: [] });
    }
    this.leases.delete(id);
    writer.backend.delete('lease', leaseKey(id));
  }

  /** Records a lease's remaining TTL so that a restart or new leader does not extend it to the full TTL. */
  unsafeCheckpoint(writer: BatchWriter, id: bigint, remainingTtl: number): void {
    const lease = this.leases.get(id);
    if (lease === undefined) throw new ServerError('lease-not-found');
    lease.remainingTtl = remainingTtl;
    writer.backend.put('lease', leaseKey(id), encodeLeaseRecord({ id, ttl: lease.ttl, remainingTtl }));
  }
}

/** etcd's rule: a lease lives at least 1.5 election timeouts, in whole seconds rounded up. */
export function minLeaseTtl(heartbeatMs: number, electionMs: number): number {
  const electionTicks = Math.floor(electionMs / heartbeatMs);
  const minTtlMs = Math.floor((3 * electionTicks) / 2) * heartbeatMs;
  return Math.ceil(minTtlMs / 1000);
}
