// One watch on a stream of its own, for the commands that wait on keys (lock, elect) and for the
// text etcdctl gives a watch the server cancelled.
import { etcdserverpb } from '../api';
import { decodeError, type EtcdClient } from '../client';

/** Why the server cancelled a watch, in etcd's words. */
export function watchCancelReason(resp: etcdserverpb.WatchResponse): string {
  return resp.compactRevision > 0n ? 'etcdserver: mvcc: required revision has been compacted' : resp.cancelReason || 'etcdserver: watch canceled';
}

/**
 * The watch's responses with events (or progress), in order. Throws the server's reason when it
 * cancels the watch, and simply ends when `stop` aborts or the stream ends.
 */
export async function* watchResponses(client: EtcdClient, request: Partial<etcdserverpb.WatchCreateRequest>, stop: AbortSignal): AsyncGenerator<etcdserverpb.WatchResponse> {
  if (stop.aborted) return;
  const stream = await client.bidi(etcdserverpb.WatchService.watch);
  // A cancelled call reports an error; the iterator below sees it, this keeps it from being unhandled.
  stream.on('error', () => undefined);
  const cancel = () => stream.cancel();
  stop.addEventListener('abort', cancel, { once: true });
  try {
    stream.write(etcdserverpb.WatchRequest.fromPartial({ createRequest: request }));
    for await (const resp of stream as AsyncIterable<etcdserverpb.WatchResponse>) {
      if (resp.canceled) throw new Error(watchCancelReason(resp));
      if (resp.created && resp.events.length === 0) continue;
      yield resp;
    }
  } catch (err) {
    if (!stop.aborted) throw decodeError(err);
  } finally {
    stop.removeEventListener('abort', cancel);
    stream.cancel();
  }
}
