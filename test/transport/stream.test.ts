// Message streams between members in one process: order, batching, size, activity and metrics.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { encodeFrame } from '../../src/transport/frame';
import { closeAll, mesh, message, startMember, text, waitUntil } from './harness';

test('messages arrive in order per peer, from each of two senders', async () => {
  const members = [await startMember(1n), await startMember(2n), await startMember(3n)];
  const [a, b, c] = members;
  try {
    mesh(members);
    await waitUntil('every stream active', () => members.every((m) => members.every((p) => p === m || m.transport.isActive(p.id))));
    for (let i = 0; i < 500; i++) {
      a.transport.send(3n, [message(`a-${i}`)]);
      b.transport.send(3n, [message(`b-${i}`)]);
      // A few turns of the event loop in between, so the messages go out in many frames.
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil('1000 messages at member 3', () => c.received.length === 1000);
    const fromA = c.received.filter((r) => r.from === 1n).map((r) => text(r.bytes));
    const fromB = c.received.filter((r) => r.from === 2n).map((r) => text(r.bytes));
    assert.deepEqual(fromA, Array.from({ length: 500 }, (_, i) => `a-${i}`));
    assert.deepEqual(fromB, Array.from({ length: 500 }, (_, i) => `b-${i}`));
    assert.equal(a.received.length, 0);
  } finally {
    await closeAll(members);
  }
});

test('messages queued in one turn leave as one frame', async () => {
  // A long read timeout: no heartbeat frame lands between the two readings of the byte counter.
  const timing = { readTimeoutMs: 60000 };
  const members = [await startMember(1n, { timing }), await startMember(2n, { timing })];
  const [a, b] = members;
  try {
    mesh(members);
    await waitUntil('stream 1 -> 2 active', () => a.transport.isActive(2n));
    const before = await a.metric('etcd_network_peer_sent_bytes_total', { To: '2' });
    const batch = Array.from({ length: 20 }, (_, i) => message(`m-${i}`, 100));
    a.transport.send(2n, batch.slice(0, 10));
    a.transport.send(2n, batch.slice(10));
    await waitUntil('20 messages', () => b.received.length === 20);
    const sent = (await a.metric('etcd_network_peer_sent_bytes_total', { To: '2' })) - before;
    // One frame: a 4-byte frame length, and a 4-byte length before each message.
    assert.equal(sent, 4 + 20 * (4 + 100));
    assert.deepEqual(b.received.map((r) => Buffer.from(r.bytes)), batch.map((m) => Buffer.from(m)));
  } finally {
    await closeAll(members);
  }
});

test('a 24 MB message arrives intact, between small ones', async () => {
  const members = [await startMember(1n), await startMember(2n)];
  const [a, b] = members;
  try {
    mesh(members);
    await waitUntil('stream 1 -> 2 active', () => a.transport.isActive(2n));
    const big = message('big', 24 << 20);
    a.transport.send(2n, [message('before')]);
    a.transport.send(2n, [big]);
    await new Promise((resolve) => setImmediate(resolve));
    a.transport.send(2n, [message('after')]);
    await waitUntil('3 messages', () => b.received.length === 3, 30000);
    assert.equal(text(b.received[0].bytes), 'before');
    assert.ok(Buffer.from(b.received[1].bytes).equals(Buffer.from(big)));
    assert.equal(text(b.received[2].bytes), 'after');
  } finally {
    await closeAll(members);
  }
});

test('isActive and activeSince follow the stream; probes fill the round-trip histogram', async () => {
  const members = [await startMember(1n), await startMember(2n)];
  const [a] = members;
  try {
    assert.equal(a.transport.isActive(2n), false);
    mesh(members);
    await waitUntil('stream 1 -> 2 active', () => a.transport.isActive(2n));
    const since = a.transport.activeSince(2n);
    assert.ok(since instanceof Date);
    assert.equal(await a.metric('etcd_network_active_peers', { Local: '1', Remote: '2' }), 1);
    await waitUntil('a round-trip observation', async () => (await a.metric('etcd_network_peer_round_trip_time_seconds', { To: '2' })) > 0);
    const exposition = await a.registry.metrics();
    assert.match(exposition, /etcd_network_peer_round_trip_time_seconds_count\{To="2"\} [1-9]/);
    assert.equal(a.transport.activeSince(9n), undefined);
  } finally {
    await closeAll(members);
  }
});

test('messages to a peer with no stream are dropped and counted', async () => {
  const a = await startMember(1n);
  try {
    // Nothing listens on this port: the stream never comes up.
    a.transport.addPeer(2n, ['http://127.0.0.1:1']);
    a.transport.send(2n, [message('x'), message('y')]);
    assert.equal(await a.metric('etcd_network_peer_sent_failures_total', { To: '2' }), 2);
    assert.deepEqual(a.unreachable, [2n]);
    a.transport.send(7n, [message('to nobody')]);
  } finally {
    await a.transport.close();
  }
});

test('frames that arrive in the same packet as the stream request are read, in order', async () => {
  const a = await startMember(1n);
  const socket = connect(Number(new URL(a.url).port), '127.0.0.1');
  try {
    await once(socket, 'connect');
    const head = [
      'POST /raft/stream/7 HTTP/1.1',
      'host: 127.0.0.1',
      'connection: Upgrade',
      'upgrade: cairn-raft-stream',
      'content-length: 0',
      'x-etcd-cluster-id: 1c0ffee0beef',
      'x-server-from: 7',
      'x-raft-to: 1',
      '',
      '',
    ].join('\r\n');
    socket.write(Buffer.concat([Buffer.from(head), encodeFrame([message('first'), message('second')]), encodeFrame([message('third')])]));
    await waitUntil('three messages from member 7', () => a.received.length === 3);
    assert.deepEqual(a.received.map((r) => [r.from, text(r.bytes)]), [[7n, 'first'], [7n, 'second'], [7n, 'third']]);
    // The answer to the request is the switch, and nothing follows it.
    const [answer] = (await once(socket, 'data')) as [Buffer];
    assert.match(answer.toString(), /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(answer.toString(), /\r\nupgrade: cairn-raft-stream\r\n/i);
  } finally {
    socket.destroy();
    await a.transport.close();
  }
});
