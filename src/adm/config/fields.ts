// Reading typed fields out of parsed YAML while collecting every problem with its path and line.
import type { ConfigIssue } from './errors';
import { LineMap, lineOf } from './positions';

export type YamlMap = Record<string, unknown>;

export const isMap = (v: unknown): v is YamlMap => v !== null && typeof v === 'object' && !Array.isArray(v);

export const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

export class Fields {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly lines?: LineMap) {}

  issue(path: string, message: string): void {
    this.issues.push({ path, message, line: this.lines ? lineOf(this.lines, path) : undefined });
  }

  /** Reports fields that are not in `known`. */
  onlyKnown(map: YamlMap, path: string, known: readonly string[]): void {
    for (const key of Object.keys(map)) {
      if (known.includes(key)) continue;
      const near = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
      this.issue(join(path, key), near ? `unknown field; did you mean ${near}?` : `unknown field (known: ${known.join(', ')})`);
    }
  }

  /** A nested mapping; absent gives {}. */
  map(parent: YamlMap, key: string, path: string): YamlMap {
    const v = parent[key];
    if (v === undefined || v === null) return {};
    if (isMap(v)) return v;
    this.issue(join(path, key), 'must be a mapping');
    return {};
  }

  str(parent: YamlMap, key: string, path: string, fallback?: string): string | undefined {
    const v = parent[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.issue(join(path, key), 'required');
      return fallback;
    }
    if (typeof v !== 'string' || v === '') {
      this.issue(join(path, key), typeof v === 'string' ? 'must not be empty' : `must be a string, not ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  optionalStr(parent: YamlMap, key: string, path: string): string | undefined {
    return parent[key] === undefined || parent[key] === null ? undefined : this.str(parent, key, path);
  }

  int(parent: YamlMap, key: string, path: string, fallback: number, range: [number, number]): number {
    const v = parent[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
      this.issue(join(path, key), `must be an integer from ${range[0]} to ${range[1]}, not ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  strings(parent: YamlMap, key: string, path: string): string[] {
    const v = parent[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.issue(join(path, key), `must be a list of strings, not ${describe(v)}`);
      return [];
    }
    return v.flatMap((item, i) => {
      if (typeof item === 'string' && item !== '') return [item];
      this.issue(join(join(path, key), i), `must be a non-empty string, not ${describe(item)}`);
      return [];
    });
  }

  oneOf<T extends string>(parent: YamlMap, key: string, path: string, choices: readonly T[], fallback: T): T {
    const v = this.str(parent, key, path, fallback);
    if (v !== undefined && (choices as readonly string[]).includes(v)) return v as T;
    if (v !== fallback) this.issue(join(path, key), `must be one of ${choices.join(', ')}, not ${JSON.stringify(v)}`);
    return fallback;
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (isMap(v)) return 'a mapping';
  return JSON.stringify(v);
}

/** Levenshtein distance, for suggesting the field a typo meant. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
