// etcd's "simple" tokens: a random 16-letter prefix chosen before proposing, completed by apply with
// "." and a per-request number, kept in memory on every member that applied the Authenticate. A
// token lives 5 minutes (etcd's default) from its last use; disabling auth or deleting the user drops it.
import { randomInt } from 'node:crypto';

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const prefixLength = 16;
export const simpleTokenTtlMs = 5 * 60 * 1000;

export function newTokenPrefix(): string {
  let out = '';
  for (let i = 0; i < prefixLength; i++) out += letters[randomInt(letters.length)];
  return out;
}

interface Held {
  user: string;
  expiresAt: number;
}

export class SimpleTokens {
  private readonly tokens = new Map<string, Held>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  assign(prefix: string, suffix: bigint, user: string): string {
    const token = `${prefix}.${suffix}`;
    this.tokens.set(token, { user, expiresAt: this.now() + simpleTokenTtlMs });
    return token;
  }

  /** The user a live token belongs to, extending its life; undefined for an unknown or expired token. */
  user(token: string): string | undefined {
    const held = this.tokens.get(token);
    if (held === undefined) return undefined;
    const now = this.now();
    if (held.expiresAt <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    held.expiresAt = now + simpleTokenTtlMs;
    return held.user;
  }

  invalidateUser(user: string): void {
    for (const [token, held] of this.tokens) if (held.user === user) this.tokens.delete(token);
  }

  clear(): void {
    this.tokens.clear();
  }
}
