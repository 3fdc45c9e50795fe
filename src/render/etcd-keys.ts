// The keys of etcd 3.4's --config-file (the json tags of embed.Config and configYAML in
// etcd v3.4.23, the version Debian ships), with the type each must have, and how a command-line
// flag maps onto them. Used to place extra flags into the file and to check a rendered file.
import { parseGoDuration } from './duration';
import { RenderError } from './errors';

export type KeyType = 'string' | 'bool' | 'uint' | 'int' | 'duration' | 'urls' | 'strings';

/** Top-level keys; 'urls' are comma-separated URL lists, 'duration' is nanoseconds. */
export const ETCD_CONFIG_KEYS: Readonly<Record<string, KeyType>> = {
  name: 'string',
  'data-dir': 'string',
  'wal-dir': 'string',
  'snapshot-count': 'uint',
  'max-snapshots': 'uint',
  'max-wals': 'uint',
  'heartbeat-interval': 'uint',
  'election-timeout': 'uint',
  'initial-election-tick-advance': 'bool',
  'backend-batch-interval': 'duration',
  'backend-batch-limit': 'int',
  'quota-backend-bytes': 'int',
  'max-txn-ops': 'uint',
  'max-request-bytes': 'uint',
  'max-concurrent-streams': 'uint',
  'cipher-suites': 'strings',
  'listen-peer-urls': 'urls',
  'listen-client-urls': 'urls',
  'initial-advertise-peer-urls': 'urls',
  'advertise-client-urls': 'urls',
  'listen-metrics-urls': 'urls',
  'initial-cluster-state': 'string',
  'discovery-srv': 'string',
  'discovery-srv-name': 'string',
  'discovery-proxy': 'string',
  discovery: 'string',
  'initial-cluster': 'string',
  'initial-cluster-token': 'string',
  'strict-reconfig-check': 'bool',
  'enable-v2': 'bool',
  'auto-compaction-mode': 'string',
  'auto-compaction-retention': 'string',
  'grpc-keepalive-min-time': 'duration',
  'grpc-keepalive-interval': 'duration',
  'grpc-keepalive-timeout': 'duration',
  'pre-vote': 'bool',
  'auth-token': 'string',
  'bcrypt-cost': 'uint',
  'auth-token-ttl': 'uint',
  'experimental-initial-corrupt-check': 'bool',
  'experimental-corrupt-check-time': 'duration',
  'experimental-enable-v2v3': 'string',
  'experimental-backend-bbolt-freelist-type': 'string',
  'experimental-enable-lease-checkpoint': 'bool',
  'experimental-enable-lease-checkpoint-persist': 'bool',
  'experimental-compaction-batch-limit': 'int',
  'experimental-watch-progress-notify-interval': 'duration',
  'experimental-warning-apply-duration': 'duration',
  'force-new-cluster': 'bool',
  'enable-pprof': 'bool',
  metrics: 'string',
  logger: 'string',
  'log-level': 'string',
  'log-outputs': 'strings',
  'enable-grpc-gateway': 'bool',
  'log-output': 'strings',
  debug: 'bool',
  'log-package-levels': 'string',
  'unsafe-no-fsync': 'bool',
  cors: 'string',
  'host-whitelist': 'string',
};

/** The keys of client-transport-security and peer-transport-security. */
export const SECURITY_KEYS: Readonly<Record<string, KeyType>> = {
  'cert-file': 'string',
  'key-file': 'string',
  'client-cert-auth': 'bool',
  'trusted-ca-file': 'string',
  'auto-tls': 'bool',
};

export type FlagValue = string | number | boolean;

/** Where a flag lives in the config file: a top-level key, or a key of a security section. */
export interface ConfigKey {
  section?: 'client-transport-security' | 'peer-transport-security';
  key: string;
  type: KeyType;
}

export function configKeyOfFlag(flag: string): ConfigKey | undefined {
  if (flag in ETCD_CONFIG_KEYS) return { key: flag, type: ETCD_CONFIG_KEYS[flag] };
  if (flag in SECURITY_KEYS) return { section: 'client-transport-security', key: flag, type: SECURITY_KEYS[flag] };
  const peer = flag.startsWith('peer-') ? flag.slice('peer-'.length) : '';
  if (peer in SECURITY_KEYS) return { section: 'peer-transport-security', key: peer, type: SECURITY_KEYS[peer] };
  return undefined;
}

const TEXT_OF = (v: FlagValue): string => (typeof v === 'string' ? v : String(v));

/**
 * Where a flag goes in the config file and the value it takes there, typed as etcd decodes it;
 * throws for a flag etcd 3.4 does not have or a value of the wrong type.
 */
export function placeFlag(flag: string, value: FlagValue): { key: ConfigKey; value: unknown } {
  const key = configKeyOfFlag(flag);
  if (!key) throw new RenderError(`--${flag} is not an etcd 3.4 server flag`);
  const bad = (): never => {
    throw new RenderError(`flag --${flag}: ${JSON.stringify(value)} is not a valid ${key.type}`);
  };
  const text = TEXT_OF(value);
  switch (key.type) {
    case 'string':
    case 'urls':
      return { key, value: text };
    case 'strings':
      return { key, value: text === '' ? [] : text.split(',') };
    case 'bool':
      return text === 'true' || text === 'false' ? { key, value: text === 'true' } : bad();
    case 'uint':
    case 'int': {
      const re = key.type === 'uint' ? /^\d+$/ : /^-?\d+$/;
      return re.test(text) ? { key, value: Number(text) } : bad();
    }
    case 'duration': {
      if (/^-?\d+$/.test(text)) return { key, value: Number(text) };
      const ns = parseGoDuration(text);
      return ns === undefined ? bad() : { key, value: ns };
    }
  }
}

/** A flag's value on a command line: `--flag=value`. */
export function flagText(flag: string, value: FlagValue): string {
  return `--${flag}=${TEXT_OF(value)}`;
}

/** Whether a parsed config-file value has the type etcd will decode it as; why not, when it does not. */
export function typeProblem(value: unknown, type: KeyType): string | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'uint':
      return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : 'must be a non-negative integer';
    case 'int':
    case 'duration':
      return Number.isSafeInteger(value) ? undefined : type === 'duration' ? 'must be an integer (nanoseconds)' : 'must be an integer';
    case 'strings':
      return Array.isArray(value) && value.every((s) => typeof s === 'string') ? undefined : 'must be a list of strings';
    case 'urls': {
      if (typeof value !== 'string') return 'must be a string of comma-separated URLs';
      const bad = value.split(',').find((u) => !/^(https?|unix|unixs):\/\/[^/]+$/.test(u.trim()) || !isUrl(u.trim()));
      return bad === undefined ? undefined : `${JSON.stringify(bad)} is not a URL with scheme and host:port`;
    }
  }
}

function isUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
