// One snapshot from a peer: the head (metadata) is read first, then the body is handed to
// onSnapshot as an async iterable that reads the request as the consumer asks, so a large snapshot
// never sits in memory whole. A body cut off by the sender fails the iteration instead of ending it.
import type { ServerHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { refuse, type InboundHooks } from './admission';
import type { TransportContext } from './context';
import { TransportError, errorText } from './errors';
import { idToHex } from './ids';
import { readSnapshotHead } from './snapshot-head';
import { responseHeaders } from './wire';

export async function receiveSnapshot(ctx: TransportContext, hooks: InboundHooks, from: bigint, stream: ServerHttp2Stream): Promise<void> {
  const hex = idToHex(from);
  const labels = { From: hex };
  const fields = { 'local-member-id': ctx.localHex, 'remote-snapshot-sender-id': hex };
  const started = performance.now();
  let received = 0;
  const count = (n: number): void => {
    received += n;
    ctx.metrics.receivedBytes.inc(labels, n);
  };
  stream.on('error', (err) => ctx.logger.debug({ ...fields, error: errorText(err) }, 'snapshot stream error'));
  ctx.metrics.snapshotReceiveInflights.inc(labels);
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const head = await readSnapshotHead(chunks, ctx.limits.maxFrameBytes);
    count(4 + head.meta.length + head.rest.length);
    ctx.logger.info({ ...fields, 'incoming-snapshot-message-size-bytes': head.meta.length }, 'receiving database snapshot');
    async function* body(): AsyncGenerator<Uint8Array> {
      if (head.rest.length > 0) yield head.rest;
      for (;;) {
        const next = await chunks.next();
        if (next.done) break;
        count(next.value.length);
        yield next.value;
      }
      if (stream.aborted || !stream.readableEnded) throw new TransportError(`transport: snapshot from ${hex} was cut off after ${received} bytes`);
    }
    await hooks.onSnapshot(from, head.meta, body());
    // Body bytes the handler left unread stay unread: the sender stops writing once it has the answer.
    if (!stream.destroyed) stream.respond(responseHeaders(ctx.local, 204), { endStream: true });
    ctx.metrics.snapshotReceiveSuccess.inc(labels);
    ctx.metrics.snapshotReceiveSeconds.observe(labels, (performance.now() - started) / 1000);
    ctx.logger.info({ ...fields, 'incoming-snapshot-size-bytes': received }, 'received database snapshot');
  } catch (err) {
    ctx.metrics.receivedFailures.inc(labels);
    ctx.metrics.snapshotReceiveFailures.inc(labels);
    ctx.logger.warn({ ...fields, 'received-bytes': received, error: errorText(err) }, 'failed to receive database snapshot');
    refuse(ctx, stream, 500, `failed to receive snapshot (${errorText(err)})`);
  } finally {
    ctx.metrics.snapshotReceiveInflights.dec(labels);
  }
}
