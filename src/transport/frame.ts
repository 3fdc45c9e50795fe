// The message stream's framing (format in index.ts): a frame is a u32 length and a payload that
// holds a batch of records, each a u32 length and one message's bytes. A frame of length 0 is a
// link heartbeat that keeps an idle stream alive.
import { TransportError } from './errors';

const lengthBytes = 4;

/** Encodes messages as one frame; no messages gives the heartbeat frame. */
export function encodeFrame(messages: readonly Uint8Array[]): Buffer {
  let payload = 0;
  for (const m of messages) payload += lengthBytes + m.length;
  const frame = Buffer.allocUnsafe(lengthBytes + payload);
  frame.writeUInt32BE(payload, 0);
  let at = lengthBytes;
  for (const m of messages) {
    frame.writeUInt32BE(m.length, at);
    frame.set(m, at + lengthBytes);
    at += lengthBytes + m.length;
  }
  return frame;
}

/** The bytes a message adds to a frame. */
export function recordSize(message: Uint8Array): number {
  return lengthBytes + message.length;
}

function decodePayload(payload: Buffer): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let at = 0;
  while (at < payload.length) {
    if (payload.length - at < lengthBytes) throw new TransportError('transport: malformed frame: truncated record length');
    const size = payload.readUInt32BE(at);
    at += lengthBytes;
    if (size > payload.length - at) throw new TransportError(`transport: malformed frame: record of ${size} bytes runs past the frame`);
    messages.push(payload.subarray(at, at + size));
    at += size;
  }
  return messages;
}

/** Cuts a byte stream into frames as chunks arrive, however the chunks split them. */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  // Payload length of the frame being read, once its length field has arrived.
  private payloadLength: number | undefined;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds a chunk; returns the messages of every frame it completes, in order. */
  push(chunk: Buffer): Uint8Array[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: Uint8Array[] = [];
    for (;;) {
      if (this.payloadLength === undefined) {
        if (this.buffered < lengthBytes) break;
        const length = this.take(lengthBytes).readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          throw new TransportError(`transport: frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
        }
        this.payloadLength = length;
      }
      if (this.buffered < this.payloadLength) break;
      const payload = this.take(this.payloadLength);
      this.payloadLength = undefined;
      for (const m of decodePayload(payload)) messages.push(m);
    }
    return messages;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first !== undefined && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0];
        const used = Math.min(chunk.length, n - filled);
        chunk.copy(out, filled, 0, used);
        filled += used;
        if (used === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(used);
      }
    }
    this.buffered -= n;
    return out;
  }
}
