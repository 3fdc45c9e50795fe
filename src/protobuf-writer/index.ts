// One protobuf writer for the hot encodes (raft messages, proposals, the server's answers). A new
// BinaryWriter starts at 128 bytes and doubles, a new array and a copy each time; this one keeps the
// buffer it grew to (the largest message encoded: raft batches appends up to 1 MB, one entry up to
// --max-request-bytes).
// Encoding is synchronous, so one writer serves the whole process, one encode at a time.
import { BinaryWriter } from '@bufbuild/protobuf/wire';

const shared = new BinaryWriter();
let busy = false;

/** The bytes `write` puts into a writer (a copy of its own). `write` must not call encodeWith. */
export function encodeWith(write: (writer: BinaryWriter) => unknown): Uint8Array {
  if (busy) throw new Error('protobuf-writer: an encode inside an encode would share the buffer');
  busy = true;
  try {
    write(shared);
    return shared.finish();
  } catch (err) {
    shared.finish(); // drops what the failed encode left, forks included
    throw err;
  } finally {
    busy = false;
  }
}

/** encodeWith's bytes as a Buffer over the same memory (grpc-js and node's HTTP/2 take Buffers): no second copy. */
export function encodeToBuffer(write: (writer: BinaryWriter) => unknown): Buffer {
  const bytes = encodeWith(write);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
