// The command line as Go's flag package reads it, because etcd's users (and kubeadm's manifests) write
// it that way: `-name x`, `--name x`, `--name=x`; a boolean takes no separate value (`--client-cert-auth`
// or `--client-cert-auth=true`); `--` ends the flags. The first non-flag argument stops parsing.
import { ConfigError } from './errors';
import { flagSpec } from './flag-table';
import { type FlagValue, valueFromText } from './values';

export interface CommandLine {
  /** The flags given, each with its last value. */
  readonly values: ReadonlyMap<string, FlagValue>;
  /** -h, -help or --help was given: print the usage and exit 0. */
  readonly help: boolean;
}

/** Parses argv (without node and script); throws ConfigError (exit 2 for what Go's flag package refuses). */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const values = new Map<string, FlagValue>();
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i];
    if (arg.length < 2 || arg[0] !== '-') break;
    const minuses = arg[1] === '-' ? 2 : 1;
    if (arg === '--') {
      i++;
      break;
    }
    let name = arg.slice(minuses);
    if (name === '' || name[0] === '-' || name[0] === '=') throw new ConfigError(`bad flag syntax: ${arg}`, 2);
    i++;
    let text: string | undefined;
    const eq = name.indexOf('=', 1);
    if (eq > 0) {
      text = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = flagSpec(name);
    if (!spec) {
      if (name === 'h' || name === 'help') return { values, help: true };
      throw new ConfigError(`flag provided but not defined: -${name}`, 2);
    }
    if (spec.kind === 'bool') {
      try {
        values.set(name, valueFromText(spec, text ?? 'true'));
      } catch (err) {
        throw new ConfigError(`invalid boolean value ${JSON.stringify(text)} for -${name}: ${(err as Error).message}`, 2);
      }
      continue;
    }
    if (text === undefined) {
      if (i >= argv.length) throw new ConfigError(`flag needs an argument: -${name}`, 2);
      text = argv[i++];
    }
    try {
      values.set(name, valueFromText(spec, text));
    } catch (err) {
      throw new ConfigError(`invalid value ${JSON.stringify(text)} for flag -${name}: ${(err as Error).message}`, 2);
    }
  }
  if (i < argv.length) throw new ConfigError(`'${argv[i]}' is not a valid flag`);
  return { values, help: false };
}
