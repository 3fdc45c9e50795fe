// The member's peer link, opened once the cluster has another member: a lone member binds no peer
// port (so many single members can run on one host with the default --listen-peer-urls), and one
// that grows opens it when the change that adds a member is applied, before `member add` answers.
import type { Logger } from '../log';
import type { Message } from '../raft';
import type { PeerLink } from './peer-link';

export class OnDemandPeerLink implements PeerLink {
  private link: PeerLink | undefined;
  private opening: Promise<PeerLink> | undefined;
  private readonly peers = new Map<bigint, string[]>();
  private closed = false;

  /** `open` is undefined for a member run without a peer transport (in-process tests): it stays alone. */
  constructor(
    private readonly open: (() => Promise<PeerLink>) | undefined,
    private readonly logger: Logger,
  ) {}

  send(messages: Message[]): void {
    this.link?.send(messages);
  }

  async sendSnapshot(message: Message, imageFile: string): Promise<void> {
    if (this.link === undefined) throw new Error('etcdserver: no peer transport to send a snapshot through');
    await this.link.sendSnapshot(message, imageFile);
  }

  isActive(id: bigint): boolean {
    return this.link?.isActive(id) ?? false;
  }

  activeSince(id: bigint): Date | undefined {
    return this.link?.activeSince(id);
  }

  addPeer(id: bigint, peerUrls: string[]): void {
    this.peers.set(id, peerUrls);
    if (this.link !== undefined) this.link.addPeer(id, peerUrls);
    else void this.ready().catch(() => undefined);
  }

  removePeer(id: bigint): void {
    this.peers.delete(id);
    this.link?.removePeer(id);
  }

  /** Opens the link when the member has peers and it is not open yet; resolves once it is. */
  async ready(): Promise<void> {
    if (this.link !== undefined || this.peers.size === 0 || this.open === undefined || this.closed) return;
    this.opening ??= this.open().then(
      (link) => {
        this.link = link;
        for (const [id, urls] of this.peers) link.addPeer(id, urls);
        if (this.closed) void link.close();
        return link;
      },
      (err: unknown) => {
        this.opening = undefined; // the next membership change tries again
        this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'cannot open the peer transport');
        throw err;
      },
    );
    await this.opening;
  }

  async close(): Promise<void> {
    this.closed = true;
    const link = this.link ?? (await this.opening?.catch(() => undefined));
    await link?.close();
  }
}
