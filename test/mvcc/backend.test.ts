import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { b, openTestStore, show } from './helpers';

test('defragment shrinks the file after compaction; data, writes and restart are intact', async () => {
  const t = openTestStore();
  try {
    const value = Buffer.alloc(2048, 0x62);
    for (let round = 0; round < 4; round++) {
      t.apply((w) => {
        for (let i = 0; i < 500; i++) w.put({ key: b(`key-${i}`), value });
      });
    }
    t.apply((w) => w.deleteRange({ key: b('key-1'), rangeEnd: b('key-9') }));
    await t.apply((w) => w.compact(t.store.currentRevision)).physical;
    t.apply((w) => w.backend.put('lease', b('lease-1'), b('record')));
    await t.store.backend.sync(); // the file's size is as of the last commit
    const before = { size: t.store.backend.size(), inUse: t.store.backend.sizeInUse(), hash: t.store.hash().hash, kv: t.store.hashKV(0) };
    assert.ok(before.inUse < before.size, 'compaction left free pages');
    const snap = t.store.snapshot();
    await assert.rejects(t.store.defragment(), /snapshot/);
    snap.close();
    await t.store.defragment();
    const after = t.store.backend.size();
    assert.ok(after < before.size / 2, `file ${before.size} -> ${after} bytes`);
    assert.equal(t.store.hash().hash, before.hash);
    assert.deepEqual(t.store.hashKV(0), before.kv);
    t.apply((w) => w.put({ key: b('key-0'), value: b('new') }));
    await t.reopen();
    assert.deepEqual(t.store.range({ key: b('key-0') }).kvs.map(show), [`key-0=new@2/${t.store.currentRevision}/5`]);
    assert.equal(t.store.range({ key: b('key-'), rangeEnd: b('key.'), countOnly: true }).count, 12, 'key-0, key-9, key-90..key-99');
    const s2 = t.store.snapshot();
    try {
      assert.deepEqual(s2.get('lease', b('lease-1')), b('record'));
    } finally {
      s2.close();
    }
  } finally {
    await t.cleanup();
  }
});

test('a defragment cut off between its renames is finished on open', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('k'), value: b('v') }));
    await t.store.close();
    // the state after `db` moved to `db.old` and before `db.defrag` became `db`
    const dir = path.join(t.dataDir, 'member', 'db');
    fs.renameSync(dir, `${dir}.defrag`);
    fs.mkdirSync(`${dir}.old`);
    await t.reopen();
    assert.deepEqual(t.store.range({ key: b('k') }).kvs.map(show), ['k=v@2/2/1']);
    assert.equal(fs.existsSync(`${dir}.old`), false);
    assert.equal(fs.existsSync(`${dir}.defrag`), false);
  } finally {
    await t.cleanup();
  }
});

test('other sub-databases are written in the same transaction as the batch', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => {
      w.put({ key: b('k'), value: b('1') });
      w.backend.put('lease', b('L1'), b('ttl=10'));
      w.backend.put('members', b('m1'), b('member'));
    });
    assert.throws(() =>
      t.apply((w) => {
        w.backend.put('lease', b('L2'), b('ttl=5'));
        w.backend.delete('members', b('m1'));
        w.put({ key: b('k'), value: b('2') });
        throw new Error('apply failed');
      }),
    );
    const get = (db: 'lease' | 'members', key: string) => t.store.backend.get(db, b(key))?.toString();
    assert.deepEqual([get('lease', 'L1'), get('lease', 'L2'), get('members', 'm1')], ['ttl=10', undefined, 'member']);
    assert.deepEqual(t.store.range({ key: b('k') }).kvs.map(show), ['k=1@2/2/1']);
    assert.equal(t.store.consistentIndex, 1);
  } finally {
    await t.cleanup();
  }
});

test('a snapshot is one point in time: later writes do not show in it', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    const snap = t.store.snapshot();
    try {
      t.apply((w) => w.put({ key: b('b'), value: b('2') }));
      t.apply((w) => w.backend.put('alarm', b('x'), b('y')));
      assert.equal(snap.consistentIndex, 1);
      assert.equal([...snap.entries('key')].length, 1);
      assert.equal([...snap.entries('alarm')].length, 0);
      assert.deepEqual(snap.databases, [...snap.databases].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    } finally {
      snap.close();
    }
    const now = t.store.snapshot();
    try {
      assert.equal(now.consistentIndex, 3);
      assert.equal([...now.entries('key')].length, 2);
    } finally {
      now.close();
    }
  } finally {
    await t.cleanup();
  }
});

test('replaceContents swaps in new contents; a snapshot open across the swap reads the old ones (and is counted open); restart keeps the new', async () => {
  const other = openTestStore();
  const t = openTestStore();
  try {
    other.apply((w) => {
      for (let i = 0; i < 50; i++) w.put({ key: b(`new-${i}`), value: b(`n${i}`) });
    });
    t.apply((w) => w.put({ key: b('old'), value: b('o') }));
    const image = other.store.snapshot();
    // lmdb-js's read transaction for plain reads, and each snapshot not closed
    assert.equal(t.store.backend.openReadTransactions(), 1);
    const open = t.store.snapshot();
    assert.equal(t.store.backend.openReadTransactions(), 2);
    const loaded: number[] = [];
    await t.store.replaceContents(
      async (write) => {
        for (const name of image.databases) write(name, (function* () {
          for (const { key, value } of image.entries(name)) yield [key, value] as const;
        })());
      },
      (contents) => loaded.push(contents.consistentIndex),
    );
    image.close();
    assert.equal(loaded.length, 1, 'the loaded hook saw the new contents once');
    assert.equal([...open.entries('key')].length, 1, 'the open snapshot sees the old contents');
    assert.equal(t.store.backend.openReadTransactions(), 2, 'the snapshot on the old contents is still open');
    open.close();
    assert.equal(t.store.backend.openReadTransactions(), 1);
    assert.equal(t.store.range({ key: b('old') }).count, 0);
    assert.equal(t.store.range({ key: b('new-'), rangeEnd: b('new.'), countOnly: true }).count, 50);
    assert.equal(t.store.currentRevision, other.store.currentRevision);
    await t.reopen();
    assert.equal(t.store.range({ key: b('new-'), rangeEnd: b('new.'), countOnly: true }).count, 50);
  } finally {
    await t.cleanup();
    await other.cleanup();
  }
});

test('applied writes wait in one batch transaction: reads see them at once, a process killed before its commit restarts at the last commit', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-batch-'));
  try {
    // The child applies twice, syncs after the first (a commit), and dies by SIGKILL right after the
    // second: no timer runs in between, so the second is not committed (the WAL replays such entries).
    const script = `
      const { Backend, openStore } = require(${JSON.stringify(path.resolve(__dirname, '../../src/mvcc'))});
      const store = openStore(Backend.open(${JSON.stringify(dataDir)}));
      store.applyBatch(1, (w) => w.put({ key: Buffer.from('a'), value: Buffer.from('1') }));
      store.backend.sync().then(() => {
        store.applyBatch(2, (w) => w.put({ key: Buffer.from('b'), value: Buffer.from('2') }));
        const seen = store.range({ key: Buffer.from('b') }).kvs.length;
        process.stdout.write(String(seen), () => process.kill(process.pid, 'SIGKILL'));
      });`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    assert.equal(child.stdout, '1', 'the uncommitted put is read by the process that applied it');
    const t = openTestStore({}, dataDir);
    try {
      assert.equal(t.store.consistentIndex, 1);
      assert.deepEqual(t.store.range({ key: b('a'), rangeEnd: b('z') }).kvs.map(show), ['a=1@2/2/1']);
      // Applied again (as the WAL replays it), then closed: close commits the batch.
      t.apply((w) => w.put({ key: b('b'), value: b('2') }));
      await t.reopen();
      assert.equal(t.store.consistentIndex, 2);
      assert.deepEqual(t.store.range({ key: b('a'), rangeEnd: b('z') }).kvs.map(show), ['a=1@2/2/1', 'b=2@3/3/1']);
    } finally {
      await t.cleanup();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a batch commits when it reaches the batch limit, and not before its interval otherwise', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-batch-'));
  // What another process finds committed: the consistent index, read without taking LMDB's writer lock.
  const committedIndex = () => {
    const script = `const { open } = require(${JSON.stringify(require.resolve('lmdb'))});
      const env = open({ path: ${JSON.stringify(path.join(dataDir, 'member', 'db'))}, readOnly: true, maxDbs: 16, keyEncoding: 'binary', encoding: 'binary' });
      const index = env.openDB({ name: 'meta', keyEncoding: 'binary', encoding: 'binary' }).get(Buffer.from('consistent_index'));
      process.stdout.write(String(index === undefined ? 0 : Number(index.readBigUInt64BE())));`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.status, 0, child.stderr);
    return Number(child.stdout);
  };
  const t = openTestStore({}, dataDir, { batchIntervalMs: 60_000, batchLimit: 3 });
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    assert.equal(committedIndex(), 0, 'one put (and the consistent index) waits for its batch');
    t.apply((w) => w.put({ key: b('b'), value: b('2') }));
    assert.equal(committedIndex(), 2, 'the second apply took the batch to its limit of 3 writes');
    t.apply((w) => w.put({ key: b('c'), value: b('3') }));
    assert.equal(committedIndex(), 2);
    await t.store.backend.sync();
    assert.equal(committedIndex(), 3);
  } finally {
    await t.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
