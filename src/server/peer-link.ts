// What a clustered member needs from the peer transport (src/transport): send raft messages, learn
// of members that join or leave, and hand incoming messages to raft. The CLI builds it from the
// transport; tests may connect members in one process through the same seam.
import type { Registry } from 'prom-client';
import type { Message } from '../raft';
import type { PeerReply } from '../transport';

export interface PeerLink {
  send(messages: Message[]): void;
  /** Streams a MsgSnap with the store image in `imageFile` to its peer; resolves once the peer took it. */
  sendSnapshot(message: Message, imageFile: string): Promise<void>;
  /** Whether messages reach the peer now (an image is only worth writing for one that does). */
  isActive(id: bigint): boolean;
  /** Since when the stream to peer `id` has been active; undefined while it is not (etcd's ActiveSince). */
  activeSince(id: bigint): Date | undefined;
  addPeer(id: bigint, peerUrls: string[]): void;
  removePeer(id: bigint): void;
  close(): Promise<void>;
}

export interface PeerIdentity {
  memberId: bigint;
  clusterId: bigint;
  /** where the link registers its etcd_network_* metrics */
  metrics: Registry;
}

export interface PeerEvents {
  /** a raft message from a peer: raft steps it */
  message(message: Message): void;
  /** a MsgSnap from the leader with the store image as `body`: keep the image, then raft steps it */
  snapshot(message: Message, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** messages to this peer were dropped (raft's ReportUnreachable) */
  unreachable(id: bigint): void;
  /** a peer says this member was removed from the cluster */
  removed(): void;
  /** a request of etcd's peer API (/members, /version, /members/promote/<id>) or cairn's (/leases/...), with its body */
  request(method: string, path: string, body: Buffer): Promise<PeerReply>;
}

/** Builds the member's link once its identity is known. */
export type PeerLinkFactory = (identity: PeerIdentity, events: PeerEvents) => PeerLink | Promise<PeerLink>;
