// Value readers shared by the configuration's sections: durations, ports, home-relative files.
import * as path from 'node:path';
import { MemberPorts, parseGoDuration } from '../../render';
import { Fields, YamlMap, join } from './fields';

export const PORT_RANGE: [number, number] = [1, 65535];

export function expandHome(file: string, home: string): string {
  return file === '~' ? home : file.startsWith('~/') ? path.join(home, file.slice(2)) : file;
}

export function durationMs(f: Fields, parent: YamlMap, key: string, at: string, fallback: string, min: string): number {
  const text = f.str(parent, key, at, fallback) ?? fallback;
  const ns = parseGoDuration(text);
  const minNs = parseGoDuration(min) ?? 0;
  if (ns === undefined) f.issue(join(at, key), `must be a duration such as ${fallback} (units h, m, s, ms), not ${JSON.stringify(text)}`);
  else if (ns < minNs) f.issue(join(at, key), `must be at least ${min}, not ${JSON.stringify(text)}`);
  else return ns / 1e6;
  return (parseGoDuration(fallback) ?? 0) / 1e6;
}

export function ports(f: Fields, parent: YamlMap, key: string, at: string, fallback: MemberPorts): MemberPorts {
  const m = f.map(parent, key, at);
  const p = join(at, key);
  f.onlyKnown(m, p, ['client', 'peer', 'metrics']);
  const out = {
    client: f.int(m, 'client', p, fallback.client, PORT_RANGE),
    peer: f.int(m, 'peer', p, fallback.peer, PORT_RANGE),
    metrics: f.int(m, 'metrics', p, fallback.metrics, PORT_RANGE),
  };
  const given = parent[key] !== undefined && parent[key] !== null;
  if (given && new Set([out.client, out.peer, out.metrics]).size < 3) f.issue(p, `client, peer and metrics ports must differ (${out.client}, ${out.peer}, ${out.metrics})`);
  return out;
}

