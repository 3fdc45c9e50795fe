import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { freePorts } from '../support/ports';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { get } from '../server-edge/http-get';
import { etcdctl, hasEtcdctl, startCairn } from './cairn-process';

const skip = hasEtcdctl() ? false : 'the real etcdctl is not installed (Debian etcd-client)';

function sendGarbage(port: number, bytes: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    const timer = setTimeout(() => { socket.destroy(); resolve(false); }, 10000);
    socket.on('error', () => undefined);
    socket.on('close', () => { clearTimeout(timer); resolve(true); });
  });
}

test('cairn configured by ETCD_* variables serves etcdctl, HTTP and metrics; garbage is dropped; SIGTERM stops it cleanly', { skip }, async (t) => {
  const [clientPort, metricsPort] = await freePorts(2);
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const cairn = await startCairn({
    env: {
      ETCD_NAME: 'edge0',
      ETCD_LISTEN_CLIENT_URLS: endpoint,
      ETCD_ADVERTISE_CLIENT_URLS: endpoint,
      ETCD_LISTEN_METRICS_URLS: `http://127.0.0.1:${metricsPort}`,
      ETCD_LOG_LEVEL: 'info',
    },
  });
  t.after(async () => { await cairn.stop('SIGKILL'); cairn.cleanup(); });

  const put = etcdctl(endpoint, ['put', 'greeting', 'hello']);
  assert.equal(put.status, 0, put.stderr);
  assert.equal(put.stdout, 'OK\n');
  const got = etcdctl(endpoint, ['get', 'greeting']);
  assert.equal(got.stdout, 'greeting\nhello\n');
  const health = etcdctl(endpoint, ['endpoint', 'health']);
  assert.equal(health.status, 0, health.stderr);
  assert.match(health.stdout + health.stderr, new RegExp(`${endpoint} is healthy: successfully committed proposal`));

  const httpHealth = await get(`${endpoint}/health`);
  assert.deepEqual([httpHealth.status, httpHealth.body], [200, '{"health":"true"}']);
  const version = JSON.parse((await get(`${endpoint}/version`)).body) as Record<string, string>;
  assert.match(version.etcdserver, /^3\.4\.\d+$/);
  assert.equal(version.etcdcluster, '3.4.0');
  assert.match(version.cairn, /^\d+\.\d+\.\d+/);
  const metrics = (await get(`http://127.0.0.1:${metricsPort}/metrics`)).body;
  assert.match(metrics, /^etcd_server_has_leader 1$/m);
  assert.match(metrics, /^# TYPE etcd_disk_wal_fsync_duration_seconds histogram$/m);
  assert.match(metrics, /^process_resident_memory_bytes \d+/m);
  assert.equal((await get(`http://127.0.0.1:${metricsPort}/readyz`)).body, 'ok\n');

  // bytes that are neither gRPC nor HTTP: the connection is closed and the member goes on serving
  assert.equal(await sendGarbage(clientPort, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc])), true);
  assert.equal(await sendGarbage(clientPort, Buffer.alloc(65536, 0x00)), true);
  assert.equal(etcdctl(endpoint, ['get', 'greeting', '--print-value-only']).stdout, 'hello\n');

  const logLines = cairn.log().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(logLines.some((l) => l.msg === 'serving client traffic insecurely; this is strongly discouraged!' && l.address === `127.0.0.1:${clientPort}`));
  assert.ok(logLines.every((l) => typeof l.level === 'string' && typeof l.ts === 'string' && typeof l.msg === 'string'));

  // an open watch stream does not hold the shutdown up: the client is told to go, the member stops
  const watcher = spawn('etcdctl', ['--endpoints', endpoint, 'watch', 'greeting'], { env: { PATH: process.env.PATH, ETCDCTL_API: '3' }, stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => { watcher.kill('SIGKILL'); });
  let watched = '';
  watcher.stdout.on('data', (d: Buffer) => { watched += d.toString(); });
  for (let i = 0; i < 50 && !watched.includes('watched'); i++) {
    etcdctl(endpoint, ['put', 'greeting', 'watched']);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.match(watched, /PUT\ngreeting\nwatched\n/);
  const exit = await cairn.stop('SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, cairn.log());
  assert.match(cairn.log(), /"msg":"received signal; shutting down"/);
  assert.match(cairn.log(), /"msg":"closed cairn"/);
  // and the data is there after a restart
  const again = await startCairn({ args: ['--name', 'edge0', '--data-dir', `${cairn.dataDir}/data`, '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint], dataDir: cairn.dataDir });
  t.after(() => again.stop('SIGKILL'));
  assert.equal(etcdctl(endpoint, ['get', 'greeting', '--print-value-only']).stdout, 'watched\n');
  assert.deepEqual(await again.stop('SIGINT'), { code: 0, signal: null });
});

test('/health and /version answer as real etcd 3.4 does', { skip: hasRealEtcd() ? skip : 'the real etcd is not installed (Debian etcd-server)' }, async (t) => {
  const [clientPort] = await freePorts(1);
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const cairn = await startCairn({ args: ['--listen-client-urls', endpoint, '--advertise-client-urls', endpoint] });
  t.after(async () => { await cairn.stop('SIGKILL'); cairn.cleanup(); });
  const etcd = await startRealEtcd();
  t.after(() => etcd.stop());

  for (const path of ['/health', '/version', '/v2/nothing']) {
    const ours = await get(`${endpoint}${path}`);
    const theirs = await get(`${etcd.endpoint}${path}`);
    assert.equal(ours.status, theirs.status, path);
    assert.equal(ours.headers['content-type'], theirs.headers['content-type'], path);
    assert.equal(ours.headers['access-control-allow-origin'], theirs.headers['access-control-allow-origin'], path);
    if (path === '/version') {
      const [o, r] = [JSON.parse(ours.body) as Record<string, string>, JSON.parse(theirs.body) as Record<string, string>];
      assert.deepEqual(Object.keys(o).slice(0, 2), Object.keys(r));
      assert.equal(o.etcdcluster, r.etcdcluster);
      assert.match(o.etcdserver, /^3\.4\.\d+$/);
    } else {
      assert.equal(ours.body, theirs.body, path);
      assert.equal(ours.headers['content-length'], theirs.headers['content-length'], path);
      assert.equal(ours.headers['x-content-type-options'], theirs.headers['x-content-type-options'], path);
    }
  }
  for (const [method, path] of [['OPTIONS', '/health'], ['HEAD', '/metrics']]) {
    const [ours, theirs] = [await get(`${endpoint}${path}`, { method }), await get(`${etcd.endpoint}${path}`, { method })];
    assert.equal(ours.status, theirs.status, `${method} ${path}`);
    assert.equal(ours.body, theirs.body, `${method} ${path}`);
    assert.equal(ours.headers['access-control-allow-methods'], theirs.headers['access-control-allow-methods']);
  }
  const wrongMethod = [await get(`${endpoint}/health`, { method: 'PUT' }), await get(`${etcd.endpoint}/health`, { method: 'PUT' })];
  assert.equal(wrongMethod[0].status, wrongMethod[1].status);
  assert.equal(wrongMethod[0].body, wrongMethod[1].body);
  assert.equal(wrongMethod[0].headers.allow, wrongMethod[1].headers.allow);
});

test('a port already in use stops cairn with exit code 1 and says which URL', { skip }, async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  await assert.rejects(startCairn({ args: ['--listen-client-urls', url, '--advertise-client-urls', url] }), (err: Error) => {
    assert.match(err.message, /cairn exited \(1\) before serving/);
    assert.match(err.message, new RegExp(`listen ${url}: .*EADDRINUSE`));
    return true;
  });
});
