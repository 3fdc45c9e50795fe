// cairnadm over SSH against real sshd test hosts (each its own 127.0.0.x address and mount
// namespace): init on one host with the process runtime gives a member this machine reaches at the
// host's address; a wrong host key stops before anything changes; and the three-host flow (init,
// join, join, reset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshdHosts, type SshdHosts } from '../support/sshd-hosts';
import { cairnadm } from './adm-process';
import { configFor, copyCreds, DIRS, etcdctl, killMembers, ROOT } from './ssh-cluster';

test('cairnadm over SSH', { skip: ROOT ? false : 'needs root for sshd test hosts', timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'adm-ssh-'));
  let set: SshdHosts | undefined;
  t.after(async () => {
    // stop whatever members the test left behind (reset normally does)
    killMembers(set);
    await set?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  set = await startSshdHosts({ count: 3, names: ['cp-1', 'cp-2', 'cp-3'], privateDirs: DIRS });
  const [h1, h2, h3] = set.hosts;

  await t.test('a wrong host key stops the command before anything changes, with the fingerprint', async () => {
    const wrong = join(dir, 'wrong_known_hosts');
    const other = set!.hosts[1].hostPublicKey;
    writeFileSync(wrong, `[${h1.address}]:${h1.port} ${other}\n${h1.address} ${other}\n`);
    const { file } = await configFor([h1], dir, wrong);
    const r = await cairnadm(['init', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[ERROR Reachable\] cp-1: ssh: .*(changed|does not match|SHA256:)/i);
    assert.deepEqual(execFileSync('ls', ['-A', join(h1.rootDir, 'etc', 'kubernetes')], { encoding: 'utf8' }).trim(), '');
  });

  const { file } = await configFor(set.hosts, dir);
  const init = await cairnadm(['init', '--config', file, 'cp-1'], { timeoutMs: 300_000 });
  assert.equal(init.code, 0, init.stderr + init.stdout);
  const url1 = /healthy at (https:\/\/127\.0\.0\.\d+:\d+)/.exec(init.stdout)![1];
  assert.ok(url1.startsWith(`https://${h1.address}:`));
  const creds = copyCreds(h1, dir);
  assert.equal(etcdctl(creds, url1, ['put', 'k1', 'v1']).trim(), 'OK');
  assert.equal(etcdctl(creds, url1, ['get', 'k1', '--print-value-only']).trim(), 'v1');

  await t.test('three hosts: join two, read and write through each, reset one', async () => {
    const join2 = await cairnadm(['join', '--config', file, 'cp-2'], { timeoutMs: 300_000 });
    assert.equal(join2.code, 0, join2.stderr + join2.stdout);
    const join3 = await cairnadm(['join', '--config', file, 'cp-3'], { timeoutMs: 300_000 });
    assert.equal(join3.code, 0, join3.stderr + join3.stdout);
    const endpoints = [h1, h2, h3].map((h) => /healthy at (\S+)/.exec([init, join2, join3][[h1, h2, h3].indexOf(h)].stdout.split('\n').find((l) => l.includes(`${h.name}: healthy at`))!)![1]);
    for (const [i, ep] of endpoints.entries()) {
      assert.equal(etcdctl(creds, ep, ['put', `via-${i}`, String(i)]).trim(), 'OK');
      for (const other of endpoints) assert.equal(etcdctl(creds, other, ['get', `via-${i}`, '--print-value-only']).trim(), String(i));
    }
    assert.equal(etcdctl(creds, endpoints[0], ['member', 'list']).trim().split('\n').length, 3);
    const reset3 = await cairnadm(['reset', '--config', file, '--force', 'cp-3'], { timeoutMs: 120_000 });
    assert.equal(reset3.code, 0, reset3.stderr + reset3.stdout);
    assert.match(reset3.stdout, /removed its member from the cluster/);
    assert.equal(etcdctl(creds, endpoints[0], ['member', 'list']).trim().split('\n').length, 2);
  });

  const reset = await cairnadm(['reset', '--config', file, '--force', 'cp-1'], { timeoutMs: 120_000 });
  assert.equal(reset.code, 0, reset.stderr + reset.stdout);
  assert.deepEqual(execFileSync('ls', ['-A', join(h1.rootDir, 'var', 'lib', 'etcd')], { encoding: 'utf8' }).trim(), '');
});
