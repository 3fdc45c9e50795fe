// Turns measurements into the side-by-side table (medians, ratio cairn/etcd) and the SVG chart.

export interface Row {
  readonly members: number;
  readonly workload: string;
  readonly clients: number;
  readonly etcd: Metrics;
  readonly cairn: Metrics;
}

export interface Metrics {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Server CPU time per operation, microseconds: independent of how busy the rest of the machine is. */
  readonly cpuUsPerOp: number;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

function fmt(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function ratio(cairn: number, etcd: number): string {
  return Number.isFinite(cairn) && Number.isFinite(etcd) && etcd > 0 ? `${(cairn / etcd).toFixed(2)}×` : 'n/a';
}

export function throughputTable(rows: readonly Row[]): string {
  const head = '| members | workload | clients | etcd ops/s | cairn ops/s | ratio | etcd p50 ms | cairn p50 ms | etcd p99 ms | cairn p99 ms | p99 ratio | etcd CPU µs/op | cairn CPU µs/op | CPU ratio | errors etcd/cairn |';
  const sep = '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map((r) => `| ${r.members} | ${r.workload} | ${r.clients} | ${fmt(r.etcd.opsPerSecond)} | ${fmt(r.cairn.opsPerSecond)} | ${ratio(r.cairn.opsPerSecond, r.etcd.opsPerSecond)} | ${fmt(r.etcd.p50Ms, 2)} | ${fmt(r.cairn.p50Ms, 2)} | ${fmt(r.etcd.p99Ms, 2)} | ${fmt(r.cairn.p99Ms, 2)} | ${ratio(r.cairn.p99Ms, r.etcd.p99Ms)} | ${fmt(r.etcd.cpuUsPerOp)} | ${fmt(r.cairn.cpuUsPerOp)} | ${ratio(r.cairn.cpuUsPerOp, r.etcd.cpuUsPerOp)} | ${r.etcd.errors}/${r.cairn.errors} |`);
  return [head, sep, ...lines].join('\n');
}

export interface ResourceRow {
  readonly members: number;
  readonly what: string;
  readonly etcd: number;
  readonly cairn: number;
  readonly unit: string;
}

export function resourceTable(rows: readonly ResourceRow[]): string {
  const head = '| members | measure | etcd | cairn | ratio |';
  const sep = '|---|---|---|---|---|';
  const lines = rows.map((r) => `| ${r.members} | ${r.what} | ${fmt(r.etcd, 1)} ${r.unit} | ${fmt(r.cairn, 1)} ${r.unit} | ${ratio(r.cairn, r.etcd)} |`);
  return [head, sep, ...lines].join('\n');
}

/** Throughput against client count, one line per system, as a standalone SVG. */
export function throughputChart(title: string, points: readonly { clients: number; etcd: number; cairn: number }[]): string {
  const w = 640, h = 400, left = 70, right = 20, top = 40, bottom = 50;
  const xs = points.map((p) => Math.log10(Math.max(1, p.clients)));
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1, ...points.flatMap((p) => [p.etcd, p.cairn].filter(Number.isFinite))) * 1.1;
  const x = (v: number) => left + (v / xMax) * (w - left - right);
  const y = (v: number) => h - bottom - (v / yMax) * (h - top - bottom);
  const line = (key: 'etcd' | 'cairn') => points.filter((p) => Number.isFinite(p[key]))
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(Math.log10(Math.max(1, p.clients))).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = yMax * f;
    return `<line x1="${left}" x2="${w - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${Math.round(v)}</text>`;
  }).join('');
  const xticks = points.map((p) => `<text x="${x(Math.log10(Math.max(1, p.clients)))}" y="${h - bottom + 18}" text-anchor="middle" font-size="11">${p.clients}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${w / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>
${ticks}${xticks}
<text x="${w / 2}" y="${h - 12}" text-anchor="middle" font-size="12">clients (log scale)</text>
<text x="16" y="${h / 2}" transform="rotate(-90 16 ${h / 2})" text-anchor="middle" font-size="12">ops/s</text>
<path d="${line('etcd')}" fill="none" stroke="#1f77b4" stroke-width="2"/>
<path d="${line('cairn')}" fill="none" stroke="#d62728" stroke-width="2"/>
<text x="${w - right - 120}" y="${top + 10}" font-size="12" fill="#1f77b4">etcd 3.4</text>
<text x="${w - right - 120}" y="${top + 26}" font-size="12" fill="#d62728">cairn</text>
</svg>
`;
}
