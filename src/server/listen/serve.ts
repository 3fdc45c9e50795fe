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
import { serverTlsOptions } from './tls-options';

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

/** Client TLS options, generating a self-signed certificate under the data dir for --auto-tls. */
function clientTlsOptions(config: ServerConfig, logger: Logger): TlsOptions | undefined {
  const urls = [...config.listenClientUrls, ...config.listenClientHttpUrls, ...config.listenMetricsUrls];
  if (!urls.some(isSecure)) return undefined;
  let info = config.clientTls;
  if (info.certFile === '' && info.autoTls) {
    const hosts = urls.map((url) => parseEtcdUrl(url).hostname);
    info = { ...info, ...autoTlsFiles(config.dataDir, hosts, { logger }) };
  }
  return serverTlsOptions(info, { min: config.tlsMinVersion, max: config.tlsMaxVersion });
}

export async function serveMember(member: ServedMember, config: ServerConfig, options: ServeOptions): Promise<ServingMember> {
  const logger = options.logger;
  const edgeMetrics = createEdgeMetrics();
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
  const tls = clientTlsOptions(config, logger);
  const separateHttp = config.listenClientHttpUrls.length > 0;

  const clientListeners: Listener[] = [];
  const metricsListeners: Listener[] = [];
  const open = async (url: string, routes: ConnectionRoutes, into: Listener[]): Promise<Listener> => {
    const listener = await listenUrl(url, routes, { tls: isSecure(url) ? tls : undefined, logger });
    into.push(listener);
    return listener;
  };
  const close = async (graceMs = 0): Promise<void> => {
    grpc.drain(graceMs);
    clientHttp.closeIdleConnections();
    await Promise.all([...clientListeners, ...metricsListeners].map((l) => l.close(graceMs)));
    grpc.shutdown();
    clientHttp.closeAllConnections();
    metricsHttp.closeAllConnections();
  };

  try {
    for (const url of config.listenClientUrls) {
      const listener = await open(url, { grpc: grpc.inject, http: separateHttp ? undefined : clientHttp }, clientListeners);
      const traffic = separateHttp ? 'grpc' : 'grpc+http';
      if (listener.secure) logger.info({ address: listener.address, traffic }, 'serving client traffic securely');
      else logger.info({ address: listener.address, traffic }, 'serving client traffic insecurely; this is strongly discouraged!');
    }
    for (const url of config.listenClientHttpUrls) {
      const listener = await open(url, { http: clientHttp }, clientListeners);
      logger.info({ address: listener.address, traffic: 'http', secure: listener.secure }, 'serving client HTTP traffic');
    }
    for (const url of config.listenMetricsUrls) {
      const listener = await open(url, { http: metricsHttp }, metricsListeners);
      logger.info({ url, address: listener.address }, 'serving metrics');
    }
  } catch (err) {
    await close();
    throw err;
  }
  logger.info('ready to serve client requests');
  return { clientListeners, metricsListeners, close };
}
