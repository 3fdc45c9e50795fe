// File operations over SFTP, written so that a reader on the host never sees a half-written file:
// write a temporary sibling, set its mode, flush it, then rename it over the target.
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { temporarySibling } from './checks';
import type { UploadSource } from './host';
import { sourceChunks } from './upload-source';

const CHUNK_SIZE = 64 * 1024;
// Writes in flight at once: one round trip per chunk would make a large file crawl over a real network.
const WRITES_IN_FLIGHT = 16;
// SFTP status codes (draft-ietf-secsh-filexfer-02), as ssh2 reports them in err.code
const NO_SUCH_FILE = 2;

type SftpError = Error & { code?: number };

function call<T>(start: (cb: (err: SftpError | undefined | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

function isMissing(err: unknown): boolean {
  return (err as SftpError).code === NO_SUCH_FILE;
}

async function statOrUndefined(sftp: SFTPWrapper, path: string): Promise<Stats | undefined> {
  try {
    return await call<Stats>((cb) => sftp.stat(path, cb));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export async function sftpExists(sftp: SFTPWrapper, path: string): Promise<boolean> {
  return (await statOrUndefined(sftp, path)) !== undefined;
}

export function sftpRead(sftp: SFTPWrapper, path: string): Promise<Buffer> {
  return call<Buffer>((cb) => sftp.readFile(path, cb));
}

/** mkdir -p: creates each missing directory from the top down. */
async function makeDirectories(sftp: SFTPWrapper, dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; d !== '/'; d = posix.dirname(d)) {
    const stats = await statOrUndefined(sftp, d);
    if (stats?.isDirectory()) break;
    if (stats) throw new Error(`${d} exists and is not a directory`);
    missing.unshift(d);
  }
  for (const d of missing) {
    try {
      await call<void>((cb) => sftp.mkdir(d, { mode: 0o755 }, cb));
    } catch (err) {
      if (!(await statOrUndefined(sftp, d))?.isDirectory()) throw err; // lost a race with another writer: fine if it is there now
    }
  }
}

async function writeAll(sftp: SFTPWrapper, handle: Buffer, source: UploadSource): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for await (const { position, data } of sourceChunks(source, CHUNK_SIZE)) {
    const write = call<void>((cb) => sftp.write(handle, data, 0, data.length, position, cb)).catch((err) => {
      failure ??= err;
    });
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
    if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
}

async function flush(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  try {
    await call<unknown>((cb) => sftp.ext_openssh_fsync(handle, cb));
  } catch (err) {
    // a server without the OpenSSH extension still gets the file; it is only not forced to disk yet
    if (!/not support/i.test((err as Error).message)) throw err;
  }
}

export async function sftpUpload(sftp: SFTPWrapper, path: string, source: UploadSource, mode: number): Promise<void> {
  await makeDirectories(sftp, posix.dirname(path));
  const temporary = temporarySibling(path);
  const handle = await call<Buffer>((cb) => sftp.open(temporary, 'wx', { mode }, cb));
  let open = true;
  try {
    await writeAll(sftp, handle, source);
    await call<void>((cb) => sftp.fchmod(handle, mode, cb)); // the mode given to open passed through the server's umask
    await flush(sftp, handle);
    open = false;
    await call<void>((cb) => sftp.close(handle, cb));
    await call<void>((cb) => sftp.ext_openssh_rename(temporary, path, cb));
  } catch (err) {
    if (open) await call<void>((cb) => sftp.close(handle, cb)).catch(() => undefined);
    await call<void>((cb) => sftp.unlink(temporary, cb)).catch(() => undefined);
    throw err;
  }
}
