// Key material for the sshd test hosts, made with the real ssh-keygen so the files are exactly what
// an operator's machine would hold.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KEYGEN_TIMEOUT_MS = 10_000;

/** Writes an unencrypted key pair at `path` (private, mode 0600) and `path.pub`; returns the public line. */
export async function generateKeyPair(path: string, opts: { type?: 'ed25519' | 'ecdsa' | 'rsa'; comment?: string } = {}): Promise<string> {
  const type = opts.type ?? 'ed25519';
  const args = ['-q', '-t', type, '-N', '', '-C', opts.comment ?? 'cairn-test', '-f', path];
  if (type === 'rsa') args.push('-b', '2048');
  await run('ssh-keygen', args, { timeout: KEYGEN_TIMEOUT_MS });
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** The `type base64` part of a public key line, without the comment. */
export function publicKeyBody(publicLine: string): string {
  return publicLine.split(/\s+/).slice(0, 2).join(' ');
}

/**
 * The known_hosts host field OpenSSH writes for an address and port. Kept apart from src/ssh's own
 * on purpose: the harness writes what OpenSSH writes, so the tests check src/ssh against the format
 * rather than against itself.
 */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}
