// clientv3/concurrency's Mutex: each contender puts `<name>/<lease id in hex>` on its session's
// lease; the key with the lowest create revision holds the lock, and each other contender waits for
// the deletion of the key created just before its own.
import { etcdserverpb } from '../../api';
import type { Session } from './session';
import { firstCreated, waitDeletes } from './keys';

const { CREATE } = etcdserverpb.Compare_CompareTarget;
const { EQUAL } = etcdserverpb.Compare_CompareResult;

export class Mutex {
  private readonly prefix: string;
  /** The contender's key, set by lock(). */
  key = '';
  /** The header of the answer that gave the lock (its revision is ETCD_LOCK_REV). */
  header: etcdserverpb.ResponseHeader | undefined;

  constructor(private readonly session: Session, name: string) {
    this.prefix = `${name}/`;
  }

  /** Resolves once this session holds the lock; when stopped or failed first, takes its key back out. */
  async lock(stop: AbortSignal): Promise<void> {
    const { client, lease } = this.session;
    this.key = `${this.prefix}${lease.toString(16)}`;
    const key = Buffer.from(this.key);
    const owner = { requestRange: firstCreated(this.prefix) };
    // One round trip: join the queue if not in it yet, and see who is first.
    const resp = await client.unary(etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({
      compare: [{ key, target: CREATE, result: EQUAL, createRevision: 0n }],
      success: [{ requestPut: { key, value: Buffer.alloc(0), lease } }, owner],
      failure: [{ requestRange: { key } }, owner],
    }));
    const myRevision = resp.succeeded ? resp.header?.revision ?? 0n : resp.responses[0].responseRange?.kvs[0]?.createRevision ?? 0n;
    const first = resp.responses[1].responseRange?.kvs[0];
    if (first === undefined || first.createRevision === myRevision) {
      this.header = resp.header;
      return;
    }
    try {
      this.header = await waitDeletes(client, this.prefix, myRevision - 1n, stop);
    } catch (err) {
      // The wait's error is the one to report; a failed clean-up leaves the key to the lease.
      await this.unlock().catch(() => undefined);
      throw err;
    }
  }

  async unlock(): Promise<void> {
    await this.session.client.unary(etcdserverpb.KVService.deleteRange, { key: Buffer.from(this.key), rangeEnd: Buffer.alloc(0), prevKv: false });
  }
}
