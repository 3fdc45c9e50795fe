// Go's time.ParseDuration subset that etcdctl's flags take: "5s", "500ms", "1m30s", "2h".
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string; throws a message naming the bad text. */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  const body = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  if (body === '') throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
    total += Number(m[1]) * UNITS[m[2]];
    pos = re.lastIndex;
  }
  return text.startsWith('-') ? -total : total;
}

/** Go's Duration.String() of milliseconds, e.g. 25.979162ms, 1.5s, 2m0s. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const ns = Math.round(ms * 1e6);
  if (ns < 1000) return `${ns}ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)}ms`;
  const totalSeconds = ns / 1e9;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  const sText = `${trim(s)}s`;
  if (h > 0) return `${h}h${m}m${sText}`;
  if (m > 0) return `${m}m${sText}`;
  return sText;
}

function trim(value: number): string {
  return value.toFixed(9).replace(/\.?0+$/, '');
}
