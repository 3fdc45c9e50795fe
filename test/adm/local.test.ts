// `cairnadm init --local --dir DIR` end to end: a TLS-secured single member that the real etcdctl
// reads and writes with the generated client certificate, certificates that openssl verifies,
// membership steps against the live member, bad input stopped by preflight, and reset --local.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addLearner, listMembers, promoteWhenReady, removeMemberAt, removeMemberById } from '../../src/adm';
import { EtcdClient } from '../../src/client';
import { opensslText, opensslVerify } from '../pki/openssl';
import { freePorts } from '../support/ports';
import { cairnadm } from './adm-process';
import { unreachableHostConfig } from './unreachable-host';

function portFlags(ports: number[]): string[] {
  return ['--client-port', String(ports[0]), '--peer-port', String(ports[1]), '--metrics-port', String(ports[2])];
}

function etcdctl(dir: string, port: number, args: string[]): string {
  return execFileSync(
    'etcdctl',
    [`--endpoints=https://127.0.0.1:${port}`, `--cacert=${dir}/pki/etcd/ca.crt`, `--cert=${dir}/pki/etcd/healthcheck-client.crt`, `--key=${dir}/pki/etcd/healthcheck-client.key`, '--command-timeout=10s', ...args],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 30_000 },
  );
}

function pidOf(dir: string): number {
  return Number(readFileSync(join(dir, 'install', 'run', 'cairn.pid'), 'utf8').trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('init --local --dir: a working TLS cluster, re-runnable, and reset --local removes it', { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'adm-local-'));
  const ports = await freePorts(3);
  t.after(() => {
    if (existsSync(join(dir, 'install', 'run', 'cairn.pid')) && alive(pidOf(dir))) process.kill(pidOf(dir), 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const init = await cairnadm(['init', '--local', '--dir', dir, ...portFlags(ports)]);
  assert.equal(init.code, 0, init.stderr + init.stdout);
  assert.match(init.stdout, /\[wait-healthy\] .*: healthy at https:\/\/127\.0\.0\.1:/);
  assert.ok(init.stdout.includes(`cairnctl --endpoints https://127.0.0.1:${ports[0]} --cacert ${dir}/pki/etcd/ca.crt --cert ${dir}/pki/etcd/healthcheck-client.crt --key ${dir}/pki/etcd/healthcheck-client.key`), init.stdout);

  // the real etcdctl writes and reads over TLS with the generated client certificate
  assert.equal(etcdctl(dir, ports[0], ['put', 'greeting', 'hello']).trim(), 'OK');
  assert.equal(etcdctl(dir, ports[0], ['get', 'greeting', '--print-value-only']).trim(), 'hello');

  // certificates chain to the CA with the usage each profile promises; keys are private
  const ca = join(dir, 'pki', 'etcd', 'ca.crt');
  assert.match(opensslVerify(ca, join(dir, 'pki', 'etcd', 'server.crt'), 'sslserver'), /OK/);
  assert.match(opensslVerify(ca, join(dir, 'pki', 'etcd', 'peer.crt'), 'sslclient'), /OK/);
  assert.match(opensslVerify(ca, join(dir, 'pki', 'apiserver-etcd-client.crt'), 'sslclient'), /OK/);
  assert.match(opensslText(join(dir, 'pki', 'etcd', 'healthcheck-client.crt')), /Subject: CN ?= ?kube-etcd-healthcheck-client/);
  assert.match(opensslText(join(dir, 'pki', 'etcd', 'server.crt')), /IP Address:127\.0\.0\.1/);
  assert.equal(execFileSync('stat', ['-c', '%a', join(dir, 'pki', 'etcd', 'ca.key')], { encoding: 'utf8' }).trim(), '600');

  // a second init finds everything in place and changes nothing
  const pid = pidOf(dir);
  const again = await cairnadm(['init', '--local', '--dir', dir, ...portFlags(ports)]);
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /using existing etcd-ca certificate/);
  assert.match(again.stdout, /is up to date/);
  assert.match(again.stdout, /is already installed/);
  assert.match(again.stdout, /cairn is already running/);
  assert.equal(pidOf(dir), pid);

  await t.test('membership steps against the live member: learner add, promote retries, removal', async () => {
    const client = new EtcdClient({
      endpoints: [`https://127.0.0.1:${ports[0]}`],
      tls: { caFile: ca, certFile: join(dir, 'pki', 'etcd', 'healthcheck-client.crt'), keyFile: join(dir, 'pki', 'etcd', 'healthcheck-client.key') },
    });
    try {
      const url = 'https://127.0.0.1:1';
      const added = await addLearner(client, url);
      assert.equal(added.kind, 'added');
      assert.equal(added.member.isLearner, true);
      // a re-run finds the same unstarted learner instead of adding another
      const again = await addLearner(client, url);
      assert.equal(again.kind, 'existing');
      assert.equal(again.member.ID, added.member.ID);
      // it never starts, so etcd keeps answering that it is not in sync; bounded tries, then false
      const retries: number[] = [];
      const promoted = await promoteWhenReady(client, added.member.ID, { attempts: 3, intervalMs: 10, onRetry: (n) => retries.push(n) });
      assert.equal(promoted, false);
      assert.deepEqual(retries, [1, 2, 3]);
      await removeMemberById(client, added.member.ID);
      await removeMemberById(client, added.member.ID); // not found counts as done
      assert.equal((await listMembers(client)).length, 1);
      assert.equal(await removeMemberAt(client, url), 'not-found');
      assert.equal(await removeMemberAt(client, `https://127.0.0.1:${ports[1]}`), 'last-member');
    } finally {
      client.close();
    }
  });

  await t.test('reset asks first: without a terminal and without --force it refuses and changes nothing', async () => {
    const r = await cairnadm(['reset', '--local', '--dir', dir, ...portFlags(ports)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /standard input is not a terminal, so nothing was changed; pass --force/);
    assert.ok(alive(pid));
  });

  const reset = await cairnadm(['reset', '--local', '--dir', dir, '--force', ...portFlags(ports)]);
  assert.equal(reset.code, 0, reset.stderr + reset.stdout);
  assert.match(reset.stdout, /it is the last member/);
  assert.equal(alive(pid), false);
  for (const gone of ['data', 'pki', 'cairn.yaml', 'install']) assert.equal(existsSync(join(dir, gone)), false, gone);
});

test('init --local --dry-run prints what it would write and run, and writes nothing', { timeout: 120_000 }, async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'adm-dry-')), 'cluster');
  const ports = await freePorts(3);
  try {
    const r = await cairnadm(['init', '--local', '--dir', dir, '--dry-run', ...portFlags(ports)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(r.stdout.includes(`[dryrun] Would write file ${dir}/pki/etcd/ca.key (mode 0600`), r.stdout);
    assert.ok(r.stdout.includes(`[dryrun] Would write file ${dir}/cairn.yaml`), r.stdout);
    assert.match(r.stdout, /\[dryrun\] Would run on .*setsid nohup/);
    assert.match(r.stdout, /\[dryrun\] Would wait for member .* to report healthy/);
    assert.equal(existsSync(dir), false);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('bad input stops before anything changes, naming the host and the fix', { timeout: 120_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'adm-bad-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));

  await t.test('a busy port', async () => {
    const ports = await freePorts(3);
    const server = createServer();
    await new Promise<void>((r) => server.listen(ports[0], '127.0.0.1', r));
    try {
      const dir = join(base, 'busy');
      const r = await cairnadm(['init', '--local', '--dir', dir, ...portFlags(ports)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`error execution phase preflight: \\[preflight\\] Some fatal errors occurred:\\n\\t\\[ERROR Port-${ports[0]}\\] [^:]+: port ${ports[0]} is in use on 127\\.0\\.0\\.1; stop what listens there, or choose another port \\(ports\\.client`));
      assert.match(r.stderr, /--ignore-preflight-errors/);
      assert.equal(existsSync(dir), false);
    } finally {
      server.close();
    }
  });

  await t.test("a data dir that holds another cluster's data", async () => {
    const dir = join(base, 'other');
    mkdirSync(join(dir, 'data', 'member', 'wal'), { recursive: true });
    const r = await cairnadm(['init', '--local', '--dir', dir, ...portFlags(await freePorts(3))]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[ERROR DirAvailable-.*-data\] [^:]+: .*data is not empty \(member\) and was not made for cluster token "cairn" and member .*: move it away, or run `cairnadm reset` on that host/);
    assert.equal(existsSync(join(dir, 'pki')), false);
  });

  await t.test('a configuration file with a missing field', async () => {
    const file = join(base, 'missing.yaml');
    writeFileSync(file, 'apiVersion: cairnadm/v1alpha1\nkind: ClusterConfiguration\nhosts:\n- name: cp-1\n  port: 22\n');
    const r = await cairnadm(['init', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /hosts\[0\]\.address: required.* \(line 4\)/);
  });

  await t.test('an unreachable host', async () => {
    const file = await unreachableHostConfig(base);
    const r = await cairnadm(['init', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[ERROR Reachable\] cp-9: ssh: .*127\.0\.0\.99/);
  });
});
