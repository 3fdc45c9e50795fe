// One request of etcd's peer HTTP API beside raft (GET /members, GET /version, POST
// /members/promote/<id>, POST /leases/renew-batch with a binary body, ...) to a peer URL with the peer
// TLS settings: what a member uses to join a running cluster and to hand promotions and lease
// keep-alives to the leader.
// Requests to one peer share a connection (a keep-alive per lease would otherwise cost a TLS
// handshake each); a connection that fails or times out is dropped and the next request opens another.
import type { ClientHttp2Session } from 'node:http2';
import { TransportError, errorText } from './errors';
import { openSession } from './session';
import { loadPeerTls, type PeerTlsMaterial, type PeerTlsOptions } from './tls';
import { parsePeerUrl, type PeerUrl } from './urls';
import { header, headerText } from './wire';

/** What a peer answered: the status, its X-Etcd-Cluster-ID (when sent) and the body. */
export interface PeerAnswer {
  status: number;
  clusterId?: string;
  /** the body as text ('' for a binary answer) */
  body: string;
  /** the body of an application/octet-stream answer */
  bytes?: Buffer;
}

const binaryType = 'application/octet-stream';

// Member lists are small; a body past this is not a cairn or etcd peer.
const maxBodyBytes = 4 << 20;

/** Sends one peer API request (with a binary body, when given) and resolves with the answer; rejects with a TransportError when none comes. */
export type PeerRequester = (url: string, method: 'GET' | 'POST', path: string, timeoutMs: number, body?: Uint8Array) => Promise<PeerAnswer>;

/** A requester with the member's peer TLS (--peer-cert-file, ...), read at its first request. */
export function peerRequester(tls: PeerTlsOptions | undefined): PeerRequester {
  let material: PeerTlsMaterial | undefined;
  let loaded = false;
  const sessions = new Map<string, ClientHttp2Session>();
  const sessionFor = (url: PeerUrl): ClientHttp2Session => {
    const open = sessions.get(url.origin);
    if (open !== undefined && !open.closed && !open.destroyed) return open;
    const session = openSession(url, material);
    // An idle connection to a peer must not keep the process alive.
    session.unref();
    session.on('error', () => session.destroy());
    session.once('close', () => {
      if (sessions.get(url.origin) === session) sessions.delete(url.origin);
    });
    sessions.set(url.origin, session);
    return session;
  };
  return async (url, method, path, timeoutMs, body) => {
    if (!loaded) {
      material = loadPeerTls(tls);
      loaded = true;
    }
    const target = parsePeerUrl(url);
    return requestPeer(sessionFor(target), target, { method, path, body }, timeoutMs);
  };
}

interface PeerRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Uint8Array;
}

function requestPeer(session: ClientHttp2Session, target: PeerUrl, { method, path, body }: PeerRequest, timeoutMs: number): Promise<PeerAnswer> {
  return new Promise<PeerAnswer>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      session.off('close', closed);
      return true;
    };
    // A failure drops the whole connection: ending one stream with RST_STREAM is what made node 20's
    // http2 loop (see peer.ts), and a peer that does not answer in time is not worth keeping.
    const fail = (why: string): void => {
      if (!settle()) return;
      session.destroy();
      reject(new TransportError(`transport: ${method} ${target.origin}${path}: ${why}`));
    };
    const closed = (): void => fail('connection closed');
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    session.once('close', closed);
    let req;
    try {
      if (body === undefined) req = session.request({ ':method': method, ':path': path }, { endStream: true });
      else {
        req = session.request({ ':method': method, ':path': path, 'content-type': binaryType });
        req.end(body);
      }
    } catch (err) {
      fail(errorText(err as Error));
      return;
    }
    req.on('error', (err) => fail(errorText(err)));
    req.on('response', (headers) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) fail(`answer larger than ${maxBodyBytes} bytes`);
        else chunks.push(chunk);
      });
      req.on('end', () => {
        if (!settle()) return;
        const bytes = Buffer.concat(chunks);
        const answer = { status: Number(headers[':status']), clusterId: headerText(headers, header.clusterId) };
        resolve(headerText(headers, 'content-type') === binaryType ? { ...answer, body: '', bytes } : { ...answer, body: bytes.toString('utf8') });
      });
    });
  });
}
