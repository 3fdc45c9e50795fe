// clientv3/concurrency's key.go: the ranges that find the oldest and the newest key under a prefix,
// and the wait for the keys created before one's own to be deleted (the queue of a lock or an election).
import { etcdserverpb, mvccpb, prefixRange } from '../../api';
import type { EtcdClient } from '../../client';
import { watchResponses } from '../watch-stream';
import { throwIfCanceled } from './canceled';

const { CREATE } = etcdserverpb.RangeRequest_SortTarget;
const { ASCEND, DESCEND } = etcdserverpb.RangeRequest_SortOrder;

/** The key under the prefix with the lowest create revision: the holder of a lock, the leader. */
export function firstCreated(prefix: string): etcdserverpb.RangeRequest {
  return etcdserverpb.RangeRequest.fromPartial({ ...prefixRange(prefix), sortTarget: CREATE, sortOrder: ASCEND, limit: 1n });
}

/** The newest key under the prefix created at or before maxCreateRevision. */
function lastCreatedBy(prefix: string, maxCreateRevision: bigint): etcdserverpb.RangeRequest {
  return etcdserverpb.RangeRequest.fromPartial({ ...prefixRange(prefix), sortTarget: CREATE, sortOrder: DESCEND, limit: 1n, maxCreateRevision });
}

/** Waits for the key's deletion, watching from the revision at which it was seen. */
async function waitDelete(client: EtcdClient, key: Buffer, revision: bigint, stop: AbortSignal): Promise<void> {
  for await (const resp of watchResponses(client, { key, startRevision: revision }, stop)) {
    if (resp.events.some((ev) => ev.type === mvccpb.Event_EventType.DELETE)) return;
  }
  throwIfCanceled(stop);
  throw new Error('lost watcher waiting for delete');
}

/**
 * Waits until no key under the prefix was created at or before maxCreateRevision: each time, for
 * the newest such key only, so a deletion wakes one waiter rather than all of them.
 */
export async function waitDeletes(client: EtcdClient, prefix: string, maxCreateRevision: bigint, stop: AbortSignal): Promise<etcdserverpb.ResponseHeader | undefined> {
  for (;;) {
    throwIfCanceled(stop);
    const resp = await client.unary(etcdserverpb.KVService.range, lastCreatedBy(prefix, maxCreateRevision), { idempotent: true });
    if (resp.kvs.length === 0) return resp.header;
    await waitDelete(client, Buffer.from(resp.kvs[0].key), resp.header?.revision ?? 0n, stop);
  }
}
