// One authenticated SSH connection with a verified host key. SshHost keeps one per host and runs
// every command and file transfer over it, as channels.
import { readFile } from 'node:fs/promises';
import { Client, type ConnectConfig, type ServerHostKeyAlgorithm, type SFTPWrapper } from 'ssh2';
import { connectError, type ConnectStage } from './connect-errors';
import { SshError } from './errors';
import { hostKeyAlgorithmsFor, verifyHostKey, type HostKeyTarget } from './host-key';
import { parseKnownHosts, type KnownHostEntry } from './known-hosts';
import { Limiter } from './limiter';

// Below OpenSSH's default MaxSessions (10), leaving room for the sftp channel.
const MAX_CHANNELS = 8;
// A dead peer is noticed after about 3 x 5 s, and every request waiting on it then fails.
const KEEPALIVE_INTERVAL_MS = 5_000;
const KEEPALIVE_COUNT_MAX = 3;

export interface ConnectionSettings extends HostKeyTarget {
  user: string;
  keyFile?: string;
  passphrase?: string;
  /** the ssh-agent socket */
  agent?: string;
  connectTimeoutMs: number;
}

async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // every key is then unknown, and the message says how to add it
    throw new SshError('invalid-argument', `cannot read known_hosts file ${file}: ${(err as Error).message}`);
  }
}

async function readPrivateKey(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new SshError('bad-key', `cannot read private key ${file}: ${(err as Error).message}`);
  }
}

function describeCredentials(s: ConnectionSettings): string {
  const parts = [];
  if (s.keyFile) parts.push(`key ${s.keyFile}`);
  if (s.agent) parts.push(`the keys of ssh-agent at ${s.agent}`);
  return parts.join(' and ');
}

export class Connection {
  private closed = false;
  private sftpSession?: Promise<SFTPWrapper>;
  readonly channels = new Limiter(MAX_CHANNELS);

  private constructor(readonly client: Client) {
    client.on('close', () => {
      this.closed = true;
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  static async open(s: ConnectionSettings): Promise<Connection> {
    const entries = await readKnownHosts(s.knownHostsFile);
    const privateKey = s.keyFile ? await readPrivateKey(s.keyFile) : undefined;
    if (!privateKey && !s.agent) {
      throw new SshError('no-credentials', `no credentials for ${s.label}: set a private key file for the host, or start ssh-agent and set SSH_AUTH_SOCK`);
    }
    const client = new Client();
    // ssh2 may emit several errors for one failure; the first decides. After login, failures reach
    // the waiting requests through 'close'.
    client.on('error', () => undefined);
    let stage: ConnectStage = 'tcp';
    let hostKeyError: SshError | undefined;
    const config: ConnectConfig = {
      host: s.address,
      port: s.port,
      username: s.user,
      privateKey,
      passphrase: s.passphrase,
      agent: s.agent,
      readyTimeout: s.connectTimeoutMs,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      algorithms: { serverHostKey: hostKeyAlgorithmsFor(entries, s) as ServerHostKeyAlgorithm[] },
      hostVerifier: (key: Buffer) => {
        try {
          verifyHostKey(entries, s, key);
          return true;
        } catch (err) {
          hostKeyError = err as SshError;
          return false;
        }
      },
    };
    return new Promise((resolve, reject) => {
      const onError = (err: Error & { level?: string; code?: string }) => {
        client.end();
        reject(hostKeyError ?? connectError(err, { ...s, stage, timeoutMs: s.connectTimeoutMs, credentials: describeCredentials(s) }));
      };
      client.on('connect', () => (stage = 'handshake'));
      client.on('handshake', () => (stage = 'auth'));
      client.once('error', onError);
      // a close without an error first (a no-op once settled)
      client.once('close', () => reject(new SshError('disconnected', `cannot connect to ${s.label}: the connection closed before login finished`)));
      client.once('ready', () => {
        client.removeListener('error', onError);
        resolve(new Connection(client));
      });
      try {
        client.connect(config);
      } catch (err) {
        // ssh2 checks the key before it opens the socket
        const hint = /passphrase/i.test((err as Error).message) ? '; give its passphrase or load it into ssh-agent' : '';
        reject(new SshError('bad-key', `private key ${s.keyFile} is not usable: ${(err as Error).message}${hint}`));
      }
    });
  }

  sftp(): Promise<SFTPWrapper> {
    if (!this.sftpSession) {
      this.sftpSession = new Promise((resolve, reject) => {
        this.client.sftp((err, sftp) => {
          if (err) {
            this.sftpSession = undefined;
            reject(err);
            return;
          }
          sftp.on('close', () => (this.sftpSession = undefined));
          resolve(sftp);
        });
      });
    }
    return this.sftpSession;
  }

  end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.client.once('close', () => resolve());
      this.client.end();
    });
  }
}
