// OpenSSH's known_hosts format (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"): one key per line as
// `[marker] hosts keytype base64 [comment]`. `hosts` is a comma-separated list of patterns (`*` and `?`
// wildcards, `!` negation, `[host]:port` for a port other than 22) or one hashed name `|1|salt|hmac`,
// the HMAC-SHA1 of the name keyed by the salt, as `ssh-keygen -H` writes it. Malformed lines are skipped,
// as OpenSSH skips them.
import { createHmac } from 'node:crypto';

export type KnownHostMarker = 'revoked' | 'cert-authority';

export interface KnownHostEntry {
  /** 1-based line in the file, for messages */
  line: number;
  marker?: KnownHostMarker;
  /** the host field as written */
  hosts: string;
  keyType: string;
  /** the key blob as it goes over the wire */
  key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+=*$/;

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostMarker | undefined;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift()!.slice(1) as KnownHostMarker;
    else if (fields[0].startsWith('@')) return;
    const [hosts, keyType, base64] = fields;
    if (!hosts || !keyType || !base64 || !BASE64.test(base64)) return;
    entries.push({ line: index + 1, marker, hosts, keyType, key: Buffer.from(base64, 'base64') });
  });
  return entries;
}

/** The name known_hosts stores for a host: the bare address on port 22, `[address]:port` otherwise. */
export function knownHostName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function globMatches(pattern: string, name: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(name);
}

function hashedMatches(field: string, name: string): boolean {
  const [, magic, salt, hash] = field.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

/** Whether an entry's host field names this host (OpenSSH's rules: any positive match, and no negated one). */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatches(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatches(pattern.slice(1), name)) return false;
    } else if (globMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}
