// Checks the key a server offers against known_hosts, and writes the refusal the way an operator can
// act on: the key type and its SHA256 fingerprint (as `ssh-keygen -lf` and ssh print it), the
// known_hosts line at fault, and the command that trusts the key once it has been checked.
import { createHash } from 'node:crypto';
import { SshError } from './errors';
import { hostFieldMatches, knownHostName, type KnownHostEntry } from './known-hosts';
import { shellQuote } from './shell-quote';

export interface HostKeyTarget {
  /** how messages name the host, e.g. `node1 (root@10.0.0.1:22)` */
  label: string;
  address: string;
  port: number;
  knownHostsFile: string;
}

/** The key type written at the start of an SSH public key blob (e.g. `ssh-ed25519`). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  if (length > blob.length - 4 || length > 64) return 'unknown';
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** `SHA256:` + unpadded base64 of the blob's SHA-256, OpenSSH's default fingerprint. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

// The server host key algorithms ssh2 supports on Node 20, in its default order of preference.
const SUPPORTED_HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/** The host key algorithms to offer, those known_hosts has keys of first, so the server offers a key we can check. */
export function hostKeyAlgorithmsFor(entries: KnownHostEntry[], target: HostKeyTarget): string[] {
  const supported = SUPPORTED_HOST_KEY_ALGORITHMS;
  const name = knownHostName(target.address, target.port);
  const known = new Set(entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, name)).map((e) => e.keyType));
  const algorithmsOf = (type: string) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]);
  const preferred = supported.filter((algorithm) => [...known].some((type) => algorithmsOf(type).includes(algorithm)));
  return [...preferred, ...supported.filter((algorithm) => !preferred.includes(algorithm))];
}

/** Where a Debian sshd keeps its host key of this type, for the command that shows its fingerprint. */
function hostKeyFileFor(keyType: string): string {
  const short = keyType.startsWith('ecdsa-') ? 'ecdsa' : keyType.replace(/^ssh-/, '');
  return `/etc/ssh/ssh_host_${short}_key.pub`;
}

function trustCommand(target: HostKeyTarget, keyType: string): string {
  return `ssh-keyscan -p ${target.port} -t ${keyType} ${target.address} >> ${shellQuote(target.knownHostsFile)}`;
}

/** Throws the SshError that stops the connection, or returns when known_hosts lists exactly this key for the host. */
export function verifyHostKey(entries: KnownHostEntry[], target: HostKeyTarget, blob: Buffer): void {
  const keyType = keyTypeOf(blob);
  const offered = `${keyType} key ${fingerprintOf(blob)}`;
  const file = target.knownHostsFile;
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(blob));
  if (revoked) {
    throw new SshError('host-key-revoked', `host key of ${target.label} is revoked: the server offers ${offered}, which ${file}:${revoked.line} marks @revoked; do not connect until the host has a new key`);
  }
  const name = knownHostName(target.address, target.port);
  const forHost = entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, name));
  if (forHost.some((e) => e.key.equals(blob))) return;
  const sameType = forHost.find((e) => e.keyType === keyType);
  if (sameType) {
    throw new SshError(
      'host-key-changed',
      `host key of ${target.label} has changed: the server offers ${offered}, but ${file}:${sameType.line} holds a different ${keyType} key (${fingerprintOf(sameType.key)}); ` +
        `someone may be intercepting the connection, or the host was reinstalled; if the change is expected, check the new fingerprint on the host, ` +
        `then replace the old key: ssh-keygen -R ${shellQuote(name)} -f ${shellQuote(file)} && ${trustCommand(target, keyType)}`,
    );
  }
  const otherTypes = [...new Set(forHost.map((e) => e.keyType))];
  const note = otherTypes.length > 0 ? ` (it has ${otherTypes.join(', ')} keys for this host, not ${keyType})` : '';
  throw new SshError(
    'host-key-unknown',
    `host key of ${target.label} is not known: the server offers ${offered}, which ${file} does not list${note}; ` +
      `check the fingerprint on the host (ssh-keygen -lf ${hostKeyFileFor(keyType)}), then trust it: ${trustCommand(target, keyType)}`,
  );
}
