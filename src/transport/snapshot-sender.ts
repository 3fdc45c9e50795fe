// Sends one snapshot to a peer: POST /raft/snapshot on a connection of its own (so a large transfer
// does not hold up the message stream), the body written as the source yields it and only as fast
// as the peer reads it. The peer answers 204 once it has accepted the snapshot.
import { open } from 'node:fs/promises';
import type { ClientHttp2Session } from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { TransportContext } from './context';
import { TransportError, errorText } from './errors';
import { idToHex } from './ids';
import { encodeSnapshotHead } from './snapshot-head';
import { openSession, readText } from './session';
import type { PeerUrl } from './urls';
import { header, refusal, requestHeaders, snapshotPath } from './wire';

export type SnapshotBody = AsyncIterable<Uint8Array> | string;

interface Answer {
  status?: number;
  text?: string;
  error?: string;
}

interface BodySource {
  readonly chunks: AsyncIterable<Uint8Array>;
  close(): void;
}

/** Opens a file body now, so a missing file fails before anything is sent. */
async function bodySource(body: SnapshotBody): Promise<BodySource> {
  if (typeof body !== 'string') return { chunks: body, close: () => undefined };
  try {
    const handle = await open(body, 'r');
    const stream = handle.createReadStream({ highWaterMark: 256 << 10 });
    return { chunks: stream, close: () => stream.destroy() };
  } catch (err) {
    throw new TransportError(`transport: cannot read snapshot file ${body}: ${(err as NodeJS.ErrnoException).code ?? errorText(err)}`);
  }
}

function answerError(to: string, answer: Answer, localCluster: string, remoteCluster: string): TransportError {
  if (answer.error !== undefined) return new TransportError(`transport: snapshot to ${to} failed: ${answer.error}`);
  if (answer.status === 412 && answer.text === refusal.clusterIdMismatch) {
    return new TransportError(`transport: snapshot to ${to} refused: cluster ID mismatch: remote[${to}]=${remoteCluster}, local=${localCluster}`);
  }
  return new TransportError(`transport: snapshot to ${to} refused: ${answer.status}${answer.text ? ` (${answer.text})` : ''}`);
}

export class SnapshotSender {
  private readonly sessions = new Set<ClientHttp2Session>();

  constructor(private readonly ctx: TransportContext) {}

  /** Resolves once the peer accepted the snapshot; rejects with a TransportError otherwise. */
  async send(to: bigint, url: PeerUrl, meta: Uint8Array, body: SnapshotBody): Promise<void> {
    const { ctx } = this;
    const hex = idToHex(to);
    const labels = { To: hex };
    const started = performance.now();
    ctx.metrics.snapshotSendInflights.inc(labels);
    let source: BodySource | undefined;
    try {
      source = await bodySource(body);
      ctx.logger.info({ 'local-member-id': ctx.localHex, 'remote-peer-id': hex, address: url.origin }, 'sending database snapshot');
      const sent = await this.post(to, url, meta, source.chunks);
      ctx.metrics.snapshotSendSuccess.inc(labels);
      ctx.metrics.snapshotSendSeconds.observe(labels, (performance.now() - started) / 1000);
      ctx.logger.info({ 'local-member-id': ctx.localHex, 'remote-peer-id': hex, bytes: sent }, 'sent database snapshot');
    } catch (err) {
      ctx.metrics.sentFailures.inc(labels);
      ctx.metrics.snapshotSendFailures.inc(labels);
      ctx.logger.warn({ 'local-member-id': ctx.localHex, 'remote-peer-id': hex, error: errorText(err) }, 'failed to send database snapshot');
      ctx.unreachable(to);
      throw err instanceof TransportError ? err : new TransportError(`transport: snapshot to ${hex} failed: ${errorText(err)}`);
    } finally {
      source?.close();
      ctx.metrics.snapshotSendInflights.dec(labels);
    }
  }

  /** Aborts every send under way. */
  close(): void {
    for (const session of this.sessions) session.destroy(new TransportError('transport: stopped'));
    this.sessions.clear();
  }

  private async post(to: bigint, url: PeerUrl, meta: Uint8Array, source: AsyncIterable<Uint8Array>): Promise<number> {
    const { ctx } = this;
    const hex = idToHex(to);
    const session = openSession(url, ctx.tls);
    this.sessions.add(session);
    session.setTimeout(ctx.timing.snapshotTimeoutMs, () =>
      session.destroy(new TransportError(`no bytes moved for ${ctx.timing.snapshotTimeoutMs} ms`)),
    );
    let remoteCluster = '';
    let settle: (answer: Answer) => void = () => undefined;
    const answered = new Promise<Answer>((resolve) => {
      settle = resolve;
    });
    let settled = false;
    answered.then(() => (settled = true), () => undefined);
    try {
      session.on('error', (err) => settle({ error: errorText(err) }));
      session.on('close', () => settle({ error: 'connection closed' }));
      const req = session.request(requestHeaders(ctx.local, 'POST', snapshotPath, to), { endStream: false });
      let responded = false;
      req.on('error', (err) => settle({ error: errorText(err) }));
      req.on('close', () => {
        if (!responded) settle({ error: 'stream closed before an answer' });
      });
      req.on('response', (headers) => {
        responded = true;
        remoteCluster = String(headers[header.clusterId] ?? '');
        const status = Number(headers[':status']);
        void readText(req).then((text) => settle({ status, text }));
      });
      // A write that waits for the peer to read gives way as soon as the request ends one way or another.
      const write = async (chunk: Uint8Array): Promise<void> => {
        if (req.write(chunk)) return;
        await new Promise<void>((resolve) => {
          req.once('drain', resolve);
          void answered.then(() => resolve());
        });
      };
      let sent = 0;
      await write(encodeSnapshotHead(meta));
      for await (const chunk of source) {
        if (settled) break;
        await write(chunk);
        sent += chunk.length;
        ctx.metrics.sentBytes.inc({ To: hex }, chunk.length);
      }
      if (!settled) req.end();
      const answer = await answered;
      if (answer.status !== 204) throw answerError(hex, answer, idToHex(ctx.local.clusterId), remoteCluster);
      return sent;
    } finally {
      this.sessions.delete(session);
      if (!session.destroyed) session.destroy();
    }
  }
}
