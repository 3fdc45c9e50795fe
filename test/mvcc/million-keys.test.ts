// Scale: N keys with 256-byte values, then a restart. Reports wall and CPU time to load and
// reopen (CPU time means something on a busy machine) and the heap the index holds. N is 20,000 by default; CAIRN_MVCC_KEYS=1000000 runs the full size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b, openTestStore } from './helpers';

const N = Number(process.env.CAIRN_MVCC_KEYS ?? 20000);
const BATCH = 1000;

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / (1 << 20);
}

test(`${N} keys of 256-byte values: load, reopen, read`, { timeout: 30 * 60 * 1000 }, async () => {
  const t = openTestStore();
  try {
    const value = Buffer.alloc(256, 0x61);
    const heapBefore = heapMiB();
    const loadStart = process.hrtime.bigint();
    const loadCpu = process.cpuUsage();
    for (let i = 0; i < N; i += BATCH) {
      t.apply((w) => {
        for (let j = i; j < Math.min(N, i + BATCH); j++) w.put({ key: b(`/registry/pods/ns-${j % 100}/pod-${j}`), value });
      });
    }
    const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
    const loadCpuUs = process.cpuUsage(loadCpu);
    await t.store.sync();
    const openStart = process.hrtime.bigint();
    const openCpu = process.cpuUsage();
    await t.reopen();
    const openMs = Number(process.hrtime.bigint() - openStart) / 1e6;
    const openCpuUs = process.cpuUsage(openCpu);
    const heapAfter = heapMiB();
    assert.equal(t.store.currentRevision, N + 1);
    const one = t.store.range({ key: b(`/registry/pods/ns-7/pod-${N - 93}`) });
    assert.equal(one.kvs[0].value.length, 256);
    const countStart = process.hrtime.bigint();
    const all = t.store.range({ key: b('/registry/'), rangeEnd: b('/registry0'), countOnly: true });
    const countMs = Number(process.hrtime.bigint() - countStart) / 1e6;
    assert.equal(all.count, N);
    const page = t.store.range({ key: b('/registry/pods/ns-5/'), rangeEnd: b('/registry/pods/ns-50'), limit: 100 });
    assert.deepEqual([page.kvs.length, page.more], [100, true]);
    const report = {
      keys: N,
      loadSeconds: +(loadMs / 1000).toFixed(2),
      loadCpuSeconds: +((loadCpuUs.user + loadCpuUs.system) / 1e6).toFixed(2),
      reopenSeconds: +(openMs / 1000).toFixed(2),
      reopenCpuSeconds: +((openCpuUs.user + openCpuUs.system) / 1e6).toFixed(2),
      indexHeapMiB: +(heapAfter - heapBefore).toFixed(1),
      bytesPerKey: Math.round(((heapAfter - heapBefore) * (1 << 20)) / N),
      rssMiB: Math.round(process.memoryUsage().rss / (1 << 20)),
      countAllMs: Math.round(countMs),
      dbFileMiB: Math.round(t.store.backend.size() / (1 << 20)),
    };
    console.log(`# mvcc scale: ${JSON.stringify(report)}`);
  } finally {
    await t.cleanup();
  }
});
