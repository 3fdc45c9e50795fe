// The peer transport of one member: listeners for the peers' streams and snapshots, one Peer (the
// outgoing message stream) per member it sends to, and the snapshot sender. It moves opaque bytes:
// raft messages encoded by the caller, which decodes what arrives.
import { silentLogger, tracer } from '../log';
import type { InboundHooks } from './admission';
import type { TransportContext } from './context';
import { TransportError, errorText } from './errors';
import { checkId, idToHex } from './ids';
import { PeerListener } from './listener';
import { TransportMetrics } from './metrics';
import { resolveLimits, resolveTiming, type TransportOptions } from './options';
import { Peer, type PeerQueueState } from './peer';
import { SnapshotSender, type SnapshotBody } from './snapshot-sender';
import { loadPeerTls } from './tls';
import { parsePeerUrls, type PeerUrl } from './urls';

// close() gives peers this long to let go of their connections before it stops waiting.
const closeBoundMs = 2000;

/** What the transport knows about one peer. */
export interface PeerState extends PeerQueueState {
  readonly active: boolean;
  readonly activeSince: Date | undefined;
  /** The URL the message stream uses or tries next. */
  readonly url: string;
  /** Learned from the peer's own request rather than added with addPeer. */
  readonly remote: boolean;
}

export class Transport {
  private readonly options: TransportOptions;
  private readonly ctx: TransportContext;
  private readonly listenUrls: PeerUrl[];
  private readonly peers = new Map<bigint, Peer>();
  private readonly removed = new Set<bigint>();
  private readonly listener: PeerListener;
  private readonly snapshots: SnapshotSender;
  private ticker: NodeJS.Timeout | undefined;
  private state: 'new' | 'started' | 'closed' = 'new';

  constructor(options: TransportOptions) {
    this.options = options;
    const memberId = checkId(options.memberId, 'member ID');
    const clusterId = checkId(options.clusterId, 'cluster ID');
    if (memberId === 0n) throw new TransportError('transport: member ID must not be 0');
    if (typeof options.onMessage !== 'function' || typeof options.onSnapshot !== 'function') {
      throw new TransportError('transport: onMessage and onSnapshot are required');
    }
    this.listenUrls = parsePeerUrls(options.listen, '--listen-peer-urls');
    const advertise = options.advertise ?? [];
    parsePeerUrls(advertise.length > 0 ? advertise : options.listen, '--initial-advertise-peer-urls');
    const logger = options.logger ?? silentLogger();
    const metrics = new TransportMetrics(options.metrics);
    this.ctx = {
      local: { memberId, clusterId, serverVersion: options.serverVersion, advertiseUrls: advertise },
      localHex: idToHex(memberId),
      logger,
      trace: tracer(logger, 'transport'),
      metrics,
      tls: loadPeerTls(options.tls),
      timing: resolveTiming(options.timing),
      limits: resolveLimits(options.limits),
      rng: options.rng ?? Math.random,
      unreachable: (id) => this.callback('onUnreachable', () => options.onUnreachable?.(id)),
      removedBy: (by) => this.callback('onRemoved', () => options.onRemoved?.(by)),
    };
    const hooks: InboundHooks = {
      isRemoved: (id) => this.isRemoved(id),
      knows: (id) => this.peers.has(id),
      learn: (id, urls) => this.learn(id, urls),
      onMessage: options.onMessage,
      onSnapshot: options.onSnapshot,
      onPeerRequest: options.onPeerRequest?.bind(options),
    };
    this.listener = new PeerListener(this.ctx, hooks);
    this.snapshots = new SnapshotSender(this.ctx);
  }

  /** Binds the listen URLs. Rejects with a TransportError (address in use, TLS files missing, ...). */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new TransportError(`transport: cannot start a transport that is ${this.state}`);
    this.state = 'started';
    try {
      await this.listener.listen(this.listenUrls);
    } catch (err) {
      this.state = 'closed';
      throw err;
    }
    const everyMs = Math.max(1, Math.floor(this.ctx.timing.readTimeoutMs / 3));
    this.ticker = setInterval(() => this.tick(), everyMs);
    this.ticker.unref();
    for (const peer of this.peers.values()) peer.start();
  }

  /** The listen URLs as bound, with the port the system chose for a port 0. */
  listenedUrls(): string[] {
    return this.listener.urls();
  }

  /** Starts streaming to a member; an existing peer takes the new URLs instead. */
  addPeer(id: bigint, urls: readonly string[]): void {
    checkId(id, 'peer ID');
    if (id === this.ctx.local.memberId) throw new TransportError(`transport: cannot add this member (${idToHex(id)}) as its own peer`);
    const parsed = parsePeerUrls(urls, `peer ${idToHex(id)}`);
    const existing = this.peers.get(id);
    if (existing) {
      existing.remote = false;
      existing.updateUrls(parsed);
      return;
    }
    this.removed.delete(id);
    this.startPeer(new Peer(this.ctx, id, parsed, false));
  }

  /** New URLs for a peer; a stream to an address it no longer has is redialed. */
  updatePeer(id: bigint, urls: readonly string[]): void {
    const peer = this.peers.get(id);
    if (!peer) throw new TransportError(`transport: unknown peer ${idToHex(id)}`);
    peer.updateUrls(parsePeerUrls(urls, `peer ${idToHex(id)}`));
  }

  /** Stops streaming to a member and refuses its requests from now on (a removed member's ID is never reused). */
  removePeer(id: bigint): void {
    this.removed.add(id);
    this.listener.streams.close(id, 'member removed');
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    peer.stop();
  }

  /**
   * Queues encoded raft messages for a peer and returns at once. Messages sent in the same turn of
   * the event loop go out as one frame, written in an immediate (the next check phase). While the peer has no working stream, or its queue is full,
   * they are dropped: counted in etcd_network_peer_sent_failures_total and reported to onUnreachable.
   */
  send(to: bigint, messages: readonly Uint8Array[]): void {
    const peer = this.peers.get(to);
    if (peer) {
      peer.send(messages);
      return;
    }
    this.ctx.logger.debug({ 'local-member-id': this.ctx.localHex, 'unknown-target-peer-id': idToHex(to) }, 'ignored message send request; unknown remote peer target');
  }

  /**
   * Streams a snapshot to a peer on a connection of its own: `meta` is the snapshot message, `body`
   * the data (chunks or a file path), read only as fast as the peer takes it. Resolves when the peer
   * accepted it (raft's ReportSnapshot finish), rejects with a TransportError otherwise (failure).
   */
  async sendSnapshot(to: bigint, meta: Uint8Array, body: SnapshotBody): Promise<void> {
    if (this.state !== 'started') throw new TransportError('transport: not started');
    const peer = this.peers.get(to);
    if (!peer) throw new TransportError(`transport: unknown peer ${idToHex(to)}`);
    await this.snapshots.send(to, peer.currentUrl(), meta, body);
  }

  /** Whether this member has a working message stream to the peer. */
  isActive(id: bigint): boolean {
    return this.peers.get(id)?.status.active ?? false;
  }

  /** Since when the peer's stream has been working; undefined while it is not (etcd's zero time). */
  activeSince(id: bigint): Date | undefined {
    return this.peers.get(id)?.status.activeSince;
  }

  peerState(id: bigint): PeerState | undefined {
    const peer = this.peers.get(id);
    if (!peer) return undefined;
    return { ...peer.queueState(), active: peer.status.active, activeSince: peer.status.activeSince, url: peer.currentUrl().origin, remote: peer.remote };
  }

  /** Stops everything: peers, snapshot sends (they reject), listeners and their connections. Bounded. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearInterval(this.ticker);
    for (const peer of this.peers.values()) peer.stop();
    this.peers.clear();
    this.snapshots.close();
    await this.listener.close(closeBoundMs);
  }

  private startPeer(peer: Peer): void {
    this.peers.set(peer.id, peer);
    if (this.state === 'started') peer.start();
  }

  private isRemoved(id: bigint): boolean {
    if (this.removed.has(id)) return true;
    try {
      return this.options.isRemoved?.(id) ?? false;
    } catch (err) {
      this.ctx.logger.warn({ error: errorText(err) }, 'isRemoved callback failed');
      return false;
    }
  }

  // A member this one does not know yet sent it a stream (it may be ahead in membership changes):
  // keep its advertised URLs so the answers reach it, until addPeer or removePeer says otherwise.
  private learn(id: bigint, urls: string[]): void {
    if (this.state !== 'started' || this.peers.has(id) || id === this.ctx.local.memberId) return;
    let parsed: PeerUrl[];
    try {
      parsed = parsePeerUrls(urls, `remote ${idToHex(id)}`);
    } catch (err) {
      this.ctx.logger.warn({ 'remote-peer-id': idToHex(id), error: errorText(err) }, 'ignored advertised peer URLs');
      return;
    }
    this.startPeer(new Peer(this.ctx, id, parsed, true));
  }

  private tick(): void {
    for (const peer of this.peers.values()) peer.tick();
    this.listener.streams.tick();
  }

  private callback(name: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.ctx.logger.warn({ callback: name, error: errorText(err) }, 'transport callback failed');
    }
  }
}
