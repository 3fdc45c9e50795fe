// Reads upload content in chunks, whether it is in memory or in a local file, so a large file (the
// Node runtime cairnadm ships) is never held in memory whole.
import { open, stat } from 'node:fs/promises';
import { SshError } from './errors';
import type { UploadSource } from './host';

export interface Chunk {
  position: number;
  data: Buffer;
}

function inMemory(source: UploadSource): Buffer | undefined {
  if (Buffer.isBuffer(source)) return source;
  if (typeof source === 'string') return Buffer.from(source, 'utf8');
  return undefined;
}

function localFileError(file: string, err: unknown): SshError {
  return new SshError('invalid-argument', `cannot read local file ${file}: ${(err as Error).message}`);
}

export async function sourceSize(source: UploadSource): Promise<number> {
  const data = inMemory(source);
  if (data) return data.length;
  const file = (source as { localFile: string }).localFile;
  try {
    return (await stat(file)).size;
  } catch (err) {
    throw localFileError(file, err);
  }
}

export async function* sourceChunks(source: UploadSource, chunkSize: number): AsyncGenerator<Chunk> {
  const data = inMemory(source);
  if (data) {
    for (let position = 0; position < data.length; position += chunkSize) {
      yield { position, data: data.subarray(position, position + chunkSize) };
    }
    return;
  }
  const path = (source as { localFile: string }).localFile;
  const file = await open(path, 'r').catch((err) => {
    throw localFileError(path, err);
  });
  try {
    for (let position = 0; ; ) {
      const buffer = Buffer.allocUnsafe(chunkSize);
      const { bytesRead } = await file.read(buffer, 0, chunkSize, position);
      if (bytesRead === 0) return;
      yield { position, data: buffer.subarray(0, bytesRead) };
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
}
