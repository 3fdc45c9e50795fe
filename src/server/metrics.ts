// Prometheus metrics with etcd's names, in one Registry that the HTTP edge serves at /metrics.
import { Counter, Gauge, Histogram, Registry, exponentialBuckets } from 'prom-client';

/** Values read when /metrics is scraped rather than pushed on every change. */
export interface MetricsSource {
  hasLeader(): boolean;
  isLeader(): boolean;
  dbSize(): number;
  dbSizeInUse(): number;
  keysTotal(): number;
  pendingProposals(): number;
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly leaderChanges: Counter;
  readonly proposalsCommitted: Counter;
  readonly proposalsApplied: Counter;
  readonly proposalsFailed: Counter;
  readonly walFsyncDuration: Histogram;
  readonly backendCommitDuration: Histogram;
  readonly grpcHandled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  readonly slowApplies: Counter;
  readonly healthSuccess: Counter;
  readonly healthFailures: Counter;
  private source: MetricsSource | undefined;

  constructor(serverVersion: string) {
    const registers = [this.registry];
    const src = (): MetricsSource | undefined => this.source;
    new Gauge({
      name: 'etcd_server_has_leader', help: 'Whether a leader exists: 1 yes, 0 no.', registers,
      collect() { this.set(src()?.hasLeader() ? 1 : 0); },
    });
    new Gauge({
      name: 'etcd_server_is_leader', help: 'Whether this member is the leader: 1 yes, 0 no.', registers,
      collect() { this.set(src()?.isLeader() ? 1 : 0); },
    });
    this.leaderChanges = new Counter({ name: 'etcd_server_leader_changes_seen_total', help: 'Leader changes seen by this member.', registers });
    this.proposalsCommitted = new Counter({ name: 'etcd_server_proposals_committed_total', help: 'Consensus proposals committed.', registers });
    this.proposalsApplied = new Counter({ name: 'etcd_server_proposals_applied_total', help: 'Consensus proposals applied.', registers });
    new Gauge({
      name: 'etcd_server_proposals_pending', help: 'Proposals waiting to be committed.', registers,
      collect() { this.set(src()?.pendingProposals() ?? 0); },
    });
    this.proposalsFailed = new Counter({ name: 'etcd_server_proposals_failed_total', help: 'Proposals that failed.', registers });
    this.slowApplies = new Counter({ name: 'etcd_server_slow_apply_total', help: 'Applies that took longer than 100ms.', registers });
    this.healthSuccess = new Counter({ name: 'etcd_server_health_success', help: 'Successful health checks.', registers });
    this.healthFailures = new Counter({ name: 'etcd_server_health_failures', help: 'Failed health checks.', registers });
    const version = new Gauge({ name: 'etcd_server_version', help: 'Which etcd version this server reports: 1 for the running one.', labelNames: ['server_version'], registers });
    version.set({ server_version: serverVersion }, 1);
    this.walFsyncDuration = new Histogram({
      name: 'etcd_disk_wal_fsync_duration_seconds', help: 'Latency of the WAL fdatasync calls.',
      buckets: exponentialBuckets(0.001, 2, 14), registers,
    });
    this.backendCommitDuration = new Histogram({
      name: 'etcd_disk_backend_commit_duration_seconds', help: 'Latency of backend write transaction commits.',
      buckets: exponentialBuckets(0.001, 2, 14), registers,
    });
    new Gauge({
      name: 'etcd_mvcc_db_total_size_in_bytes', help: 'Physically allocated size of the backend database in bytes.', registers,
      collect() { this.set(src()?.dbSize() ?? 0); },
    });
    new Gauge({
      name: 'etcd_mvcc_db_total_size_in_use_in_bytes', help: 'Logically used size of the backend database in bytes.', registers,
      collect() { this.set(src()?.dbSizeInUse() ?? 0); },
    });
    new Gauge({
      name: 'etcd_debugging_mvcc_keys_total', help: 'Keys in the store.', registers,
      collect() { this.set(src()?.keysTotal() ?? 0); },
    });
    this.grpcHandled = new Counter({
      name: 'grpc_server_handled_total', help: 'RPCs completed on the server, by code.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'], registers,
    });
  }

  /** Connects the scrape-time gauges to the running server. */
  attach(source: MetricsSource): void {
    this.source = source;
  }
}
