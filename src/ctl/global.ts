// etcdctl's global flags, each also read from its ETCDCTL_* variable when not given on the command
// line (etcdctl's rule: the command line wins), turned into client options and output settings.
import type { ClientOptions } from '../client';
import { badArgs, CtlError, ExitCode, FatalLogError, FlagParseError } from './exit';
import { parseGoDuration } from '../go-values';

export type OutputFormat = 'simple' | 'json' | 'fields' | 'table' | 'protobuf';

export interface GlobalOptions {
  readonly endpoints: string[];
  readonly output: OutputFormat;
  readonly hex: boolean;
  readonly debug: boolean;
  readonly dialTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly cacert?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly insecureTransport: boolean;
  readonly insecureSkipVerify: boolean;
  readonly user?: string;
  readonly password?: string;
  /** --user NAME came without a password: it is asked on the terminal when the client is made. */
  readonly askPassword: boolean;
}

/** The flags as commander gives them, before defaults and variables are applied. */
export interface RawGlobalFlags {
  readonly [name: string]: string | boolean | undefined;
}

export const GLOBAL_FLAG_DEFAULTS: Readonly<Record<string, string>> = {
  endpoints: '127.0.0.1:2379',
  'write-out': 'simple',
  'dial-timeout': '2s',
  'command-timeout': '5s',
  'keepalive-time': '2s',
  'keepalive-timeout': '6s',
  'insecure-transport': 'true',
  'insecure-discovery': 'true',
  hex: 'false',
  debug: 'false',
  'insecure-skip-tls-verify': 'false',
};

const FORMATS: readonly OutputFormat[] = ['simple', 'json', 'fields', 'table', 'protobuf'];

/** ETCDCTL_DIAL_TIMEOUT for dial-timeout, as etcd's flags.FlagToEnv. */
export function envName(flag: string): string {
  return `ETCDCTL_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** Go's strconv.ParseBool. */
export function parseGoBool(flag: string, text: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new FlagParseError(`invalid argument ${JSON.stringify(text)} for "--${flag}" flag: strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
}

/** Refuses the v2 API, as the only thing cairnctl speaks is v3. */
export function checkApiVersion(env: NodeJS.ProcessEnv): void {
  const api = env.ETCDCTL_API;
  if (api === undefined || api === '' || api === '3') return;
  if (api === '2') {
    throw new CtlError(ExitCode.badFeature, 'ETCDCTL_API=2 is not supported: cairnctl speaks the v3 API only (unset ETCDCTL_API or set ETCDCTL_API=3)');
  }
  throw new CtlError(ExitCode.badFeature, `unsupported API version ${JSON.stringify(api)} in ETCDCTL_API (want 3)`);
}

/** One flag's text: command line, else its variable, else etcdctl's default. */
export function flagText(flags: RawGlobalFlags, env: NodeJS.ProcessEnv, flag: string): string | undefined {
  const given = flags[flag];
  if (given !== undefined) return String(given);
  const fromEnv = env[envName(flag)];
  if (fromEnv !== undefined) return fromEnv;
  return GLOBAL_FLAG_DEFAULTS[flag];
}

export function resolveGlobalOptions(flags: RawGlobalFlags, env: NodeJS.ProcessEnv): GlobalOptions {
  // etcdctl refuses a flag given both ways rather than silently picking one.
  for (const flag of Object.keys(flags)) {
    if (flags[flag] !== undefined && env[envName(flag)] !== undefined) {
      throw new FatalLogError(`pkg/flags: conflicting environment variable ${JSON.stringify(envName(flag))} is shadowed by corresponding command-line flag (either unset environment variable or disable flag)`);
    }
  }
  const text = (flag: string) => flagText(flags, env, flag);
  const bool = (flag: string) => parseGoBool(flag, text(flag) ?? 'false');
  const duration = (flag: string) => {
    const value = text(flag) ?? '0';
    const ms = parseGoDuration(value);
    if (ms === undefined) throw new FlagParseError(`invalid argument ${JSON.stringify(value)} for "--${flag}" flag: time: invalid duration ${JSON.stringify(value)}`);
    return ms;
  };
  const output = text('write-out') as OutputFormat;
  if (!FORMATS.includes(output)) throw new CtlError(ExitCode.badFeature, 'unsupported output format');
  const nonEmpty = (flag: string) => {
    const value = text(flag);
    if (value === '' && flags[flag] !== undefined) throw badArgs(`empty string is passed to --${flag} option`);
    return value || undefined;
  };
  // etcdctl's authCfgFromCmd: --password as given; else NAME:PASSWORD; else the password is asked.
  let user = text('user') || undefined;
  let password = text('password') || undefined;
  if (user && password === undefined) {
    const colon = user.indexOf(':');
    if (colon >= 0) {
      password = user.slice(colon + 1);
      user = user.slice(0, colon);
    }
  }
  return {
    endpoints: (text('endpoints') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    output,
    hex: bool('hex'),
    debug: bool('debug'),
    dialTimeoutMs: duration('dial-timeout'),
    commandTimeoutMs: duration('command-timeout'),
    cacert: nonEmpty('cacert'),
    cert: nonEmpty('cert'),
    key: nonEmpty('key'),
    insecureTransport: bool('insecure-transport'),
    insecureSkipVerify: bool('insecure-skip-tls-verify'),
    user,
    password,
    askPassword: user !== undefined && password === undefined,
  };
}

export function clientOptionsFor(g: GlobalOptions, endpoints: readonly string[] = g.endpoints): ClientOptions {
  const tlsGiven = !!(g.cacert || g.cert || g.key) || !g.insecureTransport;
  return {
    endpoints,
    dialTimeoutMs: g.dialTimeoutMs,
    commandTimeoutMs: g.commandTimeoutMs,
    // clientv3 authenticates only when both are non-empty (`--user root:` sends no token).
    user: g.user && g.password ? g.user : undefined,
    password: g.user && g.password ? g.password : undefined,
    tls: tlsGiven || g.insecureSkipVerify
      ? { caFile: g.cacert, certFile: g.cert, keyFile: g.key, insecureSkipVerify: g.insecureSkipVerify, enabled: !g.insecureTransport }
      : undefined,
  };
}
