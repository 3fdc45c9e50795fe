// Message streams from peers, each an upgraded connection of its own: each frame's messages go to
// onMessage in the order they were sent. One stream per sender: a newer stream from the same peer
// replaces the older (which is closed), as a peer redials only when it has given the old one up. A
// stream silent for the read timeout is closed, freeing a connection whose peer vanished without a word.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { InboundHooks } from './admission';
import type { TransportContext } from './context';
import { errorText } from './errors';
import { FrameDecoder } from './frame';
import { idToHex } from './ids';

interface Inbound {
  readonly socket: Socket;
  lastHeard: number;
}

export class InboundStreams {
  private readonly streams = new Map<bigint, Inbound>();

  constructor(
    private readonly ctx: TransportContext,
    private readonly hooks: InboundHooks,
  ) {}

  /** Reads frames from a stream's socket; `head` holds the bytes that came with the upgrade request. */
  accept(from: bigint, socket: Socket, head: Buffer): void {
    const { ctx } = this;
    const hex = idToHex(from);
    const fields = { 'local-member-id': ctx.localHex, 'remote-peer-id': hex };
    this.close(from, 'replaced by a new stream');
    const inbound: Inbound = { socket, lastHeard: performance.now() };
    this.streams.set(from, inbound);
    const decoder = new FrameDecoder(ctx.limits.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => {
      inbound.lastHeard = performance.now();
      ctx.metrics.receivedBytes.inc({ From: hex }, chunk.length);
      let messages: Uint8Array[];
      try {
        messages = decoder.push(chunk);
      } catch (err) {
        ctx.metrics.receivedFailures.inc({ From: hex });
        ctx.logger.warn({ ...fields, error: errorText(err) }, 'failed to read Raft message stream');
        socket.destroy();
        return;
      }
      if (ctx.trace.enabled && messages.length > 0) ctx.trace.trace('read frame', { from: hex, messages: messages.length });
      for (const m of messages) {
        try {
          this.hooks.onMessage(from, m);
        } catch (err) {
          ctx.metrics.receivedFailures.inc({ From: hex });
          ctx.logger.warn({ ...fields, error: errorText(err) }, 'failed to process Raft message');
        }
      }
    });
    socket.on('error', (err) => ctx.logger.debug({ ...fields, error: errorText(err) }, 'message stream error'));
    socket.on('close', () => {
      if (this.streams.get(from) === inbound) this.streams.delete(from);
      ctx.logger.info(fields, 'closed incoming message stream from remote peer');
    });
    if (head.length > 0) socket.unshift(head);
    socket.resume();
    ctx.logger.info(fields, 'accepted incoming message stream from remote peer');
  }

  /** Closes streams that carried nothing, not even a heartbeat, for the read timeout. */
  tick(): void {
    const now = performance.now();
    for (const [from, inbound] of this.streams) {
      const silent = now - inbound.lastHeard;
      if (silent > this.ctx.timing.readTimeoutMs) this.close(from, `no frame for ${Math.round(silent)} ms`);
    }
  }

  /** Closes the stream from a peer, if there is one. */
  close(from: bigint, reason: string): void {
    const inbound = this.streams.get(from);
    if (!inbound) return;
    this.streams.delete(from);
    this.ctx.logger.warn({ 'local-member-id': this.ctx.localHex, 'remote-peer-id': idToHex(from), reason }, 'closing incoming message stream');
    inbound.socket.destroy();
  }

  closeAll(): void {
    for (const from of [...this.streams.keys()]) this.close(from, 'transport stopped');
  }
}
