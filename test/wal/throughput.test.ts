// Opt-in measurement (CAIRN_WAL_BENCH=1): durable saves per second for batch sizes 1, 10 and
// 100, awaiting each save (one fdatasync per save) and with 8 saves in flight (group commit).
// It checks that every entry reads back; the numbers are printed, never asserted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Wal } from '../../src/wal';
import { META, entries, tempWalDir } from './helpers';

const ENTRY_BYTES = 256;
const SAVES = 400;

async function measure(batch: number, inFlight: number): Promise<string> {
  const { dir, cleanup } = tempWalDir();
  try {
    let syncs = 0;
    const wal = Wal.create(dir, META, { onSync: () => syncs++ });
    const started = process.hrtime.bigint();
    const running = new Set<Promise<void>>();
    for (let s = 0; s < SAVES; s++) {
      const first = s * batch + 1;
      const saved: Promise<void> = wal.save({ term: 1, vote: 1n, commit: first - 1 }, entries(first, first + batch - 1, 1, ENTRY_BYTES)).then(() => {
        running.delete(saved);
      });
      running.add(saved);
      if (running.size >= inFlight) await Promise.race(running);
    }
    await Promise.all(running);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await wal.close();
    const again = Wal.open(dir);
    assert.equal(again.readAll().entries.length, SAVES * batch);
    await again.close();
    const rate = SAVES / seconds;
    return `batch ${String(batch).padStart(3)}, ${inFlight} in flight: ${rate.toFixed(0)} saves/s, ${(rate * batch).toFixed(0)} entries/s, ${syncs} fdatasyncs for ${SAVES} saves`;
  } finally {
    cleanup();
  }
}

/** The disk's own pace for reference: 400 appends of one entry's bytes, each followed by fdatasync. */
function baseline(): string {
  const { dir, cleanup } = tempWalDir();
  try {
    fs.mkdirSync(dir, { recursive: true });
    const fd = fs.openSync(path.join(dir, 'baseline'), 'w+');
    const buf = Buffer.alloc(ENTRY_BYTES + 32, 1);
    const started = process.hrtime.bigint();
    for (let i = 0; i < SAVES; i++) {
      fs.writeSync(fd, buf, 0, buf.length, i * buf.length);
      fs.fdatasyncSync(fd);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    fs.closeSync(fd);
    return `baseline: ${(SAVES / seconds).toFixed(0)} write+fdatasync/s straight from node:fs`;
  } finally {
    cleanup();
  }
}

test('fdatasynced saves per second', { skip: process.env.CAIRN_WAL_BENCH !== '1' && 'set CAIRN_WAL_BENCH=1 to measure' }, async (t) => {
  t.diagnostic(baseline());
  for (const inFlight of [1, 8]) {
    for (const batch of [1, 10, 100]) {
      const line = await measure(batch, inFlight);
      t.diagnostic(line);
    }
  }
});
