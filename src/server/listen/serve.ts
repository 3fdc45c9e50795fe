// Puts a member on the network as its configuration says: every --listen-client-urls URL serves gRPC
// and HTTP on one port (HTTP only on --listen-client-http-urls when those are set), every
// --listen-metrics-urls URL serves /metrics and the health endpoints.
import { createServer as createHttpServer } from 'node:http';
import type { TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import { parseEtcdUrl, type ServerConfig } from '../config';
import { createEdgeMetrics, createHttpHandler, type HttpMember } from '../http';
import { autoTlsFiles } from './auto-tls';
import { createGrpcEdge, type GrpcMember } from './grpc-edge';
import { type ConnectionRoutes, type Listener, listenUrl } from './listener';
import { clientCertificatePolicy, serverTlsOptions } from './tls-options';
import type { CertificatePolicy } from '../../tls-hardening';

/** The member as the edge sees it: EtcdServer (src/server) has this shape. */
export interface ServedMember extends HttpMember, GrpcMember {}

export interface ServeOptions {
  readonly logger: Logger;
}

export interface ServingMember {
  readonly clientListeners: readonly Listener[];
  readonly metricsListeners: readonly Listener[];
  /** Stops accepting, lets gRPC clients go within graceMs (GOAWAY), then closes every connection. Does not close the member. */
  close(graceMs?: number): Promise<void>;
}

function isSecure(url: string): boolean {
  const scheme = parseEtcdUrl(url).scheme;
  return scheme === 'https' || scheme === 'unixs';
}

/**
 * Client TLS options, generating a self-signed certificate under the data dir for --auto-tls, and the
 * checks of client certificates beyond their chain (--client-crl-file, --client-cert-allowed-hostname).
 */
function clientTlsOptions(config: ServerConfig, logger: Logger): { options: TlsOptions; policy: CertificatePolicy | undefined } | undefined {
  const urls = [...config.listenClientUrls, ...config.listenClientHttpUrls, ...config.listenMetricsUrls];
  if (!urls.some(isSecure)) return undefined;
  let info = config.clientTls;
  if (info.certFile === '' && info.autoTls) {
    const hosts = urls.map((url) => parseEtcdUrl(url).hostname);
    info = { ...info, ...autoTlsFiles(config.dataDir, hosts, { logger }) };
  }
  const options = serverTlsOptions(info, { min: config.tlsMinVersion, max: config.tlsMaxVersion }, config.cipherSuites);
  const policy = clientCertificatePolicy(info);
  logger.info({ 'cert-file': info.certFile, 'key-file': info.keyFile, 'trusted-ca': info.trustedCAFile, 'client-cert-auth': info.clientCertAuth, 'crl-file': info.crlFile, 'allowed-hostname': info.allowedHostname, 'cipher-suites': config.cipherSuites }, 'starting with client TLS');
  return { options, policy };
}

/** Listeners bound before the member exists; serve() hands them the member. */
export interface BoundMember {
  readonly clientListeners: readonly Listener[];
  readonly metricsListeners: readonly Listener[];
  /** Starts serving every connection, those that arrived while the member was starting included. */
  serve(member: ServedMember): ServingMember;
  /** For a start that fails: closes the listeners (connections waiting on them close too). */
  close(): Promise<void>;
}

/**
 * Binds every listener the configuration names before the member opens its data, as etcd does:
 * a client that connects during a long start (a big store, a long WAL) waits for the member
 * instead of being refused, and a port that is taken fails the start at once.
 */
export async function bindMember(config: ServerConfig, options: ServeOptions): Promise<BoundMember> {
  const logger = options.logger;
  let start!: (member: ServedMember) => void;
  let fail!: (err: Error) => void;
  const served = new Promise<ServedMember>((resolve, reject) => {
    start = resolve;
    fail = reject;
  });
  served.catch(() => undefined);
  const edgeMetrics = createEdgeMetrics();
  // The routes exist once the member does; the listeners hold connections until then.
  const edge = served.then((member) => {
    const grpc = createGrpcEdge(member, {
      maxConcurrentStreams: config.maxConcurrentStreams,
      keepAliveIntervalMs: config.grpcKeepAliveIntervalMs,
      keepAliveTimeoutMs: config.grpcKeepAliveTimeoutMs,
    });
    const clientHttp = createHttpServer(createHttpHandler(member, { endpoints: 'client', edgeMetrics, logger }));
    const metricsHttp = createHttpServer(createHttpHandler(member, { endpoints: 'metrics', edgeMetrics, logger }));
    // These servers never listen themselves (the listeners hand them connections); 'listening' is what
    // starts node's connection tracking, which enforces the header and request timeouts and lets
    // closeAllConnections work.
    clientHttp.emit('listening');
    metricsHttp.emit('listening');
    return { grpc, clientHttp, metricsHttp };
  });
  edge.catch(() => undefined);
  const tls = clientTlsOptions(config, logger);
  const separateHttp = config.listenClientHttpUrls.length > 0;

  const clientListeners: Listener[] = [];
  const metricsListeners: Listener[] = [];
  const open = async (url: string, routes: Promise<ConnectionRoutes>, into: Listener[]): Promise<Listener> => {
    const secure = isSecure(url) ? tls : undefined;
    const listener = await listenUrl(url, routes, { tls: secure?.options, certificatePolicy: secure?.policy, logger });
    into.push(listener);
    return listener;
  };
  const closeListeners = (graceMs: number) => Promise.all([...clientListeners, ...metricsListeners].map((l) => l.close(graceMs)));

  try {
    for (const url of config.listenClientUrls) {
      const listener = await open(url, edge.then((e) => ({ grpc: e.grpc.inject, http: separateHttp ? undefined : e.clientHttp })), clientListeners);
      const traffic = separateHttp ? 'grpc' : 'grpc+http';
      if (listener.secure) logger.info({ address: listener.address, traffic }, 'serving client traffic securely');
      else logger.info({ address: listener.address, traffic }, 'serving client traffic insecurely; this is strongly discouraged!');
    }
    for (const url of config.listenClientHttpUrls) {
      const listener = await open(url, edge.then((e) => ({ http: e.clientHttp })), clientListeners);
      logger.info({ address: listener.address, traffic: 'http', secure: listener.secure }, 'serving client HTTP traffic');
    }
    for (const url of config.listenMetricsUrls) {
      const listener = await open(url, edge.then((e) => ({ http: e.metricsHttp })), metricsListeners);
      logger.info({ url, address: listener.address }, 'serving metrics');
    }
  } catch (err) {
    fail(err as Error);
    await closeListeners(0);
    throw err;
  }

  return {
    clientListeners,
    metricsListeners,
    serve(member) {
      start(member);
      logger.info('ready to serve client requests');
      return {
        clientListeners,
        metricsListeners,
        close: async (graceMs = 0) => {
          const { grpc, clientHttp, metricsHttp } = await edge;
          grpc.drain(graceMs);
          clientHttp.closeIdleConnections();
          await closeListeners(graceMs);
          grpc.shutdown();
          clientHttp.closeAllConnections();
          metricsHttp.closeAllConnections();
        },
      };
    },
    async close() {
      fail(new Error('the member did not start'));
      await closeListeners(0);
    },
  };
}

/** Binds the configuration's listeners and serves the member on them. */
export async function serveMember(member: ServedMember, config: ServerConfig, options: ServeOptions): Promise<ServingMember> {
  return (await bindMember(config, options)).serve(member);
}
