// The decoder against a real encoder: Node's HTTP/2 client (nghttp2) Huffman-codes, indexes and
// evicts as it sees fit; every header block it sends must decode to the headers it was given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { once } from 'node:events';
import { HpackDecoder } from '../../src/hpack';
import { SETTINGS, frame, headerBlocks, parseFrames } from '../server-edge/h2-frames';

/** Sends `requests` through Node's HTTP/2 client to a socket that only records the bytes. */
async function capture(requests: readonly http2.OutgoingHttpHeaders[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const server = net.createServer((socket) => {
    socket.write(frame(SETTINGS, 0, 0));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const client = http2.connect(`http://127.0.0.1:${port}`);
  client.on('error', () => undefined);
  try {
    for (const headers of requests) client.request(headers, { endStream: true }).on('error', () => undefined);
    const deadline = Date.now() + 10000;
    while (headerBlocks(parseWhole(Buffer.concat(chunks))).length < requests.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return Buffer.concat(chunks);
  } finally {
    client.destroy();
    server.close();
  }
}

/** The whole frames of bytes that may end inside one. */
function parseWhole(bytes: Buffer) {
  try {
    return parseFrames(bytes);
  } catch {
    return [];
  }
}

test('every header block from nghttp2 decodes to what was sent, through indexing and eviction', async () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const requests: http2.OutgoingHttpHeaders[] = [];
  for (let i = 0; i < 60; i++) {
    requests.push({
      ':method': 'POST',
      ':path': `/etcdserverpb.KV/${['Range', 'Put', 'Txn'][rand(3)]}`,
      ':authority': i % 2 ? '127.0.0.1:2379' : 'http://127.0.0.1:2379',
      'content-type': 'application/grpc',
      'grpc-timeout': `${rand(100000)}u`,
      [`x-key-${rand(40)}`]: 'v'.repeat(rand(1500)),
      'x-bytes': Buffer.from(Array.from({ length: 20 }, () => 0x20 + rand(95))).toString('latin1'),
    });
  }
  const blocks = headerBlocks(parseFrames(await capture(requests)));
  assert.equal(blocks.length, requests.length);
  const decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 1 << 20 });
  blocks.forEach(({ block }, i) => {
    const got = Object.fromEntries(decoder.decode(block).map((f) => [f.name, f.value]));
    for (const [name, value] of Object.entries(requests[i])) assert.equal(got[name], value, `request ${i} ${name}`);
  });
});
