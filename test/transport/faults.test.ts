// Streams under faults: a receiver that restarts, a network cut through the fault proxy, a receiver
// that stops reading while the sender keeps sending.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CutProxy } from '../support/cut-proxy';
import { closeAll, mesh, message, startMember, text, waitUntil } from './harness';

test('after the receiver restarts the sender redials; messages sent meanwhile are dropped, not delivered later', async () => {
  const a = await startMember(1n);
  let b = await startMember(2n);
  try {
    mesh([a, b]);
    await waitUntil('stream 1 -> 2 active', () => a.transport.isActive(2n));
    a.transport.send(2n, [message('before')]);
    await waitUntil('first message', () => b.received.length === 1);

    await b.transport.close();
    await waitUntil('stream 1 -> 2 down', () => !a.transport.isActive(2n));
    const failuresBefore = await a.metric('etcd_network_peer_sent_failures_total', { To: '2' });
    for (let i = 0; i < 10; i++) a.transport.send(2n, [message(`while-down-${i}`)]);
    assert.equal(await a.metric('etcd_network_peer_sent_failures_total', { To: '2' }), failuresBefore + 10);
    assert.ok(a.unreachable.includes(2n));

    b = await startMember(2n, { listen: b.url });
    b.transport.addPeer(1n, [a.url]);
    await waitUntil('stream 1 -> 2 active again', () => a.transport.isActive(2n));
    assert.equal(await a.metric('etcd_network_disconnected_peers_total', { Local: '1', Remote: '2' }), 1);
    a.transport.send(2n, [message('after')]);
    await waitUntil('message after the restart', () => b.received.length === 1);
    assert.deepEqual(b.received.map((r) => text(r.bytes)), ['after']);
  } finally {
    await closeAll([a, b]);
  }
});

test('a cut network is noticed by probes and heartbeats on both sides; healing restores the stream', async () => {
  const a = await startMember(1n);
  const b = await startMember(2n);
  const proxy = await CutProxy.start({ host: '127.0.0.1', port: Number(new URL(b.url).port) });
  try {
    a.transport.addPeer(2n, [proxy.url()]);
    b.transport.addPeer(1n, [a.url]);
    await waitUntil('stream 1 -> 2 active', () => a.transport.isActive(2n));
    proxy.cut();
    // No reset reaches either side: the sender learns from an unanswered probe, the receiver from silence.
    await waitUntil('sender sees the stream down', () => !a.transport.isActive(2n));
    await waitUntil('receiver drops the silent stream', () => b.logs.some((l) => l.msg === 'closing incoming message stream' && String(l.reason).startsWith('no frame for')));
    a.transport.send(2n, [message('lost in the cut')]);
    proxy.heal();
    await waitUntil('stream 1 -> 2 active after healing', () => a.transport.isActive(2n));
    a.transport.send(2n, [message('after healing')]);
    await waitUntil('message after healing', () => b.received.some((r) => text(r.bytes) === 'after healing'));
    assert.equal(b.received.some((r) => text(r.bytes) === 'lost in the cut'), false);
  } finally {
    await proxy.close();
    await closeAll([a, b]);
  }
});

test('a stalled receiver makes the sender drop past its queue bound; memory stays bounded', async () => {
  const limits = { maxQueueMessages: 256, maxQueueBytes: 1 << 20 };
  // A long read timeout keeps the stalled stream up for the whole send loop.
  const timing = { readTimeoutMs: 60000 };
  const a = await startMember(1n, { limits, timing });
  const b = await startMember(2n, { timing });
  const proxy = await CutProxy.start({ host: '127.0.0.1', port: Number(new URL(b.url).port) });
  try {
    a.transport.addPeer(2n, [proxy.url()]);
    await waitUntil('stream 1 -> 2 active', () => a.transport.isActive(2n));
    proxy.pause('toTarget');
    let maxQueued = 0;
    let maxQueuedBytes = 0;
    // 20000 messages of 4 KB (80 MB), a turn of the event loop every 100 so writes can drain.
    for (let i = 0; i < 20000; i++) {
      a.transport.send(2n, [message(`m-${i}`, 4096)]);
      if (i % 100 === 99) {
        await new Promise((resolve) => setImmediate(resolve));
        const state = a.transport.peerState(2n);
        maxQueued = Math.max(maxQueued, state?.queuedMessages ?? 0);
        maxQueuedBytes = Math.max(maxQueuedBytes, state?.queuedBytes ?? 0);
      }
    }
    assert.ok(maxQueued <= 256, `queue held ${maxQueued} messages`);
    assert.ok(maxQueuedBytes <= 1 << 20, `queue held ${maxQueuedBytes} bytes`);
    const dropped = await a.metric('etcd_network_peer_sent_failures_total', { To: '2' });
    assert.ok(dropped > 15000, `only ${dropped} of 20000 dropped`);
    assert.ok(a.logged('dropped internal Raft message since sending buffer is full (overloaded network)'));
    // Bytes handed to the stream are bounded by flow control, not by what was sent.
    const written = await a.metric('etcd_network_peer_sent_bytes_total', { To: '2' });
    assert.ok(written < 40 << 20, `${written} bytes were written into a stalled stream`);

    proxy.resume('toTarget');
    await waitUntil('the queue drains', () => a.transport.peerState(2n)?.queuedMessages === 0, 20000);
    const received = b.received.length;
    a.transport.send(2n, [message('after the stall')]);
    await waitUntil('the stream moves again', () => b.received.some((r) => text(r.bytes) === 'after the stall'), 20000);
    assert.ok(b.received.length > received);
    // What arrived is in order, with gaps where messages were dropped.
    const numbers = b.received.map((r) => text(r.bytes, 8).match(/^m-(\d+)/)?.[1]).filter((n) => n !== undefined).map(Number);
    assert.deepEqual(numbers, [...numbers].sort((x, y) => x - y));
  } finally {
    await proxy.close();
    await closeAll([a, b]);
  }
});

test('three members: a cut member loses its streams, the other two keep theirs', async () => {
  const members = [await startMember(1n), await startMember(2n), await startMember(3n)];
  const [a, b, c] = members;
  const toC = await CutProxy.start({ host: '127.0.0.1', port: Number(new URL(c.url).port) });
  try {
    a.transport.addPeer(2n, [b.url]);
    a.transport.addPeer(3n, [toC.url()]);
    b.transport.addPeer(1n, [a.url]);
    b.transport.addPeer(3n, [toC.url()]);
    c.transport.addPeer(1n, [a.url]);
    c.transport.addPeer(2n, [b.url]);
    await waitUntil('all streams to 3 active', () => a.transport.isActive(3n) && b.transport.isActive(3n));
    toC.cut();
    await waitUntil('streams to 3 down', () => !a.transport.isActive(3n) && !b.transport.isActive(3n));
    assert.equal(a.transport.isActive(2n), true);
    assert.equal(b.transport.isActive(1n), true);
    a.transport.send(2n, [message('still fine')]);
    await waitUntil('1 -> 2 still delivers', () => b.received.length === 1);
    toC.heal();
    await waitUntil('streams to 3 back', () => a.transport.isActive(3n) && b.transport.isActive(3n));
  } finally {
    await toC.close();
    await closeAll(members);
  }
});

