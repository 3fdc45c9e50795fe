// What EtcdServer.open takes, and etcd's defaults for what the caller leaves out.
import type { Logger } from '../log';
import { defaultBatchIntervalMs, defaultBatchLimit } from '../mvcc';
import type { PeerRequester } from '../transport';
import type { PeerLinkFactory } from './peer-link';

export interface EtcdServerOptions {
  /** --name */
  name: string;
  /** --data-dir; the server keeps `member/wal` (unless walDir is set), `member/snap` and `member/db` under it. */
  dataDir: string;
  /** --wal-dir: a dedicated directory for the WAL (a disk of its own); default `<dataDir>/member/wal`. */
  walDir?: string;
  /** --advertise-client-urls */
  advertiseClientUrls: string[];
  /** --initial-advertise-peer-urls */
  initialAdvertisePeerUrls: string[];
  /** --initial-cluster as etcd writes it: `name=url,name=url`; default `<name>=<first peer url>`. */
  initialCluster?: string;
  /** --initial-cluster-token (default `etcd-cluster`), part of the member and cluster IDs. */
  initialClusterToken?: string;
  /** --initial-cluster-state: `new` (default) or `existing`. */
  initialClusterState?: 'new' | 'existing';
  /** --quota-backend-bytes; 0 means etcd's default of 2 GiB. */
  quotaBackendBytes?: number;
  /** --metrics: `extensive` adds grpc_server_handling_seconds; default `basic`. */
  metricsDetail?: 'basic' | 'extensive';
  /** --backend-batch-interval in milliseconds and --backend-batch-limit; 0 means etcd's defaults (100 ms, 10000). */
  backendBatchIntervalMs?: number;
  backendBatchLimit?: number;
  /** --max-request-bytes; default 1.5 MiB. */
  maxRequestBytes?: number;
  /** --max-txn-ops; default 128. */
  maxTxnOps?: number;
  /** --heartbeat-interval in milliseconds; default 100. */
  heartbeatMs?: number;
  /** --election-timeout in milliseconds; default 1000. */
  electionMs?: number;
  /** --auto-compaction-mode: `periodic` (default) or `revision`. */
  autoCompactionMode?: 'periodic' | 'revision';
  /** --auto-compaction-retention as etcd reads it: hours (`1`, `0.5`) or a duration (`30m`) for periodic, a count for revision; `0`/empty turns it off. */
  autoCompactionRetention?: string;
  /** --snapshot-count: applied entries between two raft snapshots; default 100000. */
  snapshotCount?: number;
  /** --force-new-cluster: restart from the WAL as the only member of the cluster (force-new-cluster.ts). */
  forceNewCluster?: boolean;
  /** --experimental-snapshot-catchup-entries: raft entries kept behind a snapshot for slow followers; default 5000. */
  snapshotCatchUpEntries?: number;
  /** --max-snapshots: raft snapshot files kept (0: all); default 5. */
  maxSnapshots?: number;
  /** --max-wals: WAL segment files kept when older ones are released (0: all); default 5. */
  maxWals?: number;
  /** How often a watcher created with progress_notify hears of the current revision; etcd uses 10 minutes. */
  watchProgressNotifyIntervalMs?: number;
  logger?: Logger;
  /** The peer transport a member talks to its peers through (src/transport), opened once it has peers. */
  peerLink?: PeerLinkFactory;
  /** Requests of etcd's peer API to other members: joining (--initial-cluster-state existing) and forwarding a promotion to the leader. */
  peerRequest?: PeerRequester;
  /** Called once the member has stopped because the cluster removed it (etcd exits then). */
  onRemoved?: () => void;
}

export interface ResolvedOptions {
  name: string;
  dataDir: string;
  /** the dedicated WAL directory, undefined for `<dataDir>/member/wal` */
  walDir: string | undefined;
  advertiseClientUrls: string[];
  initialAdvertisePeerUrls: string[];
  initialCluster: string;
  initialClusterToken: string;
  initialClusterState: 'new' | 'existing';
  quotaBackendBytes: number;
  metricsDetail: 'basic' | 'extensive';
  backendBatchIntervalMs: number;
  backendBatchLimit: number;
  maxRequestBytes: number;
  maxTxnOps: number;
  heartbeatMs: number;
  electionMs: number;
  autoCompactionMode: 'periodic' | 'revision';
  autoCompactionRetention: string;
  watchProgressNotifyIntervalMs: number;
  snapshotCount: number;
  forceNewCluster: boolean;
  snapshotCatchUpEntries: number;
  maxSnapshots: number;
  maxWals: number;
  logger: Logger | undefined;
  onRemoved: (() => void) | undefined;
}

export const defaultQuotaBackendBytes = 2 * 1024 * 1024 * 1024;
export const defaultMaxRequestBytes = 1.5 * 1024 * 1024;
export const defaultMaxTxnOps = 128;
/** etcd lets gRPC messages exceed max-request-bytes by this much, so that the request-size check answers with etcd's error. */
export const grpcOverheadBytes = 512 * 1024;

export function resolveOptions(options: EtcdServerOptions): ResolvedOptions {
  const peerUrls = options.initialAdvertisePeerUrls.length > 0 ? options.initialAdvertisePeerUrls : ['http://localhost:2380'];
  return {
    name: options.name,
    dataDir: options.dataDir,
    walDir: options.walDir || undefined,
    advertiseClientUrls: options.advertiseClientUrls,
    initialAdvertisePeerUrls: peerUrls,
    initialCluster: options.initialCluster || `${options.name}=${peerUrls.join(`,${options.name}=`)}`,
    initialClusterToken: options.initialClusterToken || 'etcd-cluster',
    initialClusterState: options.initialClusterState ?? 'new',
    quotaBackendBytes: options.quotaBackendBytes || defaultQuotaBackendBytes,
    metricsDetail: options.metricsDetail ?? 'basic',
    backendBatchIntervalMs: options.backendBatchIntervalMs || defaultBatchIntervalMs,
    backendBatchLimit: options.backendBatchLimit || defaultBatchLimit,
    maxRequestBytes: options.maxRequestBytes || defaultMaxRequestBytes,
    maxTxnOps: options.maxTxnOps || defaultMaxTxnOps,
    heartbeatMs: options.heartbeatMs || 100,
    electionMs: options.electionMs || 1000,
    autoCompactionMode: options.autoCompactionMode ?? 'periodic',
    autoCompactionRetention: options.autoCompactionRetention ?? '0',
    watchProgressNotifyIntervalMs: options.watchProgressNotifyIntervalMs || 10 * 60 * 1000,
    snapshotCount: options.snapshotCount || 100_000,
    forceNewCluster: options.forceNewCluster ?? false,
    snapshotCatchUpEntries: options.snapshotCatchUpEntries || 5000,
    maxSnapshots: options.maxSnapshots ?? 5,
    maxWals: options.maxWals ?? 5,
    logger: options.logger,
    onRemoved: options.onRemoved,
  };
}
