// ETCD_* environment variables: ETCD_<FLAG NAME IN UPPER CASE, DASHES AS UNDERSCORES>. As in etcd 3.4,
// a variable for a flag that is also on the command line is an error (one of the two is a mistake), and
// an ETCD_* variable that names no flag is worth a warning.
import { ConfigError } from './errors';
import { flagTable } from './flag-table';
import { type FlagValue, valueFromText } from './values';

/** etcd's variable name for a flag: data-dir -> ETCD_DATA_DIR. */
export function envNameOf(flagName: string): string {
  return `ETCD_${flagName.toUpperCase().replace(/-/g, '_')}`;
}

export interface EnvValues {
  readonly values: ReadonlyMap<string, FlagValue>;
  /** Variables used, for an info line each (etcd logs them too). */
  readonly used: readonly string[];
  readonly warnings: readonly string[];
}

/** Reads the ETCD_* variables of every flag not given on the command line. Empty values are unset. */
export function valuesFromEnv(env: NodeJS.ProcessEnv, commandLine: ReadonlySet<string>): EnvValues {
  const values = new Map<string, FlagValue>();
  const used: string[] = [];
  const known = new Set<string>();
  for (const spec of flagTable) {
    const key = envNameOf(spec.name);
    known.add(key);
    const text = env[key];
    if (text === undefined) continue;
    if (commandLine.has(spec.name)) {
      throw new ConfigError(`conflicting environment variable "${key}" is shadowed by the command-line flag --${spec.name} (unset the variable or drop the flag)`);
    }
    if (text === '') continue;
    try {
      values.set(spec.name, valueFromText(spec, text));
    } catch (err) {
      throw new ConfigError(`invalid value ${JSON.stringify(text)} for ${key}: ${(err as Error).message}`);
    }
    used.push(`${key}=${text}`);
  }
  const warnings = Object.keys(env)
    .filter((key) => key.startsWith('ETCD_') && !known.has(key))
    .sort()
    .map((key) => `unrecognized environment variable ${key}=${env[key] ?? ''}`);
  return { values, used, warnings };
}
