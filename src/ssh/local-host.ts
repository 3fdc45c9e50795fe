// Host on the machine cairnadm runs on (`init --local`): the same contract as SshHost, through
// child_process and fs, so every phase runs unchanged without SSH.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { constants as osConstants, hostname } from 'node:os';
import { dirname } from 'node:path';
import { checkExecOptions, checkMode, checkPath, checkRemovable, checkSource, temporarySibling } from './checks';
import { SshError, commandForMessage } from './errors';
import type { ExecOptions, ExecResult, Host, RemoveOptions, UploadOptions, UploadSource } from './host';
import { sourceChunks } from './upload-source';

const CHUNK_SIZE = 1 << 20;

export interface LocalHostOptions {
  /** the name used in messages (default: this machine's host name) */
  name?: string;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? osConstants.signals[signal] ?? 0 : 0);
}

export class LocalHost implements Host {
  readonly name: string;
  readonly address = 'local';

  constructor(opts: LocalHostOptions = {}) {
    this.name = opts.name ?? hostname();
  }

  async exec(command: string, opts: ExecOptions): Promise<ExecResult> {
    checkExecOptions(opts);
    return new Promise((resolve, reject) => {
      // its own process group, so a timeout ends the whole command, not only the shell
      const child = spawn('/bin/sh', ['-c', command], { detached: true, env: { ...process.env, ...opts.env }, stdio: 'pipe' });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // it ended on its own meanwhile
        }
      }, opts.timeoutMs);
      child.stdout.on('data', (b: Buffer) => stdout.push(b));
      child.stderr.on('data', (b: Buffer) => stderr.push(b));
      child.stdin.on('error', () => undefined); // a command that exits without reading its input
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new SshError('remote', `cannot run ${commandForMessage(command)} on ${this.name}: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new SshError('timeout', `command timed out after ${opts.timeoutMs} ms on ${this.name} (local): ${commandForMessage(command)}`));
          return;
        }
        const result: ExecResult = { code: exitCodeOf(code, signal), stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
        if (signal) result.signal = signal.replace(/^SIG/, '');
        resolve(result);
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  async upload(path: string, source: UploadSource, opts: UploadOptions): Promise<void> {
    checkPath(path);
    checkMode(opts);
    checkSource(source);
    await this.wrap(`write ${path}`, async () => {
      await mkdir(dirname(path), { recursive: true });
      const temporary = temporarySibling(path);
      const file = await open(temporary, 'wx', opts.mode);
      try {
        for await (const chunk of sourceChunks(source, CHUNK_SIZE)) await file.write(chunk.data, 0, chunk.data.length, chunk.position);
        await file.chmod(opts.mode); // open's mode passed through the umask
        await file.sync();
        await file.close();
        await rename(temporary, path);
      } catch (err) {
        await file.close().catch(() => undefined);
        await rm(temporary, { force: true });
        throw err;
      }
    });
  }

  async read(path: string): Promise<Buffer> {
    checkPath(path);
    return this.wrap(`read ${path}`, () => readFile(path));
  }

  async exists(path: string): Promise<boolean> {
    checkPath(path);
    return this.wrap(`check ${path}`, async () => {
      try {
        await stat(path);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    });
  }

  async remove(path: string, opts: RemoveOptions = {}): Promise<void> {
    checkRemovable(path);
    return this.wrap(`remove ${path}`, () => rm(path, { force: true, recursive: opts.recursive === true }));
  }

  async close(): Promise<void> {
    // nothing is held open between calls
  }

  private async wrap<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      if (err instanceof SshError) throw err;
      throw new SshError('remote', `cannot ${what} on ${this.name} (local): ${(err as Error).message}`);
    }
  }
}
