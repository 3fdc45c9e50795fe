// `cairn`: the etcd-compatible server. Reads etcd's flags, ETCD_* variables or --config-file, opens
// the member, puts it on the network and runs until SIGTERM or SIGINT.
//
// The command line is parsed by src/server/config rather than commander, because etcd's grammar is
// Go's flag package: `-name x`, `--client-cert-auth=true`, booleans never take a separate value, and
// kubeadm's manifests rely on exactly that.
import './quiet-warnings';
import { ConfigError, loadConfig, usageText, type ServerConfig } from '../server/config';
import { bindMember, nodeVersion, type ServingMember } from '../server/listen';
import { EtcdServer, etcdServerVersion, readCairnVersion, transportLink } from '../server';
import { createLogger, LoggerError, parseTraceChannels, traceEnvVar, type Logger } from '../log';
import { loadPeerTls, peerRequester } from '../transport';
import { cairnVersionText } from './cairn-version';

/** How long gRPC clients get to leave after GOAWAY when the member shuts down. */
const shutdownGraceMs = 1000;

const shortUsage = `Usage:
  cairn [flags]
  cairn --version
  cairn -h | --help
`;

function openLogger(config: ServerConfig): Logger {
  return createLogger({ level: config.logLevel, outputs: config.logOutputs });
}

async function start(config: ServerConfig, logger: Logger): Promise<{ server: EtcdServer; serving: ServingMember }> {
  const peerTls = {
    certFile: config.peerTls.certFile || undefined,
    keyFile: config.peerTls.keyFile || undefined,
    trustedCaFile: config.peerTls.trustedCAFile || undefined,
    clientCertAuth: config.peerTls.clientCertAuth,
    crlFile: config.peerTls.crlFile || undefined,
    allowedCn: config.peerTls.allowedCn || undefined,
    allowedHostname: config.peerTls.allowedHostname || undefined,
    cipherSuites: config.cipherSuites,
    minVersion: nodeVersion(config.tlsMinVersion),
    maxVersion: nodeVersion(config.tlsMaxVersion),
  };
  // The peer port opens only once the member has peers, but its files are read now: a member that is
  // alone today must not find a missing or damaged peer certificate only when one joins (etcd reads them at start).
  loadPeerTls(peerTls);
  // Client ports first, as etcd binds them: clients connecting while the data loads wait for it.
  const bound = await bindMember(config, { logger });
  const opening = EtcdServer.open({
    name: config.name,
    dataDir: config.dataDir,
    walDir: config.walDir || undefined,
    advertiseClientUrls: [...config.advertiseClientUrls],
    initialAdvertisePeerUrls: [...config.initialAdvertisePeerUrls],
    initialCluster: config.initialCluster,
    initialClusterToken: config.initialClusterToken,
    initialClusterState: config.initialClusterState,
    quotaBackendBytes: config.quotaBackendBytes,
    metricsDetail: config.metrics,
    backendBatchIntervalMs: config.backendBatchIntervalMs,
    backendBatchLimit: config.backendBatchLimit,
    maxRequestBytes: config.maxRequestBytes,
    maxTxnOps: config.maxTxnOps,
    heartbeatMs: config.heartbeatIntervalMs,
    electionMs: config.electionTimeoutMs,
    autoCompactionMode: config.autoCompactionMode,
    autoCompactionRetention: config.autoCompactionRetention,
    watchProgressNotifyIntervalMs: config.watchProgressNotifyIntervalMs,
    snapshotCount: config.snapshotCount,
    forceNewCluster: config.forceNewCluster,
    snapshotCatchUpEntries: config.snapshotCatchUpEntries,
    maxSnapshots: config.maxSnapshots,
    maxWals: config.maxWals,
    logger,
    // Opened only once the member has peers.
    peerLink: transportLink({ listen: config.listenPeerUrls, advertise: config.initialAdvertisePeerUrls, tls: peerTls, logger }),
    peerRequest: peerRequester(peerTls),
    // A member the cluster removed stops as on SIGTERM.
    onRemoved: () => process.kill(process.pid, 'SIGTERM'),
  });
  let server: EtcdServer;
  try {
    server = await opening;
  } catch (err) {
    await bound.close();
    throw err;
  }
  return { server, serving: bound.serve(server) };
}

/** Runs cairn with these arguments; resolves to the exit code once the member has stopped. */
async function runCairn(argv: readonly string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(argv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(err.exitCode === 2 ? `${err.message}\n${shortUsage}` : `cairn: ${err.message} (see 'cairn --help')\n`);
    return err.exitCode;
  }
  if (loaded.kind === 'help') {
    process.stdout.write(usageText('cairn'));
    return 0;
  }
  if (loaded.kind === 'version') {
    process.stdout.write(cairnVersionText());
    return 0;
  }

  const { config } = loaded;
  let logger: Logger;
  try {
    logger = openLogger(config);
  } catch (err) {
    if (!(err instanceof LoggerError)) throw err;
    process.stderr.write(`cairn: ${err.message}\n`);
    return 1;
  }
  for (const notice of loaded.notices) logger.info(notice);
  for (const warning of loaded.warnings) logger.warn(warning);
  for (const name of parseTraceChannels(process.env[traceEnvVar]).unknown) logger.warn({ channel: name }, `unknown trace channel in ${traceEnvVar}`);
  logger.info({
    'cairn-version': readCairnVersion(),
    'etcd-version': etcdServerVersion,
    'node-version': process.version,
    name: config.name,
    'data-dir': config.dataDir,
    'wal-dir': config.walDir,
    'listen-client-urls': config.listenClientUrls,
    'advertise-client-urls': config.advertiseClientUrls,
    'listen-metrics-urls': config.listenMetricsUrls,
    'initial-cluster': config.initialCluster,
    'initial-cluster-state': config.initialClusterState,
  }, 'starting cairn');

  // A bug that escapes every handler still ends in one structured line rather than a bare stack.
  process.on('uncaughtException', (err) => {
    logger.fatal({ err: err.stack ?? err.message }, 'uncaught exception; exiting');
    process.exit(1);
  });

  let member: { server: EtcdServer; serving: ServingMember };
  try {
    member = await start(config, logger);
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'cannot start the member');
    return 1;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'received a second signal; exiting at once');
        resolve(1);
        return;
      }
      stopping = true;
      logger.info({ signal }, 'received signal; shutting down');
      member.serving.close(shutdownGraceMs)
        .then(() => member.server.close())
        .then(() => {
          logger.info({ name: config.name, 'data-dir': config.dataDir }, 'closed cairn');
          resolve(0);
        }, (err: unknown) => {
          logger.error({ err: err instanceof Error ? err.message : String(err) }, 'error while shutting down');
          resolve(1);
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

runCairn(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cairn: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
