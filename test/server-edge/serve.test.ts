import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { Gauge, Registry } from 'prom-client';
import { etcdserverpb } from '../../src/api';
import { buildServerConfig, type FlagValue } from '../../src/server/config';
import { bindMember, grpcChannelOptions, serveMember, type ServedMember, type ServingMember } from '../../src/server/listen';
import { silentLogger } from '../../src/log';
import { makeTestPki, type TestPki } from './tls-fixtures';
import { get } from './http-get';

// A member with one gRPC method and a switchable health: enough to see where connections land.
// (The end-to-end tests in test/cli run the real server.)
function testMember(): ServedMember & { report: { health: boolean; reason: string }; ready: boolean } {
  const metrics = new Registry();
  new Gauge({ name: 'etcd_server_has_leader', help: 'Whether a leader exists.', registers: [metrics] }).set(1);
  const member = {
    report: { health: true, reason: '' },
    ready: true,
    metrics,
    grpcServices: (): Array<[grpc.ServiceDefinition, grpc.UntypedServiceImplementation]> => [[
      etcdserverpb.MaintenanceService as unknown as grpc.ServiceDefinition,
      {
        status: (_call: unknown, callback: grpc.sendUnaryData<etcdserverpb.StatusResponse>) => callback(null, etcdserverpb.StatusResponse.fromPartial({ version: '3.4.31', dbSize: 4096n })),
      },
    ]],
    grpcServerOptions: () => ({ 'grpc.max_receive_message_length': 1024 }),
    health: async () => member.report,
    isReady: () => member.ready,
    versions: () => ({ etcdserver: '3.4.31', etcdcluster: '3.4.0', cairn: '0.1.0' }),
  };
  return member;
}

function grpcStatus(address: string, credentials = grpc.credentials.createInsecure()): Promise<etcdserverpb.StatusResponse> {
  const client = new etcdserverpb.MaintenanceClient(address, credentials);
  return new Promise((resolve, reject) => {
    client.status({}, new grpc.Metadata(), { deadline: Date.now() + 10000 }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res);
    });
  });
}

function config(values: Record<string, FlagValue>) {
  return buildServerConfig(new Map(Object.entries(values)), { explicitlySet: new Set(Object.keys(values)) });
}

let pki: TestPki;
before(() => { pki = makeTestPki(); });
after(() => pki.remove());

test('one plain port serves gRPC and HTTP; metrics port serves health and metrics', async (t) => {
  const member = testMember();
  const serving = await serveMember(member, config({
    'listen-client-urls': ['http://127.0.0.1:0'],
    'advertise-client-urls': ['http://127.0.0.1:2379'],
    'listen-metrics-urls': ['http://127.0.0.1:0'],
  }), { logger: silentLogger() });
  t.after(() => serving.close());
  const client = serving.clientListeners[0].address;
  const metricsAddress = serving.metricsListeners[0].address;

  assert.equal((await grpcStatus(client)).version, '3.4.31');

  const health = await get(`http://${client}/health`);
  assert.equal(health.status, 200);
  assert.equal(health.body, '{"health":"true"}');
  assert.equal(health.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(health.headers['access-control-allow-origin'], '*');

  const version = await get(`http://${client}/version`);
  assert.equal(version.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(version.body), { etcdserver: '3.4.31', etcdcluster: '3.4.0', cairn: '0.1.0' });

  const metrics = await get(`http://${client}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers['content-type'] ?? '', /^text\/plain; version=0.0.4/);
  assert.match(metrics.body, /^etcd_server_has_leader 1$/m);
  assert.match(metrics.body, /^process_cpu_seconds_total /m);
  assert.match(metrics.body, /^nodejs_heap_size_used_bytes /m);

  const missing = await get(`http://${client}/v2/keys`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body, '404 page not found\n');
  const post = await get(`http://${client}/health`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET');

  // the metrics port: health and metrics, no /version, no CORS headers, no gRPC
  const mHealth = await get(`http://${metricsAddress}/health`);
  assert.equal(mHealth.body, '{"health":"true"}');
  assert.equal(mHealth.headers['access-control-allow-origin'], undefined);
  assert.equal((await get(`http://${metricsAddress}/version`)).status, 404);
  assert.match((await get(`http://${metricsAddress}/metrics`)).body, /etcd_server_has_leader 1/);
  await assert.rejects(grpcStatus(metricsAddress), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
});

test('/health, /livez and /readyz report failures as etcd does', async (t) => {
  const member = testMember();
  const serving = await serveMember(member, config({ 'listen-client-urls': ['http://127.0.0.1:0'], 'advertise-client-urls': ['http://127.0.0.1:2379'] }), { logger: silentLogger() });
  t.after(() => serving.close());
  const base = `http://${serving.clientListeners[0].address}`;

  assert.deepEqual([(await get(`${base}/livez`)).status, (await get(`${base}/livez`)).body], [200, 'ok\n']);
  assert.equal((await get(`${base}/readyz?verbose`)).body, '[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\nok\n');
  assert.equal((await get(`${base}/readyz/linearizable_read`)).body, 'ok\n');
  assert.equal((await get(`${base}/readyz/nonsense`)).status, 404);

  member.report = { health: false, reason: 'RAFT NO LEADER' };
  const health = await get(`${base}/health`);
  assert.equal(health.status, 503);
  assert.equal(health.body, '{"health":"false"}\n');
  const live = await get(`${base}/livez`);
  assert.equal(live.status, 503);
  assert.equal(live.body, '[-]serializable_read failed: RAFT NO LEADER\n\n');
  assert.equal((await get(`${base}/readyz?exclude=serializable_read&exclude=linearizable_read`)).status, 200);

  member.report = { health: true, reason: '' };
  member.ready = false; // a learner, or still starting
  const ready = await get(`${base}/readyz`);
  assert.equal(ready.status, 503);
  assert.match(ready.body, /^\[-\]linearizable_read failed: member is not ready/m);
  assert.equal((await get(`${base}/livez`)).status, 200);

  const metrics = (await get(`${base}/metrics`)).body;
  assert.match(metrics, /^etcd_server_healthcheck\{type="readyz",name="linearizable_read"\} 0$/m);
});

function rawExchange(address: string, bytes: Buffer): Promise<{ closed: boolean; received: number }> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => socket.write(bytes));
    let received = 0;
    const timer = setTimeout(() => { socket.destroy(); resolve({ closed: false, received }); }, 10000);
    socket.on('data', (d) => { received += d.length; });
    socket.on('error', () => undefined);
    socket.on('close', () => { clearTimeout(timer); resolve({ closed: true, received }); });
    socket.on('timeout', reject);
  });
}

test('garbage on the client port gets the connection closed and the server keeps serving', async (t) => {
  const serving = await serveMember(testMember(), config({ 'listen-client-urls': ['http://127.0.0.1:0'], 'advertise-client-urls': ['http://127.0.0.1:2379'] }), { logger: silentLogger() });
  t.after(() => serving.close());
  const address = serving.clientListeners[0].address;
  const garbage = [
    Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01]), // a TLS hello on a plain port
    Buffer.alloc(4096, 0xab),
    Buffer.from('\r\n\r\n\x00\x00'),
    Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.alloc(64, 0xff)]), // the preface, then nonsense frames
    Buffer.from('GET / HTTP/9.9\r\nHost: \x01\r\n\r\n'),
  ];
  for (const bytes of garbage) {
    const result = await rawExchange(address, bytes);
    assert.equal(result.closed, true, `connection left open after ${bytes.subarray(0, 8).toString('hex')}`);
  }
  assert.equal((await grpcStatus(address)).version, '3.4.31');
  assert.equal((await get(`http://${address}/health`)).status, 200);
});

test('a request line that arrives a byte at a time is still routed to HTTP', async (t) => {
  const serving = await serveMember(testMember(), config({ 'listen-client-urls': ['http://127.0.0.1:0'], 'advertise-client-urls': ['http://127.0.0.1:2379'] }), { logger: silentLogger() });
  t.after(() => serving.close());
  const [host, port] = serving.clientListeners[0].address.split(':');
  const socket = net.connect({ host, port: Number(port), noDelay: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  const request = 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  for (const ch of request.slice(0, 6)) {
    socket.write(ch);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  socket.end(request.slice(6));
  let raw = '';
  for await (const chunk of socket) raw += String(chunk);
  assert.match(raw, /^HTTP\/1.1 200 OK/);
  assert.match(raw, /\r\nContent-Length: 17\r\n/);
  assert.match(raw, /\r\n\r\n\{"health":"true"\}$/);
});

test('TLS with client certificate auth: gRPC and HTTPS with a good certificate; none or a stranger\'s is refused', async (t) => {
  const serving = await serveMember(testMember(), config({
    'listen-client-urls': ['https://127.0.0.1:0'],
    'advertise-client-urls': ['https://127.0.0.1:2379'],
    'listen-metrics-urls': ['https://127.0.0.1:0', 'http://127.0.0.1:0'],
    'cert-file': pki.serverCert,
    'key-file': pki.serverKey,
    'client-cert-auth': true,
    'trusted-ca-file': pki.caFile,
  }), { logger: silentLogger() });
  t.after(() => serving.close());
  const address = serving.clientListeners[0].address;
  const ca = pki.read(pki.caFile);
  const goodCreds = grpc.credentials.createSsl(ca, pki.read(pki.clientKey), pki.read(pki.clientCert));
  assert.equal((await grpcStatus(address, goodCreds)).version, '3.4.31');

  const good = { ca, key: pki.read(pki.clientKey), cert: pki.read(pki.clientCert) };
  // node's https client offers no ALPN: the listener routes by the first bytes inside TLS
  const health = await get(`https://${address}/health`, good);
  assert.equal(health.body, '{"health":"true"}');

  // a client offering h2 and http/1.1 (curl) gets HTTP/1.1
  const [host, port] = address.split(':');
  const socket = tls.connect({ host, port: Number(port), ...good, ALPNProtocols: ['h2', 'http/1.1'] });
  await new Promise((resolve, reject) => { socket.once('secureConnect', resolve); socket.once('error', reject); });
  assert.equal(socket.alpnProtocol, 'http/1.1');
  socket.end('GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  let raw = '';
  for await (const chunk of socket) raw += String(chunk);
  assert.match(raw, /^HTTP\/1.1 200 OK/);
  assert.match(raw, /"etcdcluster":"3.4.0"/);

  await assert.rejects(get(`https://${address}/health`, { ca }));
  await assert.rejects(get(`https://${address}/health`, { ca, key: pki.read(pki.strangerKey), cert: pki.read(pki.strangerCert) }));
  await assert.rejects(grpcStatus(address, grpc.credentials.createSsl(ca)), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
  await assert.rejects(grpcStatus(address, grpc.credentials.createSsl(ca, pki.read(pki.strangerKey), pki.read(pki.strangerCert))));
  // https metrics URLs use the client TLS settings, http ones stay plain, as in etcd
  const secureMetrics = serving.metricsListeners.find((l) => l.secure)!;
  const plainMetrics = serving.metricsListeners.find((l) => !l.secure)!;
  assert.equal((await get(`https://${secureMetrics.address}/health`, good)).body, '{"health":"true"}');
  await assert.rejects(get(`https://${secureMetrics.address}/health`, { ca }));
  assert.equal((await get(`http://${plainMetrics.address}/health`)).body, '{"health":"true"}');

  // a plaintext client on the TLS port is refused too, and the server goes on
  await assert.rejects(grpcStatus(address));
  assert.equal((await grpcStatus(address, goodCreds)).version, '3.4.31');
});

test('--listen-client-http-urls moves HTTP off the gRPC port', async (t) => {
  const serving: ServingMember = await serveMember(testMember(), config({
    'listen-client-urls': ['http://127.0.0.1:0'],
    'listen-client-http-urls': ['http://127.0.0.1:0'],
    'advertise-client-urls': ['http://127.0.0.1:2379'],
  }), { logger: silentLogger() });
  t.after(() => serving.close());
  const [grpcPort, httpPort] = serving.clientListeners.map((l) => l.address);
  assert.equal((await grpcStatus(grpcPort)).version, '3.4.31');
  await assert.rejects(get(`http://${grpcPort}/health`));
  assert.equal((await get(`http://${httpPort}/health`)).status, 200);
});

test('ports are bound before the member exists: clients that connect meanwhile wait and are served', async (t) => {
  const bound = await bindMember(config({
    'listen-client-urls': ['http://127.0.0.1:0'],
    'advertise-client-urls': ['http://127.0.0.1:2379'],
  }), { logger: silentLogger() });
  const address = bound.clientListeners[0].address;
  // connected, and the request sent, before the member exists
  const socket = net.connect(Number(address.split(':')[1]), '127.0.0.1');
  t.after(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('GET /version HTTP/1.1\r\nHost: cairn\r\nConnection: close\r\n\r\n');
  let reply = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => { reply += d; });
  const ended = new Promise((resolve) => socket.once('end', resolve));
  const earlyGrpc = grpcStatus(address);
  const serving = bound.serve(testMember());
  t.after(() => serving.close());
  await ended;
  assert.match(reply, /^HTTP\/1\.1 200 OK/);
  assert.deepEqual(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)), { etcdserver: '3.4.31', etcdcluster: '3.4.0', cairn: '0.1.0' });
  assert.equal((await earlyGrpc).version, '3.4.31');
});

test('a start that fails closes the bound ports and the connections waiting on them', async () => {
  const bound = await bindMember(config({
    'listen-client-urls': ['http://127.0.0.1:0'],
    'advertise-client-urls': ['http://127.0.0.1:2379'],
  }), { logger: silentLogger() });
  const address = bound.clientListeners[0].address;
  const early = get(`http://${address}/version`);
  const socket = net.connect(Number(address.split(':')[1]), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.destroy();
  await bound.close();
  await assert.rejects(early);
  await assert.rejects(get(`http://${address}/version`), /ECONNREFUSED/);
});

test('a port in use is a clear error and nothing stays open', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(
      serveMember(testMember(), config({ 'listen-client-urls': [`http://127.0.0.1:${port}`], 'advertise-client-urls': ['http://127.0.0.1:2379'] }), { logger: silentLogger() }),
      new RegExp(`listen http://127.0.0.1:${port}: .*EADDRINUSE`),
    );
  } finally {
    blocker.close();
  }
});

test('a unix:// URL listens on the socket named host:port in the working directory, as etcd does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-unix-'));
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => { process.chdir(cwd); rmSync(dir, { recursive: true, force: true }); });
  const serving = await serveMember(testMember(), config({ 'listen-client-urls': ['unix://localhost:12379'], 'advertise-client-urls': ['unix://localhost:12379'] }), { logger: silentLogger() });
  t.after(() => serving.close());
  assert.equal(serving.clientListeners[0].address, 'localhost:12379');
  const socketPath = join(dir, 'localhost:12379');
  assert.equal((await get('http://localhost/health', { socketPath })).body, '{"health":"true"}');
  assert.equal((await grpcStatus(`unix://${socketPath}`)).version, '3.4.31');
});

test('gRPC server options follow etcd\'s keepalive and stream flags', () => {
  const member = testMember();
  const defaults = grpcChannelOptions(member, { maxConcurrentStreams: 0xffffffff, keepAliveIntervalMs: 7_200_000, keepAliveTimeoutMs: 20_000 });
  assert.deepEqual(defaults, { 'grpc.max_receive_message_length': 1024, 'grpc.enable_channelz': 0, 'grpc.keepalive_time_ms': 7_200_000, 'grpc.keepalive_timeout_ms': 20_000 });
  const tuned = grpcChannelOptions(member, { maxConcurrentStreams: 100, keepAliveIntervalMs: 0, keepAliveTimeoutMs: 0 });
  assert.deepEqual(tuned, { 'grpc.max_receive_message_length': 1024, 'grpc.enable_channelz': 0, 'grpc.max_concurrent_streams': 100 });
});
