// clientv3/concurrency's Session: a lease kept alive while the command runs. Its keys (a lock's, a
// candidate's) go with it when the lease ends.
import { etcdserverpb } from '../../api';
import type { EtcdClient } from '../../client';
import { keepLeaseAlive } from '../lease-keep-alive';
import { whenCanceled } from './canceled';

/** clientv3/concurrency's default TTL (elect uses it; lock has its --ttl). */
export const DEFAULT_SESSION_TTL = 60n;

export class Session {
  private readonly stopper = new AbortController();
  /** Settles when the lease is no longer renewed: expired, revoked, unreachable past its TTL, or orphaned. */
  readonly done: Promise<void>;

  private constructor(readonly client: EtcdClient, readonly lease: bigint, firstDeadlineMs: number) {
    this.done = keepLeaseAlive(client, lease, { firstDeadlineMs, stop: this.stopper.signal });
  }

  /** Grants the lease (a TTL of 0 or less means the default, as concurrency.WithTTL) and starts renewing it. */
  static async open(client: EtcdClient, options: { ttl: bigint; dialTimeoutMs: number }): Promise<Session> {
    const ttl = options.ttl > 0n ? options.ttl : DEFAULT_SESSION_TTL;
    const resp = await client.unary(etcdserverpb.LeaseService.leaseGrant, { TTL: ttl, ID: 0n });
    return new Session(client, resp.ID, options.dialTimeoutMs + 1000);
  }

  /** Stops renewing without revoking: etcdctl leaves the lease to expire when it exits. */
  async orphan(): Promise<void> {
    this.stopper.abort();
    await this.done;
  }
}

/** Holds until `stop` aborts; throws `expiredMessage` if the session's lease ends first. */
export async function holdUntilStopped(session: Session, stop: AbortSignal, expiredMessage: string): Promise<void> {
  const expired = await Promise.race([whenCanceled(stop).then(() => false), session.done.then(() => true)]);
  if (expired) throw new Error(expiredMessage);
}
