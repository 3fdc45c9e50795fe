// A TCP proxy on loopback for fault tests: put it between two members (or a client and a server)
// and cut or pause traffic in either direction, as etcd3's test proxy does.
//   pause    bytes stop moving; senders fill their buffers and stall; resume delivers them
//   cut      bytes are read and thrown away (a black hole: the connection looks alive but silent),
//            and so is a close; new connections are accepted and get the same treatment, like a
//            network partition
//   heal     both directions flow again; bytes thrown away while cut stay lost, and a connection
//            that one side closed meanwhile is reset now, as the first packet after a partition is
//   resetConnections  drops every connection now (the peers see a reset)
//   cutClients   cuts, both ways, the connections (present and new) whose client matches a test, so one
//                proxy in front of a member can cut off one of its peers and not the others
// Directions: 'toTarget' (client -> target) and 'toClient' (target -> client).
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyDirection = 'toTarget' | 'toClient' | 'both';
type Mode = 'flow' | 'paused' | 'cut';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** One side closed while its direction was cut: the other side has not been told yet. */
  orphaned: boolean;
  /** Cut both ways by cutClients, whatever the proxy's mode. */
  cutOff: boolean;
}

export interface CutProxyTarget {
  host: string;
  port: number;
}

export class CutProxy {
  private readonly pairs = new Set<Pair>();
  private readonly mode: Record<'toTarget' | 'toClient', Mode> = { toTarget: 'flow', toClient: 'flow' };
  private cutClient: ((client: Socket) => boolean) | undefined;
  /** Bytes that went through (not counting those thrown away), per direction. */
  readonly forwarded = { toTarget: 0, toClient: 0 };

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly host: string,
  ) {}

  /** Starts a proxy on `host` (default 127.0.0.1), port chosen by the system, forwarding to `target`. */
  static async start(target: CutProxyTarget, options: { host?: string } = {}): Promise<CutProxy> {
    const host = options.host ?? '127.0.0.1';
    let proxy: CutProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, target));
    server.listen(0, host);
    await once(server, 'listening');
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('cut-proxy: no address');
    proxy = new CutProxy(server, address.port, host);
    return proxy;
  }

  /** scheme://host:port of the proxy, to give to whoever should go through it. */
  url(scheme: 'http' | 'https' = 'http'): string {
    return `${scheme}://${this.host}:${this.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  pause(direction: ProxyDirection = 'both'): void {
    this.set(direction, 'paused');
  }

  resume(direction: ProxyDirection = 'both'): void {
    this.set(direction, 'flow');
  }

  cut(direction: ProxyDirection = 'both'): void {
    this.set(direction, 'cut');
  }

  /** Cuts both ways every connection, present or future, whose client socket `matches`, until heal(). */
  cutClients(matches: (client: Socket) => boolean): void {
    this.cutClient = matches;
    for (const pair of this.pairs) if (matches(pair.client)) pair.cutOff = true;
  }

  heal(): void {
    this.cutClient = undefined;
    for (const pair of this.pairs) pair.cutOff = false;
    this.set('both', 'flow');
    for (const pair of this.pairs) if (pair.orphaned) this.reset(pair);
  }

  resetConnections(): void {
    for (const pair of this.pairs) this.reset(pair);
  }

  async close(): Promise<void> {
    this.resetConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private reset(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  }

  private set(direction: ProxyDirection, mode: Mode): void {
    const dirs: Array<'toTarget' | 'toClient'> = direction === 'both' ? ['toTarget', 'toClient'] : [direction];
    for (const dir of dirs) {
      this.mode[dir] = mode;
      for (const pair of this.pairs) {
        const source = dir === 'toTarget' ? pair.client : pair.upstream;
        if (mode === 'paused') source.pause();
        else source.resume();
      }
    }
  }

  private accept(client: Socket, target: CutProxyTarget): void {
    const upstream = connect(target.port, target.host);
    const pair: Pair = { client, upstream, orphaned: false, cutOff: this.cutClient?.(client) ?? false };
    this.pairs.add(pair);
    // A side that closes takes the other with it, unless the news would cross a cut direction.
    const closed = (dir: 'toTarget' | 'toClient') => (): void => {
      if (this.isCut(pair, dir)) {
        pair.orphaned = true;
        return;
      }
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closed('toTarget'));
    client.on('close', closed('toTarget'));
    upstream.on('error', closed('toClient'));
    upstream.on('close', closed('toClient'));
    this.link(pair, client, upstream, 'toTarget');
    this.link(pair, upstream, client, 'toClient');
  }

  private isCut(pair: Pair, dir: 'toTarget' | 'toClient'): boolean {
    return pair.cutOff || this.mode[dir] === 'cut';
  }

  private link(pair: Pair, source: Socket, sink: Socket, dir: 'toTarget' | 'toClient'): void {
    source.on('data', (chunk: Buffer) => {
      if (this.isCut(pair, dir)) return;
      this.forwarded[dir] += chunk.length;
      if (!sink.write(chunk)) {
        source.pause();
        sink.once('drain', () => {
          if (this.mode[dir] !== 'paused') source.resume();
        });
      }
    });
    source.on('end', () => {
      if (!this.isCut(pair, dir)) sink.end();
    });
    if (this.mode[dir] === 'paused') source.pause();
  }
}
