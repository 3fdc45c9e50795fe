// cairnadm backup and restore on a real three-member cluster over SSH (sshd test hosts, process
// runtime): keys written before the backup come back, keys written (or deleted) after it are
// undone, every member agrees (HashKV), and a missing, damaged or unconfirmed snapshot changes
// nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdserverpb } from '../../src/api';
import { EtcdClient } from '../../src/client';
import { cairnadm } from './adm-process';
import { initThreeHosts, ROOT } from './ssh-cluster';

const KV = etcdserverpb.KVService;
const put = (c: EtcdClient, key: string, value: string) => c.unary(KV.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.from(key), value: Buffer.from(value) }));

async function keysOn(client: EtcdClient, endpoint: string): Promise<Map<string, string>> {
  const one = client.forEndpoint(endpoint);
  try {
    const res = await one.unary(KV.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]) }), { idempotent: true });
    return new Map(res.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]));
  } finally {
    one.close();
  }
}

test('backup, then restore every member from it', { skip: ROOT ? false : 'needs root for sshd test hosts', timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'adm-backup-'));
  const { file, endpoints, creds, client } = await initThreeHosts(t, dir);
  for (let i = 0; i < 50; i++) await put(client, `before-${i}`, `b${i}`);

  const snap = join(dir, 'snap.db');
  const backup = await cairnadm(['backup', '--config', file, '--output', snap, '--with-pki']);
  assert.equal(backup.code, 0, backup.stderr + backup.stdout);
  assert.match(backup.stdout, new RegExp(`\\[snapshot\\] saved ${snap} from cp-1: revision \\d+, \\d+ keys, \\d+ bytes, sha256 [0-9a-f]{64}`));
  assert.match(execFileSync('sha256sum', ['-c', 'snap.db.sha256'], { cwd: dir, encoding: 'utf8' }), /snap\.db: OK/);
  // the real etcdctl reads it as an etcd snapshot
  const status = JSON.parse(execFileSync('etcdctl', ['snapshot', 'status', snap, '-w', 'json'], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' })) as { revision: number };
  assert.ok(status.revision >= 50);
  assert.equal(readFileSync(join(dir, 'snap.db.pki', 'etcd', 'ca.crt'), 'utf8'), readFileSync(`${creds}/ca.crt`, 'utf8'));
  assert.equal(statSync(join(dir, 'snap.db.pki', 'etcd', 'ca.key')).mode & 0o777, 0o600);
  const again = await cairnadm(['backup', '--config', file, '--output', snap]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /snap\.db exists; choose another --output file, or move it away/);

  // after the backup: more keys, and one of the backed-up keys deleted
  for (let i = 0; i < 20; i++) await put(client, `after-${i}`, `a${i}`);
  await client.unary(KV.deleteRange, etcdserverpb.DeleteRangeRequest.fromPartial({ key: Buffer.from('before-0') }));

  await t.test('a missing, damaged or unconfirmed snapshot changes nothing', async () => {
    const missing = await cairnadm(['restore', '--config', file, '--snapshot', join(dir, 'nope.db'), '--force']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error execution phase check: --snapshot .*nope\.db: no such file; give the file cairnadm backup \(or etcdctl snapshot save\) wrote/);

    const damaged = join(dir, 'damaged.db');
    copyFileSync(snap, damaged);
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.from('garbage!'), 0, 8, 4096 * 2 + 100);
    closeSync(fd);
    const noSum = await cairnadm(['restore', '--config', file, '--snapshot', damaged, '--force']);
    assert.equal(noSum.code, 1);
    assert.match(noSum.stderr, /damaged\.db is not a usable snapshot: .*; restore from another backup/);
    writeFileSync(`${damaged}.sha256`, readFileSync(`${snap}.sha256`, 'utf8').replace('snap.db', 'damaged.db'));
    const badSum = await cairnadm(['restore', '--config', file, '--snapshot', damaged, '--force']);
    assert.equal(badSum.code, 1);
    assert.match(badSum.stderr, /damaged\.db: sha256 [0-9a-f]{64} differs from [0-9a-f]{64} recorded in .*damaged\.db\.sha256; the file is damaged/);

    const unconfirmed = await cairnadm(['restore', '--config', file, '--snapshot', snap]);
    assert.equal(unconfirmed.code, 1);
    assert.match(unconfirmed.stderr, /restore: standard input is not a terminal, so nothing was changed; pass --force/);

    for (const ep of endpoints) {
      const keys = await keysOn(client, ep);
      assert.equal(keys.get('after-19'), 'a19', ep);
      assert.equal(keys.has('before-0'), false, ep);
    }
  });

  const restore = await cairnadm(['restore', '--config', file, '--snapshot', snap, '--force'], { timeoutMs: 300_000 });
  assert.equal(restore.code, 0, restore.stderr + restore.stdout);
  for (const name of ['cp-1', 'cp-2', 'cp-3']) {
    assert.match(restore.stdout, new RegExp(`\\[restore\\] ${name}: /var/lib/etcd restored from ${snap}`));
    assert.match(restore.stdout, new RegExp(`\\[wait-healthy\\] ${name}: healthy at`));
  }
  assert.match(restore.stdout, /\[restore\] done: the members \(cp-1, cp-2, cp-3\) serve the data of/);

  // every member serves exactly the backed-up keys
  for (const ep of endpoints) {
    const keys = await keysOn(client, ep);
    for (let i = 0; i < 50; i++) assert.equal(keys.get(`before-${i}`), `b${i}`, `before-${i} on ${ep}`);
    assert.equal([...keys.keys()].filter((k) => k.startsWith('after-')).length, 0, ep);
  }
  // and they agree on the whole key space, revisions included
  await put(client, 'after-restore', 'x');
  const { header } = await client.unary(KV.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from('after-restore') }), { idempotent: true });
  const hashes = new Set<string>();
  for (const ep of endpoints) {
    const one = client.forEndpoint(ep);
    try {
      const res = await one.unary(etcdserverpb.MaintenanceService.hashKv, { revision: header!.revision }, { idempotent: true });
      hashes.add(`${res.hash}/${res.compactRevision}`);
    } finally {
      one.close();
    }
  }
  assert.equal(hashes.size, 1, [...hashes].join(' '));
  const members = await client.unary(etcdserverpb.ClusterService.memberList, { linearizable: true }, { idempotent: true });
  assert.deepEqual(members.members.map((m) => m.name).sort(), ['cp-1', 'cp-2', 'cp-3']);
  assert.ok(existsSync(snap));
});
