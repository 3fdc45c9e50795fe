// etcd's YAML --config-file: keys are the flag names (etcd's `json` tags), TLS settings sit in the
// client-transport-security and peer-transport-security blocks, durations are integer nanoseconds and
// sizes are bytes. Unlike etcd, which skips keys it does not know, a key neither etcd nor cairn knows
// is an error: a misspelt key would otherwise fall back to a default without a word.
//
// etcd 3.4's TLS blocks know cert-file, key-file, client-cert-auth, trusted-ca-file and auto-tls only:
// its file cannot set a CRL, an allowed CN or hostname (the keys are skipped like any unknown one),
// while cipher-suites is a top-level sequence. cairn also takes allowed-cn and allowed-hostname in the
// blocks as etcd 3.5 names them (3.5 reads a list; cairn, like 3.4's flags, one value: a string or a
// list of one), and crl-file, which no etcd version reads from its file.
import type * as JsYaml from 'js-yaml';
import { ConfigError } from './errors';
import { fileKeyOf, flagSpec, flagTable, type FlagSpec } from './flag-table';
import { type FlagValue, valueFromYaml } from './values';

const topLevelKeys = new Map<string, FlagSpec>();
for (const spec of flagTable) {
  const key = fileKeyOf(spec);
  if (key !== undefined) topLevelKeys.set(key, spec);
}

/** Keys of the two TLS blocks and the flag each stands for. */
const securityBlocks: Record<string, Record<string, string>> = {
  'client-transport-security': {
    'cert-file': 'cert-file',
    'key-file': 'key-file',
    'client-cert-auth': 'client-cert-auth',
    'trusted-ca-file': 'trusted-ca-file',
    'auto-tls': 'auto-tls',
    'crl-file': 'client-crl-file',
    'allowed-hostname': 'client-cert-allowed-hostname',
  },
  'peer-transport-security': {
    'cert-file': 'peer-cert-file',
    'key-file': 'peer-key-file',
    'client-cert-auth': 'peer-client-cert-auth',
    'trusted-ca-file': 'peer-trusted-ca-file',
    'auto-tls': 'peer-auto-tls',
    'crl-file': 'peer-crl-file',
    'allowed-cn': 'peer-cert-allowed-cn',
    'allowed-hostname': 'peer-cert-allowed-hostname',
  },
};

/** Block keys etcd 3.5 reads as a list, of which cairn takes one value. */
const oneOfList = new Set(['allowed-cn', 'allowed-hostname']);

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function hint(key: string): string {
  if (securityBlocks['client-transport-security'][key]) return ' (TLS settings go under client-transport-security)';
  for (const [block, keys] of Object.entries(securityBlocks)) {
    const inner = Object.entries(keys).find(([, flag]) => flag === key);
    if (inner) return ` (write it as ${inner[0]} under ${block})`;
  }
  return '';
}

/** The flag values a config file sets; `where` names the file in errors. A `key:` with no value sets nothing, as in etcd. */
export function valuesFromConfigFile(text: string, where: string): Map<string, FlagValue> {
  // Loaded here, not at start-up: a member started with flags has no use for a YAML parser.
  const { load: loadYaml, YAMLException } = require('js-yaml') as typeof JsYaml;
  let doc: unknown;
  try {
    doc = loadYaml(text, { filename: where });
  } catch (err) {
    if (err instanceof YAMLException) throw new ConfigError(`${where}: invalid YAML: ${err.message}`);
    throw err;
  }
  const values = new Map<string, FlagValue>();
  if (doc === undefined || doc === null) return values;
  if (!isMapping(doc)) throw new ConfigError(`${where}: must be a YAML mapping of etcd configuration keys`);
  for (const [key, value] of Object.entries(doc)) {
    const block = securityBlocks[key];
    if (block) {
      if (value === null) continue;
      if (!isMapping(value)) throw new ConfigError(`${where}: "${key}" must be a mapping with ${Object.keys(block).join(', ')}`);
      for (const [inner, innerValue] of Object.entries(value)) {
        const flagName = block[inner];
        if (!flagName) throw new ConfigError(`${where}: unknown key "${key}.${inner}"`);
        if (innerValue === null) continue;
        let single = innerValue;
        if (oneOfList.has(inner) && Array.isArray(innerValue)) {
          if (innerValue.length !== 1) throw new ConfigError(`${where}: "${key}.${inner}" takes one value (etcd 3.4's --${flagName}), got a list of ${innerValue.length}`);
          single = innerValue[0];
        }
        values.set(flagName, valueFromYaml(flagSpec(flagName)!, `${key}.${inner}`, single, where));
      }
      continue;
    }
    const spec = topLevelKeys.get(key);
    if (!spec) throw new ConfigError(`${where}: unknown key "${key}"${hint(key)}`);
    if (value === null) continue;
    values.set(spec.name, valueFromYaml(spec, key, value, where));
  }
  return values;
}
