// Our writer -> real etcd 3.4: a file written from etcd's bucket schema passes the real
// `etcdctl snapshot status` with the numbers we compute, `etcdctl snapshot restore` builds a data
// dir from it, and real etcd started there serves every key with its value, revisions, version
// and lease, now and at old revisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KeyValuePair,
  appendSha256Trailer,
  checkSnapshotHash,
  etcdSnapshotSource,
  readEtcdSnapshot,
  snapshotStatus,
  writeSnapshot,
} from '../../src/snapshot';
import { freePort } from '../support/ports';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { etcdctl, etcdctlSnapshotStatus } from './etcdctl';
import { KeyBucketModel, parseEtcdctlGet, visibleAt } from './kv-model';

const skip = hasRealEtcd() ? false : 'Debian etcd-server is not installed';

test('a snapshot written by cairn is restored by real etcd 3.4 with every key, revision and lease', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-restore-'));
  try {
    const leaseId = 0x694d7e3a5c1b2f08n;
    const model = new KeyBucketModel();
    model.txn([{ put: 'a', value: '1' }]);
    model.txn([{ put: 'a', value: '2' }]);
    model.txn([{ put: 'b', value: 'deleted later' }]);
    model.txn([{ put: 'p/1', value: 'x' }, { put: 'p/2', value: 'y' }]);
    const compactAt = model.revision;
    model.txn([{ del: 'b' }]);
    model.txn([{ put: 'a', value: '3' }]);
    model.txn([{ del: 'p/1' }, { del: 'p/2' }]);
    model.txn([{ put: 'leased', value: 'v', lease: leaseId }]);
    model.txn([{ put: 'big', value: 'z'.repeat(10_000) }, { put: 'binary\u00ff', value: 'line\nbreak' }]);
    for (let i = 0; i < 300; i++) model.txn([{ put: `many/${String(i).padStart(4, '0')}`, value: `value ${i}` }]);
    model.compact(compactAt);

    const path = join(dir, 'cairn.db');
    const content = {
      consistentIndex: 1234n,
      scheduledCompactRevision: compactAt,
      finishedCompactRevision: compactAt,
      leases: [{ id: leaseId, ttl: 3600, remainingTtl: 0 }],
      members: [{ id: 0x8e9e05c52164694dn, name: 'old', peerURLs: ['http://127.0.0.1:1'], clientURLs: ['http://127.0.0.1:2'], isLearner: false }],
      removedMemberIds: [0x1234n],
      clusterVersion: '3.4.0',
      auth: { enabled: false, revision: 1n, users: [], roles: [] },
      alarms: [],
    };
    await writeSnapshot(etcdSnapshotSource({ kvs: model.pairs(), ...content }), path);
    await appendSha256Trailer(path);
    const keyPairs: KeyValuePair[] = [];
    const readBack = await readEtcdSnapshot(path, { onKeyBucketPair: (k, v) => void keyPairs.push([k, v]) });
    assert.deepEqual(readBack, { ...content, keyBucketPairs: model.entries.length, otherBuckets: [] });
    assert.deepEqual(keyPairs, model.pairs().map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
    assert.equal((await checkSnapshotHash(path)).verified, true);
    const ours = await snapshotStatus(path);
    assert.deepEqual(await etcdctlSnapshotStatus(path), ours);
    assert.equal(ours.revision, model.revision);

    const peerPort = await freePort();
    const dataDir = join(dir, 'restored');
    await etcdctl([
      'snapshot', 'restore', path,
      '--name', 'restored',
      '--data-dir', dataDir,
      '--initial-cluster', `restored=http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    ]);
    const etcd = await startRealEtcd({ dataDir, name: 'restored' });
    try {
      const ctl = (...args: string[]): Promise<string> => etcdctl(['--endpoints', etcd.endpoint, ...args]);
      const now = parseEtcdctlGet(await ctl('get', '', '--from-key', '-w', 'json'));
      assert.equal(now.revision, model.revision);
      assert.deepEqual(now.kvs, visibleAt(model.entries, model.revision));
      for (const rev of [compactAt, compactAt + 1, compactAt + 3, compactAt + 5]) {
        const then = parseEtcdctlGet(await ctl('get', '', '--from-key', '--rev', String(rev), '-w', 'json'));
        assert.deepEqual(then.kvs, visibleAt(model.entries, rev), `range at revision ${rev}`);
      }
      await assert.rejects(ctl('get', 'a', '--rev', String(compactAt - 1)), /required revision has been compacted/);
      const ttl = await ctl('lease', 'timetolive', leaseId.toString(16), '--keys');
      assert.match(ttl, /granted with TTL\(3600s\)/);
      assert.match(ttl, /attached keys\(\[leased\]\)/);
    } finally {
      await etcd.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
