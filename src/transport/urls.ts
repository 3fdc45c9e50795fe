// Peer URLs: http:// or https:// with a host and a port, as etcd's --listen-peer-urls and
// --initial-advertise-peer-urls take them. Paths, queries and credentials have no meaning here.
import { TransportError } from './errors';

export interface PeerUrl {
  readonly secure: boolean;
  /** The host as written, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** scheme://host:port, what the HTTP/2 client connects to. */
  readonly origin: string;
}

export function parsePeerUrl(text: string): PeerUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TransportError(`transport: invalid peer URL ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TransportError(`transport: URL scheme must be http or https: ${text}`);
  }
  if (url.port === '') throw new TransportError(`transport: peer URL must name a port: ${text}`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new TransportError(`transport: peer URL must be scheme://host:port only: ${text}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { secure: url.protocol === 'https:', host, port: Number(url.port), origin: `${url.protocol}//${url.host}` };
}

export function parsePeerUrls(texts: readonly string[], what: string): PeerUrl[] {
  if (!Array.isArray(texts) || texts.length === 0) throw new TransportError(`transport: ${what} needs at least one URL`);
  return texts.map(parsePeerUrl);
}
