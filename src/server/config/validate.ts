// etcd's checks on a configuration, with etcd's messages where etcd has one.
import { cipherSuitesProblem } from '../../tls-hardening';
import { ConfigError } from './errors';
import type { ServerConfig } from './server-config';
import { UrlError, checkBindUrls, checkHostUrls, parseEtcdUrl, parseInitialCluster } from './urls';

/** etcd refuses election timeouts above this many milliseconds. */
export const maxElectionMs = 50000;

function check(fn: () => void, prefix = ''): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof UrlError) throw new ConfigError(`${prefix}${err.message}`);
    throw err;
  }
}

/** Throws ConfigError for what etcd would refuse; returns warnings for what etcd would only log. */
export function validateServerConfig(config: ServerConfig): string[] {
  const warnings: string[] = [];
  check(() => checkBindUrls(config.listenPeerUrls));
  check(() => checkBindUrls(config.listenClientUrls));
  check(() => checkBindUrls(config.listenClientHttpUrls));
  check(() => checkBindUrls(config.listenMetricsUrls));
  try {
    checkHostUrls(config.initialAdvertisePeerUrls);
  } catch (err) {
    if (err instanceof UrlError) throw new ConfigError(`--initial-advertise-peer-urls "${config.initialAdvertisePeerUrls.join(',')}" must be "host:port" (${err.message})`);
    throw err;
  }
  try {
    checkHostUrls(config.advertiseClientUrls);
  } catch (err) {
    if (err instanceof UrlError) throw new ConfigError(`--advertise-client-urls "${config.advertiseClientUrls.join(',')}" must be "host:port" (${err.message})`);
    throw err;
  }
  check(() => parseInitialCluster(config.initialCluster), 'invalid --initial-cluster: ');

  if (config.heartbeatIntervalMs <= 0) throw new ConfigError(`--heartbeat-interval must be >0 (set to ${config.heartbeatIntervalMs}ms)`);
  if (config.electionTimeoutMs <= 0) throw new ConfigError(`--election-timeout must be >0 (set to ${config.electionTimeoutMs}ms)`);
  if (5 * config.heartbeatIntervalMs > config.electionTimeoutMs) {
    throw new ConfigError(`--election-timeout[${config.electionTimeoutMs}ms] should be at least as 5 times as --heartbeat-interval[${config.heartbeatIntervalMs}ms]`);
  }
  if (config.electionTimeoutMs > maxElectionMs) {
    throw new ConfigError(`--election-timeout[${config.electionTimeoutMs}ms] is too long, and should be set less than ${maxElectionMs}ms`);
  }
  if (config.listenClientUrls.length > 0 && config.advertiseClientUrls.length === 0) {
    throw new ConfigError('--advertise-client-urls is required when --listen-client-urls is set explicitly');
  }
  if (config.autoCompactionMode !== 'periodic' && config.autoCompactionMode !== 'revision') {
    throw new ConfigError(`unknown auto-compaction-mode ${JSON.stringify(config.autoCompactionMode)}`);
  }
  // The retention itself is read (and refused when malformed) by the server's auto-compaction driver.
  if (config.tlsMaxVersion !== '' && config.tlsMinVersion > config.tlsMaxVersion) {
    throw new ConfigError(`min version (${config.tlsMinVersion}) is greater than max version (${config.tlsMaxVersion})`);
  }
  // etcd: Config.Validate (TLS 1.3 only), then updateCipherSuites when the listeners are set up.
  if (config.tlsMinVersion === 'TLS1.3' && config.cipherSuites.length > 0) {
    throw new ConfigError('cipher suites cannot be configured when only TLS1.3 is enabled');
  }
  const cipherProblem = cipherSuitesProblem(config.cipherSuites);
  if (cipherProblem !== undefined) throw new ConfigError(cipherProblem);
  // etcd refuses both at once when it builds the peer TLS configuration (pkg/transport baseConfig).
  if (config.peerTls.allowedCn !== '' && config.peerTls.allowedHostname !== '') {
    throw new ConfigError(`AllowedCN and AllowedHostname are mutually exclusive (cn=${JSON.stringify(config.peerTls.allowedCn)}, hostname=${JSON.stringify(config.peerTls.allowedHostname)})`);
  }
  if (config.maxRequestBytes === 0) throw new ConfigError('--max-request-bytes must be >0');
  if (config.maxConcurrentStreams === 0 || config.maxConcurrentStreams > 0xffffffff) {
    throw new ConfigError(`--max-concurrent-streams must be from 1 to 4294967295 (set to ${config.maxConcurrentStreams})`);
  }

  const tls = config.clientTls;
  const hasKeyPair = tls.certFile !== '' || tls.keyFile !== '';
  if ((tls.certFile === '') !== (tls.keyFile === '')) throw new ConfigError('--cert-file and --key-file must be given together');
  for (const href of [...config.listenClientUrls, ...config.listenClientHttpUrls]) {
    const url = parseEtcdUrl(href);
    const secure = url.scheme === 'https' || url.scheme === 'unixs';
    if (secure && !hasKeyPair && !tls.autoTls) {
      throw new ConfigError(`TLS key/cert (--cert-file, --key-file) must be provided for client url ${href} with HTTPS scheme`);
    }
    if (!secure && hasKeyPair) warnings.push(`client url ${href} is plain HTTP while --cert-file and --key-file are set; TLS is not used on it`);
    if (!secure && (tls.clientCertAuth || tls.trustedCAFile !== '')) warnings.push(`client url ${href} is plain HTTP; client certificate authentication does not apply to it`);
  }
  // As in etcd, these look only at certificates clients present, which they do not without client certificate authentication.
  const uncheckedClientFlags = [['client-crl-file', tls.crlFile], ['client-cert-allowed-hostname', tls.allowedHostname]].filter(([, v]) => v !== '').map(([flag]) => `--${flag}`);
  if (uncheckedClientFlags.length > 0 && !tls.clientCertAuth && tls.trustedCAFile === '') {
    const verb = uncheckedClientFlags.length > 1 ? 'apply' : 'applies';
    warnings.push(`${uncheckedClientFlags.join(' and ')} ${verb} only to client certificates, which are not asked for without --client-cert-auth or --trusted-ca-file`);
  }
  const peer = config.peerTls;
  if ((peer.certFile === '') !== (peer.keyFile === '')) throw new ConfigError('--peer-cert-file and --peer-key-file must be given together');
  for (const href of config.listenPeerUrls) {
    const url = parseEtcdUrl(href);
    if ((url.scheme === 'https' || url.scheme === 'unixs') && peer.certFile === '' && !peer.autoTls) {
      throw new ConfigError(`TLS key/cert (--peer-cert-file, --peer-key-file) must be provided for peer url ${href} with HTTPS scheme`);
    }
  }
  if (peer.crlFile !== '' && !peer.clientCertAuth && peer.trustedCAFile === '') {
    warnings.push('--peer-crl-file applies only to peer client certificates, which the peer listener does not ask for without --peer-client-cert-auth or --peer-trusted-ca-file');
  }
  return warnings;
}
