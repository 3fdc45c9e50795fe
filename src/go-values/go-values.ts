// Values as Go's flag and strconv packages read them, because etcd's flags are Go flags: a user's
// `--election-timeout=0x3e8` or `--client-cert-auth=T` means the same to cairn as to etcd.

/** Go's strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** Go's strconv.ParseInt/ParseUint with base 0: decimal, 0x hex, 0o or leading-0 octal, 0b binary, `_` between digits. */
export function parseGoInteger(text: string, options: { unsigned: boolean }): number | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, body] = match;
  if (sign !== '' && options.unsigned) return undefined;
  if (/__|_$/.test(body)) return undefined;
  const digits = body.replace(/_/g, '');
  // BigInt reads 0x, 0o and 0b itself; Go's bare leading 0 means octal.
  let value = /^0[0-7]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  if (sign === '-') value = -value;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(value);
}

const durationUnitsMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration ("300ms", "1h30m", "1.5s", "0"), in milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  const match = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!match) return undefined;
  let total = 0;
  for (const part of match[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * durationUnitsMs[part[2]];
  }
  return match[1] === '-' ? -total : total;
}

/** Go's Duration.String() of milliseconds: 25.979162ms, 1.5s, 2m0s. */
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

/** A decimal without trailing zeros, at most nanosecond precision. */
function trim(value: number): string {
  return value.toFixed(9).replace(/\.?0+$/, '');
}
