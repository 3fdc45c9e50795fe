// etcdctl 3.4 on endpoints written with a scheme: its per-endpoint calls carry "http://host:port"
// as the HTTP/2 :authority on plain connections, which cairn's listener rewrites before nghttp2
// sees it. Real etcdctl, a real cairn process; TLS listeners too (there etcdctl sends the host).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { http2Preface } from '../../src/preface';
import { type CairnProcess, etcdctl, hasEtcdctl, startCairn } from '../cli/cairn-process';
import { freePorts } from '../support/ports';
import { END_HEADERS, HEADERS, SETTINGS, frame } from './h2-frames';
import { makeTestPki, type TestPki } from './tls-fixtures';

const skip = hasEtcdctl() ? false : 'the real etcdctl is not installed (Debian etcd-client)';

function ok(endpoint: string, args: readonly string[]): string {
  const r = etcdctl(endpoint, args);
  assert.equal(r.status, 0, `etcdctl ${args.join(' ')}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /PROTOCOL_ERROR/);
  return r.stdout;
}

/** The per-endpoint commands on `url` print what they print on the same member written host:port. */
function perEndpointCommandsWork(url: string, tlsArgs: readonly string[] = []): void {
  const bare = url.replace(/^https?:\/\//, '');
  ok(url, [...tlsArgs, 'put', 'authority', 'test']);
  const status = JSON.parse(ok(url, [...tlsArgs, 'endpoint', 'status', '-w', 'json']));
  const bareStatus = JSON.parse(ok(bare, [...tlsArgs, 'endpoint', 'status', '-w', 'json']));
  assert.equal(status[0].Endpoint, url);
  assert.equal(status[0].Status.header.member_id, bareStatus[0].Status.header.member_id);
  const hash = JSON.parse(ok(url, [...tlsArgs, 'endpoint', 'hashkv', '-w', 'json']));
  const bareHash = JSON.parse(ok(bare, [...tlsArgs, 'endpoint', 'hashkv', '-w', 'json']));
  assert.equal(hash[0].HashKV.hash, bareHash[0].HashKV.hash);
  assert.equal(ok(url, [...tlsArgs, 'defrag']), `Finished defragmenting etcd member[${url}]\n`);
  assert.match(ok(url, [...tlsArgs, 'endpoint', 'status', '--cluster']), new RegExp(`^${url}, [0-9a-f]+, 3\\.4\\.\\d+, `));
  assert.match(ok(bare, [...tlsArgs, 'endpoint', 'hashkv', '--cluster']), new RegExp(`^${url}, \\d+\\n$`));
}

let plain: CairnProcess;
let plainUrl: string;
before(async () => {
  if (skip) return;
  const [port] = await freePorts(1);
  plainUrl = `http://127.0.0.1:${port}`;
  plain = await startCairn({ args: ['--listen-client-urls', plainUrl, '--advertise-client-urls', plainUrl] });
});
after(async () => {
  await plain?.stop('SIGKILL');
  plain?.cleanup();
});

test('plain listener: endpoint status, endpoint hashkv, defrag and --cluster work on http:// endpoints', { skip }, () => {
  perEndpointCommandsWork(plainUrl);
});

test('TLS listener with client certificates: the same commands work on https:// endpoints', { skip }, async (t) => {
  const pki: TestPki = makeTestPki();
  const [port] = await freePorts(1);
  const url = `https://127.0.0.1:${port}`;
  const cairn = await startCairn({
    args: ['--listen-client-urls', url, '--advertise-client-urls', url, '--cert-file', pki.serverCert, '--key-file', pki.serverKey, '--trusted-ca-file', pki.caFile, '--client-cert-auth'],
  });
  t.after(async () => {
    await cairn.stop('SIGKILL');
    cairn.cleanup();
    pki.remove();
  });
  perEndpointCommandsWork(url, ['--cacert', pki.caFile, '--cert', pki.clientCert, '--key', pki.clientKey]);
});

/**
 * Sends one gRPC Maintenance.Status call with the given headers over Node's HTTP/2 client; resolves
 * with grpc-status, or with the reset code when the stream ends without trailers.
 */
async function statusCall(url: string, headers: http2.OutgoingHttpHeaders): Promise<string> {
  const session = http2.connect(url);
  session.on('error', () => undefined);
  try {
    const stream = session.request({ ':method': 'POST', ':path': '/etcdserverpb.Maintenance/Status', 'content-type': 'application/grpc', te: 'trailers', ...headers });
    stream.on('error', () => undefined);
    stream.end(Buffer.alloc(5));
    stream.resume();
    return await new Promise<string>((resolve) => {
      stream.once('trailers', (trailers: http2.IncomingHttpHeaders) => resolve(String(trailers['grpc-status'])));
      stream.once('close', () => resolve(`reset ${stream.rstCode}`));
    });
  } finally {
    session.close();
  }
}

test('another client (nghttp2\'s encoder) with a URL :authority and a header block that needs CONTINUATION frames', { skip }, async () => {
  assert.equal(await statusCall(plainUrl, { ':authority': plainUrl }), '0');
  assert.equal(await statusCall(plainUrl, { ':authority': plainUrl, 'x-padding': 'p'.repeat(40000) }), '0');
  assert.equal(await statusCall(plainUrl, { ':authority': '127.0.0.1:1' }), '0');
});

test('a connection with a malformed header block is closed; the server goes on serving', { skip }, async () => {
  const { hostname, port } = new URL(plainUrl);
  for (const block of [Buffer.from([0x80]), Buffer.from([0x41, 0x81, 0x00]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])]) {
    const socket = net.connect(Number(port), hostname);
    socket.on('error', () => undefined);
    socket.resume();
    socket.write(Buffer.concat([http2Preface, frame(SETTINGS, 0, 0), frame(HEADERS, END_HEADERS, 1, block)]));
    await once(socket, 'close');
  }
  assert.equal(await statusCall(plainUrl, { ':authority': plainUrl }), '0');
  assert.match(plain.log(), /closing a gRPC connection with a malformed header block/);
});
