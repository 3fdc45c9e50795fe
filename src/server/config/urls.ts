// URL lists as etcd reads them (its types.NewURLs): comma-separated, each scheme://host:port with
// scheme http, https, unix or unixs and no path; the list is sorted and duplicates dropped.
import { isIP } from 'node:net';

export type UrlScheme = 'http' | 'https' | 'unix' | 'unixs';

export interface EtcdUrl {
  readonly scheme: UrlScheme;
  /** Host as written, without IPv6 brackets (for unix URLs: the socket path is `host:port`). */
  readonly hostname: string;
  readonly port: number;
  /** `scheme://host:port`, the form etcd prints and compares. */
  readonly href: string;
  /** The host:port part as written, brackets kept. */
  readonly host: string;
}

export class UrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UrlError';
  }
}

/** Parses one URL by etcd's rules; throws UrlError with etcd's wording plus what is wrong. */
export function parseEtcdUrl(text: string): EtcdUrl {
  const trimmed = text.trim();
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(trimmed);
  const scheme = match?.[1].toLowerCase();
  if (!match || (scheme !== 'http' && scheme !== 'https' && scheme !== 'unix' && scheme !== 'unixs')) {
    throw new UrlError(`URL scheme must be http, https, unix, or unixs: ${trimmed}`);
  }
  const host = match[2].replace(/^[^@]*@/, '');
  const hostPort = /^(\[[^\]]*\]|[^:[\]]*):(\d*)$/.exec(host);
  if (!hostPort) throw new UrlError(`URL address does not have the form "host:port": ${trimmed}`);
  if (match[3] !== '') throw new UrlError(`URL must not contain a path: ${trimmed}`);
  const port = Number(hostPort[2]);
  if (hostPort[2] === '' || !Number.isInteger(port) || port > 65535) {
    throw new UrlError(`URL port must be a number from 0 to 65535: ${trimmed}`);
  }
  const hostname = hostPort[1].startsWith('[') ? hostPort[1].slice(1, -1) : hostPort[1];
  return { scheme, hostname, port, host, href: `${scheme}://${host}` };
}

/** A comma-separated URL list: each URL checked, the hrefs sorted and unique, as etcd keeps them. An empty text is an empty list. */
export function parseUrlList(text: string): string[] {
  if (text.trim() === '') return [];
  const hrefs = text.split(',').map((part) => parseEtcdUrl(part).href);
  return [...new Set(hrefs)].sort();
}

/** etcd binds only to IP addresses (or localhost); a name would be resolved to who knows which interface. */
export function checkBindUrls(urls: readonly string[]): void {
  for (const href of urls) {
    const url = parseEtcdUrl(href);
    if (url.scheme === 'unix' || url.scheme === 'unixs' || url.hostname === 'localhost') continue;
    if (isIP(url.hostname) === 0) throw new UrlError(`expected IP in URL for binding (${href})`);
  }
}

/** Advertised URLs need a host, or a client could not reach them. */
export function checkHostUrls(urls: readonly string[]): void {
  for (const href of urls) {
    if (parseEtcdUrl(href).hostname === '') throw new UrlError(`unexpected empty host (${href})`);
  }
}

/**
 * --initial-cluster: `name=url,name=url,...`; a name may appear several times (one member with several
 * peer URLs). Returns each member's sorted peer URLs, in order of first appearance.
 */
export function parseInitialCluster(text: string): Map<string, string[]> {
  const raw = new Map<string, string[]>();
  for (const entry of text.split(',')) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) throw new UrlError(`--initial-cluster entry "${entry}" must have the form name=url`);
    const name = entry.slice(0, eq);
    raw.set(name, [...(raw.get(name) ?? []), entry.slice(eq + 1)]);
  }
  const members = new Map<string, string[]>();
  for (const [name, urls] of raw) members.set(name, parseUrlList(urls.join(',')));
  return members;
}
