// Random damage never crashes the reader: each damaged file reads fine or fails with a
// SnapshotError, never with another exception. Seeded, so a failure reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyValuePair, encodeRevisionKey, isSnapshotError, openSnapshot, snapshotStatus, writeSnapshot } from '../../src/snapshot';

const ROUNDS = 150;

/** xorshift32: a small deterministic generator for the damage. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

test(`${ROUNDS} randomly damaged files: read or refused, never a crash`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-fuzz-'));
  try {
    const good = join(dir, 'good.db');
    const keys: KeyValuePair[] = Array.from({ length: 800 }, (_, i) => [encodeRevisionKey({ main: i + 2, sub: 0 }), Buffer.alloc(i % 50 === 0 ? 5000 : 40, i)]);
    await writeSnapshot(
      [
        { name: 'key', entries: keys },
        { name: 'meta', entries: [[Buffer.from('consistent_index'), Buffer.alloc(8, 1)]] },
        { name: 'lease', entries: Array.from({ length: 60 }, (_, i): KeyValuePair => [Buffer.from([0, 0, 0, 0, 0, 0, 1, i]), Buffer.alloc(12, i)]) },
      ],
      good,
    );
    const { size } = await stat(good);
    const random = rng(0x5eed);
    const outcomes = { read: 0, refused: 0 };
    const bad = join(dir, 'bad.db');
    for (let round = 0; round < ROUNDS; round++) {
      await copyFile(good, bad);
      const fh = await open(bad, 'r+');
      try {
        const flips = 1 + Math.floor(random() * 4);
        for (let f = 0; f < flips; f++) {
          // Mostly page headers and element arrays, where damage matters most.
          const page = Math.floor(random() * (size / 4096));
          const offset = page * 4096 + (random() < 0.7 ? Math.floor(random() * 96) : Math.floor(random() * 4096));
          await fh.write(Buffer.from([Math.floor(random() * 256)]), 0, 1, offset);
        }
        if (random() < 0.1) await fh.truncate(Math.floor(random() * size));
      } finally {
        await fh.close();
      }
      try {
        const reader = await openSnapshot(bad);
        try {
          for await (const b of reader.buckets()) for await (const _ of b.entries);
        } finally {
          await reader.close();
        }
        await snapshotStatus(bad);
        outcomes.read++;
      } catch (err) {
        if (!isSnapshotError(err)) assert.fail(`round ${round}: ${err instanceof Error ? err.stack : String(err)}`);
        outcomes.refused++;
      }
    }
    t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
    assert.equal(outcomes.read + outcomes.refused, ROUNDS);
    assert.ok(outcomes.refused > ROUNDS / 4, `most damage is noticed (${JSON.stringify(outcomes)})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
