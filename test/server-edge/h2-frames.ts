// Hand-made HTTP/2 frames for tests, and a reader of the frames a byte stream holds.
import assert from 'node:assert/strict';
import { http2Preface } from '../../src/preface';

export const HEADERS = 0x1;
export const SETTINGS = 0x4;
export const PUSH_PROMISE = 0x5;
export const CONTINUATION = 0x9;
export const DATA = 0x0;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;
export const PADDED = 0x8;
export const PRIORITY = 0x20;

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly stream: number;
  readonly payload: Buffer;
}

export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** The frames of `bytes` (after the connection preface when it starts with one); the last must be whole. */
export function parseFrames(bytes: Buffer): Frame[] {
  let at = bytes.subarray(0, http2Preface.length).equals(http2Preface) ? http2Preface.length : 0;
  const frames: Frame[] = [];
  while (at < bytes.length) {
    assert.ok(at + 9 <= bytes.length, 'cut frame header');
    const length = bytes.readUIntBE(at, 3);
    assert.ok(at + 9 + length <= bytes.length, 'cut frame payload');
    frames.push({ type: bytes[at + 3], flags: bytes[at + 4], stream: bytes.readUInt32BE(at + 5) & 0x7fffffff, payload: bytes.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return frames;
}

export interface HeaderBlock {
  readonly stream: number;
  /** The HEADERS frame's flags. */
  readonly flags: number;
  readonly priority?: Buffer;
  readonly block: Buffer;
}

/** The header blocks of `frames`, their fragments joined, padding and priority taken off. */
export function headerBlocks(frames: readonly Frame[]): HeaderBlock[] {
  const blocks: HeaderBlock[] = [];
  let open: { stream: number; flags: number; priority?: Buffer; parts: Buffer[] } | undefined;
  for (const f of frames) {
    if (f.type === HEADERS) {
      let start = 0;
      let end = f.payload.length;
      if (f.flags & PADDED) {
        end -= f.payload[0];
        start = 1;
      }
      const priority = f.flags & PRIORITY ? f.payload.subarray(start, start + 5) : undefined;
      if (priority) start += 5;
      open = { stream: f.stream, flags: f.flags, priority, parts: [f.payload.subarray(start, end)] };
    } else if (f.type === CONTINUATION) {
      assert.ok(open && open.stream === f.stream, 'CONTINUATION without HEADERS');
      open.parts.push(f.payload);
    } else {
      assert.equal(open, undefined, 'a frame inside a header block');
      continue;
    }
    if (f.flags & END_HEADERS) {
      blocks.push({ stream: open.stream, flags: open.flags, ...(open.priority ? { priority: open.priority } : {}), block: Buffer.concat(open.parts) });
      open = undefined;
    }
  }
  return blocks;
}
