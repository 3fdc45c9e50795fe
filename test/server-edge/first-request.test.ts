// A plain HTTP/2 connection goes to node's HTTP/2 on its own socket unless its first request's
// :authority needs the rewriter (src/server/listen/first-request.ts). The real etcdctl's side of it
// is in authority-etcdctl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { encodeWithoutIndexing } from '../../src/hpack';
import { silentLogger } from '../../src/log';
import { http2Preface, sniffPreface } from '../../src/preface';
import { routeByFirstRequest, scanOpening } from '../../src/server/listen';
import { authorityFixingSocket } from '../../src/server/listen/authority-socket';
import { CONTINUATION, DATA, END_HEADERS, HEADERS, PADDED, PRIORITY, SETTINGS, frame } from './h2-frames';

const ACK = 0x1;
const block = (authority: string) => encodeWithoutIndexing([
  { name: ':method', value: 'POST' },
  { name: ':authority', value: authority },
  { name: ':path', value: '/etcdserverpb.KV/Range' },
]);

test('scanOpening finds the first SETTINGS ACK and the first request\'s :authority', () => {
  const opening = Buffer.concat([http2Preface, frame(SETTINGS, 0, 0), frame(SETTINGS, ACK, 0)]);
  assert.deepEqual(scanOpening(opening), { ackAt: 33, unreadable: false });
  const whole = Buffer.concat([opening, frame(HEADERS, END_HEADERS, 1, block('127.0.0.1:2379'))]);
  assert.deepEqual(scanOpening(whole), { ackAt: 33, authority: '127.0.0.1:2379', unreadable: false });
  const b = block('http://127.0.0.1:2379');
  const split = Buffer.concat([opening, frame(HEADERS, 0, 1, b.subarray(0, 5)), frame(CONTINUATION, END_HEADERS, 1, b.subarray(5))]);
  assert.equal(scanOpening(split).authority, 'http://127.0.0.1:2379');
  const padded = Buffer.concat([opening, frame(HEADERS, END_HEADERS | PADDED | PRIORITY, 1, Buffer.concat([Buffer.from([3]), Buffer.alloc(5), b, Buffer.alloc(3)]))]);
  assert.equal(scanOpening(padded).authority, 'http://127.0.0.1:2379');
  assert.equal(scanOpening(Buffer.concat([opening, frame(HEADERS, 0, 1, b.subarray(0, 5))])).authority, undefined, 'a block not yet complete');
  assert.equal(scanOpening(Buffer.concat([opening, frame(HEADERS, 0, 1, b.subarray(0, 5)), frame(DATA, 0, 1)])).unreadable, true);
});

/** A listener routing as the client listener does, recording each decision; answers every request with 200. */
async function listener(t: { after(fn: () => unknown): void }, options = { requestWaitMs: 50, ackWaitMs: 500 }) {
  const decisions: boolean[] = [];
  const h2 = http2.createServer();
  h2.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200, 'x-authority': String(headers[':authority']) });
    stream.end();
  });
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    sniffPreface(socket, () => routeByFirstRequest(socket, (needsRewriter) => {
      decisions.push(needsRewriter);
      h2.emit('connection', needsRewriter ? authorityFixingSocket(socket, { logger: silentLogger() }) : socket);
    }, options));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { decisions, address: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}

function ask(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders = {}): Promise<http2.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/x', ...headers });
    stream.on('response', resolve);
    stream.on('error', reject);
    stream.end();
  });
}

test('a plain :authority keeps the raw socket, a URL goes through the rewriter; both are answered', async (t) => {
  const { decisions, address } = await listener(t);
  const plain = http2.connect(address);
  t.after(() => plain.close());
  assert.equal((await ask(plain))[':status'], 200);
  assert.equal((await ask(plain))[':status'], 200, 'later requests on the same connection');
  const url = http2.connect(address);
  t.after(() => url.close());
  const answered = await ask(url, { ':authority': `${address}` });
  assert.equal(answered[':status'], 200);
  assert.equal(answered['x-authority'], address.replace('http://', ''));
  assert.deepEqual(decisions, [false, true]);
});

test('a client that sends no request soon gets the rewriter, and is answered when it does', async (t) => {
  const { decisions, address } = await listener(t);
  const idle = http2.connect(address);
  t.after(() => idle.close());
  await once(idle, 'remoteSettings');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.deepEqual(decisions, [true]);
  assert.equal((await ask(idle))[':status'], 200);
});

test('a client that never acknowledges the SETTINGS is closed', async (t) => {
  const { decisions, address } = await listener(t);
  const socket = net.connect(Number(new URL(address).port), '127.0.0.1');
  socket.on('data', () => {});
  socket.write(Buffer.concat([http2Preface, frame(SETTINGS, 0, 0)]));
  await once(socket, 'close');
  assert.deepEqual(decisions, []);
});
