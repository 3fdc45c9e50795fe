// Turns records into frames, a whole batch into one buffer so it goes to disk in one write.

import { crc32c } from '../checksum';
import { WalError } from './errors';
import { FRAME_HEADER_BYTES, MAX_BODY_BYTES, frameBytes } from './frame';
import { RecordType } from './record';

export interface RawRecord {
  type: RecordType;
  payload: Uint8Array;
}

/** Encodes the records back to back into one buffer; its length is a multiple of 8. */
export function encodeFrames(records: readonly RawRecord[]): Buffer {
  let total = 0;
  for (const r of records) {
    const body = 1 + r.payload.length;
    if (body > MAX_BODY_BYTES) {
      throw new WalError('invalid-argument', `wal: record of ${r.payload.length} bytes is too large`);
    }
    total += frameBytes(body);
  }
  const out = Buffer.alloc(total);
  let off = 0;
  for (const r of records) {
    const body = 1 + r.payload.length;
    out.writeUInt32LE(body, off);
    out[off + FRAME_HEADER_BYTES] = r.type;
    out.set(r.payload, off + FRAME_HEADER_BYTES + 1);
    // The CRC covers the length field too, so a damaged length is caught rather than followed.
    const crc = crc32c(out, crc32c(out, 0, off, off + 4), off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + body);
    out.writeUInt32LE(crc, off + 4);
    off += frameBytes(body);
  }
  return out;
}
