// go-humanize's Bytes (SI units), which etcdctl uses for "db size": 20480 -> "20 kB".
const SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** Go's %.0f: ties go to the even neighbour. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  if (Math.abs(value - floor - 0.5) < 1e-9) return floor % 2 === 0 ? floor : floor + 1;
  return Math.round(value);
}

export function humanizeBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  // go-humanize keeps one decimal, then prints it with %.1f below 10 and %.0f from 10 on.
  const val = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : String(roundHalfEven(val))} ${SIZES[e]}`;
}
