// Shared by the wal tests: temporary log directories and entries whose data can be checked.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Entry, WalLogger, WalMetadata } from '../../src/wal';

export const META: WalMetadata = { nodeId: 0x8e9e05c52164694dn, clusterId: 0xcdf818194e3a8c32n };

/** A fresh `<tmp>/member/wal` path (not created) and a function that removes its tree. */
export function tempWalDir(): { dir: string; cleanup: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-wal-'));
  return { dir: path.join(root, 'member', 'wal'), cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The data entry `index` carries in these tests: recognisable, and of varying length. */
export function dataFor(index: number, size = 16 + (index % 40)): Uint8Array {
  const text = `entry-${index}:`;
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = text.charCodeAt(i % text.length);
  return new Uint8Array(out);
}

export function entries(from: number, to: number, term = 1, size?: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ term, index: i, type: 0, data: dataFor(i, size) });
  return out;
}

/** A logger that keeps what it is told. */
export function recordingLogger(): WalLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}
