// Every flag etcd 3.4 accepts, with etcd's default, how cairn treats it, and its key in the YAML
// config file. The parsers for the command line, ETCD_* variables and the config file all read this
// one table, so the three sources cannot drift apart.

export type FlagKind = 'string' | 'uint' | 'int' | 'bool' | 'duration' | 'urls' | 'list' | 'choice';

/**
 * used: cairn acts on it. ignored: accepted because etcd accepts it, without effect in cairn (a warning
 * when set to anything but the default). unsupported: a value other than the default is an error, because
 * ignoring it would silently weaken what the user asked for (security checks, discovery, v2 proxy).
 */
export type FlagSupport = 'used' | 'ignored' | 'unsupported';

export type FlagGroup = 'member' | 'clustering' | 'security' | 'auth' | 'monitoring' | 'logging' | 'proxy' | 'experimental' | 'unsafe' | 'deprecated';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  /** etcd's default, written as on the command line. */
  readonly defaultValue: string;
  readonly usage: string;
  readonly group: FlagGroup;
  readonly support: FlagSupport;
  readonly choices?: readonly string[];
  /** The YAML key; undefined means the flag's name, null that the config file has no such key. */
  readonly fileKey?: string | null;
  /** How a `list` is written in YAML: a sequence (etcd's []string) or one comma-separated string. */
  readonly fileForm?: 'sequence' | 'csv';
}

function flag(name: string, kind: FlagKind, defaultValue: string, group: FlagGroup, support: FlagSupport, usage: string, extra: Partial<FlagSpec> = {}): FlagSpec {
  return { name, kind, defaultValue, group, support, usage, ...extra };
}

export const flagTable: readonly FlagSpec[] = [
  flag('config-file', 'string', '', 'member', 'used', 'YAML configuration file; when given, all other flags and ETCD_* variables are ignored.', { fileKey: null }),
  // member
  flag('name', 'string', 'default', 'member', 'used', 'Name of this member, unique in the cluster.'),
  flag('data-dir', 'string', '', 'member', 'used', 'Data directory (default: <name>.etcd).'),
  flag('wal-dir', 'string', '', 'member', 'used', 'Path to the dedicated wal directory (default: <data-dir>/member/wal).'),
  flag('snapshot-count', 'uint', '100000', 'member', 'used', 'Applied entries between two raft snapshots.'),
  flag('heartbeat-interval', 'uint', '100', 'member', 'used', 'Heartbeat interval in milliseconds.'),
  flag('election-timeout', 'uint', '1000', 'member', 'used', 'Election timeout in milliseconds; at least 5 heartbeat intervals.'),
  flag('initial-election-tick-advance', 'bool', 'true', 'member', 'ignored', 'Fast-forward election ticks at start (cairn always does so for a single member).'),
  flag('listen-peer-urls', 'urls', 'http://localhost:2380', 'member', 'used', 'URLs to listen on for peer (raft) traffic.'),
  flag('listen-client-urls', 'urls', 'http://localhost:2379', 'member', 'used', 'URLs to listen on for client gRPC and HTTP traffic (HTTP only when --listen-client-http-urls is empty).'),
  flag('listen-client-http-urls', 'urls', '', 'member', 'used', 'URLs to listen on for client HTTP only; when set, --listen-client-urls serve gRPC only.'),
  flag('max-snapshots', 'uint', '5', 'member', 'used', 'Raft snapshot files to keep (0: all).'),
  flag('max-wals', 'uint', '5', 'member', 'used', 'WAL files to keep (0: all).'),
  flag('quota-backend-bytes', 'int', '0', 'member', 'used', 'Backend size that raises the NOSPACE alarm (0: 2 GiB).'),
  flag('backend-batch-interval', 'duration', '0s', 'member', 'used', 'Longest time applied writes wait for their backend commit (0: 100ms).'),
  flag('backend-batch-limit', 'int', '0', 'member', 'used', 'Most applied operations before a backend commit (0: 10000).'),
  flag('max-txn-ops', 'uint', '128', 'member', 'used', 'Most operations in one transaction.'),
  flag('max-request-bytes', 'uint', '1572864', 'member', 'used', 'Largest client request in bytes.'),
  flag('max-concurrent-streams', 'uint', '4294967295', 'member', 'used', 'Most concurrent gRPC streams per client connection.'),
  flag('grpc-keepalive-min-time', 'duration', '5s', 'member', 'used', 'Shortest interval a client may ping at.'),
  flag('grpc-keepalive-interval', 'duration', '2h', 'member', 'used', 'Interval of server pings on an idle connection (0: off).'),
  flag('grpc-keepalive-timeout', 'duration', '20s', 'member', 'used', 'Wait for a ping answer before closing the connection (0: off).'),
  // clustering
  flag('initial-advertise-peer-urls', 'urls', 'http://localhost:2380', 'clustering', 'used', 'This member\'s peer URLs, as told to the rest of the cluster.'),
  flag('initial-cluster', 'string', 'default=http://localhost:2380', 'clustering', 'used', 'Members at bootstrap: name=peer-url,...'),
  flag('initial-cluster-state', 'choice', 'new', 'clustering', 'used', '"new" to bootstrap a cluster, "existing" to join one.', { choices: ['new', 'existing'] }),
  flag('initial-cluster-token', 'string', 'etcd-cluster', 'clustering', 'used', 'Token that makes cluster and member IDs unique to this cluster.'),
  flag('advertise-client-urls', 'urls', 'http://localhost:2379', 'clustering', 'used', 'This member\'s client URLs, as told to clients.'),
  flag('discovery', 'string', '', 'clustering', 'unsupported', 'Discovery service URL (not supported by cairn).'),
  flag('discovery-fallback', 'choice', 'proxy', 'clustering', 'ignored', 'What to do when discovery fails.', { choices: ['proxy', 'exit'] }),
  flag('discovery-proxy', 'string', '', 'clustering', 'unsupported', 'HTTP proxy for the discovery service (not supported by cairn).'),
  flag('discovery-srv', 'string', '', 'clustering', 'unsupported', 'DNS SRV domain to bootstrap from (not supported by cairn).'),
  flag('discovery-srv-name', 'string', '', 'clustering', 'unsupported', 'Suffix of the DNS SRV name (not supported by cairn).'),
  flag('strict-reconfig-check', 'bool', 'true', 'clustering', 'ignored', 'Refuse membership changes that would lose quorum (cairn always does).'),
  flag('pre-vote', 'bool', 'false', 'clustering', 'ignored', 'Raft pre-vote (cairn always runs it).'),
  flag('auto-compaction-retention', 'string', '0', 'clustering', 'used', 'Auto compaction retention: hours or a duration (periodic), or revisions (revision); 0 turns it off.'),
  flag('auto-compaction-mode', 'string', 'periodic', 'clustering', 'used', '"periodic" or "revision".'),
  flag('enable-v2', 'bool', 'false', 'clustering', 'ignored', 'Serve the v2 API (cairn serves v3 only).'),
  // security
  flag('cert-file', 'string', '', 'security', 'used', 'Client server TLS certificate.', { fileKey: null }),
  flag('key-file', 'string', '', 'security', 'used', 'Client server TLS key.', { fileKey: null }),
  flag('client-cert-auth', 'bool', 'false', 'security', 'used', 'Require client certificates signed by --trusted-ca-file.', { fileKey: null }),
  flag('client-crl-file', 'string', '', 'security', 'used', 'Path to the client certificate revocation list file (PEM or DER); a client certificate whose serial it lists is refused.', { fileKey: null }),
  flag('client-cert-allowed-hostname', 'string', '', 'security', 'used', 'Allowed TLS hostname for client cert authentication: client certificates must be valid for it (subject alternative names).', { fileKey: null }),
  flag('trusted-ca-file', 'string', '', 'security', 'used', 'CA that signs client certificates; setting it requires client certificates.', { fileKey: null }),
  flag('auto-tls', 'bool', 'false', 'security', 'used', 'Client TLS with a generated self-signed certificate.', { fileKey: null }),
  flag('peer-cert-file', 'string', '', 'security', 'used', 'Peer TLS certificate.', { fileKey: null }),
  flag('peer-key-file', 'string', '', 'security', 'used', 'Peer TLS key.', { fileKey: null }),
  flag('peer-client-cert-auth', 'bool', 'false', 'security', 'used', 'Require peer client certificates.', { fileKey: null }),
  flag('peer-trusted-ca-file', 'string', '', 'security', 'used', 'CA that signs peer certificates.', { fileKey: null }),
  flag('peer-auto-tls', 'bool', 'false', 'security', 'used', 'Peer TLS with a generated self-signed certificate.', { fileKey: null }),
  flag('peer-crl-file', 'string', '', 'security', 'used', 'Path to the peer certificate revocation list file (PEM or DER).', { fileKey: null }),
  flag('peer-cert-allowed-cn', 'string', '', 'security', 'used', 'Required CN for client certs connecting to the peer endpoint (peers\' server certificates are checked too).', { fileKey: null }),
  flag('peer-cert-allowed-hostname', 'string', '', 'security', 'used', 'Allowed TLS hostname for inter peer authentication (in client and server certificates of peers).', { fileKey: null }),
  flag('experimental-peer-skip-client-san-verification', 'bool', 'false', 'security', 'unsupported', 'Skip SAN checks of peer client certificates (not supported by cairn).', { fileKey: null }),
  flag('cipher-suites', 'list', '', 'security', 'used', 'Comma-separated list of supported TLS 1.2 cipher suites between client/server and peers, by Go\'s names (empty: Node\'s defaults; TLS 1.3 suites are not configurable).', { fileForm: 'sequence' }),
  flag('tls-min-version', 'choice', 'TLS1.2', 'security', 'used', 'Lowest TLS version: TLS1.2 or TLS1.3.', { choices: ['TLS1.2', 'TLS1.3'] }),
  flag('tls-max-version', 'choice', '', 'security', 'used', 'Highest TLS version: TLS1.2, TLS1.3, or empty for the highest available.', { choices: ['', 'TLS1.2', 'TLS1.3'] }),
  flag('cors', 'list', '*', 'security', 'ignored', 'Allowed CORS origins (cairn allows all).', { fileForm: 'csv' }),
  flag('host-whitelist', 'list', '*', 'security', 'ignored', 'Accepted HTTP Host names on insecure listeners (cairn accepts all).', { fileForm: 'csv' }),
  // auth
  flag('auth-token', 'string', 'simple', 'auth', 'ignored', 'Auth token type and options.'),
  flag('bcrypt-cost', 'uint', '10', 'auth', 'ignored', 'bcrypt cost for password hashes.'),
  flag('auth-token-ttl', 'uint', '300', 'auth', 'ignored', 'Lifetime of a simple auth token in seconds.'),
  // monitoring
  flag('enable-pprof', 'bool', 'false', 'monitoring', 'ignored', 'Go profiling endpoints (none in cairn).'),
  flag('metrics', 'choice', 'basic', 'monitoring', 'used', 'Metrics detail: basic, or extensive to add grpc_server_handling_seconds (time to handle each gRPC call, per method).', { choices: ['basic', 'extensive'] }),
  flag('listen-metrics-urls', 'urls', '', 'monitoring', 'used', 'URLs to listen on for /metrics and the health endpoints only.'),
  flag('enable-grpc-gateway', 'bool', 'true', 'monitoring', 'ignored', 'The JSON gateway for gRPC.'),
  // logging
  flag('logger', 'choice', 'capnslog', 'logging', 'used', '"zap" or "capnslog"; cairn writes structured JSON lines either way.', { choices: ['zap', 'capnslog'] }),
  flag('log-outputs', 'list', 'default', 'logging', 'used', 'Where logs go: default, stderr, stdout or file paths, comma-separated.', { fileForm: 'sequence' }),
  flag('log-level', 'choice', 'info', 'logging', 'used', 'debug, info, warn, error, panic or fatal.', { choices: ['debug', 'info', 'warn', 'error', 'dpanic', 'panic', 'fatal'] }),
  flag('log-output', 'list', 'default', 'deprecated', 'ignored', 'Old name of --log-outputs.', { fileForm: 'sequence' }),
  flag('debug', 'bool', 'false', 'deprecated', 'used', 'Same as --log-level=debug.'),
  flag('log-package-levels', 'string', '', 'deprecated', 'ignored', 'Per-package levels of the capnslog logger.'),
  // v2 proxy
  flag('proxy', 'choice', 'off', 'proxy', 'unsupported', 'v2 proxy mode (cairn supports only off).', { choices: ['off', 'readonly', 'on'] }),
  flag('proxy-failure-wait', 'uint', '5000', 'proxy', 'ignored', 'v2 proxy: milliseconds an endpoint stays failed.'),
  flag('proxy-refresh-interval', 'uint', '30000', 'proxy', 'ignored', 'v2 proxy: milliseconds between endpoint refreshes.'),
  flag('proxy-dial-timeout', 'uint', '1000', 'proxy', 'ignored', 'v2 proxy: dial timeout in milliseconds.'),
  flag('proxy-write-timeout', 'uint', '5000', 'proxy', 'ignored', 'v2 proxy: write timeout in milliseconds.'),
  flag('proxy-read-timeout', 'uint', '0', 'proxy', 'ignored', 'v2 proxy: read timeout in milliseconds.'),
  // experimental
  flag('experimental-snapshot-catchup-entries', 'uint', '5000', 'experimental', 'used', 'Raft entries kept behind a snapshot for slow followers to catch up from (etcd 3.5).', { fileKey: 'experimental-snapshot-catch-up-entries' }),
  flag('experimental-initial-corrupt-check', 'bool', 'false', 'experimental', 'ignored', 'Check data against peers before serving.'),
  flag('experimental-corrupt-check-time', 'duration', '0s', 'experimental', 'ignored', 'Interval of corruption checks.'),
  flag('experimental-enable-v2v3', 'string', '', 'experimental', 'unsupported', 'Serve v2 over the v3 store (not supported by cairn).'),
  flag('experimental-backend-bbolt-freelist-type', 'string', 'array', 'experimental', 'ignored', 'bbolt freelist type (cairn stores in LMDB).'),
  flag('experimental-enable-lease-checkpoint', 'bool', 'false', 'experimental', 'ignored', 'Checkpoint lease TTLs to followers.'),
  flag('experimental-enable-lease-checkpoint-persist', 'bool', 'false', 'experimental', 'ignored', 'Persist lease TTL checkpoints.'),
  flag('experimental-compaction-batch-limit', 'int', '1000', 'experimental', 'ignored', 'Revisions deleted per compaction batch.'),
  flag('experimental-watch-progress-notify-interval', 'duration', '10m', 'experimental', 'used', 'Interval of progress notifications to watchers that asked for them.'),
  flag('experimental-warning-apply-duration', 'duration', '100ms', 'experimental', 'ignored', 'Apply time above which a warning is logged.'),
  // unsafe
  flag('force-new-cluster', 'bool', 'false', 'unsafe', 'used', 'Force to create a new one member cluster.'),
  flag('unsafe-no-fsync', 'bool', 'false', 'unsafe', 'unsupported', 'Skip fsync (not supported by cairn: acknowledged writes are durable).'),
  flag('version', 'bool', 'false', 'member', 'used', 'Print the version and exit.', { fileKey: null }),
];

const byName = new Map(flagTable.map((spec) => [spec.name, spec]));

export function flagSpec(name: string): FlagSpec | undefined {
  return byName.get(name);
}

/** The YAML key of a flag, or undefined when the config file has none for it. */
export function fileKeyOf(spec: FlagSpec): string | undefined {
  return spec.fileKey === null ? undefined : spec.fileKey ?? spec.name;
}
