// The HTTP endpoints of a member, with etcd's bodies, status codes and headers:
//   client URLs:  /health /livez /readyz /version /metrics
//   metrics URLs: /health /livez /readyz /metrics
// Everything else is 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type EdgeMetrics, metricsText } from './edge-metrics';
import type { HttpMember } from './member';
import { type ProbeKind, probeChecks, runProbe } from './probes';

export type EndpointSet = 'client' | 'metrics';

export interface HttpHandlerOptions {
  /** Which endpoints: the client URLs also serve /version and CORS headers, as etcd's client mux does. */
  readonly endpoints: EndpointSet;
  readonly edgeMetrics: EdgeMetrics;
  readonly logger: Logger;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

const textPlain = 'text/plain; charset=utf-8';

/** A whole response with its Content-Length, as etcd's (Go's) small answers have one. */
function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** As Go's http.Error: plain text, no sniffing, the message and a newline. */
function sendError(res: ServerResponse, status: number, message: string): void {
  reply(res, status, { 'Content-Type': textPlain, 'X-Content-Type-Options': 'nosniff' }, `${message}\n`);
}

function allowGet(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET') return true;
  res.setHeader('Allow', 'GET');
  sendError(res, 405, 'Method Not Allowed');
  return false;
}

async function serveHealth(member: HttpMember, query: URLSearchParams, res: ServerResponse, options: HttpHandlerOptions): Promise<void> {
  const report = await member.health({ excludedAlarms: query.getAll('exclude'), serializable: query.get('serializable') === 'true' });
  if (report.health) {
    reply(res, 200, { 'Content-Type': textPlain }, '{"health":"true"}');
    return;
  }
  options.logger.warn({ reason: report.reason }, 'serving /health false');
  // etcd 3.4 keeps the reason out of the body.
  sendError(res, 503, '{"health":"false"}');
}

async function serveProbe(member: HttpMember, kind: ProbeKind, single: string | undefined, query: URLSearchParams, res: ServerResponse, options: HttpHandlerOptions): Promise<void> {
  const excluded = new Set(query.getAll('exclude'));
  const names = single !== undefined ? [single] : probeChecks[kind].filter((name) => !excluded.has(name));
  const result = await runProbe(member, names);
  for (const { name, failure } of result.results) {
    const status = failure === undefined ? 'success' : 'error';
    options.edgeMetrics.healthCheck.set({ type: kind, name }, failure === undefined ? 1 : 0);
    options.edgeMetrics.healthChecksTotal.inc({ type: kind, name, status });
  }
  const detail = result.lines.map((line) => `${line}\n`).join('');
  if (!result.ok) {
    options.logger.warn({ path: `/${kind}`, reason: detail }, 'health check failed');
    sendError(res, 503, detail);
    return;
  }
  reply(res, 200, { 'Content-Type': textPlain, 'X-Content-Type-Options': 'nosniff' }, `${query.has('verbose') ? detail : ''}ok\n`);
}

async function serveMetrics(member: HttpMember, res: ServerResponse, options: HttpHandlerOptions): Promise<void> {
  const text = await metricsText([member.metrics, options.edgeMetrics.registry]);
  reply(res, 200, { 'Content-Type': member.metrics.contentType }, text);
}

async function route(member: HttpMember, req: IncomingMessage, res: ServerResponse, options: HttpHandlerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://member');
  const path = url.pathname;
  const probe = /^\/(livez|readyz)(?:\/([a-z_]+))?$/.exec(path);
  if (path === '/health') {
    if (allowGet(req, res)) await serveHealth(member, url.searchParams, res, options);
  } else if (probe && (probe[2] === undefined || probeChecks[probe[1] as ProbeKind].includes(probe[2]))) {
    if (allowGet(req, res)) await serveProbe(member, probe[1] as ProbeKind, probe[2], url.searchParams, res, options);
  } else if (path === '/metrics') {
    // Prometheus's handler answers any method (HEAD gets the headers).
    await serveMetrics(member, res, options);
  } else if (path === '/version' && options.endpoints === 'client') {
    if (!allowGet(req, res)) return;
    reply(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(member.versions()));
  } else {
    sendError(res, 404, '404 page not found');
  }
}

/** A request handler for a node http.Server. A failing endpoint answers 500 and never takes the process down. */
export function createHttpHandler(member: HttpMember, options: HttpHandlerOptions): HttpHandler {
  return (req, res) => {
    if (options.endpoints === 'client') {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS, PUT, DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'accept, content-type, authorization');
    }
    if (options.endpoints === 'client' && req.method === 'OPTIONS') {
      // A CORS preflight: the headers above are the whole answer, as from etcd's CORS handler.
      reply(res, 200, {}, '');
      return;
    }
    route(member, req, res, options).catch((err: unknown) => {
      options.logger.error({ path: req.url, err: err instanceof Error ? err.message : String(err) }, 'HTTP endpoint failed');
      if (!res.headersSent) sendError(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };
}
