// make-mirror, cairnctl beside the real etcdctl: both mirror the same real etcd 3.4 (a prefix renamed)
// into a cairn each, through the base copy and then the changes; the two destinations must end up
// the same, revision for revision (a txn of the source is one txn at the destination). Argument
// errors are compared too.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { hasEtcdctl, startLoneCairn } from '../cli/cairn-process';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { run, start, WAIT_MS, type Tool } from './ctl-process';

const tools: Tool[] = ['etcdctl', 'cairnctl'];
const skip = !(hasEtcdctl() && hasRealEtcd()) && 'etcd 3.4 is not installed';

async function startCairnServer(t: TestContext): Promise<string> {
  const cairn = await startLoneCairn();
  t.after(() => cairn.stop());
  return cairn.endpoint;
}

/** Every key with its revisions and value, and the store's revision, as etcdctl prints them. */
async function contents(t: TestContext, endpoint: string): Promise<string> {
  const got = await run(t, 'etcdctl', endpoint, ['get', '', '--from-key', '-w', 'json']);
  assert.equal(got.code, 0, got.stderr);
  const resp = JSON.parse(got.stdout) as { header: { revision: number }; kvs?: { key: string; value: string; create_revision: number; mod_revision: number; version: number }[] };
  const kvs = (resp.kvs ?? []).map((kv) => `${Buffer.from(kv.key, 'base64')}=${Buffer.from(kv.value, 'base64')} c${kv.create_revision} m${kv.mod_revision} v${kv.version}`);
  return [`revision ${resp.header.revision}`, ...kvs].join('\n');
}

async function until(t: TestContext, endpoint: string, want: RegExp): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const now = await contents(t, endpoint);
    if (want.test(now)) return now;
    if (Date.now() > deadline) throw new Error(`${endpoint}: no ${want} within ${WAIT_MS} ms:\n${now}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('make-mirror copies a prefix and then its changes as etcdctl does, txn for txn', { skip, timeout: 120_000 }, async (t) => {
  const source = await startRealEtcd();
  t.after(() => source.stop());
  const src = `127.0.0.1:${source.clientPort}`;
  for (const [k, v] of [['/a/1', 'v1'], ['/a/2', 'v2'], ['/b/x', 'not mirrored']]) assert.equal((await run(t, 'etcdctl', src, ['put', k, v])).code, 0);
  const dests = [await startCairnServer(t), await startCairnServer(t)];
  const mirrors = tools.map((tool, n) => start(t, tool, src, ['make-mirror', '--prefix', '/a/', '--dest-prefix', '/m/', dests[n]]));
  for (const dest of dests) await until(t, dest, /\/m\/2=v2/);

  assert.equal((await run(t, 'etcdctl', src, ['put', '/a/3', 'v3'])).code, 0);
  assert.equal((await run(t, 'etcdctl', src, ['put', '/a/1', 'v1b'])).code, 0);
  // three keys deleted in one revision: one txn of three deletes at the destination
  assert.equal((await run(t, 'etcdctl', src, ['del', '/a/', '--prefix'])).code, 0);
  assert.equal((await run(t, 'etcdctl', src, ['put', '/a/4', 'v4'])).code, 0);
  assert.equal((await run(t, 'etcdctl', src, ['put', '/b/y', 'not mirrored'])).code, 0);
  const final = await Promise.all(dests.map((dest) => until(t, dest, /\/m\/4=v4/)));
  assert.equal(final[1], final[0], 'cairnctl\'s destination is etcdctl\'s');
  assert.match(final[0], /^revision \d+\n\/m\/4=v4 c\d+ m\d+ v1$/, 'the prefix deleted in one revision, then /a/4; nothing of /b/');

  for (const mirror of mirrors) await mirror.stop();
});

test('make-mirror refuses bad arguments as etcdctl does', { skip, timeout: 60_000 }, async (t) => {
  const source = await startRealEtcd();
  t.after(() => source.stop());
  const src = `127.0.0.1:${source.clientPort}`;
  const cases = [
    ['make-mirror'],
    ['make-mirror', src, src],
    ['make-mirror', '--dest-prefix', '/x/', '--no-dest-prefix', src],
  ];
  for (const args of cases) {
    const [etcdctl, cairnctl] = await Promise.all(tools.map((tool) => run(t, tool, src, args)));
    assert.deepEqual({ code: cairnctl.code, stderr: cairnctl.stderr.trim() }, { code: etcdctl.code, stderr: etcdctl.stderr.trim() }, args.join(' '));
  }
});
