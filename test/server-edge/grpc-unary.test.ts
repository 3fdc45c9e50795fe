// Unary calls answered by src/server/listen/grpc-unary.ts must look, byte for byte where it
// matters, as grpc-js answers them: the same request goes to a grpc-js Server as it comes and to one
// routed through answerUnaryDirectly, and the two answers are compared.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import { gzipSync } from 'node:zlib';
import { etcdserverpb } from '../../src/api';
import { answerUnaryDirectly } from '../../src/server/listen';

const maxReceiveBytes = 1024;

/** Range answers by the request's key: what the key names happens. */
function rangeHandler(call: grpc.ServerUnaryCall<etcdserverpb.RangeRequest, etcdserverpb.RangeResponse>, callback: grpc.sendUnaryData<etcdserverpb.RangeResponse>): void {
  const key = Buffer.from(call.request.key).toString();
  const answer = (value: string) => callback(null, etcdserverpb.RangeResponse.fromPartial({ kvs: [{ key: call.request.key, value: Buffer.from(value) }], count: 1n }));
  if (key === 'ok') return answer('value');
  if (key === 'error') return callback({ code: grpc.status.FAILED_PRECONDITION, details: 'etcdserver: a refusal with spaces/slashes %', name: 'E', message: 'm' });
  if (key === 'plain-error') return callback(new Error('etcdserver: plain'));
  if (key === 'error-metadata') {
    const metadata = new grpc.Metadata();
    metadata.set('x-detail', 'one');
    return callback({ code: grpc.status.NOT_FOUND, details: 'gone', metadata, name: 'E', message: 'gone' });
  }
  if (key === 'throw') throw new Error('handler threw');
  if (key === 'unencodable') return callback({ code: grpc.status.FAILED_PRECONDITION, details: 'lone \ud800 surrogate', name: 'E', message: 'm' });
  if (key === 'metadata') {
    // the peer's port differs between the two servers' connections: its shape is what must agree
    const peer = call.getPeer().replace(/:\d+$/, ':port');
    return answer(JSON.stringify({ metadata: call.metadata.getMap(), peer, auth: call.getAuthContext(), deadline: call.getDeadline() === Infinity }));
  }
  if (key === 'hang') return;
  answer('unknown key');
}

function services(): Array<[grpc.ServiceDefinition, grpc.UntypedServiceImplementation]> {
  return [[etcdserverpb.KVService as unknown as grpc.ServiceDefinition, { range: rangeHandler }]];
}

async function startServer(direct: boolean): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxReceiveBytes, 'grpc.enable_channelz': 0 });
  for (const [definition, implementation] of services()) server.addService(definition, implementation);
  if (direct) answerUnaryDirectly(server, services(), maxReceiveBytes);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { server, address: `http://127.0.0.1:${port}` };
}

interface Answer {
  headers: Record<string, unknown>;
  data: string;
  trailers: Record<string, unknown>;
}

/** One raw HTTP/2 request; the answer without the headers that differ between any two responses. */
function call(address: string, path: string, body: Buffer, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(address);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extraHeaders });
    const chunks: Buffer[] = [];
    let headers: Record<string, unknown> = {};
    let trailers: Record<string, unknown> = {};
    stream.on('response', (h) => { headers = { ...h }; });
    stream.on('trailers', (t) => { trailers = { ...t }; });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('close', () => {
      session.close();
      delete headers.date;
      resolve({ headers, data: Buffer.concat(chunks).toString('hex'), trailers });
    });
    stream.on('error', () => {});
    stream.end(body);
  });
}

const frame = (message: Buffer, compressed = 0) => {
  const head = Buffer.alloc(5);
  head[0] = compressed;
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
};
const range = (key: string) => frame(Buffer.from(etcdserverpb.RangeRequest.encode(etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from(key) })).finish()));
const rangePath = '/etcdserverpb.KV/Range';

let grpcJs: { server: grpc.Server; address: string };
let direct: { server: grpc.Server; address: string };
before(async () => {
  grpcJs = await startServer(false);
  direct = await startServer(true);
});
after(() => {
  grpcJs.server.forceShutdown();
  direct.server.forceShutdown();
});

async function same(body: Buffer, headers: Record<string, string> = {}, path = rangePath): Promise<Answer> {
  const expected = await call(grpcJs.address, path, body, headers);
  const actual = await call(direct.address, path, body, headers);
  assert.deepEqual(actual, expected);
  return actual;
}

test('an answer: the same headers, message and trailers as grpc-js', async () => {
  const answer = await same(range('ok'));
  assert.equal(answer.trailers['grpc-status'], '0');
  assert.ok(answer.data.length > 10);
});

test('handler errors: the status, its message encoded and its metadata, as grpc-js sends them', async () => {
  assert.equal((await same(range('error'))).headers['grpc-status'], String(grpc.status.FAILED_PRECONDITION));
  assert.equal((await same(range('plain-error'))).headers['grpc-message'], 'etcdserver:%20plain');
  assert.equal((await same(range('error-metadata'))).headers['x-detail'], 'one');
  assert.equal((await same(range('throw'))).headers['grpc-status'], String(grpc.status.UNKNOWN));
});

test('a request grpc-js refuses is refused in the same words (an oversize one in etcd\'s)', async () => {
  const garbage = frame(Buffer.from([0xff, 0xff, 0xff]));
  assert.equal((await same(garbage)).headers['grpc-status'], String(grpc.status.INTERNAL));
  // the one deliberate difference: an oversize request is refused in etcd's (grpc-go's) words
  const tooLarge = frame(Buffer.alloc(maxReceiveBytes + 1, 0x61));
  const theirs = await call(grpcJs.address, rangePath, tooLarge);
  const ours = await call(direct.address, rangePath, tooLarge);
  assert.equal(ours.headers['grpc-status'], theirs.headers['grpc-status']);
  assert.equal(decodeURIComponent(String(ours.headers['grpc-message'])), `grpc: received message larger than max (${maxReceiveBytes + 1} vs. ${maxReceiveBytes})`);
  assert.equal((await same(Buffer.alloc(0))).headers['grpc-status'], String(grpc.status.UNIMPLEMENTED));
  assert.equal((await same(Buffer.concat([range('ok'), range('ok')]))).headers['grpc-status'], String(grpc.status.UNIMPLEMENTED));
  assert.equal((await same(range('ok'), { 'grpc-timeout': 'soon' })).headers['grpc-status'], String(grpc.status.INTERNAL));
});

test('a deadline that passes ends the call with DEADLINE_EXCEEDED', async () => {
  const answer = await same(range('hang'), { 'grpc-timeout': '50m' });
  assert.equal(answer.headers['grpc-status'], String(grpc.status.DEADLINE_EXCEEDED));
});

test('the handler sees the same metadata, peer and auth context', async () => {
  const answer = await same(range('metadata'), { token: 'abc', 'grpc-timeout': '5S', 'user-agent': 'test' });
  const reply = etcdserverpb.RangeResponse.decode(Buffer.from(answer.data, 'hex').subarray(5));
  const seen = JSON.parse(Buffer.from(reply.kvs[0].value).toString());
  assert.equal(seen.metadata.token, 'abc');
  assert.equal(seen.metadata['grpc-timeout'], undefined);
  assert.equal(seen.peer, '127.0.0.1:port');
});

test('compressed requests and unknown methods still go to grpc-js', async () => {
  const body = Buffer.from(etcdserverpb.RangeRequest.encode(etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from('ok') })).finish());
  const answer = await same(frame(gzipSync(body), 1), { 'grpc-encoding': 'gzip' });
  assert.equal(answer.trailers['grpc-status'], '0');
  assert.equal((await same(range('ok'), {}, '/etcdserverpb.KV/Nothing')).headers['grpc-status'], String(grpc.status.UNIMPLEMENTED));
});

test('a real grpc-js client gets its answers and errors through the direct path', async () => {
  const client = new etcdserverpb.KVClient(direct.address.replace('http://', ''), grpc.credentials.createInsecure());
  try {
    const ask = (key: string) => new Promise<etcdserverpb.RangeResponse>((resolve, reject) => {
      client.range(etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from(key) }), (err, res) => (err ? reject(err) : resolve(res)));
    });
    assert.equal(Buffer.from((await ask('ok')).kvs[0].value).toString(), 'value');
    await assert.rejects(ask('error'), (err: grpc.ServiceError) => err.code === grpc.status.FAILED_PRECONDITION && err.details === 'etcdserver: a refusal with spaces/slashes %');
  } finally {
    client.close();
  }
});

test('a status node cannot write ends its stream only; the server answers the next call', async () => {
  const failed = await call(direct.address, rangePath, range('unencodable'));
  assert.equal(failed.trailers['grpc-status'], undefined);
  assert.equal(failed.headers['grpc-status'], undefined);
  assert.equal((await call(direct.address, rangePath, range('ok'))).trailers['grpc-status'], '0');
});
