// answerWithTrailers sends a unary answer's headers, message and trailers in one write: a loopback
// TCP relay between an HTTP/2 client and server sees the answer arrive as one chunk, which holds the
// three frames, the last ending the stream; the client reads them as node's public API sends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { answerWithTrailers } from '../../src/server/listen/trailing-answer';

const FRAME_HEADERS = 0x1;
const FRAME_DATA = 0x0;
const END_STREAM = 0x1;

interface Frame {
  type: number;
  flags: number;
  length: number;
}

function framesOf(chunk: Buffer): Frame[] {
  const frames: Frame[] = [];
  for (let at = 0; at + 9 <= chunk.length;) {
    const length = chunk.readUIntBE(at, 3);
    frames.push({ type: chunk[at + 3], flags: chunk[at + 4], length });
    at += 9 + length;
  }
  return frames;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

test('a unary answer leaves in one write: headers, message and trailers', async () => {
  const message = Buffer.from([0, 0, 0, 0, 3, 1, 2, 3]);
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.resume();
    stream.on('end', () => answerWithTrailers(stream, { ':status': 200, 'content-type': 'application/grpc+proto' }, message, { 'grpc-status': 0, 'grpc-message': 'OK' }));
  });
  const serverPort = await listen(server);
  // what the server writes, chunk by chunk, once the request has gone to it
  const fromServer: Buffer[] = [];
  let requestSent = false;
  const relay = net.createServer((client) => {
    const upstream = net.connect(serverPort, '127.0.0.1');
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (requestSent) fromServer.push(d);
      client.write(d);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const relayPort = await listen(relay);
  const session = http2.connect(`http://127.0.0.1:${relayPort}`);
  try {
    await new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => resolve());
      session.once('error', reject);
    });
    // let the settings acknowledgements go by before the request
    await new Promise((resolve) => setTimeout(resolve, 50));
    requestSent = true;
    const stream = session.request({ ':method': 'POST', ':path': '/etcdserverpb.KV/Range', 'content-type': 'application/grpc', te: 'trailers' });
    const answer = await new Promise<{ headers: http2.IncomingHttpHeaders; data: Buffer; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
      let headers: http2.IncomingHttpHeaders = {};
      const data: Buffer[] = [];
      stream.on('response', (h) => { headers = h; });
      stream.on('data', (d: Buffer) => data.push(d));
      stream.on('trailers', (trailers) => stream.on('end', () => resolve({ headers, data: Buffer.concat(data), trailers })));
      stream.on('error', reject);
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
    assert.equal(answer.headers[':status'], 200);
    assert.deepEqual(answer.data, message);
    assert.equal(answer.trailers['grpc-status'], '0');
    assert.equal(answer.trailers['grpc-message'], 'OK');
    const answerChunks = fromServer.filter((chunk) => framesOf(chunk).some((f) => f.type === FRAME_HEADERS || f.type === FRAME_DATA));
    assert.equal(answerChunks.length, 1, `the answer came in ${answerChunks.length} writes`);
    const frames = framesOf(answerChunks[0]).filter((f) => f.type === FRAME_HEADERS || f.type === FRAME_DATA);
    assert.deepEqual(frames.map((f) => f.type), [FRAME_HEADERS, FRAME_DATA, FRAME_HEADERS]);
    assert.equal(frames[1].length, message.length);
    assert.equal(frames[2].flags & END_STREAM, END_STREAM);
  } finally {
    session.destroy();
    relay.close();
    server.close();
  }
});
