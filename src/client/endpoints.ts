// Endpoint strings as etcdctl and clientv3 accept them: "host:port", "http://host:port",
// "https://host:port". A scheme-less endpoint is secure when TLS material is given, as clientv3 does.

export interface Endpoint {
  /** The endpoint as the user wrote it (used in messages and per-endpoint output). */
  readonly text: string;
  readonly host: string;
  readonly port: number;
  /** undefined: decided by whether TLS options are given. */
  readonly secure: boolean | undefined;
}

export class EndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointError';
  }
}

export function parseEndpoint(text: string): Endpoint {
  const trimmed = text.trim();
  if (trimmed === '') throw new EndpointError('client: empty endpoint');
  let rest = trimmed;
  let secure: boolean | undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    if (name === 'http') secure = false;
    else if (name === 'https') secure = true;
    else throw new EndpointError(`client: endpoint ${JSON.stringify(text)}: unsupported scheme ${JSON.stringify(name)} (use http:// or https://)`);
    rest = trimmed.slice(scheme[0].length).replace(/\/+$/, '');
  }
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d{1,5})$/.exec(rest);
  if (!m) throw new EndpointError(`client: endpoint ${JSON.stringify(text)}: want host:port, http://host:port or https://host:port`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new EndpointError(`client: endpoint ${JSON.stringify(text)}: port out of range`);
  return { text: trimmed, host: m[1].replace(/^\[|\]$/g, ''), port, secure };
}

/** Splits a comma-separated list (etcdctl's --endpoints / ETCDCTL_ENDPOINTS). */
export function parseEndpoints(list: string | readonly string[]): Endpoint[] {
  const items = (typeof list === 'string' ? [list] : list).flatMap((s) => s.split(',')).filter((s) => s.trim() !== '');
  if (items.length === 0) throw new EndpointError('client: no endpoints given');
  return items.map(parseEndpoint);
}

/** The gRPC target for an endpoint (IPv6 hosts in brackets). */
export function grpcTarget(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}
