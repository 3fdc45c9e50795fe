// Members of one test process connected through the PeerLink seam: each raft message is encoded
// and decoded as on the wire and delivered on a later turn; a snapshot's image file is read in
// chunks as a stream would carry it. A member can be cut off (partitioned) or absent (stopped),
// and its messages are then dropped as a lost network would drop them.
import { createReadStream } from 'node:fs';
import { Message, decodeMessage, encodeMessage } from '../../src/raft';
import type { PeerEvents, PeerLink, PeerLinkFactory } from '../../src/server/peer-link';
import type { EtcdServerOptions } from '../../src/server';
import { Running, startCore } from '../server-core/harness';

export class MemoryPeers {
  private readonly members = new Map<bigint, PeerEvents>();
  private readonly cut = new Set<bigint>();
  private readonly healedAt = new Map<bigint, Date>();
  delivered = 0;
  snapshotsDelivered = 0;

  factory(): PeerLinkFactory {
    return ({ memberId }, events) => {
      this.members.set(memberId, events);
      const peers = new Set<bigint>();
      const link: PeerLink = {
        send: (messages) => {
          for (const m of messages) {
            if (!peers.has(m.to)) continue;
            const bytes = encodeMessage(m);
            setImmediate(() => this.deliver(memberId, m.to, bytes));
          }
        },
        sendSnapshot: async (message, imageFile) => {
          const target = this.members.get(message.to);
          if (!peers.has(message.to) || target === undefined || this.cut.has(memberId) || this.cut.has(message.to)) {
            throw new Error(`snapshot to ${message.to.toString(16)}: unreachable`);
          }
          await target.snapshot(decodeMessage(encodeMessage(message)), createReadStream(imageFile, { highWaterMark: 16 << 10 }));
          this.snapshotsDelivered++;
        },
        isActive: (id) => link.activeSince(id) !== undefined,
        // Connected from the start, or from the heal of a cut that ended.
        activeSince: (id) => (peers.has(id) && this.members.has(id) && !this.cut.has(memberId) && !this.cut.has(id) ? this.healedAt.get(memberId) ?? this.healedAt.get(id) ?? new Date(0) : undefined),
        addPeer: (id) => void peers.add(id),
        removePeer: (id) => void peers.delete(id),
        close: async () => {
          if (this.members.get(memberId) === events) this.members.delete(memberId);
        },
      };
      return link;
    };
  }

  /** Drops all traffic to and from `id` until heal(). */
  partition(id: bigint): void {
    this.cut.add(id);
  }

  heal(id: bigint): void {
    this.cut.delete(id);
    this.healedAt.set(id, new Date());
  }

  private deliver(from: bigint, to: bigint, bytes: Uint8Array): void {
    if (this.cut.has(from) || this.cut.has(to)) return;
    const target = this.members.get(to);
    if (target === undefined) return;
    this.delivered++;
    target.message(decodeMessage(bytes));
  }
}

/**
 * Starts member `i` of an in-process cluster of `names` over `peers` (peer URLs are names only:
 * nothing listens on them), with short raft timings; `extra` adds server options.
 */
export function memberStarter(names: string[], token: string, extra: Partial<EtcdServerOptions> = {}) {
  const peerUrl = (i: number) => `http://127.0.0.1:${23800 + i}`;
  const initialCluster = names.map((n, i) => `${n}=${peerUrl(i)}`).join(',');
  return (peers: MemoryPeers, dataDir: string, i: number): Promise<Running> =>
    startCore(dataDir, {
      name: names[i],
      initialAdvertisePeerUrls: [peerUrl(i)],
      initialCluster,
      initialClusterToken: token,
      heartbeatMs: 20,
      electionMs: 200,
      peerLink: peers.factory(),
      ...extra,
    });
}
