// Snapshot transfer: streamed from a generator or a file, received intact (sha256), never held
// whole in memory, and failures on either side reported to the sender.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TransportError } from '../../src/transport';
import { closeAll, mesh, startMember, waitUntil, type SnapshotHandler } from './harness';

const chunkSize = 64 << 10;

/** Deterministic pseudo-random bytes, so each chunk differs. */
function chunkAt(index: number): Buffer {
  const chunk = Buffer.allocUnsafe(chunkSize);
  let x = (index + 1) * 2654435761;
  for (let i = 0; i < chunkSize; i += 4) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    chunk.writeUInt32LE(x, i);
  }
  return chunk;
}

interface Produced {
  bytes: number;
  readonly hash: ReturnType<typeof createHash>;
}

async function* generated(chunks: number, produced: Produced, failAt = -1): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < chunks; i++) {
    if (i === failAt) throw new Error('snapshot file went away');
    const chunk = chunkAt(i);
    produced.bytes += chunk.length;
    produced.hash.update(chunk);
    yield chunk;
  }
}

interface Got {
  from?: bigint;
  meta?: string;
  bytes: number;
  digest?: string;
  error?: string;
}

/** A receiver that hashes the body as it comes, optionally waiting at the first chunk until released. */
function hashingReceiver(got: Got, gate?: Promise<void>): SnapshotHandler {
  return async (from, meta, body) => {
    got.from = from;
    got.meta = Buffer.from(meta).toString();
    const hash = createHash('sha256');
    try {
      for await (const chunk of body) {
        if (got.bytes === 0 && gate) await gate;
        got.bytes += chunk.length;
        hash.update(chunk);
      }
    } catch (err) {
      got.error = (err as Error).message;
      throw err;
    }
    got.digest = hash.digest('hex');
  };
}

test('a 16 MB snapshot is streamed with back-pressure and received intact', async () => {
  const got: Got = { bytes: 0 };
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const members = [await startMember(1n), await startMember(2n, { onSnapshot: hashingReceiver(got, gate) })];
  const [a, b] = members;
  try {
    mesh(members);
    const produced: Produced = { bytes: 0, hash: createHash('sha256') };
    const total = 256 * chunkSize;
    const sending = a.transport.sendSnapshot(2n, Buffer.from('snapshot meta: index 42'), generated(256, produced));
    await waitUntil('the receiver holds the first chunk', () => got.meta !== undefined);
    // While the receiver reads nothing, the sender can only get a window or so ahead.
    let last = -1;
    await waitUntil('the sender stalls', async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stalled = produced.bytes === last;
      last = produced.bytes;
      return stalled;
    });
    assert.ok(produced.bytes < total / 2, `${produced.bytes} of ${total} bytes produced while the receiver read nothing`);
    release();
    await sending;
    assert.equal(got.from, 1n);
    assert.equal(got.meta, 'snapshot meta: index 42');
    assert.equal(got.bytes, total);
    assert.equal(got.digest, produced.hash.digest('hex'));
    assert.equal(await a.metric('etcd_network_snapshot_send_success', { To: '2' }), 1);
    assert.equal(await b.metric('etcd_network_snapshot_receive_success', { From: '1' }), 1);
    assert.equal(await a.metric('etcd_network_snapshot_send_inflights_total', { To: '2' }), 0);
    assert.ok((await b.metric('etcd_network_peer_received_bytes_total', { From: '1' })) >= total);
  } finally {
    await closeAll(members);
  }
});

test('a snapshot given as a file path is streamed from the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-transport-snap-'));
  const got: Got = { bytes: 0 };
  const members = [await startMember(1n), await startMember(2n, { onSnapshot: hashingReceiver(got) })];
  const [a] = members;
  try {
    mesh(members);
    const data = Buffer.concat(Array.from({ length: 48 }, (_, i) => chunkAt(i)));
    const file = join(dir, 'db');
    writeFileSync(file, data, { mode: 0o600 });
    await a.transport.sendSnapshot(2n, Buffer.from('meta'), file);
    assert.equal(got.digest, createHash('sha256').update(data).digest('hex'));
    await assert.rejects(
      a.transport.sendSnapshot(2n, Buffer.from('meta'), join(dir, 'missing')),
      /^TransportError: transport: cannot read snapshot file .*missing: ENOENT$/,
    );
  } finally {
    await closeAll(members);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a receiver that fails the snapshot fails the send, with its reason', async () => {
  const refusing: SnapshotHandler = async (_from, _meta, body) => {
    for await (const chunk of body) void chunk;
    throw new Error('disk full');
  };
  const members = [await startMember(1n), await startMember(2n, { onSnapshot: refusing })];
  const [a, b] = members;
  try {
    mesh(members);
    const produced: Produced = { bytes: 0, hash: createHash('sha256') };
    await assert.rejects(
      a.transport.sendSnapshot(2n, Buffer.from('meta'), generated(8, produced)),
      new TransportError('transport: snapshot to 2 refused: 500 (failed to receive snapshot (disk full))'),
    );
    assert.equal(await a.metric('etcd_network_snapshot_send_failures', { To: '2' }), 1);
    assert.equal(await b.metric('etcd_network_snapshot_receive_failures', { From: '1' }), 1);
    assert.ok(a.unreachable.includes(2n));
  } finally {
    await closeAll(members);
  }
});

test('a source that fails mid-way fails the send, and the receiver sees a cut-off body, not an end', async () => {
  const got: Got = { bytes: 0 };
  const members = [await startMember(1n), await startMember(2n, { onSnapshot: hashingReceiver(got) })];
  const [a, b] = members;
  try {
    mesh(members);
    const produced: Produced = { bytes: 0, hash: createHash('sha256') };
    await assert.rejects(a.transport.sendSnapshot(2n, Buffer.from('meta'), generated(64, produced, 20)), /snapshot file went away/);
    await waitUntil('the receiver fails the snapshot', async () => (await b.metric('etcd_network_snapshot_receive_failures', { From: '1' })) === 1);
    assert.equal(got.digest, undefined);
    assert.ok(got.error !== undefined);
    assert.ok(got.bytes < 64 * chunkSize);
  } finally {
    await closeAll(members);
  }
});

test('snapshots to an unknown peer, or to another cluster, are refused', async () => {
  const a = await startMember(1n);
  const stranger = await startMember(2n, { clusterId: 0xbadn, onSnapshot: hashingReceiver({ bytes: 0 }) });
  try {
    const produced: Produced = { bytes: 0, hash: createHash('sha256') };
    await assert.rejects(a.transport.sendSnapshot(9n, Buffer.from('meta'), generated(1, produced)), new TransportError('transport: unknown peer 9'));
    a.transport.addPeer(2n, [stranger.url]);
    await assert.rejects(
      a.transport.sendSnapshot(2n, Buffer.from('meta'), generated(4, produced)),
      new TransportError('transport: snapshot to 2 refused: cluster ID mismatch: remote[2]=bad, local=1c0ffee0beef'),
    );
  } finally {
    await closeAll([a, stranger]);
  }
});
