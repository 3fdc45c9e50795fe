// Host over SSH (ssh2): one connection per host, opened on first use and reopened after it drops;
// commands on exec channels, files over SFTP. The host key is checked against known_hosts on every
// connect, and an unknown or changed key stops the connection.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { checkExecOptions, checkMode, checkPath, checkRemovable, checkSource } from './checks';
import { Connection, type ConnectionSettings } from './connection';
import { SshError, hostPort } from './errors';
import type { ExecOptions, ExecResult, Host, RemoveOptions, UploadOptions, UploadSource } from './host';
import { execOnChannel } from './remote-exec';
import { sftpExists, sftpRead, sftpUpload } from './sftp-files';
import { shellCommand } from './shell-quote';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const REMOVE_TIMEOUT_MS = 120_000;

export interface SshHostOptions {
  /** IP address or DNS name of the host */
  address: string;
  /** default 22 */
  port?: number;
  /** default root */
  user?: string;
  /** the name used in messages (default: the address) */
  name?: string;
  /** private key file (`~/` is expanded); without it, the keys of the ssh-agent at SSH_AUTH_SOCK are used */
  keyFile?: string;
  passphrase?: string;
  /** ssh-agent socket (default: $SSH_AUTH_SOCK when no keyFile is given) */
  agent?: string;
  /** default ~/.ssh/known_hosts (`~/` is expanded) */
  knownHosts?: string;
  /** bound on TCP connect + handshake + login (default 10 s) */
  connectTimeoutMs?: number;
}

/** `~/x` as OpenSSH reads it in its config: under the home directory of the user running the tool. */
function expandHome(path: string | undefined): string | undefined {
  return path?.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

export class SshHost implements Host {
  readonly name: string;
  readonly address: string;
  private readonly settings: ConnectionSettings;
  private connection?: Promise<Connection>;

  constructor(opts: SshHostOptions) {
    if (typeof opts?.address !== 'string' || opts.address === '') throw new SshError('invalid-argument', 'a host needs an address');
    const port = opts.port ?? 22;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshError('invalid-argument', `invalid port ${port} for ${opts.address}`);
    const user = opts.user ?? 'root';
    this.address = `${user}@${hostPort(opts.address, port)}`;
    this.name = opts.name ?? opts.address;
    this.settings = {
      label: this.name === opts.address ? this.address : `${this.name} (${this.address})`,
      address: opts.address,
      port,
      user,
      keyFile: expandHome(opts.keyFile),
      passphrase: opts.passphrase,
      agent: opts.agent ?? (opts.keyFile ? undefined : process.env.SSH_AUTH_SOCK || undefined),
      knownHostsFile: expandHome(opts.knownHosts ?? '~/.ssh/known_hosts')!,
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    };
  }

  /** Opens the connection now (it opens on first use otherwise): a preflight check of reachability, host key and login. */
  async connect(): Promise<void> {
    await this.open();
  }

  async exec(command: string, opts: ExecOptions): Promise<ExecResult> {
    checkExecOptions(opts);
    const connection = await this.open();
    return connection.channels.run(() => execOnChannel(connection.client, command, { ...opts, label: this.settings.label }));
  }

  async upload(path: string, source: UploadSource, opts: UploadOptions): Promise<void> {
    checkPath(path);
    checkMode(opts);
    checkSource(source);
    await this.withSftp(`write ${path}`, (sftp) => sftpUpload(sftp, path, source, opts.mode));
  }

  async read(path: string): Promise<Buffer> {
    checkPath(path);
    return this.withSftp(`read ${path}`, (sftp) => sftpRead(sftp, path));
  }

  async exists(path: string): Promise<boolean> {
    checkPath(path);
    return this.withSftp(`check ${path}`, (sftp) => sftpExists(sftp, path));
  }

  async remove(path: string, opts: RemoveOptions = {}): Promise<void> {
    checkRemovable(path);
    // rm rather than SFTP: SFTP has no recursive remove, and one rm keeps both cases alike
    const command = shellCommand(['rm', opts.recursive ? '-rf' : '-f', '--', path]);
    const result = await this.exec(command, { timeoutMs: REMOVE_TIMEOUT_MS });
    if (result.code !== 0) throw new SshError('remote', `cannot remove ${path} on ${this.settings.label}: ${result.stderr.trim() || `rm exited ${result.code}`}`);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.end();
  }

  private open(): Promise<Connection> {
    const current = this.connection;
    if (current) {
      return current.then(
        (c) => (c.isOpen ? c : this.reopen(current)),
        () => this.reopen(current),
      );
    }
    return this.reopen(current);
  }

  /** A new connection unless another caller has already replaced `stale`. */
  private reopen(stale: Promise<Connection> | undefined): Promise<Connection> {
    if (this.connection === stale) this.connection = Connection.open(this.settings);
    return this.connection!;
  }

  private async withSftp<T>(what: string, action: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const connection = await this.open();
    try {
      return await action(await connection.sftp());
    } catch (err) {
      if (err instanceof SshError) throw err;
      const lost = !connection.isOpen ? 'the connection was lost: ' : '';
      throw new SshError(lost ? 'disconnected' : 'remote', `cannot ${what} on ${this.settings.label}: ${lost}${(err as Error).message}`);
    }
  }
}
