// Runs one command on an SSH exec channel and gathers its exit status and output.
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { Client } from 'ssh2';
import { SshError, commandForMessage } from './errors';
import type { ExecOptions, ExecResult } from './host';
import { exportPrefix } from './shell-quote';

/**
 * Before the command runs, its shell writes its pid to stderr in a tagged line, taken out before the
 * caller sees it.
 * sshd makes that shell a session and process group leader, so on a timeout one `kill -- -pid`
 * ends the command and everything it started. (An SSH "signal" request would be simpler, but
 * OpenSSH refuses it for root logins, where it runs without privilege separation.)
 */
function pidMarker(): { line: string; prefix: string } {
  const tag = `cairn-exec-${randomBytes(4).toString('hex')}`;
  return { line: tag, prefix: `echo "${tag}:$$" >&2; ` };
}

// How much of stderr is searched for the pid line: a noisy login shell (a .bashrc that warns) may
// write before it, but never this much.
const PID_SEARCH_LIMIT = 64 * 1024;

/** Takes the pid line out of stderr. */
class StderrWithPid {
  /** stderr so far while the pid line is still to come; undefined once it has been found (or given up on) */
  private head: string | undefined = '';
  private readonly chunks: Buffer[] = [];
  private readonly pattern: RegExp;
  pid?: number;

  constructor(tag: string) {
    this.pattern = new RegExp(`(^|\\n)${tag}:(\\d+)\\n`);
  }

  push(chunk: Buffer): void {
    if (this.head === undefined) {
      this.chunks.push(chunk);
      return;
    }
    this.head += chunk.toString('latin1');
    const match = this.pattern.exec(this.head);
    if (match) {
      this.pid = Number(match[2]);
      const before = this.head.slice(0, match.index + match[1].length);
      this.chunks.push(Buffer.from(before + this.head.slice(match.index + match[0].length), 'latin1'));
      this.head = undefined;
    } else if (this.head.length > PID_SEARCH_LIMIT) {
      this.chunks.push(Buffer.from(this.head, 'latin1'));
      this.head = undefined;
    }
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
