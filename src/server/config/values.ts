// Typed flag values from the two textual sources (command line, ETCD_* variables) and from YAML.
import { ConfigError } from './errors';
import type { FlagSpec } from './flag-table';
import { parseGoBool, parseGoDuration, parseGoInteger } from '../../go-values';
import { UrlError, parseUrlList } from './urls';

/** string, uint, int, choice: string or number; bool: boolean; duration: milliseconds; urls, list: string[]. */
export type FlagValue = string | number | boolean | readonly string[];

/** Parses a flag's text; throws a plain Error whose message is the reason (the caller adds where it came from). */
export function valueFromText(spec: FlagSpec, text: string): FlagValue {
  switch (spec.kind) {
    case 'string':
      return text;
    case 'choice':
      if (!spec.choices?.includes(text)) throw new Error(`valid values are ${spec.choices?.map((c) => JSON.stringify(c)).join(', ')}`);
      return text;
    case 'bool': {
      const value = parseGoBool(text);
      if (value === undefined) throw new Error('parse error');
      return value;
    }
    case 'uint':
    case 'int': {
      const value = parseGoInteger(text, { unsigned: spec.kind === 'uint' });
      if (value === undefined) throw new Error('parse error');
      return value;
    }
    case 'duration': {
      const value = parseGoDuration(text);
      if (value === undefined) throw new Error('parse error'); // Go's flag package, as etcd 3.4 reports it
      return value;
    }
    case 'urls':
      try {
        return parseUrlList(text);
      } catch (err) {
        if (err instanceof UrlError) throw new Error(err.message);
        throw err;
      }
    case 'list':
      return [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  }
}

function yamlTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a timestamp';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Checks a YAML value against the type etcd decodes the key into (etcd reads its YAML through JSON into
 * Go types, so `heartbeat-interval: "100"` and `name: 123` are errors there too) and converts it.
 */
export function valueFromYaml(spec: FlagSpec, key: string, value: unknown, where: string): FlagValue {
  const fail = (expected: string): never => {
    throw new ConfigError(`${where}: "${key}" must be ${expected}, got ${yamlTypeOf(value)}`);
  };
  switch (spec.kind) {
    case 'string':
      return typeof value === 'string' ? value : fail('a string');
    case 'choice':
      if (typeof value !== 'string') return fail('a string');
      if (!spec.choices?.includes(value)) return fail(`one of ${spec.choices?.map((c) => JSON.stringify(c)).join(', ')}`);
      return value;
    case 'bool':
      return typeof value === 'boolean' ? value : fail('true or false');
    case 'uint':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fail('a non-negative integer');
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : fail('an integer');
    case 'duration':
      // A Go time.Duration in JSON is an integer count of nanoseconds.
      return typeof value === 'number' && Number.isSafeInteger(value) ? value / 1e6 : fail('an integer number of nanoseconds');
    case 'urls':
      if (typeof value !== 'string') return fail('a string of comma-separated URLs');
      try {
        return parseUrlList(value);
      } catch (err) {
        if (err instanceof UrlError) throw new ConfigError(`${where}: "${key}": ${err.message}`);
        throw err;
      }
    case 'list':
      if (spec.fileForm === 'csv') {
        return typeof value === 'string' ? valueFromText(spec, value) : fail('a comma-separated string');
      }
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return fail('a list of strings');
      return [...new Set(value as string[])];
  }
}
