// etcd_server_heartbeat_send_failures_total as etcd counts it: a leader that sends a peer its heartbeat
// more than two heartbeat intervals after the previous one failed to send it on time (an overloaded
// member: a slow disk, a blocked event loop). Sits between raft and the peer network.
import { MessageType, type Message } from '../raft';
import type { PeerNetwork } from './raft-node';

export function watchHeartbeats(network: PeerNetwork, heartbeatMs: number, late: (to: bigint, ms: number) => void, now: () => number = () => performance.now()): PeerNetwork {
  const lastSent = new Map<bigint, number>();
  return {
    send(messages: Message[]): void {
      for (const m of messages) {
        if (m.type !== MessageType.MsgHeartbeat) continue;
        const at = now();
        const previous = lastSent.get(m.to);
        lastSent.set(m.to, at);
        if (previous !== undefined && at - previous > 2 * heartbeatMs) late(m.to, at - previous);
      }
      network.send(messages);
    },
  };
}
