// `node dist/bench/profile-summary.js <file.cpuprofile> [top]`: the functions with the most self
// time in a V8 CPU profile (as written by `node --cpu-prof`), as a Markdown table.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  readonly share: number;
}

/** Self time per function (summed over every call site of it), largest first. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, { name: string; where: string; us: number }>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    all += us;
    const f = node.callFrame;
    const where = f.url ? `${shorten(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName}@${where}`;
    const entry = totals.get(key) ?? { name: f.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    totals.set(key, entry);
  });
  return [...totals.values()].sort((a, b) => b.us - a.us)
    .map((t) => ({ name: t.name, where: t.where, ms: t.us / 1000, share: all > 0 ? t.us / all : 0 }));
}

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

export function selfTimeTable(rows: readonly SelfTime[]): string {
  return ['| self ms | share | function | where |', '|---|---|---|---|',
    ...rows.map((r) => `| ${r.ms.toFixed(0)} | ${(r.share * 100).toFixed(1)}% | ${r.name} | ${r.where} |`)].join('\n');
}

/** Where a function lives, coarsely: an npm package, node's internals, a cairn module, or V8's own buckets. */
function areaOf(t: SelfTime): string {
  if (!t.where) return t.name.startsWith('(') ? t.name : `native ${t.name}`;
  if (t.where.startsWith('node:')) return 'node internals';
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(t.where);
  const cairn = /(?:^|\/)src\/([^/]+)\//.exec(t.where);
  if (cairn) return `cairn src/${cairn[1]}`;
  return pkg ? pkg[1] : t.where;
}

/** Self time summed per area (see areaOf), largest first. */
export function areaTable(times: readonly SelfTime[]): string {
  const areas = new Map<string, { ms: number; share: number }>();
  for (const t of times) {
    const a = areas.get(areaOf(t)) ?? { ms: 0, share: 0 };
    areas.set(areaOf(t), { ms: a.ms + t.ms, share: a.share + t.share });
  }
  return ['| self ms | share | area |', '|---|---|---|',
    ...[...areas].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15).map(([name, a]) => `| ${a.ms.toFixed(0)} | ${(a.share * 100).toFixed(1)}% | ${name} |`)].join('\n');
}

/** Reads a .cpuprofile file and returns its top self-time functions, then the time per area, as Markdown tables. */
export function summariseProfile(file: string, top: number): string {
  const times = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  return `${selfTimeTable(times.slice(0, top))}\n\n${areaTable(times)}`;
}

function main(argv: string[]): void {
  const [file, topText = '25'] = argv;
  if (!file) throw new Error('profile-summary: usage: profile-summary <file.cpuprofile> [top]');
  const top = Number(topText);
  if (!Number.isInteger(top) || top <= 0) throw new Error(`profile-summary: ${JSON.stringify(topText)} is not a positive whole number`);
  console.log(summariseProfile(file, top));
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
