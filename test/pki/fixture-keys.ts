// Pre-generated private keys (made once with openssl, kept in testdata/), served through the PKI
// module's KeyGenerator hook: generating RSA keys in every test would cost seconds each.
import { createPrivateKey, KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KeyAlgorithm, KeyGenerator } from '../../src/pki';

/** The repository root: the nearest directory above this file holding package.json (works from test/ and dist/test/). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10 && !existsSync(path.join(dir, 'package.json')); i++) dir = path.dirname(dir);
  return dir;
}

export const FIXTURE_DIR = path.join(repoRoot(), 'test', 'pki', 'testdata');

/** Every fixture key of one algorithm, in file order. */
export function fixtureKeys(algorithm: KeyAlgorithm): KeyObject[] {
  const files = readdirSync(FIXTURE_DIR).filter((f) => f.startsWith(`${algorithm}-`) && f.endsWith('.key')).sort();
  return files.map((f) => createPrivateKey(readFileSync(path.join(FIXTURE_DIR, f), 'utf8')));
}

/**
 * A generator that hands out the fixture keys of each algorithm in turn, starting over when they
 * run out (12 RSA-2048 keys, 3 of each other kind), so consecutive keys always differ. `skip`
 * starts further along, so two generators can give two trees different keys.
 */
export function fixtureKeyGenerator(skip = 0): KeyGenerator {
  const next = new Map<KeyAlgorithm, number>();
  const cache = new Map<KeyAlgorithm, KeyObject[]>();
  return (algorithm: KeyAlgorithm) => {
    const keys = cache.get(algorithm) ?? fixtureKeys(algorithm);
    cache.set(algorithm, keys);
    if (keys.length === 0) throw new Error(`no fixture keys for ${algorithm}`);
    const i = next.get(algorithm) ?? skip;
    next.set(algorithm, i + 1);
    return keys[i % keys.length];
  };
}
