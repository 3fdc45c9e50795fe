// Runs one command on an SSH exec channel and gathers its exit status and output.
import { constants as osConstants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import { SshError, commandForMessage } from './errors';
import type { ExecOptions, ExecResult } from './host';
import { exportPrefix } from './shell-quote';

interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(channelId: number, signal: string): void } };
}

/**
 * Asks sshd to SIGKILL the command's process group (OpenSSH answers a "signal" request with killpg).
 * Channel.signal() sends nothing once our side of the channel is ended, and we end it at once to
 * close the command's stdin, so the request goes out through the protocol object as signal() does.
 */
function killRemote(channel: ClientChannel): void {
  const internals = channel as unknown as ChannelInternals;
  if (internals.outgoing?.state === 'open') internals._client?._protocol?.signal(internals.outgoing.id, 'KILL');
}

export function execOnChannel(client: Client, command: string, opts: ExecOptions & { label: string }): Promise<ExecResult> {
  const what = commandForMessage(command);
  return new Promise((resolve, reject) => {
    // variables go in front of the command: sshd drops `env` requests unless its AcceptEnv lists them
    client.exec(exportPrefix(opts.env ?? {}) + command, (err, channel) => {
      if (err) {
        reject(new SshError('disconnected', `cannot start a command on ${opts.label}: ${err.message}: ${what}`));
        return;
      }
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let exit: { code: number; signal?: string } | undefined;
      let timedOut = false;
      const timer = setTimeout(() => {
        // fail now: the channel closes only once the command has really ended
        timedOut = true;
        killRemote(channel);
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
          resolve({ ...exit, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
        }
      });
      channel.end(opts.input ?? '');
    });
  });
}
