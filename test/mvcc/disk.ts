// Looks at what is physically in the `key` sub-database, through a backend snapshot.
import { bytesToRev, isTombstone } from '../../src/mvcc';
import type { WatchableStore } from '../../src/mvcc';

/** "main.sub" of every record on disk, with a "t" for tombstones, in order. */
export function revisionsOnDisk(store: WatchableStore): string[] {
  const snap = store.snapshot();
  try {
    return [...snap.entries('key')].map(({ key }) => {
      const rev = bytesToRev(key);
      return `${rev.main}.${rev.sub}${isTombstone(key) ? 't' : ''}`;
    });
  } finally {
    snap.close();
  }
}
