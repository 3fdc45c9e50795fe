// Argument checks shared by every Host, so a bad call fails the same way locally, over SSH and in a
// dry run, before anything is touched.
import { randomBytes } from 'node:crypto';
import { basename, dirname, posix } from 'node:path';
import { SshError } from './errors';
import type { ExecOptions, UploadOptions, UploadSource } from './host';
import { isVariableName } from './shell-quote';

export function checkPath(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0')) {
    throw new SshError('invalid-argument', `path must be absolute: ${JSON.stringify(path)}`);
  }
}

/** remove() refuses the root directory: no caller of ours ever means it. */
export function checkRemovable(path: string): void {
  checkPath(path);
  if (posix.normalize(path).replace(/\/+$/, '') === '') throw new SshError('invalid-argument', 'refusing to remove /');
}

export function checkMode(opts: UploadOptions): void {
  if (!Number.isInteger(opts?.mode) || opts.mode < 0 || opts.mode > 0o7777) {
    throw new SshError('invalid-argument', `file mode must be an integer from 0 to 0o7777, got ${opts?.mode}`);
  }
}

export function checkExecOptions(opts: ExecOptions): void {
  if (!Number.isFinite(opts?.timeoutMs) || opts.timeoutMs <= 0) {
    throw new SshError('invalid-argument', `exec needs a positive timeoutMs, got ${opts?.timeoutMs}`);
  }
  for (const name of Object.keys(opts.env ?? {})) {
    if (!isVariableName(name)) throw new SshError('invalid-argument', `invalid environment variable name: ${JSON.stringify(name)}`);
  }
}

export function checkSource(source: UploadSource): void {
  if (Buffer.isBuffer(source) || typeof source === 'string') return;
  if (typeof source?.localFile !== 'string' || source.localFile === '') {
    throw new SshError('invalid-argument', 'upload source must be a Buffer, a string or { localFile: path }');
  }
}

/** The temporary name a file is written under before it is renamed into place: same directory, so the rename is atomic. */
export function temporarySibling(path: string): string {
  return `${dirname(path)}/.${basename(path)}.cairn-${randomBytes(6).toString('hex')}.tmp`;
}

/** "0600" */
export function octalMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
