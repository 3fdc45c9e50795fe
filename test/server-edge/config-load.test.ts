import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions } from '../../src/server/options';
import { ConfigError, loadConfig, parseCommandLine, valuesFromConfigFile, valuesFromEnv, type LoadResult, type ServerConfig } from '../../src/server/config';

function configOf(result: LoadResult): ServerConfig {
  assert.equal(result.kind, 'config');
  return (result as Extract<LoadResult, { kind: 'config' }>).config;
}

function load(argv: string[], env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}): LoadResult {
  return loadConfig(argv, {
    env,
    readFile: (path) => {
      if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return files[path];
    },
  });
}

function configError(fn: () => unknown, message: RegExp, exitCode: 1 | 2 = 1): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.match(err.message, message);
    assert.equal(err.exitCode, exitCode);
    return true;
  });
}

test('with no flags, etcd 3.4\'s defaults', () => {
  const config = configOf(load([]));
  assert.equal(config.name, 'default');
  assert.equal(config.dataDir, 'default.etcd');
  assert.deepEqual(config.listenClientUrls, ['http://localhost:2379']);
  assert.deepEqual(config.advertiseClientUrls, ['http://localhost:2379']);
  assert.deepEqual(config.listenPeerUrls, ['http://localhost:2380']);
  assert.equal(config.initialCluster, 'default=http://localhost:2380');
  assert.equal(config.initialClusterToken, 'etcd-cluster');
  assert.equal(config.initialClusterState, 'new');
  assert.equal(config.heartbeatIntervalMs, 100);
  assert.equal(config.electionTimeoutMs, 1000);
  assert.equal(config.snapshotCount, 100000);
  assert.equal(config.maxRequestBytes, 1572864);
  assert.equal(config.maxTxnOps, 128);
  assert.equal(config.quotaBackendBytes, 0);
  assert.equal(config.grpcKeepAliveMinTimeMs, 5000);
  assert.equal(config.grpcKeepAliveIntervalMs, 7_200_000);
  assert.equal(config.grpcKeepAliveTimeoutMs, 20000);
  assert.equal(config.autoCompactionMode, 'periodic');
  assert.equal(config.autoCompactionRetention, '0');
  assert.equal(config.logLevel, 'info');
  assert.deepEqual(config.logOutputs, ['default']);
  assert.deepEqual(config.listenMetricsUrls, []);
  assert.equal(config.clientTls.clientCertAuth, false);
});

test('Go flag syntax: -flag, --flag, --flag=value, bare booleans, --', () => {
  const { values } = parseCommandLine(['-name', 'a', '--data-dir=/d', '--client-cert-auth', '--enable-v2=false', '--heartbeat-interval', '0x10', '--']);
  assert.deepEqual([...values], [['name', 'a'], ['data-dir', '/d'], ['client-cert-auth', true], ['enable-v2', false], ['heartbeat-interval', 16]]);
  // a non-boolean flag takes the next argument even when it looks like a flag, as Go's does
  assert.equal(parseCommandLine(['--name', '--weird']).values.get('name'), '--weird');
  assert.throws(() => parseCommandLine(['--', '--name', 'a']), /'--name' is not a valid flag/);
  assert.equal(parseCommandLine(['--help']).help, true);
  assert.equal(parseCommandLine(['-h']).help, true);
});

test('bad command lines get Go\'s messages and exit code 2', () => {
  configError(() => load(['--foo']), /^flag provided but not defined: -foo$/, 2);
  configError(() => load(['--heartbeat-interval', 'abc']), /^invalid value "abc" for flag -heartbeat-interval: parse error$/, 2);
  configError(() => load(['--client-cert-auth=maybe']), /^invalid boolean value "maybe" for -client-cert-auth: parse error$/, 2);
  configError(() => load(['--name']), /^flag needs an argument: -name$/, 2);
  configError(() => load(['---name']), /^bad flag syntax: ---name$/, 2);
  configError(() => load(['--listen-client-urls', 'ftp://1.2.3.4:1']), /invalid value "ftp:\/\/1.2.3.4:1" for flag -listen-client-urls: URL scheme must be http, https, unix, or unixs/, 2);
  configError(() => load(['--initial-cluster-state', 'bogus']), /invalid value "bogus" for flag -initial-cluster-state: valid values are "new", "existing"/, 2);
  // a stray argument is etcd's verification error (exit 1)
  configError(() => load(['extra']), /^'extra' is not a valid flag$/, 1);
  configError(() => load(['--name', 'a', 'extra']), /'extra' is not a valid flag/, 1);
});

test('--version and --help stop before anything else is checked', () => {
  assert.equal(load(['--version', '--heartbeat-interval=1000']).kind, 'version');
  assert.equal(load(['--help']).kind, 'help');
});

test('a name alone derives data dir and initial cluster', () => {
  const config = configOf(load(['--name', 'infra0', '--initial-advertise-peer-urls', 'http://127.0.0.1:12380,http://127.0.0.2:12380']));
  assert.equal(config.dataDir, 'infra0.etcd');
  assert.equal(config.initialCluster, 'infra0=http://127.0.0.1:12380,infra0=http://127.0.0.2:12380');
});

test('--listen-client-urls without --advertise-client-urls is refused, as etcd does', () => {
  configError(() => load(['--listen-client-urls', 'http://127.0.0.1:2379']), /^--advertise-client-urls is required when --listen-client-urls is set explicitly$/);
  const config = configOf(load(['--listen-client-urls', 'http://127.0.0.1:2379', '--advertise-client-urls', 'http://127.0.0.1:2379']));
  assert.deepEqual(config.advertiseClientUrls, ['http://127.0.0.1:2379']);
});

test('ETCD_* variables set flags; a flag also on the command line is a conflict; unknown ones warn', () => {
  const result = load(['--name', 'cli'], { ETCD_DATA_DIR: '/var/lib/etcd', ETCD_HEARTBEAT_INTERVAL: '50', ETCD_BOGUS: 'x', ETCD_WAL_DIR: '', ETCDCTL_API: '3', PATH: '/bin' });
  const config = configOf(result);
  assert.equal(config.name, 'cli');
  assert.equal(config.dataDir, '/var/lib/etcd');
  assert.equal(config.heartbeatIntervalMs, 50);
  assert.ok(result.kind === 'config' && result.warnings.includes('unrecognized environment variable ETCD_BOGUS=x'));
  assert.ok(result.kind === 'config' && result.notices.includes('recognized environment variable ETCD_DATA_DIR=/var/lib/etcd'));
  configError(() => load(['--name', 'cli'], { ETCD_NAME: 'env' }), /conflicting environment variable "ETCD_NAME" is shadowed by the command-line flag --name/);
  configError(() => load([], { ETCD_ELECTION_TIMEOUT: 'soon' }), /^invalid value "soon" for ETCD_ELECTION_TIMEOUT: parse error$/);
  configError(() => load([], { ETCD_CLIENT_CERT_AUTH: 'yes' }), /invalid value "yes" for ETCD_CLIENT_CERT_AUTH/);
});

test('valuesFromEnv counts variables as explicitly set flags (for the advertise rule)', () => {
  configError(() => load([], { ETCD_LISTEN_CLIENT_URLS: 'http://127.0.0.1:2379' }), /--advertise-client-urls is required/);
  assert.equal(valuesFromEnv({ ETCD_NAME: 'x' }, new Set()).values.get('name'), 'x');
});

const seedFile = `
name: infra0
data-dir: /var/lib/etcd
listen-client-urls: https://127.0.0.1:2379
advertise-client-urls: https://127.0.0.1:2379
listen-peer-urls: https://127.0.0.1:2380
initial-advertise-peer-urls: https://127.0.0.1:2380
initial-cluster-token: etcd-cluster-1
initial-cluster: infra0=https://127.0.0.1:2380
initial-cluster-state: new
heartbeat-interval: 200
election-timeout: 2000
quota-backend-bytes: 8589934592
grpc-keepalive-interval: 3600000000000
experimental-watch-progress-notify-interval: 5000000000
log-outputs: [stderr, stdout]
client-transport-security:
  cert-file: /etc/kubernetes/pki/etcd/server.crt
  key-file: /etc/kubernetes/pki/etcd/server.key
  client-cert-auth: true
  trusted-ca-file: /etc/kubernetes/pki/etcd/ca.crt
peer-transport-security:
  cert-file: /etc/kubernetes/pki/etcd/peer.crt
  key-file: /etc/kubernetes/pki/etcd/peer.key
  client-cert-auth: true
  trusted-ca-file: /etc/kubernetes/pki/etcd/ca.crt
`;

test('a config file in etcd\'s YAML format, TLS blocks, nanosecond durations, byte sizes', () => {
  const result = load(['--config-file', '/etc/etcd.yaml'], {}, { '/etc/etcd.yaml': seedFile });
  const config = configOf(result);
  assert.equal(config.name, 'infra0');
  assert.equal(config.dataDir, '/var/lib/etcd');
  assert.deepEqual(config.listenClientUrls, ['https://127.0.0.1:2379']);
  assert.equal(config.initialClusterToken, 'etcd-cluster-1');
  assert.equal(config.heartbeatIntervalMs, 200);
  assert.equal(config.quotaBackendBytes, 8589934592);
  assert.equal(config.grpcKeepAliveIntervalMs, 3_600_000);
  assert.equal(config.watchProgressNotifyIntervalMs, 5000);
  assert.deepEqual(config.logOutputs, ['stderr', 'stdout']);
  assert.deepEqual(config.clientTls, {
    certFile: '/etc/kubernetes/pki/etcd/server.crt', keyFile: '/etc/kubernetes/pki/etcd/server.key',
    clientCertAuth: true, trustedCAFile: '/etc/kubernetes/pki/etcd/ca.crt', autoTls: false,
    crlFile: '', allowedCn: '', allowedHostname: '',
  });
  assert.equal(config.peerTls.certFile, '/etc/kubernetes/pki/etcd/peer.crt');
  assert.equal(config.peerTls.clientCertAuth, true);
});

test('the config file replaces other flags and ETCD_* variables, as in etcd', () => {
  const files = { '/c.yaml': 'name: fromfile\n' };
  const config = configOf(load(['--config-file', '/c.yaml', '--name', 'fromflag'], { ETCD_DATA_DIR: '/ignored', ETCD_NAME: 'fromenv' }, files));
  assert.equal(config.name, 'fromfile');
  assert.equal(config.dataDir, 'fromfile.etcd');
  // ETCD_CONFIG_FILE names the file when the flag does not
  assert.equal(configOf(load([], { ETCD_CONFIG_FILE: '/c.yaml' }, files)).name, 'fromfile');
  // listen-client-urls alone in a file keeps the default advertised URL (etcd's file path has no such rule)
  assert.deepEqual(configOf(load(['--config-file', '/l.yaml'], {}, { '/l.yaml': 'listen-client-urls: http://127.0.0.1:2379\n' })).advertiseClientUrls, ['http://localhost:2379']);
  // an empty file is all defaults
  assert.equal(configOf(load(['--config-file', '/e.yaml'], {}, { '/e.yaml': '' })).name, 'default');
});

test('config file errors name the file and the key', () => {
  const bad = (text: string, message: RegExp): void => configError(() => load(['--config-file', '/c.yaml'], {}, { '/c.yaml': text }), message);
  bad('nmae: x\n', /^\/c.yaml: unknown key "nmae"$/);
  bad('cert-file: /x.pem\n', /unknown key "cert-file" \(TLS settings go under client-transport-security\)/);
  bad('heartbeat-interval: "200"\n', /"heartbeat-interval" must be a non-negative integer, got string "200"/);
  bad('heartbeat-interval: -5\n', /"heartbeat-interval" must be a non-negative integer, got number -5/);
  bad('name: 123\n', /"name" must be a string, got number 123/);
  bad('enable-v2: "true"\n', /"enable-v2" must be true or false/);
  bad('grpc-keepalive-interval: 2h\n', /"grpc-keepalive-interval" must be an integer number of nanoseconds, got string "2h"/);
  bad('listen-client-urls: foo://x:1\n', /"listen-client-urls": URL scheme must be http, https, unix, or unixs: foo:\/\/x:1/);
  bad('initial-cluster-state: bogus\n', /"initial-cluster-state" must be one of "new", "existing"/);
  bad('client-transport-security:\n  cert-fil: /x\n', /unknown key "client-transport-security.cert-fil"/);
  bad('client-transport-security: yes\n', /"client-transport-security" must be a mapping/);
  bad('name: [1\n', /^\/c.yaml: invalid YAML: /);
  bad('- a\n- b\n', /must be a YAML mapping/);
  bad('name: a\nname: b\n', /invalid YAML: duplicated mapping key/);
  configError(() => load(['--config-file', '/missing.yaml']), /^cannot read config file \/missing.yaml: no such file$/);
});

test('keys etcd knows but cairn does not use are accepted', () => {
  const values = valuesFromConfigFile('max-wals: 10\nproxy-dial-timeout: 100\nexperimental-backend-bbolt-freelist-type: map\ncors: "*"\n', 'f');
  assert.equal(values.get('max-wals'), 10);
  assert.deepEqual(values.get('cors'), ['*']);
});

test('etcd\'s validation: timing, URLs, compaction, TLS', () => {
  configError(() => load(['--heartbeat-interval', '300']), /^--election-timeout\[1000ms\] should be at least as 5 times as --heartbeat-interval\[300ms\]$/);
  configError(() => load(['--heartbeat-interval', '0']), /^--heartbeat-interval must be >0 \(set to 0ms\)$/);
  configError(() => load(['--election-timeout', '60000']), /^--election-timeout\[60000ms\] is too long, and should be set less than 50000ms$/);
  configError(() => load(['--listen-peer-urls', 'http://example.com:2380']), /^expected IP in URL for binding \(http:\/\/example.com:2380\)$/);
  configError(() => load(['--advertise-client-urls', 'http://:2379']), /^--advertise-client-urls "http:\/\/:2379" must be "host:port" \(unexpected empty host/);
  configError(() => load(['--auto-compaction-mode', 'hourly']), /^unknown auto-compaction-mode "hourly"$/);
  configError(() => load(['--listen-client-urls', 'https://127.0.0.1:2379', '--advertise-client-urls', 'https://127.0.0.1:2379']), /^TLS key\/cert \(--cert-file, --key-file\) must be provided for client url https:\/\/127.0.0.1:2379 with HTTPS scheme$/);
  configError(() => load(['--cert-file', '/a.crt']), /--cert-file and --key-file must be given together/);
  configError(() => load(['--tls-min-version', 'TLS1.3', '--tls-max-version', 'TLS1.2']), /min version \(TLS1.3\) is greater than max version \(TLS1.2\)/);
  configError(() => load(['--initial-cluster', 'a=http://1.2.3.4']), /^invalid --initial-cluster: URL address does not have the form "host:port"/);
  const ok = configOf(load(['--auto-compaction-retention', '30m', '--election-timeout', '500', '--heartbeat-interval', '100']));
  assert.equal(ok.autoCompactionRetention, '30m');
  assert.equal(ok.electionTimeoutMs, 500);
});

test('flags cairn does not implement: unsupported ones refuse a non-default value, ignored ones warn', () => {
  configError(() => load(['--discovery', 'https://discovery.etcd.io/x']), /^--discovery is not supported by cairn/);
  configError(() => load(['--discovery-srv', 'example.com']), /^--discovery-srv is not supported by cairn/);
  configError(() => load(['--proxy', 'on']), /^--proxy is not supported by cairn/);
  assert.equal(configOf(load(['--wal-dir', '/var/lib/etcd-wal'])).walDir, '/var/lib/etcd-wal');
  assert.equal(configOf(load(['--config-file', '/c.yaml'], {}, { '/c.yaml': 'force-new-cluster: true\n' })).forceNewCluster, true);
  const result = load(['--enable-v2', '--max-wals', '5', '--proxy', 'off']);
  assert.equal(result.kind, 'config');
  assert.deepEqual(result.kind === 'config' && result.warnings, ['--enable-v2=true has no effect in cairn: Serve the v2 API (cairn serves v3 only).']);
  assert.equal(configOf(load(['--debug'])).logLevel, 'debug');
});

test('etcd 3.4\'s TLS hardening flags: CRL files, allowed CN and hostname, cipher suites, from flags, ETCD_* variables and the config file', () => {
  const fromFlags = configOf(load([
    '--client-crl-file', '/pki/client.crl', '--client-cert-allowed-hostname', 'client.example', '--client-cert-auth', '--trusted-ca-file', '/pki/ca.crt',
    '--peer-crl-file', '/pki/peer.crl', '--peer-cert-allowed-cn', 'etcd-peer', '--peer-client-cert-auth',
    '--cipher-suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  ]));
  assert.deepEqual([fromFlags.clientTls.crlFile, fromFlags.clientTls.allowedHostname, fromFlags.clientTls.allowedCn], ['/pki/client.crl', 'client.example', '']);
  assert.deepEqual([fromFlags.peerTls.crlFile, fromFlags.peerTls.allowedCn, fromFlags.peerTls.allowedHostname], ['/pki/peer.crl', 'etcd-peer', '']);
  assert.deepEqual(fromFlags.cipherSuites, ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384']);
  assert.deepEqual(configOf(load([])).cipherSuites, []);

  const fromEnv = configOf(load([], {
    ETCD_CLIENT_CRL_FILE: '/pki/client.crl', ETCD_PEER_CRL_FILE: '/pki/peer.crl', ETCD_PEER_CERT_ALLOWED_HOSTNAME: 'peer.example',
    ETCD_CLIENT_CERT_ALLOWED_HOSTNAME: 'client.example', ETCD_CIPHER_SUITES: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  }));
  assert.deepEqual([fromEnv.clientTls.crlFile, fromEnv.clientTls.allowedHostname, fromEnv.peerTls.crlFile, fromEnv.peerTls.allowedHostname], ['/pki/client.crl', 'client.example', '/pki/peer.crl', 'peer.example']);
  assert.deepEqual(fromEnv.cipherSuites, ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);

  // etcd 3.5's keys in the TLS blocks (allowed-cn and allowed-hostname, a list there), cairn's crl-file,
  // and etcd's top-level cipher-suites sequence
  const file = `client-transport-security:
  client-cert-auth: true
  crl-file: /pki/client.crl
  allowed-hostname: client.example
peer-transport-security:
  client-cert-auth: true
  crl-file: /pki/peer.crl
  allowed-cn: [etcd-peer]
cipher-suites:
  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
`;
  const fromFile = configOf(load(['--config-file', '/c.yaml'], {}, { '/c.yaml': file }));
  assert.deepEqual([fromFile.clientTls.crlFile, fromFile.clientTls.allowedHostname], ['/pki/client.crl', 'client.example']);
  assert.deepEqual([fromFile.peerTls.crlFile, fromFile.peerTls.allowedCn], ['/pki/peer.crl', 'etcd-peer']);
  assert.deepEqual(fromFile.cipherSuites, ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384']);
  const bad = (text: string, message: RegExp): void => configError(() => load(['--config-file', '/c.yaml'], {}, { '/c.yaml': text }), message);
  bad('peer-transport-security:\n  allowed-cn: [a, b]\n', /^\/c.yaml: "peer-transport-security.allowed-cn" takes one value \(etcd 3.4's --peer-cert-allowed-cn\), got a list of 2$/);
  bad('client-transport-security:\n  allowed-cn: a\n', /unknown key "client-transport-security.allowed-cn"/);
  bad('client-crl-file: /x.crl\n', /unknown key "client-crl-file" \(write it as crl-file under client-transport-security\)/);
  bad('peer-cert-allowed-cn: x\n', /unknown key "peer-cert-allowed-cn" \(write it as allowed-cn under peer-transport-security\)/);
  bad('cipher-suites: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n', /"cipher-suites" must be a list of strings/);

  // etcd's refusals, in etcd's words
  configError(() => load(['--cipher-suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_FOO']), /^unexpected TLS cipher suite "TLS_FOO"$/);
  configError(() => load(['--cipher-suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', '--tls-min-version', 'TLS1.3']), /^cipher suites cannot be configured when only TLS1.3 is enabled$/);
  configError(() => load(['--peer-cert-allowed-cn', 'a', '--peer-cert-allowed-hostname', 'b']), /^AllowedCN and AllowedHostname are mutually exclusive \(cn="a", hostname="b"\)$/);
  // cairn's: a suite Go has and Node's OpenSSL has not
  configError(() => load(['--cipher-suites', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA']), /^TLS cipher suite "TLS_RSA_WITH_3DES_EDE_CBC_SHA" \(OpenSSL DES-CBC3-SHA\) is not available/);

  // without client certificate authentication there is no client certificate to check: a warning
  const unchecked = load(['--client-crl-file', '/pki/client.crl', '--peer-crl-file', '/pki/peer.crl']);
  assert.equal(unchecked.kind, 'config');
  assert.deepEqual(unchecked.kind === 'config' && unchecked.warnings, [
    '--client-crl-file applies only to client certificates, which are not asked for without --client-cert-auth or --trusted-ca-file',
    '--peer-crl-file applies only to peer client certificates, which the peer listener does not ask for without --peer-client-cert-auth or --peer-trusted-ca-file',
  ]);
  const checked = load(['--client-crl-file', '/pki/client.crl', '--client-cert-allowed-hostname', 'c.example', '--trusted-ca-file', '/pki/ca.crt']);
  assert.deepEqual(checked.kind === 'config' && checked.warnings.filter((w) => w.includes('only to client certificates')), []);
  const both = load(['--client-crl-file', '/pki/client.crl', '--client-cert-allowed-hostname', 'c.example']);
  assert.deepEqual(both.kind === 'config' && both.warnings, ['--client-crl-file and --client-cert-allowed-hostname apply only to client certificates, which are not asked for without --client-cert-auth or --trusted-ca-file']);
});

test('--max-wals and --max-snapshots reach the config (0 keeps every file)', () => {
  const config = configOf(load(['--max-wals', '0', '--max-snapshots', '3']));
  assert.equal(config.maxWals, 0);
  assert.equal(config.maxSnapshots, 3);
  assert.equal(configOf(load([])).maxWals, 5);
});

test('kubeadm\'s etcd static pod command line parses (cairnadm renders the same one)', () => {
  const argv = [
    '--advertise-client-urls=https://10.0.0.11:2379',
    '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
    '--client-cert-auth=true',
    '--data-dir=/var/lib/etcd',
    '--experimental-initial-corrupt-check=true',
    '--experimental-watch-progress-notify-interval=5s',
    '--initial-advertise-peer-urls=https://10.0.0.11:2380',
    '--initial-cluster=cp1=https://10.0.0.11:2380',
    '--key-file=/etc/kubernetes/pki/etcd/server.key',
    '--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.11:2379',
    '--listen-metrics-urls=http://127.0.0.1:2381',
    '--listen-peer-urls=https://10.0.0.11:2380',
    '--name=cp1',
    '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
    '--peer-client-cert-auth=true',
    '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
    '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
    '--snapshot-count=10000',
    '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
  ];
  const result = load(argv);
  const config = configOf(result);
  assert.deepEqual(config.listenClientUrls, ['https://10.0.0.11:2379', 'https://127.0.0.1:2379']);
  assert.deepEqual(config.listenMetricsUrls, ['http://127.0.0.1:2381']);
  assert.equal(config.watchProgressNotifyIntervalMs, 5000);
  assert.equal(config.snapshotCount, 10000);
  assert.equal(config.clientTls.clientCertAuth, true);
  assert.equal(config.peerTls.trustedCAFile, '/etc/kubernetes/pki/etcd/ca.crt');
  assert.equal(config.initialCluster, 'cp1=https://10.0.0.11:2380');
  // the corruption check is etcd-only: accepted with a warning
  assert.ok(result.kind === 'config' && result.warnings.some((w) => w.startsWith('--experimental-initial-corrupt-check=true has no effect in cairn')));
});

test('--backend-batch-interval and --backend-batch-limit set the store\'s batch commits (0, the default, is etcd\'s 100ms and 10000)', () => {
  const defaults = configOf(load([]));
  assert.deepEqual([defaults.backendBatchIntervalMs, defaults.backendBatchLimit], [0, 0]);
  const set = configOf(load(['--backend-batch-interval', '20ms', '--backend-batch-limit', '500']));
  assert.deepEqual([set.backendBatchIntervalMs, set.backendBatchLimit], [20, 500]);
  const fromEnv = configOf(load([], { ETCD_BACKEND_BATCH_INTERVAL: '1s', ETCD_BACKEND_BATCH_LIMIT: '7' }));
  assert.deepEqual([fromEnv.backendBatchIntervalMs, fromEnv.backendBatchLimit], [1000, 7]);
  const fromFile = configOf(load(['--config-file', '/c.yaml'], {}, { '/c.yaml': 'backend-batch-interval: 20000000\nbackend-batch-limit: 5\n' }));
  assert.deepEqual([fromFile.backendBatchIntervalMs, fromFile.backendBatchLimit], [20, 5]);
  configError(() => load(['--backend-batch-interval', '5 minutes']), /^invalid value "5 minutes" for flag -backend-batch-interval: parse error$/, 2);
  const resolved = resolveOptions({ name: 'm', dataDir: '/d', advertiseClientUrls: [], initialAdvertisePeerUrls: [] });
  assert.deepEqual([resolved.backendBatchIntervalMs, resolved.backendBatchLimit], [100, 10_000]);
});
