// Positional writes that finish: FileHandle.write may write less than asked.
import type { FileHandle } from 'node:fs/promises';

export async function writeFully(fh: FileHandle, data: Uint8Array, { position }: { position: number }): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, position + off);
    if (bytesWritten === 0) throw new Error(`write at offset ${position + off} made no progress`);
    off += bytesWritten;
  }
}
