// Child process of crash.test.ts: appends entries to a log as fast as it can, several saves in
// flight, and prints the last index of each save once the save has resolved (is durable). It
// runs until killed (by the test, or by itself at a WAL failpoint), until its stdin closes, or
// until it has written `limit` entries. Run as a test file by the runner's directory scan, it does
// nothing.

import { Wal, WalOptions, walExists } from '../../src/wal';
import { META, entries } from './helpers';

const IN_FLIGHT = 4;

/** With `crashAt` = "<failpoint>:<n>", the process kills itself the n-th time it reaches that point. */
function failpointFor(crashAt: string | undefined): WalOptions['failpoint'] {
  if (!crashAt) return undefined;
  const [point, times] = crashAt.split(':');
  let seen = 0;
  return (name) => {
    if (name === point && ++seen === Number(times)) process.kill(process.pid, 'SIGKILL');
  };
}

async function main(dir: string, segmentBytes: number, limit: number, crashAt?: string): Promise<void> {
  const options: WalOptions = { segmentBytes, failpoint: failpointFor(crashAt) };
  let wal: Wal;
  let next = 1;
  if (walExists(dir)) {
    wal = Wal.open(dir, options);
    const found = wal.readAll().entries;
    next = found.length > 0 ? found[found.length - 1].index + 1 : 1;
  } else {
    wal = Wal.create(dir, META, options);
  }
  process.stdout.write(`ready ${next}\n`);
  const stop = next + limit;
  const inFlight = new Set<Promise<void>>();
  while (next < stop) {
    const last = next + (next % 13);
    const saved: Promise<void> = wal
      .save({ term: 1, vote: 1n, commit: last }, entries(next, last))
      .then(() => {
        process.stdout.write(`${last}\n`);
        inFlight.delete(saved);
      });
    inFlight.add(saved);
    next = last + 1;
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await wal.close();
  process.stdout.write('done\n');
}

if (require.main === module && process.argv[2] === '--wal-crash-writer') {
  // Stop when the test that started this process goes away (its end of stdin closes).
  process.stdin.on('end', () => process.exit(3));
  process.stdin.resume();
  main(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), process.argv[6]).catch((err: unknown) => {
    process.stderr.write(`crash-writer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
