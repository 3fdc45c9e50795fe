// Child process of crash.test.ts: appends entries to a log as fast as it can, several saves in
// flight, and prints the last index of each save once the save has resolved (is durable). It
// runs until killed, until its stdin closes, or until it has written `limit` entries. Run as a
// test file by the runner's directory scan, it does nothing.

import { Wal, walExists } from '../../src/wal';
import { META, entries } from './helpers';

const IN_FLIGHT = 4;

async function main(dir: string, segmentBytes: number, limit: number): Promise<void> {
  let wal: Wal;
  let next = 1;
  if (walExists(dir)) {
    wal = Wal.open(dir, { segmentBytes });
    const found = wal.readAll().entries;
    next = found.length > 0 ? found[found.length - 1].index + 1 : 1;
  } else {
    wal = Wal.create(dir, META, { segmentBytes });
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
  main(process.argv[3], Number(process.argv[4]), Number(process.argv[5])).catch((err: unknown) => {
    process.stderr.write(`crash-writer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
