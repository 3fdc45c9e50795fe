// What a Transport accepts at construction: URLs, IDs, timings; and the redial back-off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Transport, TransportError, type TransportOptions } from '../../src/transport';
import { Backoff } from '../../src/transport/backoff';
import { parsePeerUrl } from '../../src/transport/urls';

const base: TransportOptions = { memberId: 1n, clusterId: 2n, listen: ['http://127.0.0.1:0'], onMessage: () => undefined, onSnapshot: async () => undefined };

test('peer URLs: scheme, host and port only', () => {
  assert.deepEqual(parsePeerUrl('https://[::1]:2380'), { secure: true, host: '::1', port: 2380, origin: 'https://[::1]:2380' });
  assert.deepEqual(parsePeerUrl('http://10.0.0.1:2380/'), { secure: false, host: '10.0.0.1', port: 2380, origin: 'http://10.0.0.1:2380' });
  assert.throws(() => parsePeerUrl('127.0.0.1:2380'), new TransportError('transport: invalid peer URL "127.0.0.1:2380"'));
  assert.throws(() => parsePeerUrl('unix:///tmp/x'), /transport: URL scheme must be http or https/);
  assert.throws(() => parsePeerUrl('http://127.0.0.1'), /transport: peer URL must name a port/);
  assert.throws(() => parsePeerUrl('http://127.0.0.1:2380/raft'), /transport: peer URL must be scheme:\/\/host:port only/);
  assert.throws(() => parsePeerUrl('not a url'), /transport: invalid peer URL "not a url"/);
});

test('bad options are clear errors', () => {
  assert.throws(() => new Transport({ ...base, memberId: 0n }), /transport: member ID must not be 0/);
  assert.throws(() => new Transport({ ...base, clusterId: 1n << 64n }), /transport: cluster ID must be an unsigned 64-bit integer/);
  assert.throws(() => new Transport({ ...base, listen: [] }), /transport: --listen-peer-urls needs at least one URL/);
  assert.throws(() => new Transport({ ...base, timing: { readTimeoutMs: 0 } }), /transport: timing readTimeoutMs must be a positive number \(got 0\)/);
  assert.throws(() => new Transport({ ...base, timing: { backoffInitialMs: 500, backoffMaxMs: 100 } }), /backoffMaxMs must not be below backoffInitialMs/);
  const t = new Transport(base);
  assert.throws(() => t.addPeer(1n, ['http://127.0.0.1:1']), /transport: cannot add this member \(1\) as its own peer/);
  assert.throws(() => t.addPeer(3n, ['ftp://x:1']), /transport: URL scheme must be http or https/);
  assert.throws(() => t.updatePeer(4n, ['http://127.0.0.1:1']), new TransportError('transport: unknown peer 4'));
});

test('a port in use is an error naming the address', async () => {
  const first = new Transport(base);
  await first.start();
  try {
    const url = first.listenedUrls()[0];
    const second = new Transport({ ...base, memberId: 3n, listen: [url] });
    await assert.rejects(second.start(), new TransportError(`transport: listen tcp ${url.slice('http://'.length)}: bind: address already in use`));
  } finally {
    await first.close();
  }
});

test('back-off doubles up to its bound, with jitter in [delay/2, delay)', () => {
  const low = new Backoff({ initialMs: 100, maxMs: 1000, rng: () => 0 });
  assert.deepEqual(Array.from({ length: 6 }, () => low.next()), [50, 100, 200, 400, 500, 500]);
  const high = new Backoff({ initialMs: 100, maxMs: 1000, rng: () => 0.999 });
  const delays = Array.from({ length: 6 }, () => high.next());
  assert.ok(delays.every((d, i) => d < Math.min(1000, 100 * 2 ** i) && d >= Math.min(1000, 100 * 2 ** i) / 2));
  high.reset();
  assert.ok(high.next() < 100);
});
