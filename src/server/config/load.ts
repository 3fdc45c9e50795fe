// One entry point from argv + environment (+ config file) to a validated ServerConfig, following
// etcd's order: the command line first; --version and --help stop there; then either the config file
// (from --config-file or ETCD_CONFIG_FILE), which replaces every other flag and variable, or the
// ETCD_* variables under the command line.
import { readFileSync } from 'node:fs';
import { parseCommandLine } from './command-line';
import { envNameOf, valuesFromEnv } from './env';
import { valuesFromConfigFile } from './config-file';
import { ConfigError } from './errors';
import { flagSpec } from './flag-table';
import { buildServerConfig, isDefaultValue, type ServerConfig } from './server-config';
import { validateServerConfig } from './validate';
import type { FlagValue } from './values';

export interface LoadOptions {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Reads the config file; default fs.readFileSync as UTF-8. */
  readFile?: (path: string) => string;
}

export type LoadResult =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'config';
      readonly config: ServerConfig;
      /** Where the configuration came from, for the start-up log. */
      readonly configFile: string;
      /** Lines for the info log (variables used, config file loaded). */
      readonly notices: readonly string[];
      /** Lines for the warning log (unknown variables, flags without effect). */
      readonly warnings: readonly string[];
    };

function readConfigFile(path: string, readFile: (path: string) => string): string {
  try {
    return readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** Flags etcd accepts that cairn does not implement: an error when set to anything else than the default, a warning when only without effect. */
function checkSupport(values: ReadonlyMap<string, FlagValue>): string[] {
  const warnings: string[] = [];
  for (const [name, value] of values) {
    const spec = flagSpec(name)!;
    if (spec.support === 'used' || isDefaultValue(spec, value)) continue;
    if (spec.support === 'unsupported') throw new ConfigError(`--${name} is not supported by cairn: ${spec.usage}`);
    warnings.push(`--${name}=${String(value)} has no effect in cairn: ${spec.usage}`);
  }
  return warnings;
}

/** Parses and validates; throws ConfigError (with etcd's exit code) for anything etcd would refuse. */
export function loadConfig(argv: readonly string[], options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const commandLine = parseCommandLine(argv);
  if (commandLine.help) return { kind: 'help' };
  if (commandLine.values.get('version') === true) return { kind: 'version' };

  const configFile = (commandLine.values.get('config-file') as string | undefined) || env[envNameOf('config-file')] || '';
  const notices: string[] = [];
  const warnings: string[] = [];
  let values: ReadonlyMap<string, FlagValue>;
  let explicitlySet: ReadonlySet<string> = new Set();
  if (configFile !== '') {
    values = valuesFromConfigFile(readConfigFile(configFile, readFile), configFile);
    notices.push(`loaded configuration from ${configFile}; other command-line flags and ETCD_* variables are ignored`);
  } else {
    const fromEnv = valuesFromEnv(env, new Set(commandLine.values.keys()));
    values = new Map([...fromEnv.values, ...commandLine.values]);
    explicitlySet = new Set(values.keys());
    notices.push(...fromEnv.used.map((v) => `recognized environment variable ${v}`));
    warnings.push(...fromEnv.warnings);
  }
  warnings.push(...checkSupport(values));
  const config = buildServerConfig(values, { explicitlySet, fromFile: configFile !== '' });
  warnings.push(...validateServerConfig(config));
  return { kind: 'config', config, configFile, notices, warnings };
}
