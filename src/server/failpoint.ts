// Named crash points on the durability path, switched on by CAIRN_FAILPOINT (a comma-separated list
// of names): reaching a named point exits the process at once, as a power cut would there. Only
// tests set it; without it each check is a set lookup.

const armed = new Set(
  (process.env.CAIRN_FAILPOINT ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);

export type FailpointName = 'beforeApply';

export function failpoint(name: FailpointName): void {
  if (armed.has(name)) {
    process.stderr.write(`cairn: failpoint ${name} reached, exiting\n`);
    process.exit(86);
  }
}
