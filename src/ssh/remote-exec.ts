// Runs one command on an SSH exec channel and gathers its exit status and output.
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { Client } from 'ssh2';
import { SshError, commandForMessage } from './errors';
import type { ExecOptions, ExecResult } from './host';
import { exportPrefix } from './shell-quote';

/**
 * The first line a command writes to stderr is its shell's pid, taken off before the caller sees it.
 * sshd makes that shell a session and process group leader, so on a timeout one `kill -- -pid`
 * ends the command and everything it started. (An SSH "signal" request would be simpler, but
 * OpenSSH refuses it for root logins, where it runs without privilege separation.)
 */
function pidMarker(): { line: string; prefix: string } {
  const tag = `cairn-exec-${randomBytes(4).toString('hex')}`;
  return { line: tag, prefix: `echo "${tag}:$$" >&2; ` };
}

/** Splits the pid line off the front of stderr. */
class StderrWithPid {
  /** what came before the first newline; undefined once that line has been handled */
  private head: string | undefined = '';
  private readonly chunks: Buffer[] = [];
  pid?: number;

  constructor(private readonly tag: string) {}

  push(chunk: Buffer): void {
    if (this.head === undefined) {
      this.chunks.push(chunk);
      return;
    }
    this.head += chunk.toString('latin1');
    const newline = this.head.indexOf('\n');
    if (newline < 0) return;
    const match = new RegExp(`^${this.tag}:(\\d+)$`).exec(this.head.slice(0, newline));
    if (match) this.pid = Number(match[1]);
    this.chunks.push(Buffer.from(match ? this.head.slice(newline + 1) : this.head, 'latin1'));
    this.head = undefined;
  }

  text(): string {
    return Buffer.concat([...this.chunks, Buffer.from(this.head ?? '', 'latin1')]).toString('utf8');
  }
}

function killGroup(client: Client, pid: number): void {
  client.exec(`kill -KILL -- -${pid}`, (err, channel) => {
    if (err) return; // the connection is gone, and the command's session with it
    channel.resume();
    channel.stderr.resume();
    channel.end();
  });
}

export function execOnChannel(client: Client, command: string, opts: ExecOptions & { label: string }): Promise<ExecResult> {
  const what = commandForMessage(command);
  const marker = pidMarker();
  return new Promise((resolve, reject) => {
    // variables go in front of the command: sshd drops `env` requests unless its AcceptEnv lists them
    client.exec(marker.prefix + exportPrefix(opts.env ?? {}) + command, (err, channel) => {
      if (err) {
        reject(new SshError('disconnected', `cannot start a command on ${opts.label}: ${err.message}: ${what}`));
        return;
      }
      const stdout: Buffer[] = [];
      const stderr = new StderrWithPid(marker.line);
      let exit: { code: number; signal?: string } | undefined;
      let timedOut = false;
      const timer = setTimeout(() => {
        // fail now: the channel closes only once the command has really ended
        timedOut = true;
        if (stderr.pid !== undefined) killGroup(client, stderr.pid);
        channel.close();
        reject(new SshError('timeout', `command timed out after ${opts.timeoutMs} ms on ${opts.label}: ${what}`));
      }, opts.timeoutMs);
      channel.on('data', (b: Buffer) => stdout.push(b));
      channel.stderr.on('data', (b: Buffer) => stderr.push(b));
      channel.on('exit', (code: number | null, signal?: string) => {
        // ssh2 reports the signal as `SIGTERM`
        if (code !== null) exit = { code };
        else exit = { code: 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 0), signal: signal?.replace(/^SIG/, '') };
      });
      channel.on('close', () => {
        clearTimeout(timer);
        if (timedOut) return;
        if (!exit) {
          reject(new SshError('disconnected', `connection to ${opts.label} was lost while running: ${what}`));
        } else {
          resolve({ ...exit, stdout: Buffer.concat(stdout).toString('utf8'), stderr: stderr.text() });
        }
      });
      channel.end(opts.input ?? '');
    });
  });
}
