// The head of a snapshot request body: a u32 length and the snapshot's metadata message; the
// snapshot's data follows to the end of the body.
import { TransportError } from './errors';

const lengthBytes = 4;

export function encodeSnapshotHead(meta: Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(lengthBytes + meta.length);
  head.writeUInt32BE(meta.length, 0);
  head.set(meta, lengthBytes);
  return head;
}

export interface SnapshotHead {
  readonly meta: Uint8Array;
  /** Body bytes that arrived in the same chunk as the end of the head. */
  readonly rest: Buffer;
}

/** Reads the head from the start of a body; fails on a body that ends inside it or a head over `maxBytes`. */
export async function readSnapshotHead(chunks: AsyncIterator<Buffer>, maxBytes: number): Promise<SnapshotHead> {
  const parts: Buffer[] = [];
  let size = 0;
  let metaLength: number | undefined;
  for (;;) {
    if (metaLength === undefined && size >= lengthBytes) {
      metaLength = Buffer.concat(parts, size).readUInt32BE(0);
      if (metaLength > maxBytes) throw new TransportError(`transport: snapshot metadata of ${metaLength} bytes exceeds the limit of ${maxBytes}`);
    }
    if (metaLength !== undefined && size >= lengthBytes + metaLength) {
      const all = Buffer.concat(parts, size);
      return { meta: all.subarray(lengthBytes, lengthBytes + metaLength), rest: all.subarray(lengthBytes + metaLength) };
    }
    const next = await chunks.next();
    if (next.done) throw new TransportError('transport: snapshot body ended inside its metadata');
    parts.push(next.value);
    size += next.value.length;
  }
}
