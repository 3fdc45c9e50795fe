// Password hashes. etcd stores bcrypt hashes; Node has no bcrypt, so cairn stores scrypt hashes in
// the same field, in a self-describing form: "$scrypt$N$r$p$<salt b64>$<hash b64>". A bcrypt hash
// (from an etcd snapshot) is recognised and refused with a specific error rather than mis-verified.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const prefix = '$scrypt$';
const cost = { N: 16384, r: 8, p: 1 };
const keyLength = 32;

export class PasswordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordError';
  }
}

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { ...params, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password (before it is proposed, so apply stays cheap). */
export async function hashPassword(password: string): Promise<Buffer> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, cost);
  return Buffer.from(`${prefix}${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`);
}

/** @throws PasswordError for a hash cairn cannot verify (bcrypt, or damaged) */
export async function verifyPassword(password: string, stored: Uint8Array): Promise<boolean> {
  const text = Buffer.from(stored).toString();
  if (/^\$2[abxy]?\$/.test(text)) throw new PasswordError('auth: bcrypt password hashes (from etcd) cannot be verified by cairn; change the password');
  const parts = text.slice(prefix.length).split('$');
  if (!text.startsWith(prefix) || parts.length !== 5) throw new PasswordError('auth: unrecognised password hash');
  const [N, r, p] = parts.slice(0, 3).map(Number);
  const expected = Buffer.from(parts[4], 'base64');
  const actual = await derive(password, Buffer.from(parts[3], 'base64'), { N, r, p });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
