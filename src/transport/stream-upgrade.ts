// The receiver's half of opening a message stream: a peer's HTTP/1.1 POST /raft/stream/<sender id>
// with Upgrade is admitted as every raft request is; refused with etcd's status and body line, or
// answered 101 and its socket handed to the inbound streams. The peer port speaks HTTP/2 for
// everything else, and says so to any other HTTP/1.1 request.
import { STATUS_CODES, createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { admit, type InboundHooks } from './admission';
import type { TransportContext } from './context';
import type { InboundStreams } from './inbound-streams';
import { identityResponseHeaders, streamPathPrefix, streamProtocol } from './wire';

/** An HTTP/1.1 response head as text: the status line, the headers and the blank line. */
function responseHead(status: number, headers: OutgoingHttpHeaders): string {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lines.push(`${name}: ${String(value)}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Answers an upgrade request with a status and a one-line body (as Go's http.Error), then closes. */
function refuseUpgrade(ctx: TransportContext, socket: Socket, status: number, text: string, extra: OutgoingHttpHeaders = {}): void {
  const body = `${text}\n`;
  const headers = {
    ...identityResponseHeaders(ctx.local),
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    ...extra,
  };
  socket.end(responseHead(status, headers) + body);
}

function answerUpgrade(ctx: TransportContext, hooks: InboundHooks, streams: InboundStreams, request: IncomingMessage, socket: Socket, head: Buffer): void {
  socket.on('error', () => undefined);
  const path = request.url ?? '';
  if (!path.startsWith(streamPathPrefix) || request.headers.upgrade !== streamProtocol) {
    refuseUpgrade(ctx, socket, 404, '404 page not found');
    return;
  }
  if (request.method !== 'POST') {
    refuseUpgrade(ctx, socket, 405, 'Method Not Allowed', { allow: 'POST' });
    return;
  }
  const admission = admit(ctx, hooks, request.headers, path.slice(streamPathPrefix.length));
  if ('status' in admission) {
    refuseUpgrade(ctx, socket, admission.status, admission.text);
    return;
  }
  socket.write(responseHead(101, { connection: 'Upgrade', upgrade: streamProtocol, ...identityResponseHeaders(ctx.local) }));
  streams.accept(admission.from, socket, head);
}

/**
 * A server that is never bound: the peer listeners hand it their HTTP/1.1 connections (by first bytes
 * on plain ports, by ALPN on TLS ones).
 */
export function streamUpgradeServer(ctx: TransportContext, hooks: InboundHooks, streams: InboundStreams): Server {
  const server = createServer((_request, response) => {
    response.writeHead(505, { ...identityResponseHeaders(ctx.local), 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    response.end('the peer port serves HTTP/2; HTTP/1.1 only opens raft message streams\n');
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => answerUpgrade(ctx, hooks, streams, request, socket, head));
  return server;
}
