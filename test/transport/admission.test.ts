// Requests a member must refuse, as etcd's rafthttp does: another cluster's ID, a stream meant for
// another member, a removed member; and a member not known yet, whose stream is accepted.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:http2';
import { test } from 'node:test';
import { freePort } from '../support/ports';
import { closeAll, mesh, message, startMember, text, waitUntil } from './harness';

test('a peer with another cluster ID is refused with 412, logged on both sides', async () => {
  const a = await startMember(1n);
  const stranger = await startMember(2n, { clusterId: 0xdeadn });
  try {
    a.transport.addPeer(2n, [stranger.url]);
    stranger.transport.addPeer(1n, [a.url]);
    await waitUntil('the refusal logged by the receiver', () => stranger.logged('request cluster ID mismatch'));
    await waitUntil('the refusal logged by the sender', () =>
      a.logs.some((l) => l.msg === 'request sent was ignored by remote peer due to cluster ID mismatch'),
    );
    const senderLine = a.logs.find((l) => l.msg === 'request sent was ignored by remote peer due to cluster ID mismatch');
    assert.equal(senderLine?.error, `cluster ID mismatch: remote[2]=dead, local=1c0ffee0beef`);
    const receiverLine = stranger.logs.find((l) => l.msg === 'request cluster ID mismatch');
    assert.equal(receiverLine?.['remote-peer-cluster-id'], '1c0ffee0beef');
    assert.equal(receiverLine?.['local-member-cluster-id'], 'dead');
    a.transport.send(2n, [message('never')]);
    stranger.transport.send(1n, [message('never either')]);
    assert.equal(a.transport.isActive(2n), false);
    assert.equal(stranger.transport.isActive(1n), false);
    assert.equal(stranger.received.length + a.received.length, 0);
    // The sender keeps redialing (a fixed cluster may come back) but says so once, not on every try.
    const lines = a.logs.filter((l) => l.msg === 'request sent was ignored by remote peer due to cluster ID mismatch');
    assert.equal(lines.length, 1);
  } finally {
    await closeAll([a, stranger]);
  }
});

test('raw requests get etcd status codes and body lines, over HTTP/1.1 for streams and HTTP/2 for the rest', async () => {
  const a = await startMember(1n);
  const session = connect(a.url);
  const ask = (headers: Record<string, string>): Promise<{ status: number; body: string; cluster: string }> =>
    new Promise((resolve, reject) => {
      const req = session.request(headers);
      let body = '';
      let status = 0;
      let cluster = '';
      req.on('response', (h) => {
        status = Number(h[':status']);
        cluster = String(h['x-etcd-cluster-id']);
      });
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => resolve({ status, body, cluster }));
      req.on('error', reject);
      req.end();
    });
  // A message stream opens with an HTTP/1.1 request to switch protocols; a refusal is an HTTP/1.1 answer.
  const port = Number(new URL(a.url).port);
  const askStream = (method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; cluster: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: { connection: 'Upgrade', upgrade: 'cairn-raft-stream', 'content-length': '0', ...headers } });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, body: '', cluster: String(res.headers['x-etcd-cluster-id']) });
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cluster: String(res.headers['x-etcd-cluster-id']) }));
      });
      req.on('error', reject);
      req.end();
    });
  const good = { 'x-etcd-cluster-id': '1c0ffee0beef', 'x-raft-to': '1', 'x-server-from': '2' };
  try {
    assert.deepEqual(await askStream('POST', '/raft/stream/2', { ...good, 'x-etcd-cluster-id': 'abc' }), {
      status: 412,
      body: 'cluster ID mismatch\n',
      cluster: '1c0ffee0beef',
    });
    assert.equal((await askStream('POST', '/raft/stream/2', { ...good, 'x-raft-to': '5' })).body, 'to field mismatch\n');
    assert.equal((await askStream('POST', '/raft/stream/not-hex', good)).status, 404);
    assert.equal((await askStream('GET', '/raft/stream/2', good)).status, 405);
    assert.equal((await askStream('POST', '/raft/snapshot', good)).status, 404);
    assert.deepEqual(await askStream('POST', '/raft/stream/2', good), { status: 101, body: '', cluster: '1c0ffee0beef' });
    // Over HTTP/2 the peer port serves everything but message streams.
    assert.equal((await ask({ ':method': 'POST', ':path': '/raft/stream/2', ...good })).status, 404);
    assert.equal((await ask({ ':method': 'POST', ':path': '/raft/snapshot', ...good, 'x-server-from': '' })).body, 'invalid from\n');
    assert.equal((await ask({ ':method': 'GET', ':path': '/v2/keys' })).status, 404);
    const probe = await ask({ ':method': 'GET', ':path': '/raft/probing' });
    assert.equal(probe.status, 200);
    assert.equal(JSON.parse(probe.body).Health, true);
    // A plain HTTP/1.1 request is told what the port speaks.
    const plain = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/version', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(plain, 505);
    a.transport.removePeer(2n);
    assert.deepEqual(await askStream('POST', '/raft/stream/2', good), { status: 410, body: 'removed member\n', cluster: '1c0ffee0beef' });
  } finally {
    session.destroy();
    await a.transport.close();
  }
});

test('a stream meant for another member is refused (412 to field mismatch)', async () => {
  const a = await startMember(1n);
  const b = await startMember(2n);
  try {
    // Member 1 thinks member 3 lives at member 2's address.
    a.transport.addPeer(3n, [b.url]);
    await waitUntil('the refusal at the sender', () => a.logs.some((l) => l.msg === 'request sent was ignored by remote peer' && String(l.error).includes('to field mismatch')));
    assert.ok(b.logged('ignored request; ID mismatch'));
    assert.equal(a.transport.isActive(3n), false);
  } finally {
    await closeAll([a, b]);
  }
});

test('a removed member is refused with 410 and told so', async () => {
  const members = [await startMember(1n), await startMember(2n)];
  const [a, b] = members;
  try {
    mesh(members);
    await waitUntil('stream 1 -> 2 active', () => a.transport.isActive(2n));
    b.transport.removePeer(1n);
    await waitUntil('member 1 told it was removed', () => a.removedBy.includes(2n));
    assert.equal(a.transport.isActive(2n), false);
    assert.ok(a.logged('the member has been permanently removed from the cluster'));
    assert.ok(b.logged('rejected request from remote peer because it was removed'));
    a.transport.send(2n, [message('after removal')]);
    assert.equal(b.received.length, 0);
  } finally {
    await closeAll(members);
  }
});

test('a member not known yet is accepted and answered at its advertised URL', async () => {
  const b = await startMember(2n);
  // Member 3 joined later: it knows member 2, member 2 has not heard of it yet.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const c = await startMember(3n, { listen: url, advertise: [url] });
  try {
    c.transport.addPeer(2n, [b.url]);
    await waitUntil('stream 3 -> 2 active', () => c.transport.isActive(2n));
    c.transport.send(2n, [message('hello from 3')]);
    await waitUntil('the message at 2', () => b.received.length === 1);
    assert.equal(b.received[0].from, 3n);
    assert.equal(text(b.received[0].bytes), 'hello from 3');
    assert.ok(b.logged('request from a member this one does not know yet; accepting it'));
    // Member 2 answers through the URL member 3 advertised.
    await waitUntil('stream 2 -> 3 active', () => b.transport.isActive(3n));
    assert.equal(b.transport.peerState(3n)?.remote, true);
    b.transport.send(3n, [message('answer from 2')]);
    await waitUntil('the answer at 3', () => c.received.length === 1);
    assert.equal(text(c.received[0].bytes), 'answer from 2');
    // Once the membership change reaches member 2, the remote is a peer like any other.
    b.transport.addPeer(3n, [url]);
    assert.equal(b.transport.peerState(3n)?.remote, false);
    assert.equal(b.transport.isActive(3n), true);
  } finally {
    await closeAll([b, c]);
  }
});
