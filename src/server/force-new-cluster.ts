// --force-new-cluster, as etcd's restartAsStandaloneNode: the last resort after a quorum is lost for
// good. The member restarts from its WAL as the only member of its cluster: conf changes removing
// every other member (and adding itself first, if the log removed it) are appended after its last
// entry and counted as committed, so they apply like any others and the member then elects itself.
// The data it holds stays.
//
// Unlike etcd, the entries past the WAL's commit index are kept and committed rather than dropped:
// that index can lag behind writes already answered (a commit-only hard state waits for the next
// write, and the store's last batch may not have reached the disk), and every entry the member holds
// came from a leader, so committing it loses nothing a client was told had been written.
import { ConfChangeType, EntryType, decodeConfChange, encodeConfChange, type Snapshot } from '../raft';
import type { Entry as WalEntry, HardState as WalHardState } from '../wal';
import { confChangeContext } from './conf-change';
import type { Member } from './membership';

export interface RestartedLog {
  snapshot: Snapshot | undefined;
  entries: readonly WalEntry[];
  hardState: WalHardState;
}

export interface ForcedLog {
  /** the entries to restart raft with: those of the WAL, then the appended conf changes */
  entries: WalEntry[];
  /** the hard state with the commit index at the last of them */
  hardState: WalHardState;
  /** what must be written to the WAL */
  appended: WalEntry[];
  /** how many entries past the WAL's commit index are committed now */
  pastCommit: number;
  /** the members the appended changes remove */
  removed: bigint[];
}

/** The members (voters and learners) the snapshot and the conf changes leave, in id order. */
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

export function forceNewCluster(log: RestartedLog, self: Member): ForcedLog {
  const last = Math.max(log.entries.at(-1)?.index ?? 0, log.snapshot?.metadata.index ?? 0, log.hardState.commit);
  const ids = memberIds(log.snapshot, log.entries);
  const appended: WalEntry[] = [];
  const append = (type: ConfChangeType, nodeId: bigint, context: Uint8Array) => {
    appended.push({ term: log.hardState.term, index: last + appended.length + 1, type: EntryType.EntryConfChange, data: encodeConfChange({ id: 0n, type, nodeId, context }) });
  };
  // itself first: raft must never be left without a voter
  if (!ids.includes(self.id)) append(ConfChangeType.ConfChangeAddNode, self.id, confChangeContext({ ...self, isLearner: false }));
  const removed = ids.filter((id) => id !== self.id);
  for (const id of removed) append(ConfChangeType.ConfChangeRemoveNode, id, new Uint8Array(0));
  const commit = last + appended.length;
  return {
    entries: [...log.entries, ...appended],
    hardState: { ...log.hardState, commit },
    appended,
    pastCommit: log.entries.filter((e) => e.index > log.hardState.commit).length,
    removed,
  };
}
