// One request of etcd's peer HTTP API beside raft (GET /members, GET /version, POST
// /members/promote/<id>) to a peer URL, on a connection of its own with the peer TLS settings: what a
// member uses to join a running cluster and to hand a learner's promotion to the leader.
import { TransportError, errorText } from './errors';
import { openSession } from './session';
import { loadPeerTls, type PeerTlsMaterial, type PeerTlsOptions } from './tls';
import { parsePeerUrl } from './urls';
import { header, headerText } from './wire';

/** What a peer answered: the status, its X-Etcd-Cluster-ID (when sent) and the body as text. */
export interface PeerAnswer {
  status: number;
  clusterId?: string;
  body: string;
}

// Member lists are small; a body past this is not a cairn or etcd peer.
const maxBodyBytes = 4 << 20;

/** Sends one peer API request and resolves with the answer; rejects with a TransportError when none comes. */
export type PeerRequester = (url: string, method: 'GET' | 'POST', path: string, timeoutMs: number) => Promise<PeerAnswer>;

/** A requester with the member's peer TLS (--peer-cert-file, ...), read at its first request. */
export function peerRequester(tls: PeerTlsOptions | undefined): PeerRequester {
  let material: PeerTlsMaterial | undefined;
  let loaded = false;
  return async (url, method, path, timeoutMs) => {
    if (!loaded) {
      material = loadPeerTls(tls);
      loaded = true;
    }
    return requestPeer(material, url, method, path, timeoutMs);
  };
}

function requestPeer(tls: PeerTlsMaterial | undefined, url: string, method: 'GET' | 'POST', path: string, timeoutMs: number): Promise<PeerAnswer> {
  const target = parsePeerUrl(url);
  return new Promise<PeerAnswer>((resolve, reject) => {
    const session = openSession(target, tls);
    const fail = (why: string): void => {
      session.destroy();
      reject(new TransportError(`transport: ${method} ${target.origin}${path}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    session.on('error', (err) => fail(errorText(err)));
    session.on('close', () => clearTimeout(timer));
    const req = session.request({ ':method': method, ':path': path }, { endStream: true });
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
        clearTimeout(timer);
        session.close();
        resolve({ status: Number(headers[':status']), clusterId: headerText(headers, header.clusterId), body: Buffer.concat(chunks).toString('utf8') });
      });
    });
  });
}
