// close() is prompt whatever is under way: streams both ways, a snapshot the receiver never reads.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { TransportError } from '../../src/transport';
import { mesh, message, startMember, waitUntil } from './harness';

function canListen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(Number(port), hostname, () => server.close(() => resolve(true)));
  });
}

// The per-test timeout is the bound: close() must return well inside it even with a stalled transfer.
test('close() ends streams and snapshot sends and frees the port', { timeout: 15000 }, async () => {
  let snapshotStarted = false;
  const members = [
    await startMember(1n),
    await startMember(2n, {
      onSnapshot: async () => {
        snapshotStarted = true;
        await new Promise(() => undefined); // never reads the body, never answers
      },
    }),
  ];
  const [a, b] = members;
  mesh(members);
  await waitUntil('streams active both ways', () => a.transport.isActive(2n) && b.transport.isActive(1n));
  async function* endless(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 100000; i++) yield Buffer.alloc(64 << 10, i);
  }
  const sending = a.transport.sendSnapshot(2n, Buffer.from('meta'), endless());
  const outcome = sending.then(
    () => 'resolved',
    (err: unknown) => (err instanceof TransportError ? err.message : String(err)),
  );
  await waitUntil('the receiver got the snapshot request', () => snapshotStarted);
  a.transport.send(2n, [message('last words')]);

  await a.transport.close();
  assert.match(await outcome, /^transport: snapshot to 2 failed: /);
  assert.equal(a.transport.isActive(2n), false);
  assert.equal(await a.metric('etcd_network_active_peers', { Local: '1', Remote: '2' }), 0);
  assert.ok(await canListen(a.url), 'the port of the closed transport is free again');
  await waitUntil('member 2 notices', () => !b.transport.isActive(1n));

  await b.transport.close();
  assert.ok(await canListen(b.url));
  // Closing twice is harmless; a closed transport cannot start again or send snapshots.
  await a.transport.close();
  await assert.rejects(a.transport.start(), /transport: cannot start a transport that is closed/);
  await assert.rejects(a.transport.sendSnapshot(2n, Buffer.from('m'), endless()), /transport: not started/);
});
