// The sender's half of opening a message stream: an HTTP/1.1 POST /raft/stream/<sender id> on a
// connection of its own that asks the peer to switch protocols (Upgrade). The request carries the
// same identity headers as every raft request, so the peer admits or refuses it as it does the
// others. After 101 the bare TCP or TLS socket carries frames: a write goes to the kernel at once,
// where an HTTP/2 stream would wait for the session's next flush and pay its framing (measured in
// bench/RESULTS.md: ~40 µs less CPU per message on each side, and a shorter round trip).
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { TransportError } from './errors';
import { idToHex } from './ids';
import { clientTlsOptions, type PeerTlsMaterial } from './tls';
import type { PeerUrl } from './urls';
import { header, identityHeaders, streamPathPrefix, streamProtocol, type LocalIdentity } from './wire';

/** The peer switched: frames go on `socket`. */
export interface StreamOpened {
  readonly socket: Socket;
}

/** The peer answered with a refusal (412, 410, ...) and its body line. */
export interface StreamRefused {
  readonly status: number;
  readonly text: string;
  readonly clusterId: string;
}

export interface StreamDial {
  /** Settles once the peer answered; rejects when the connection fails first. */
  readonly answer: Promise<StreamOpened | StreamRefused>;
  /** Gives the attempt up, closing its connection whatever state it is in. */
  abort(): void;
}

// A refusal's body is one line; more is not read.
const maxRefusalBytes = 1024;

export function dialStream(url: PeerUrl, tls: PeerTlsMaterial | undefined, local: LocalIdentity, to: bigint): StreamDial {
  const options: https.RequestOptions = {
    host: url.host,
    port: url.port,
    method: 'POST',
    path: `${streamPathPrefix}${idToHex(local.memberId)}`,
    // An empty body, said so: the bytes after the request's head belong to the frames.
    headers: { ...identityHeaders(local, to), connection: 'Upgrade', upgrade: streamProtocol, 'content-length': '0' },
    agent: false,
  };
  const request = url.secure ? https.request({ ...options, ...clientTlsOptions(tls) }) : http.request(options);
  let opened: Socket | undefined;
  const answer = new Promise<StreamOpened | StreamRefused>((resolve, reject) => {
    request.once('upgrade', (response, socket, head) => {
      if (response.headers.upgrade !== streamProtocol) {
        socket.destroy();
        reject(new TransportError(`transport: peer switched to ${JSON.stringify(response.headers.upgrade ?? '')}, not ${streamProtocol}`));
        return;
      }
      // The receiver writes nothing on a stream; bytes from it are not ours to read.
      if (head.length > 0) {
        socket.destroy();
        reject(new TransportError('transport: peer wrote on the message stream'));
        return;
      }
      opened = socket;
      resolve({ socket });
    });
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < maxRefusalBytes) chunks.push(chunk.subarray(0, maxRefusalBytes - size));
        size += chunk.length;
      });
      const done = (): void => {
        request.destroy();
        resolve({
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8').trim(),
          clusterId: String(response.headers[header.clusterId] ?? ''),
        });
      };
      response.once('end', done);
      response.once('close', done);
    });
    request.on('error', reject);
  });
  request.end();
  return {
    answer,
    abort: () => {
      request.destroy();
      opened?.destroy();
    },
  };
}
