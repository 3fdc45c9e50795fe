// --force-new-cluster, as etcd's restartAsStandaloneNode: the last resort after a quorum is lost for
// good. The member restarts from its WAL as the only member of its cluster: the entries it has but
// that were never committed are dropped, and conf changes removing every other member (and adding
// itself, if the log removed it) are appended after the commit index and counted as committed, so
// they apply like any others and the member then elects itself. The data it holds stays.
import { ConfChangeType, EntryType, decodeConfChange, encodeConfChange, type Snapshot } from '../raft';
import type { Entry as WalEntry, HardState as WalHardState } from '../wal';
import { confChangeContext } from './conf-change';
import type { Member } from './membership';

export interface ForcedLog {
  /** the entries to restart raft with: the committed ones, then the appended conf changes */
  entries: WalEntry[];
  /** the hard state with the commit index past the appended conf changes */
  hardState: WalHardState;
  /** what must be written to the WAL (after the commit index, replacing any uncommitted tail) */
  appended: WalEntry[];
  /** how many uncommitted entries were dropped */
  dropped: number;
  /** the members the appended changes remove */
  removed: bigint[];
}

/** The members (voters and learners) the snapshot and the committed conf changes leave, in id order. */
function memberIds(snapshot: Snapshot | undefined, entries: readonly WalEntry[]): bigint[] {
  const ids = new Set<bigint>([...(snapshot?.metadata.confState.voters ?? []), ...(snapshot?.metadata.confState.learners ?? [])]);
  for (const e of entries) {
    if (e.type !== EntryType.EntryConfChange) continue;
    const cc = decodeConfChange(e.data);
    if (cc.type === ConfChangeType.ConfChangeAddNode || cc.type === ConfChangeType.ConfChangeAddLearnerNode) ids.add(cc.nodeId);
    else if (cc.type === ConfChangeType.ConfChangeRemoveNode) ids.delete(cc.nodeId);
  }
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function forceNewCluster(log: { snapshot: Snapshot | undefined; entries: readonly WalEntry[]; hardState: WalHardState }, self: Member): ForcedLog {
  // a crash between a received snapshot's marker and the hard state after it leaves the commit behind the snapshot
  const commitIndex = Math.max(log.hardState.commit, log.snapshot?.metadata.index ?? 0);
  const committed = log.entries.filter((e) => e.index <= commitIndex);
  const ids = memberIds(log.snapshot, committed);
  const appended: WalEntry[] = [];
  const append = (type: ConfChangeType, nodeId: bigint, context: Uint8Array) => {
    const index = commitIndex + appended.length + 1;
    appended.push({ term: log.hardState.term, index, type: EntryType.EntryConfChange, data: encodeConfChange({ id: 0n, type, nodeId, context }) });
  };
  // itself first: raft must never be left without a voter
  if (!ids.includes(self.id)) append(ConfChangeType.ConfChangeAddNode, self.id, confChangeContext({ ...self, isLearner: false }));
  const removed = ids.filter((id) => id !== self.id);
  for (const id of removed) append(ConfChangeType.ConfChangeRemoveNode, id, new Uint8Array(0));
  const entries = [...committed, ...appended];
  const commit = entries.length > 0 ? entries[entries.length - 1].index : commitIndex;
  return { entries, hardState: { ...log.hardState, commit }, appended, dropped: log.entries.length - committed.length, removed };
}
