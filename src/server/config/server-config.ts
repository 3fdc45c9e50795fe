// The resolved configuration of one cairn member: every value typed, etcd's defaults filled in and
// etcd's derived defaults applied (data dir from the name, initial cluster from name and peer URLs).
import { flagTable, type FlagSpec } from './flag-table';
import { type FlagValue, valueFromText } from './values';

export interface TlsInfo {
  readonly certFile: string;
  readonly keyFile: string;
  /** Require client certificates; etcd also requires them whenever trustedCAFile is set. */
  readonly clientCertAuth: boolean;
  readonly trustedCAFile: string;
  /** Generate a self-signed certificate when certFile/keyFile are not given. */
  readonly autoTls: boolean;
  /** --client-crl-file / --peer-crl-file: certificates whose serial it lists are refused ('' for none). */
  readonly crlFile: string;
  /** --peer-cert-allowed-cn: the CN peer certificates must carry ('' for any; always '' for clients). */
  readonly allowedCn: string;
  /** --client-cert-allowed-hostname / --peer-cert-allowed-hostname: the name certificates must be valid for ('' for any). */
  readonly allowedHostname: string;
}

export type TlsVersion = '' | 'TLS1.2' | 'TLS1.3';

export interface ServerConfig {
  readonly name: string;
  readonly dataDir: string;
  /** --wal-dir; '' keeps the WAL in <data-dir>/member/wal */
  readonly walDir: string;
  readonly snapshotCount: number;
  /** --force-new-cluster: restart from the WAL as the only member */
  readonly forceNewCluster: boolean;
  readonly snapshotCatchUpEntries: number;
  readonly maxSnapshots: number;
  readonly maxWals: number;
  readonly heartbeatIntervalMs: number;
  readonly electionTimeoutMs: number;

  readonly listenPeerUrls: readonly string[];
  readonly listenClientUrls: readonly string[];
  /** When not empty, HTTP is served only here and listenClientUrls serve gRPC only. */
  readonly listenClientHttpUrls: readonly string[];
  readonly listenMetricsUrls: readonly string[];
  readonly advertiseClientUrls: readonly string[];
  readonly initialAdvertisePeerUrls: readonly string[];
  /** `name=url,...` as given (or derived); parse it with parseInitialCluster. */
  readonly initialCluster: string;
  readonly initialClusterToken: string;
  readonly initialClusterState: 'new' | 'existing';

  /** 0 means etcd's default quota (2 GiB). */
  readonly quotaBackendBytes: number;
  /** --metrics: extensive adds the gRPC handling-time histogram */
  readonly metrics: 'basic' | 'extensive';
  readonly backendBatchIntervalMs: number;
  readonly backendBatchLimit: number;
  readonly maxTxnOps: number;
  readonly maxRequestBytes: number;
  readonly maxConcurrentStreams: number;
  readonly grpcKeepAliveMinTimeMs: number;
  readonly grpcKeepAliveIntervalMs: number;
  readonly grpcKeepAliveTimeoutMs: number;
  readonly autoCompactionMode: 'periodic' | 'revision';
  readonly autoCompactionRetention: string;
  readonly watchProgressNotifyIntervalMs: number;

  readonly clientTls: TlsInfo;
  readonly peerTls: TlsInfo;
  readonly tlsMinVersion: TlsVersion;
  readonly tlsMaxVersion: TlsVersion;
  /** --cipher-suites: Go's names of the TLS 1.2 suites client and peer TLS offer; empty for Node's defaults. */
  readonly cipherSuites: readonly string[];

  readonly logger: 'zap' | 'capnslog';
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'dpanic' | 'panic' | 'fatal';
  readonly logOutputs: readonly string[];
}

export interface BuildOptions {
  /** Flags the user set explicitly on the command line or in ETCD_* variables (not from a config file). */
  readonly explicitlySet?: ReadonlySet<string>;
  /** True when the values came from --config-file, where etcd applies no command-line-only defaults. */
  readonly fromFile?: boolean;
}

const defaults = new Map<string, FlagValue>(flagTable.map((spec: FlagSpec) => [spec.name, valueFromText(spec, spec.defaultValue)]));

/** etcd's --initial-cluster for a member: its name paired with each advertised peer URL. */
export function initialClusterFromName(name: string, peerUrls: readonly string[]): string {
  return peerUrls.map((url) => `${name}=${url}`).join(',');
}

/** Fills etcd's defaults in around the given values. Does not validate; see validateServerConfig. */
export function buildServerConfig(values: ReadonlyMap<string, FlagValue>, options: BuildOptions = {}): ServerConfig {
  const get = (name: string): FlagValue => {
    const value = values.get(name) ?? defaults.get(name);
    if (value === undefined) throw new Error(`config: no flag named ${name}`);
    return value;
  };
  const str = (name: string): string => get(name) as string;
  const num = (name: string): number => get(name) as number;
  const bool = (name: string): boolean => get(name) as boolean;
  const list = (name: string): readonly string[] => get(name) as readonly string[];

  const name = str('name');
  const explicitlySet = options.explicitlySet ?? new Set<string>();
  // On the command line, setting --listen-client-urls drops the default advertised URL: a member that
  // listens on a chosen address must say how clients reach it (etcd refuses to start otherwise).
  const advertiseClientUrls = !options.fromFile && explicitlySet.has('listen-client-urls') && !explicitlySet.has('advertise-client-urls')
    ? []
    : list('advertise-client-urls');
  const initialAdvertisePeerUrls = list('initial-advertise-peer-urls');
  const initialCluster = str('initial-cluster') === defaults.get('initial-cluster') && name !== 'default'
    ? initialClusterFromName(name, initialAdvertisePeerUrls)
    : str('initial-cluster');
  const tls = (prefix: '' | 'peer-'): TlsInfo => ({
    certFile: str(`${prefix}cert-file`),
    keyFile: str(`${prefix}key-file`),
    clientCertAuth: bool(`${prefix}client-cert-auth`),
    trustedCAFile: str(`${prefix}trusted-ca-file`),
    autoTls: bool(`${prefix}auto-tls`),
    crlFile: str(`${prefix === '' ? 'client-' : prefix}crl-file`),
    allowedCn: prefix === 'peer-' ? str('peer-cert-allowed-cn') : '',
    allowedHostname: str(`${prefix === '' ? 'client-' : prefix}cert-allowed-hostname`),
  });

  return {
    name,
    dataDir: str('data-dir') || `${name}.etcd`,
    walDir: str('wal-dir'),
    snapshotCount: num('snapshot-count'),
    forceNewCluster: bool('force-new-cluster'),
    snapshotCatchUpEntries: num('experimental-snapshot-catchup-entries'),
    maxSnapshots: num('max-snapshots'),
    maxWals: num('max-wals'),
    heartbeatIntervalMs: num('heartbeat-interval'),
    electionTimeoutMs: num('election-timeout'),
    listenPeerUrls: list('listen-peer-urls'),
    listenClientUrls: list('listen-client-urls'),
    listenClientHttpUrls: list('listen-client-http-urls'),
    listenMetricsUrls: list('listen-metrics-urls'),
    advertiseClientUrls,
    initialAdvertisePeerUrls,
    initialCluster,
    initialClusterToken: str('initial-cluster-token'),
    initialClusterState: str('initial-cluster-state') as 'new' | 'existing',
    quotaBackendBytes: num('quota-backend-bytes'),
    metrics: str('metrics') as 'basic' | 'extensive',
    backendBatchIntervalMs: num('backend-batch-interval'),
    backendBatchLimit: num('backend-batch-limit'),
    maxTxnOps: num('max-txn-ops'),
    maxRequestBytes: num('max-request-bytes'),
    maxConcurrentStreams: num('max-concurrent-streams'),
    grpcKeepAliveMinTimeMs: num('grpc-keepalive-min-time'),
    grpcKeepAliveIntervalMs: num('grpc-keepalive-interval'),
    grpcKeepAliveTimeoutMs: num('grpc-keepalive-timeout'),
    autoCompactionMode: str('auto-compaction-mode') as 'periodic' | 'revision',
    autoCompactionRetention: str('auto-compaction-retention'),
    watchProgressNotifyIntervalMs: num('experimental-watch-progress-notify-interval'),
    clientTls: tls(''),
    peerTls: tls('peer-'),
    tlsMinVersion: str('tls-min-version') as TlsVersion,
    tlsMaxVersion: str('tls-max-version') as TlsVersion,
    cipherSuites: list('cipher-suites'),
    logger: str('logger') as 'zap' | 'capnslog',
    logLevel: bool('debug') ? 'debug' : (str('log-level') as ServerConfig['logLevel']),
    logOutputs: list('log-outputs'),
  };
}

/** Whether a value equals the flag's etcd default (lists and URL lists compared as sets in order). */
export function isDefaultValue(spec: FlagSpec, value: FlagValue): boolean {
  const def = defaults.get(spec.name);
  if (Array.isArray(value) && Array.isArray(def)) return value.length === def.length && value.every((v, i) => v === def[i]);
  return value === def;
}
