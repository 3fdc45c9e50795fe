// The peer listeners (--listen-peer-urls): one HTTP/2 server per URL, TLS for https:// (client
// certificates required under --peer-client-cert-auth), plain h2c for http://. Routes the raft paths
// here and hands every other path to the member (etcd's /members, /version, ...). HTTP/1.1
// connections (told by their first bytes on plain ports, by the lack of ALPN h2 on TLS ones) go to
// the stream upgrade server: they open raft message streams.
import { once } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { sniffPreface } from '../preface';
import { admit, refuse, type InboundHooks } from './admission';
import type { TransportContext } from './context';
import { TransportError, errorText } from './errors';
import { receiveSnapshot } from './inbound-snapshot';
import { InboundStreams } from './inbound-streams';
import { probeAnswer } from './prober';
import { sessionMemoryMb, sessionSettings, sessionWindowBytes } from './session';
import { streamUpgradeServer } from './stream-upgrade';
import { serverTlsOptions } from './tls';
import { checksClients, clientRefusal, rejectionFields } from '../tls-hardening';
import type { PeerUrl } from './urls';
import type { PeerReply } from './options';
import { header, headerText, probingPath, raftPathPrefix, responseHeaders, snapshotPath } from './wire';

type PeerServer = TcpServer | Http2SecureServer;

function hostPort(url: PeerUrl): string {
  return url.host.includes(':') ? `[${url.host}]:${url.port}` : `${url.host}:${url.port}`;
}

export class PeerListener {
  readonly streams: InboundStreams;
  private readonly servers: PeerServer[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly upgrades: HttpServer;
  private bound: string[] = [];

  constructor(
    private readonly ctx: TransportContext,
    private readonly hooks: InboundHooks,
  ) {
    this.streams = new InboundStreams(ctx, hooks);
    this.upgrades = streamUpgradeServer(ctx, hooks, this.streams);
  }

  /** Binds every URL; on a failure the ones already bound are closed again. */
  async listen(urls: readonly PeerUrl[]): Promise<void> {
    try {
      for (const url of urls) this.bound.push(await this.listenOne(url));
    } catch (err) {
      await this.close(1000);
      throw err;
    }
  }

  /** The URLs as bound (a port 0 replaced by the port the system picked). */
  urls(): string[] {
    return [...this.bound];
  }

  /** Stops accepting, then drops every connection; resolves within `boundMs` whatever peers do. */
  async close(boundMs: number): Promise<void> {
    this.streams.closeAll();
    const closed = this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.servers.length = 0;
    this.bound = [];
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
      timer.unref();
    });
    await Promise.race([Promise.all(closed), bound]);
    clearTimeout(timer);
  }

  private async listenOne(url: PeerUrl): Promise<string> {
    const { ctx } = this;
    const options = { settings: sessionSettings, maxSessionMemory: sessionMemoryMb };
    let server: PeerServer;
    let http2Server;
    if (url.secure) {
      const identity = ctx.tls?.identity;
      if (!ctx.tls || !identity) throw new TransportError(`transport: cannot listen on TLS for ${hostPort(url)}: KeyFile and CertFile are not presented`);
      const tlsServer = createSecureServer({ ...options, ...serverTlsOptions(ctx.tls, identity), allowHTTP1: false });
      // A client certificate that fails verification ends the connection without an error of its
      // own (the error is a hang-up); the verification result is on the socket.
      tlsServer.on('tlsClientError', (err: Error, socket: TLSSocket) =>
        ctx.logger.warn(
          { 'local-member-id': ctx.localHex, 'remote-addr': socket.remoteAddress ?? '', error: socket.authorizationError ? `client certificate: ${String(socket.authorizationError)}` : errorText(err) },
          'rejected connection',
        ),
      );
      // A connection that did not choose h2 by ALPN is a message stream's HTTP/1.1 request.
      tlsServer.on('unknownProtocol', (socket: TLSSocket) => this.toUpgrades(socket));
      tlsServer.on('connection', (socket: Socket) => this.track(socket));
      // --peer-crl-file, --peer-cert-allowed-cn, --peer-cert-allowed-hostname: checked once the
      // handshake is done, as etcd's listener checks the CRL. This runs after node's own listener,
      // which has already handed the socket to an HTTP/2 session or the upgrade server; neither has
      // read from it yet, and closing it here ends them before any request.
      const policy = ctx.tls.policy;
      if (checksClients(policy)) {
        tlsServer.on('secureConnection', (socket: TLSSocket) => {
          const refusal = clientRefusal(socket, policy);
          if (refusal === undefined) return;
          ctx.logger.warn({ 'local-member-id': ctx.localHex, ...rejectionFields(socket, refusal) }, 'rejected connection');
          socket.destroy();
        });
      }
      server = tlsServer;
      http2Server = tlsServer;
    } else {
      const h2cServer = createServer(options);
      server = createTcpServer((socket) => {
        this.track(socket);
        sniffPreface(socket, (kind) => {
          if (kind === 'h2') h2cServer.emit('connection', socket);
          else if (kind === 'http1') this.toUpgrades(socket);
          else socket.destroy();
        });
      });
      http2Server = h2cServer;
    }
    http2Server.on('session', (session: Http2Session) => {
      session.on('error', (err) => ctx.logger.debug({ 'local-member-id': ctx.localHex, error: errorText(err) }, 'peer connection error'));
      session.once('connect', () => {
        if (!session.destroyed) session.setLocalWindowSize(sessionWindowBytes);
      });
    });
    http2Server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.route(stream, headers));
    this.servers.push(server);
    server.listen(url.port, url.host);
    try {
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'bind: address already in use' : code === 'EADDRNOTAVAIL' ? 'bind: cannot assign requested address' : errorText(err);
      throw new TransportError(`transport: listen tcp ${hostPort(url)}: ${why}`);
    }
    server.on('error', (err) => ctx.logger.warn({ 'local-member-id': ctx.localHex, error: errorText(err) }, 'peer listener error'));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : url.port;
    ctx.logger.info({ 'local-member-id': ctx.localHex, address: `${url.secure ? 'https' : 'http'}://${hostPort({ ...url, port })}` }, 'serving peer traffic');
    return `${url.secure ? 'https' : 'http'}://${hostPort({ ...url, port })}`;
  }

  /** Keeps a connection so that close() can end it; an error on it concerns it alone. */
  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', (err) => this.ctx.logger.debug({ 'local-member-id': this.ctx.localHex, error: errorText(err) }, 'peer connection error'));
  }

  private toUpgrades(socket: Socket): void {
    this.upgrades.emit('connection', socket);
    socket.resume();
  }

  private route(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const { ctx, hooks } = this;
    stream.on('error', () => undefined);
    const path = headerText(headers, ':path') ?? '';
    const method = headerText(headers, ':method') ?? '';
    const expect = (wanted: string): boolean => {
      if (method === wanted) return true;
      refuse(ctx, stream, 405, 'Method Not Allowed', { allow: wanted });
      return false;
    };
    if (path === probingPath) {
      if (!expect('GET')) return;
      stream.respond({ ...responseHeaders(ctx.local, 200), 'content-type': 'application/json' });
      stream.end(probeAnswer(new Date()));
    } else if (path === snapshotPath) {
      if (!expect('POST')) return;
      const admission = admit(ctx, hooks, headers, headerText(headers, header.from));
      if ('status' in admission) refuse(ctx, stream, admission.status, admission.text);
      else void receiveSnapshot(ctx, hooks, admission.from, stream);
    } else if (hooks.onPeerRequest && !path.startsWith(raftPathPrefix)) {
      void this.answerPeerRequest(hooks.onPeerRequest, stream, method, path);
    } else {
      refuse(ctx, stream, 404, '404 page not found');
    }
  }

  private async answerPeerRequest(answer: NonNullable<InboundHooks['onPeerRequest']>, stream: ServerHttp2Stream, method: string, path: string): Promise<void> {
    let reply: PeerReply;
    try {
      const body = await requestBody(stream);
      if (body === undefined) return refuse(this.ctx, stream, 413, 'request body too large');
      reply = await answer(method, path, body);
    } catch (err) {
      reply = { status: 500, contentType: 'text/plain; charset=utf-8', body: `${errorText(err)}\n` };
    }
    if (stream.destroyed || stream.headersSent) return;
    stream.respond({ ...responseHeaders(this.ctx.local, reply.status), 'content-type': reply.contentType, ...(reply.allow ? { allow: reply.allow } : {}) });
    stream.end(reply.body);
  }
}

// The peer API's requests are small (a batch of lease IDs at most); a body past this is refused.
const maxPeerRequestBytes = 1 << 20;

/** The body of a peer API request, or undefined when it passes maxPeerRequestBytes (read to its end all the same). */
function requestBody(stream: ServerHttp2Stream): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxPeerRequestBytes) chunks.push(chunk);
    });
    let ended = false;
    stream.once('end', () => {
      ended = true;
      resolve(size > maxPeerRequestBytes ? undefined : Buffer.concat(chunks));
    });
    stream.once('close', () => {
      if (!ended) reject(new TransportError('transport: peer request closed before its end'));
    });
  });
}
