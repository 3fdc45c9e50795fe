// Shared set-up for the mvcc tests: a store in a fresh temporary data dir.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backend, openStore } from '../../src/mvcc';
import type { BackendOptions, BatchWriter, KeyValue, WatchableStore, WatchableStoreOptions } from '../../src/mvcc';

export const b = (s: string): Buffer => Buffer.from(s);

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-mvcc-'));
}

export interface TestStore {
  store: WatchableStore;
  dataDir: string;
  /** applies fn as one batch at the next consistent index */
  apply<T>(fn: (w: BatchWriter) => T): T;
  reopen(opts?: WatchableStoreOptions): Promise<void>;
  cleanup(): Promise<void>;
}

export function openTestStore(opts: WatchableStoreOptions = {}, dataDir = tempDataDir(), backendOptions: BackendOptions = {}): TestStore {
  let index = 0;
  const t: TestStore = {
    store: openStore(Backend.open(dataDir, backendOptions), opts),
    dataDir,
    apply(fn) {
      index++;
      return t.store.applyBatch(index, fn);
    },
    async reopen(reopenOpts = opts) {
      await t.store.close();
      t.store = openStore(Backend.open(dataDir, backendOptions), reopenOpts);
      index = t.store.consistentIndex;
    },
    async cleanup() {
      await t.store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  index = t.store.consistentIndex;
  return t;
}

/** "key=value@create/mod/version" for compact assertions. */
export function show(kv: KeyValue | undefined): string {
  if (kv === undefined) return '-';
  const lease = kv.lease !== 0n ? ` lease=${kv.lease}` : '';
  return `${kv.key}=${kv.value}@${kv.createRevision}/${kv.modRevision}/${kv.version}${lease}`;
}
