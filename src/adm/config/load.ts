// Reading the configuration file: YAML with js-yaml, then resolveConfig with the fields' lines.
import { readFile } from 'node:fs/promises';
import * as yaml from 'js-yaml';
import { ConfigError } from './errors';
import { buildLineMap } from './positions';
import { ResolveOptions, resolveConfig } from './resolve';
import type { AdmConfig } from './types';

/** Parses and validates configuration text. */
export function parseConfig(text: string, options: Omit<ResolveOptions, 'lines'> = {}): AdmConfig {
  let parsed;
  try {
    parsed = buildLineMap(text, options.file);
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const line = err.mark ? err.mark.line + 1 : undefined;
      throw new ConfigError([{ path: '(file)', message: `not valid YAML: ${err.reason}`, line }], options.file);
    }
    throw err;
  }
  return resolveConfig(parsed.doc, { ...options, lines: parsed.lines });
}

/** Reads, parses and validates a configuration file. */
export async function loadConfigFile(file: string, options: Omit<ResolveOptions, 'lines' | 'file'> = {}): Promise<AdmConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '(file)', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }], file);
  }
  return parseConfig(text, { ...options, file });
}
