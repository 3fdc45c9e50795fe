// One listening socket for one etcd URL, serving gRPC and HTTP/1.x on the same port as etcd does.
// A plain connection is routed by its first bytes; a TLS connection by the ALPN protocol the client
// chose (by its first bytes when it chose none). After routing, the socket is handed over as it is:
// the HTTP/2 session reads it natively, so the routing costs nothing per message. The exception is
// a plain HTTP/2 connection: its client bytes go through the :authority rewriter first (etcdctl
// sends "http://host:port" there; see authority-rewriter.ts). TLS connections need no such help
// (etcdctl then sends the host alone) and keep their native TLS socket, whose peer certificate the
// gRPC server reads for client certificate authentication.
import { once } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { sniffPreface } from '../../preface';
import { parseEtcdUrl } from '../config';
import { authorityFixingSocket } from './authority-socket';
import { routeByFirstRequest } from './first-request';
import { ListenError } from './tls-options';
import { clientRefusal, rejectionFields, type CertificatePolicy } from '../../tls-hardening';

/** Where routed connections go; a connection for a missing route is closed. */
export interface ConnectionRoutes {
  /** Takes HTTP/2 (gRPC) connections: a grpc-js connection injector's injectConnection. */
  readonly grpc?: (connection: Duplex) => void;
  /** Takes HTTP/1.x connections. */
  readonly http?: HttpServer;
}

export interface ListenOptions {
  /** Serve TLS with these options (for https:// and unixs:// URLs). */
  readonly tls?: tls.TlsOptions;
  /** With tls: what client certificates must also pass (CRL, allowed hostname), checked after each handshake. */
  readonly certificatePolicy?: CertificatePolicy;
  readonly logger: Logger;
}

export interface Listener {
  /** The URL as configured. */
  readonly url: string;
  /** The bound address: host:port (the real port when the URL asked for port 0), or the socket path. */
  readonly address: string;
  readonly secure: boolean;
  /**
   * Stops accepting, waits up to graceMs (default 0) for open connections to end by themselves (after
   * a gRPC GOAWAY, say), then closes the rest.
   */
  close(graceMs?: number): Promise<void>;
}

type Route = 'h2' | 'http1';

function route(socket: net.Socket, kind: Route, routes: ConnectionRoutes, logger: Logger): boolean {
  const grpc = routes.grpc;
  if (kind === 'h2' && grpc) {
    if (socket instanceof tls.TLSSocket) grpc(socket);
    else routeByFirstRequest(socket, (needsRewriter) => grpc(needsRewriter ? authorityFixingSocket(socket, { logger }) : socket));
    return true;
  }
  if (kind === 'http1' && routes.http) {
    routes.http.emit('connection', socket);
    socket.resume();
    return true;
  }
  return false;
}

/** Routes a connection by its first bytes; one that speaks neither gRPC nor HTTP is closed. */
function sniff(socket: net.Socket, routes: ConnectionRoutes, logger: Logger): void {
  sniffPreface(socket, (kind) => {
    if (kind !== 'unknown' && route(socket, kind, routes, logger)) return;
    logger.debug({ remote: socket.remoteAddress, kind }, 'closing a client connection that speaks neither gRPC nor HTTP');
    socket.destroy();
  });
}

function bindAddress(server: net.Server): string {
  const address = server.address();
  if (address === null) return '';
  if (typeof address === 'string') return address;
  return address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}

/**
 * Listens on one etcd URL (http, https, unix, unixs) and routes each connection to gRPC or HTTP.
 * `routes` may be a promise: connections that arrive before it settles wait (their bytes stay
 * in the socket), as a client of etcd waits while the member starts; if it rejects they close.
 */
export async function listenUrl(url: string, routes: ConnectionRoutes | Promise<ConnectionRoutes>, options: ListenOptions): Promise<Listener> {
  const parsed = parseEtcdUrl(url);
  const secure = parsed.scheme === 'https' || parsed.scheme === 'unixs';
  if (secure && !options.tls) throw new ListenError(`listen ${url}: TLS URL without TLS settings`);
  const logger = options.logger;
  const routed = Promise.resolve(routes);
  routed.catch(() => undefined); // a start that fails closes the listener; waiting sockets go with it
  /** Runs handle once the routes are known; a connection that closed meanwhile is left alone. */
  const whenRouted = (socket: net.Socket, handle: (r: ConnectionRoutes) => void): void => {
    routed.then(
      (r) => {
        if (!socket.destroyed) handle(r);
      },
      () => socket.destroy(),
    );
  };
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // An error on a connection (a reset, a failed write) concerns that connection only.
    socket.on('error', (err) => logger.debug({ remote: socket.remoteAddress, err: err.message }, 'client connection error'));
  };

  let server: net.Server;
  if (secure) {
    const tlsServer = tls.createServer({
      ...options.tls,
      // gRPC clients offer only h2; curl and browsers offer http/1.1 too, and get HTTP/1.1.
      ALPNCallback: ({ protocols }) => (protocols.includes('http/1.1') ? 'http/1.1' : protocols.includes('h2') ? 'h2' : undefined),
    });
    tlsServer.on('connection', track);
    const policy = options.certificatePolicy;
    tlsServer.on('secureConnection', (socket: tls.TLSSocket) => {
      track(socket);
      // Checked once the handshake is done (etcd checks the CRL then too, the hostname inside the
      // handshake; src/tls-hardening says why not here) and logged with etcd's fields.
      const refusal = policy && clientRefusal(socket, policy);
      if (refusal !== undefined) {
        logger.warn(rejectionFields(socket, refusal), 'rejected connection');
        socket.destroy();
        return;
      }
      const alpn = socket.alpnProtocol;
      whenRouted(socket, (r) => {
        if (alpn === 'h2' || alpn === 'http/1.1') {
          if (!route(socket, alpn === 'h2' ? 'h2' : 'http1', r, logger)) socket.destroy();
        } else {
          sniff(socket, r, logger);
        }
      });
    });
    tlsServer.on('tlsClientError', (err, socket) => {
      logger.warn(rejectionFields(socket, err.message), 'rejected connection');
      socket.destroy();
    });
    server = tlsServer;
  } else {
    server = net.createServer((socket) => {
      track(socket);
      whenRouted(socket, (r) => sniff(socket, r, logger));
    });
  }

  const isUnix = parsed.scheme === 'unix' || parsed.scheme === 'unixs';
  // Go listens on localhost's IPv4 address; Node might pick ::1 first, where etcdctl's default
  // endpoint (127.0.0.1:2379) would not find us.
  const host = parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname;
  server.listen(isUnix ? { path: parsed.host } : { host, port: parsed.port });
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    throw new ListenError(`listen ${url}: ${(err as Error).message}`);
  }
  server.on('error', (err) => logger.error({ url, err: err.message }, 'listener error'));

  return {
    url,
    address: bindAddress(server),
    secure,
    close: async (graceMs = 0) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (graceMs > 0 && sockets.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); })]);
        clearTimeout(timer);
      }
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
