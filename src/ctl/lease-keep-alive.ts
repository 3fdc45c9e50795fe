// Renewing a lease as clientv3's KeepAlive does, for `lease keep-alive` and for the sessions of lock
// and elect: a round trip every third of the TTL; a failed one is tried again after half a second
// until the lease's deadline (the last renewal plus its TTL) has passed.
import { etcdserverpb } from '../api';
import type { EtcdClient } from '../client';

const RETRY_MS = 500;

export interface KeepAliveOptions {
  /** Until the first answer, the lease counts as alive this long (clientv3: dial timeout + 1 s). */
  readonly firstDeadlineMs: number;
  readonly onRenew?: (resp: etcdserverpb.LeaseKeepAliveResponse) => void;
  /** Ends the renewals (the lease is then left to expire). */
  readonly stop?: AbortSignal;
}

/** One keep-alive round trip on a stream of its own. */
export async function keepAliveOnce(client: EtcdClient, id: bigint): Promise<etcdserverpb.LeaseKeepAliveResponse> {
  // as clientv3's lessor: a member without a leader cannot renew, so it refuses the stream at once
  const stream = await client.bidi(etcdserverpb.LeaseService.leaseKeepAlive, { requireLeader: true });
  try {
    return await new Promise((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
      stream.write({ ID: id });
    });
  } finally {
    stream.on('error', () => undefined);
    stream.cancel();
  }
}

/** Renews until the lease is gone (expired, revoked or not renewed before its deadline) or `stop` aborts. */
export async function keepLeaseAlive(client: EtcdClient, id: bigint, options: KeepAliveOptions): Promise<void> {
  let deadline = Date.now() + options.firstDeadlineMs;
  while (!options.stop?.aborted && Date.now() <= deadline) {
    // A failed round trip is not the end: the server may be back before the deadline.
    const resp = await keepAliveOnce(client, id).catch(() => undefined);
    if (resp === undefined) {
      await sleep(RETRY_MS, options.stop);
      continue;
    }
    if (resp.TTL <= 0n) return;
    const ttlMs = Number(resp.TTL) * 1000;
    deadline = Date.now() + ttlMs;
    options.onRenew?.(resp);
    await sleep(ttlMs / 3, options.stop);
  }
}

function sleep(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    stop?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    }
  });
}
