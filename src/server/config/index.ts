// cairn's configuration as etcd's: flags (Go flag syntax), ETCD_* variables and the YAML --config-file,
// with etcd 3.4's defaults and checks.
export { loadConfig } from './load';
export type { LoadOptions, LoadResult } from './load';
export { ConfigError } from './errors';
export { buildServerConfig, initialClusterFromName } from './server-config';
export type { ServerConfig, TlsInfo, TlsVersion, BuildOptions } from './server-config';
export { validateServerConfig, maxElectionMs } from './validate';
export { parseCommandLine } from './command-line';
export type { CommandLine } from './command-line';
export { valuesFromEnv, envNameOf } from './env';
export type { EnvValues } from './env';
export { valuesFromConfigFile } from './config-file';
export { flagTable, flagSpec } from './flag-table';
export type { FlagSpec, FlagKind, FlagSupport, FlagGroup } from './flag-table';
export type { FlagValue } from './values';
export { parseEtcdUrl, parseUrlList, parseInitialCluster, checkBindUrls, checkHostUrls, UrlError } from './urls';
export type { EtcdUrl, UrlScheme } from './urls';
export { parseGoBool, parseGoDuration, parseGoInteger } from '../../go-values';
export { usageText } from './help';
