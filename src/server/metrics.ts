// Prometheus metrics with etcd's names, in one Registry that the HTTP edge serves at /metrics.
import { Counter, Gauge, Histogram, Registry, exponentialBuckets } from 'prom-client';
import type { CompactionObserver } from '../mvcc';
import { GrpcServerMetrics } from './grpc-metrics';
import { SnapMetrics } from './snap-metrics';

/** Values read when /metrics is scraped rather than pushed on every change. */
export interface MetricsSource {
  memberIdHex: string;
  hasLeader(): boolean;
  isLeader(): boolean;
  isLearner(): boolean;
  dbSize(): number;
  dbSizeInUse(): number;
  keysTotal(): number;
  pendingProposals(): number;
  /** Raft's commit index and this member's applied index: what etcd reports as proposals committed and applied. */
  committedIndex(): number;
  appliedIndex(): number;
  currentRevision(): number;
  /** Open watch streams, and watchers: synced, unsynced (catching up) and victims (their stream was full). */
  watchStreams(): number;
  watchers(): { synced: number; unsynced: number; victims: number };
  /** Watch events handed to the gRPC streams so far, and those queued for them now. */
  watchEvents(): { sent: number; pending: number };
  /** 0 before the first compaction */
  compactRevision(): number;
  quotaBackendBytes(): number;
  /** Read transactions open on the store now. */
  openReadTransactions(): number;
  /** Bytes of the keys and values put so far (etcd's etcd_debugging_mvcc_total_put_size_in_bytes). */
  totalPutSize(): number;
  authRevision(): number;
}

/** A counter etcd keeps under two names (etcd_mvcc_* and its older etcd_debugging_mvcc_* twin). */
export class TwinCounter {
  private readonly counters: Counter[];

  constructor(names: string[], help: string, registers: Registry[]) {
    this.counters = names.map((name) => new Counter({ name, help, registers }));
  }

  inc(n = 1): void {
    for (const c of this.counters) c.inc(n);
  }
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly leaderChanges: Counter;
  readonly proposalsFailed: Counter;
  readonly readIndexesFailed: Counter;
  readonly slowReadIndexes: Counter;
  readonly heartbeatSendFailures: Counter;
  readonly walFsyncDuration: Histogram;
  readonly walWriteBytes: Gauge;
  readonly indexCompactionPause: Histogram;
  readonly dbCompactionPause: Histogram;
  readonly dbCompactionTotal: Histogram;
  readonly dbCompactionKeys: Counter;
  readonly backendCommitDuration: Histogram;
  /** a store image from its consistent read to the end of its transfer (to a client or a peer) */
  readonly backendSnapshotDuration: Histogram;
  readonly snapshotApplyInProgress: Gauge;
  readonly snap: SnapMetrics;
  readonly grpc: GrpcServerMetrics;
  readonly learnerPromoteSuccesses: Counter;
  readonly learnerPromoteFailures: Counter<'Reason'>;
  readonly hashDuration: Histogram;
  readonly hashRevDuration: Histogram;
  readonly slowApplies: Counter;
  readonly healthSuccess: Counter;
  readonly healthFailures: Counter;
  readonly puts: TwinCounter;
  readonly deletes: TwinCounter;
  readonly ranges: TwinCounter;
  readonly txns: TwinCounter;
  readonly leasesGranted: Counter;
  readonly leasesRevoked: Counter;
  readonly leasesRenewed: Counter;
  readonly leasesExpired: Counter;
  readonly leaseTtl: Histogram;
  /** calls by unary/stream and the client's client-api-version metadata, as etcd's interceptors count them */
  readonly clientRequests: Record<'unary' | 'stream', Map<string, number>> = { unary: new Map(), stream: new Map() };
  private source: MetricsSource | undefined;
  private readonly backendDefragDuration: Histogram;
  private readonly defragInflight: Gauge;
  /** defragments under way (a second one is refused, but is under way until it is) */
  private defrags = 0;

  /** `clusterVersion` major.minor, as etcd labels it; `handlingTime` is --metrics extensive */
  constructor(serverVersion: string, clusterVersion: string, options: { handlingTime?: boolean } = {}) {
    const registers = [this.registry];
    const src = (): MetricsSource | undefined => this.source;
    const scraped = (name: string, help: string, read: (source: MetricsSource) => number): void => {
      new Gauge({ name, help, registers, collect() { const source = src(); this.set(source ? read(source) : 0); } });
    };
    // A count kept where it happens (a plain number on a hot path) and read when scraped.
    const scrapedCounter = (name: string, help: string, read: (source: MetricsSource) => number): void => {
      new Counter({ name, help, registers, collect() { const source = src(); this.reset(); this.inc(source ? read(source) : 0); } });
    };
    scraped('etcd_server_has_leader', 'Whether or not a leader exists. 1 is existence, 0 is not.', (s) => (s.hasLeader() ? 1 : 0));
    scraped('etcd_server_is_leader', 'Whether or not this member is a leader. 1 if is, 0 otherwise.', (s) => (s.isLeader() ? 1 : 0));
    scraped('etcd_server_is_learner', 'Whether or not this member is a learner. 1 if is, 0 otherwise.', (s) => (s.isLearner() ? 1 : 0));
    this.leaderChanges = new Counter({ name: 'etcd_server_leader_changes_seen_total', help: 'The number of leader changes seen.', registers });
    // Gauges, as in etcd: raft's commit index and the applied index (they survive a restart).
    scraped('etcd_server_proposals_committed_total', 'The total number of consensus proposals committed.', (s) => s.committedIndex());
    scraped('etcd_server_proposals_applied_total', 'The total number of consensus proposals applied.', (s) => s.appliedIndex());
    scraped('etcd_server_proposals_pending', 'The current number of pending proposals to commit.', (s) => s.pendingProposals());
    this.proposalsFailed = new Counter({ name: 'etcd_server_proposals_failed_total', help: 'The total number of failed proposals seen.', registers });
    this.slowReadIndexes = new Counter({ name: 'etcd_server_slow_read_indexes_total', help: "The total number of pending read indexes not in sync with leader's or timed out read index requests.", registers });
    this.readIndexesFailed = new Counter({ name: 'etcd_server_read_indexes_failed_total', help: 'The total number of failed read indexes seen.', registers });
    this.heartbeatSendFailures = new Counter({ name: 'etcd_server_heartbeat_send_failures_total', help: 'The total number of leader heartbeat send failures (likely overloaded from slow disk).', registers });
    this.slowApplies = new Counter({ name: 'etcd_server_slow_apply_total', help: 'The total number of slow apply requests (likely overloaded from slow disk).', registers });
    this.healthSuccess = new Counter({ name: 'etcd_server_health_success', help: 'The total number of successful health checks', registers });
    this.healthFailures = new Counter({ name: 'etcd_server_health_failures', help: 'The total number of failed health checks', registers });
    scraped('etcd_server_quota_backend_bytes', 'Current backend storage quota size in bytes.', (s) => s.quotaBackendBytes());
    const version = new Gauge({ name: 'etcd_server_version', help: "Which version is running. 1 for 'server_version' label with current version.", labelNames: ['server_version'], registers });
    version.set({ server_version: serverVersion }, 1);
    new Gauge({ name: 'etcd_cluster_version', help: "Which version is running. 1 for 'cluster_version' label with current cluster version", labelNames: ['cluster_version'], registers })
      .set({ cluster_version: clusterVersion }, 1);
    this.learnerPromoteSuccesses = new Counter({ name: 'etcd_server_learner_promote_successes', help: 'The total number of successful learner promotions while this member is leader.', registers });
    this.learnerPromoteFailures = new Counter({
      name: 'etcd_server_learner_promote_failures', help: 'The total number of failed learner promotions (likely learner not ready) while this member is leader.',
      labelNames: ['Reason'], registers,
    });
    new Gauge({
      name: 'etcd_server_id', help: "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.", labelNames: ['server_id'], registers,
      collect() { const source = src(); if (source) this.set({ server_id: source.memberIdHex }, 1); },
    });
    this.walFsyncDuration = new Histogram({
      name: 'etcd_disk_wal_fsync_duration_seconds', help: 'The latency distributions of fsync called by WAL.',
      buckets: exponentialBuckets(0.001, 2, 14), registers,
    });
    // A gauge in etcd 3.4.
    this.walWriteBytes = new Gauge({ name: 'etcd_disk_wal_write_bytes_total', help: 'Total number of bytes written in WAL.', registers });
    this.backendCommitDuration = new Histogram({
      name: 'etcd_disk_backend_commit_duration_seconds', help: 'The latency distributions of commit called by backend.',
      buckets: exponentialBuckets(0.001, 2, 14), registers,
    });
    // 100 ms doubling to 409.6 s, as etcd.
    this.backendDefragDuration = new Histogram({
      name: 'etcd_disk_backend_defrag_duration_seconds', help: 'The latency distribution of backend defragmentation.',
      buckets: exponentialBuckets(0.1, 2, 13), registers,
    });
    this.defragInflight = new Gauge({ name: 'etcd_disk_defrag_inflight', help: 'Whether or not defrag is active on the member. 1 means active, 0 means not.', registers });
    // 10 ms doubling to 655.36 s, as etcd.
    this.backendSnapshotDuration = new Histogram({
      name: 'etcd_disk_backend_snapshot_duration_seconds', help: 'The latency distribution of backend snapshots.',
      buckets: exponentialBuckets(0.01, 2, 17), registers,
    });
    this.snapshotApplyInProgress = new Gauge({ name: 'etcd_server_snapshot_apply_in_progress_total', help: '1 if the server is applying the incoming snapshot. 0 if none.', registers });
    this.snap = new SnapMetrics(registers);
    for (const name of ['etcd_mvcc_db_total_size_in_bytes', 'etcd_debugging_mvcc_db_total_size_in_bytes']) {
      scraped(name, 'Total size of the underlying database physically allocated in bytes.', (s) => s.dbSize());
    }
    scraped('etcd_mvcc_db_total_size_in_use_in_bytes', 'Total size of the underlying database logically in use in bytes.', (s) => s.dbSizeInUse());
    scraped('etcd_mvcc_db_open_read_transactions', 'The number of currently open read transactions', (s) => s.openReadTransactions());
    scraped('etcd_debugging_mvcc_total_put_size_in_bytes', 'The total size of put kv pairs seen by this member.', (s) => s.totalPutSize());
    scraped('etcd_debugging_auth_revision', 'The current revision of auth store.', (s) => s.authRevision());
    scraped('etcd_debugging_mvcc_keys_total', 'Total number of keys.', (s) => s.keysTotal());
    scraped('etcd_debugging_mvcc_current_revision', 'The current revision of store.', (s) => s.currentRevision());
    // etcd says -1 until the first compaction.
    scraped('etcd_debugging_mvcc_compact_revision', 'The revision of the last compaction in store.', (s) => s.compactRevision() || -1);
    scraped('etcd_debugging_mvcc_watch_stream_total', 'Total number of watch streams.', (s) => s.watchStreams());
    scraped('etcd_debugging_mvcc_watcher_total', 'Total number of watchers.', (s) => {
      const w = s.watchers();
      return w.synced + w.unsynced + w.victims;
    });
    // etcd counts the unsynced watchers and the victims as slow.
    scraped('etcd_debugging_mvcc_slow_watcher_total', 'Total number of unsynced slow watchers.', (s) => {
      const w = s.watchers();
      return w.unsynced + w.victims;
    });
    scrapedCounter('etcd_debugging_mvcc_events_total', 'Total number of events sent by this member.', (s) => s.watchEvents().sent);
    scraped('etcd_debugging_mvcc_pending_events_total', 'Total number of pending events to be sent.', (s) => s.watchEvents().pending);
    // Whole milliseconds, as etcd observes them: the index from 0.5 ms, a removal chunk from 1 ms, a whole removal from 100 ms, each doubling.
    this.indexCompactionPause = new Histogram({
      name: 'etcd_debugging_mvcc_index_compaction_pause_duration_milliseconds', help: 'Bucketed histogram of index compaction pause duration.',
      buckets: exponentialBuckets(0.5, 2, 14), registers,
    });
    this.dbCompactionPause = new Histogram({
      name: 'etcd_debugging_mvcc_db_compaction_pause_duration_milliseconds', help: 'Bucketed histogram of db compaction pause duration.',
      buckets: exponentialBuckets(1, 2, 13), registers,
    });
    this.dbCompactionTotal = new Histogram({
      name: 'etcd_debugging_mvcc_db_compaction_total_duration_milliseconds', help: 'Bucketed histogram of db compaction total duration.',
      buckets: exponentialBuckets(100, 2, 14), registers,
    });
    this.dbCompactionKeys = new Counter({ name: 'etcd_debugging_mvcc_db_compaction_keys_total', help: 'Total number of db keys compacted.', registers });
    const twins = (what: string, help: string) => new TwinCounter([`etcd_mvcc_${what}_total`, `etcd_debugging_mvcc_${what}_total`], help, registers);
    this.puts = twins('put', 'Total number of puts seen by this member.');
    this.deletes = twins('delete', 'Total number of deletes seen by this member.');
    this.ranges = twins('range', 'Total number of ranges seen by this member.');
    this.txns = twins('txn', 'Total number of txns seen by this member.');
    this.leasesGranted = new Counter({ name: 'etcd_debugging_lease_granted_total', help: 'The total number of granted leases.', registers });
    this.leasesRevoked = new Counter({ name: 'etcd_debugging_lease_revoked_total', help: 'The total number of revoked leases.', registers });
    this.leasesRenewed = new Counter({ name: 'etcd_debugging_lease_renewed_total', help: 'The number of renewed leases seen by the leader.', registers });
    this.leasesExpired = new Counter({ name: 'etcd_debugging_server_lease_expired_total', help: 'The total number of expired leases.', registers });
    // Counted per call as plain numbers (no label hashing on the request path), read when scraped.
    const clientRequests = this.clientRequests;
    new Counter({
      name: 'etcd_server_client_requests_total', help: 'The total number of client requests per client version.', labelNames: ['client_api_version', 'type'], registers,
      collect() {
        this.reset();
        for (const [type, byVersion] of Object.entries(clientRequests)) {
          for (const [version, n] of byVersion) this.inc({ client_api_version: version, type }, n);
        }
      },
    });
    // 1 s doubling to 8388608 s (about 3 months), as etcd.
    this.leaseTtl = new Histogram({ name: 'etcd_debugging_lease_ttl_total', help: 'Bucketed histogram of lease TTLs.', buckets: exponentialBuckets(1, 2, 24), registers });
    // 10 ms doubling to 163.84 s, as etcd.
    this.hashDuration = new Histogram({ name: 'etcd_mvcc_hash_duration_seconds', help: 'The latency distribution of storage hash operation.', buckets: exponentialBuckets(0.01, 2, 15), registers });
    this.hashRevDuration = new Histogram({ name: 'etcd_mvcc_hash_rev_duration_seconds', help: 'The latency distribution of storage hash by revision operation.', buckets: exponentialBuckets(0.01, 2, 15), registers });
    this.grpc = new GrpcServerMetrics(registers, options.handlingTime === true);
  }

  /** Feeds the compaction histograms and the count of records compacted from the store. */
  compactionObserver(): CompactionObserver {
    return {
      indexCompacted: (ms) => this.indexCompactionPause.observe(ms),
      chunkRemoved: (ms) => this.dbCompactionPause.observe(ms),
      removalEnded: (ms, keys) => {
        this.dbCompactionTotal.observe(ms);
        this.dbCompactionKeys.inc(keys);
      },
    };
  }

  /** Runs a defragment as etcd measures it: in flight while it runs, its time observed once it is done. */
  async defragment(run: () => Promise<void>): Promise<void> {
    this.defrags++;
    this.defragInflight.set(1);
    try {
      const done = this.backendDefragDuration.startTimer();
      await run();
      done(); // etcd observes a defragment that completed
    } finally {
      if (--this.defrags === 0) this.defragInflight.set(0);
    }
  }

  /** Connects the scrape-time gauges to the running server. */
  attach(source: MetricsSource): void {
    this.source = source;
  }
}

/** Runs `fn` and observes how long it took, in seconds. */
export function timed<T>(histogram: Histogram, fn: () => T): T {
  const done = histogram.startTimer();
  try {
    return fn();
  } finally {
    done();
  }
}
