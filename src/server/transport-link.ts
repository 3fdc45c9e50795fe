// The PeerLink of a real member: src/transport's HTTP/2 streams on --listen-peer-urls with the
// peer TLS flags, carrying raft messages encoded with src/raft's codec.
import { Message, decodeMessage, encodeMessage } from '../raft';
import type { Logger } from '../log';
import { PeerTlsOptions, Transport } from '../transport';
import type { PeerLinkFactory } from './peer-link';
import { etcdServerVersion } from './versions';

export interface TransportLinkOptions {
  /** --listen-peer-urls */
  listen: readonly string[];
  /** --initial-advertise-peer-urls */
  advertise: readonly string[];
  tls?: PeerTlsOptions;
  logger?: Logger;
}

export function transportLink(options: TransportLinkOptions): PeerLinkFactory {
  return async ({ memberId, clusterId, metrics }, events) => {
    const transport = new Transport({
      memberId,
      clusterId,
      listen: options.listen,
      advertise: options.advertise,
      tls: options.tls,
      logger: options.logger,
      metrics,
      serverVersion: etcdServerVersion,
      onMessage: (_from, bytes) => events.message(decodeMessage(bytes)),
      onSnapshot: (_from, meta, body) => events.snapshot(decodeMessage(meta), body),
      onUnreachable: (id) => events.unreachable(id),
      onRemoved: () => events.removed(),
      onPeerRequest: (method, path, body) => events.request(method, path, body),
    });
    await transport.start();
    return {
      send(messages: Message[]) {
        const byPeer = new Map<bigint, Uint8Array[]>();
        for (const m of messages) {
          const list = byPeer.get(m.to) ?? [];
          list.push(encodeMessage(m));
          byPeer.set(m.to, list);
        }
        for (const [to, encoded] of byPeer) transport.send(to, encoded);
      },
      sendSnapshot: (message, imageFile) => transport.sendSnapshot(message.to, encodeMessage(message), imageFile),
      isActive: (id) => transport.isActive(id),
      activeSince: (id) => transport.activeSince(id),
      addPeer: (id, urls) => transport.addPeer(id, urls),
      removePeer: (id) => transport.removePeer(id),
      close: () => transport.close(),
    };
  };
}
