// HTTP/2 sessions to a peer: plain (h2c) for http:// URLs, TLS with ALPN h2 for https:// URLs.
import { connect, type ClientHttp2Session, type ClientHttp2Stream, type Settings } from 'node:http2';
import { clientTlsOptions, type PeerTlsMaterial } from './tls';
import type { PeerUrl } from './urls';

// A stream's flow-control window: large enough that a batch of appends or a snapshot chunk does not
// wait on a window update per 64 KB (HTTP/2's default) even on a slow link.
export const streamWindowBytes = 1 << 20;
// The whole connection's receive window, across the streams that share it.
export const sessionWindowBytes = 16 << 20;
// nghttp2's memory cap per session in MB (node's default is 10): frames of several MB are normal here.
export const sessionMemoryMb = 128;

export const sessionSettings: Settings = { initialWindowSize: streamWindowBytes };

export function openSession(url: PeerUrl, tls: PeerTlsMaterial | undefined): ClientHttp2Session {
  const options = { settings: sessionSettings, maxSessionMemory: sessionMemoryMb };
  const session = url.secure ? connect(url.origin, { ...options, ...clientTlsOptions(tls) }) : connect(url.origin, options);
  session.once('connect', () => {
    if (!session.destroyed) session.setLocalWindowSize(sessionWindowBytes);
  });
  return session;
}

/** Reads a short response body (a refusal line), at most `limit` bytes. */
export function readText(stream: ClientHttp2Stream, limit = 1024): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    });
    const done = (): void => resolve(Buffer.concat(chunks).toString('utf8').trim());
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}
