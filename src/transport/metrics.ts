// The peer network metrics, with etcd's names, labels (member IDs in hex) and help texts. Registered in the
// Registry the server passes, or in a private one.
import { Counter, Gauge, Histogram, Registry, exponentialBuckets } from 'prom-client';

export class TransportMetrics {
  readonly activePeers: Gauge<'Local' | 'Remote'>;
  readonly disconnectedPeers: Counter<'Local' | 'Remote'>;
  readonly sentBytes: Counter<'To'>;
  readonly receivedBytes: Counter<'From'>;
  readonly sentFailures: Counter<'To'>;
  readonly receivedFailures: Counter<'From'>;
  readonly roundTripTime: Histogram<'To'>;
  readonly snapshotSendSuccess: Counter<'To'>;
  readonly snapshotSendFailures: Counter<'To'>;
  readonly snapshotSendInflights: Gauge<'To'>;
  readonly snapshotSendSeconds: Histogram<'To'>;
  readonly snapshotReceiveSuccess: Counter<'From'>;
  readonly snapshotReceiveFailures: Counter<'From'>;
  readonly snapshotReceiveInflights: Gauge<'From'>;
  readonly snapshotReceiveSeconds: Histogram<'From'>;

  constructor(registry: Registry = new Registry()) {
    const registers = [registry];
    this.activePeers = new Gauge({ name: 'etcd_network_active_peers', help: 'The current number of active peer connections.', labelNames: ['Local', 'Remote'], registers });
    this.disconnectedPeers = new Counter({ name: 'etcd_network_disconnected_peers_total', help: 'The total number of disconnected peers.', labelNames: ['Local', 'Remote'], registers });
    this.sentBytes = new Counter({ name: 'etcd_network_peer_sent_bytes_total', help: 'The total number of bytes sent to peers.', labelNames: ['To'], registers });
    this.receivedBytes = new Counter({ name: 'etcd_network_peer_received_bytes_total', help: 'The total number of bytes received from peers.', labelNames: ['From'], registers });
    this.sentFailures = new Counter({ name: 'etcd_network_peer_sent_failures_total', help: 'The total number of send failures from peers.', labelNames: ['To'], registers });
    this.receivedFailures = new Counter({ name: 'etcd_network_peer_received_failures_total', help: 'The total number of receive failures from peers.', labelNames: ['From'], registers });
    // 0.1 ms doubling to 3.2768 s, as etcd.
    this.roundTripTime = new Histogram({ name: 'etcd_network_peer_round_trip_time_seconds', help: 'Round-Trip-Time histogram between peers', labelNames: ['To'], buckets: exponentialBuckets(0.0001, 2, 16), registers });
    // 0.1 s doubling to 51.2 s, as etcd.
    const snapshotBuckets = exponentialBuckets(0.1, 2, 10);
    this.snapshotSendSuccess = new Counter({ name: 'etcd_network_snapshot_send_success', help: 'Total number of successful snapshot sends', labelNames: ['To'], registers });
    this.snapshotSendFailures = new Counter({ name: 'etcd_network_snapshot_send_failures', help: 'Total number of snapshot send failures', labelNames: ['To'], registers });
    this.snapshotSendInflights = new Gauge({ name: 'etcd_network_snapshot_send_inflights_total', help: 'Total number of inflight snapshot sends', labelNames: ['To'], registers });
    this.snapshotSendSeconds = new Histogram({ name: 'etcd_network_snapshot_send_total_duration_seconds', help: 'Total latency distributions of v3 snapshot sends', labelNames: ['To'], buckets: snapshotBuckets, registers });
    this.snapshotReceiveSuccess = new Counter({ name: 'etcd_network_snapshot_receive_success', help: 'Total number of successful snapshot receives', labelNames: ['From'], registers });
    this.snapshotReceiveFailures = new Counter({ name: 'etcd_network_snapshot_receive_failures', help: 'Total number of snapshot receive failures', labelNames: ['From'], registers });
    this.snapshotReceiveInflights = new Gauge({ name: 'etcd_network_snapshot_receive_inflights_total', help: 'Total number of inflight snapshot receives', labelNames: ['From'], registers });
    this.snapshotReceiveSeconds = new Histogram({ name: 'etcd_network_snapshot_receive_total_duration_seconds', help: 'Total latency distributions of v3 snapshot receives', labelNames: ['From'], buckets: snapshotBuckets, registers });
  }
}
