// Opening a member's data dir: the store (`member/db`) with the lessor and alarms restored from it,
// and the WAL (`member/wal`). A new data dir bootstraps from the --initial-* settings: the members go
// into the store first, then the WAL is created, so a crash in between just bootstraps again. A
// data dir that has a WAL restarts from it and ignores the --initial-* settings, as etcd does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger, namedLogger } from '../log';
import { Backend, WatchableStore, openStore } from '../mvcc';
import { Entry as WalEntry, HardState as WalHardState, Wal, walExists } from '../wal';
import { AlarmStore } from './alarms';
import { Lessor, minLeaseTtl } from './lessor';
import { readMembers, unsafeSaveMembers } from './member-store';
import { Member, bootstrapCluster } from './membership';
import type { ResolvedOptions } from './options';
import type { CommittedEntry } from './replication-log';
import { etcdClusterVersion } from './versions';

export interface OpenedMember {
  backend: Backend;
  store: WatchableStore;
  lessor: Lessor;
  alarms: AlarmStore;
  wal: Wal;
  /** entries the WAL holds after its snapshot; those past the store's consistent index get replayed */
  walEntries: CommittedEntry[];
  /** term of the WAL's last hard state (0 for a new WAL) */
  lastTerm: number;
  /** the WAL's last hard state and its raft entries as written (raft's storage is rebuilt from them) */
  hardState: WalHardState;
  raftEntries: WalEntry[];
  /** the members a new cluster starts with (raft's bootstrap); undefined on restart */
  bootstrapMembers: Member[] | undefined;
  /** more than one member, or raft entries in the WAL: the member runs raft with peers */
  clustered: boolean;
  memberId: bigint;
  clusterId: bigint;
  members: Member[];
  /** closes what was opened, for a start that fails later */
  close(): Promise<void>;
}

export interface OpenMemberOptions {
  logger: Logger;
  onWalSync: (seconds: number) => void;
}

export async function openMember(options: ResolvedOptions, io: OpenMemberOptions): Promise<OpenedMember> {
  const { logger } = io;
  const walDir = path.join(options.dataDir, 'member', 'wal');
  fs.mkdirSync(path.dirname(walDir), { recursive: true, mode: 0o700 });
  const walOptions = { logger, onSync: io.onWalSync };
  const lessor = new Lessor(minLeaseTtl(options.heartbeatMs, options.electionMs));
  const alarms = new AlarmStore();
  const backend = Backend.open(options.dataDir);
  let store: WatchableStore | undefined;
  let wal: Wal | undefined;
  try {
    const snapshot = backend.snapshot();
    try {
      lessor.restore(snapshot);
      alarms.restore(snapshot);
    } finally {
      snapshot.close();
    }
    store = openStore(backend, { lease: lessor, logger: namedLogger(logger, 'mvcc') });

    let memberId: bigint;
    let clusterId: bigint;
    let walEntries: CommittedEntry[] = [];
    let lastTerm = 0;
    let hardState: WalHardState = { term: 0, vote: 0n, commit: 0 };
    let raftEntries: WalEntry[] = [];
    let bootstrapMembers: Member[] | undefined;
    if (walExists(walDir)) {
      wal = Wal.open(walDir, walOptions);
      const contents = wal.readAll();
      memberId = contents.metadata.nodeId;
      clusterId = contents.metadata.clusterId;
      walEntries = contents.entries.map((e) => ({ index: e.index, term: e.term, data: Buffer.from(e.data) }));
      lastTerm = contents.hardState.term;
      hardState = contents.hardState;
      raftEntries = contents.entries;
      logger.info({ 'member-id': memberId.toString(16), 'cluster-id': clusterId.toString(16), entries: walEntries.length }, 'restarting member');
    } else {
      const identity = bootstrapCluster({
        name: options.name,
        initialCluster: options.initialCluster,
        clusterToken: options.initialClusterToken,
        advertiseClientUrls: options.advertiseClientUrls,
      });
      bootstrapMembers = identity.members;
      memberId = identity.self.id;
      clusterId = identity.clusterId;
      store.applyBatch(store.consistentIndex, (w) => unsafeSaveMembers(w.backend, identity.members, etcdClusterVersion));
      wal = Wal.create(walDir, { nodeId: memberId, clusterId }, walOptions);
      logger.info({ 'member-id': memberId.toString(16), 'cluster-id': clusterId.toString(16) }, 'starting a new member');
    }

    const stored = backend.snapshot();
    let members: Member[];
    try {
      members = readMembers(stored);
    } finally {
      stored.close();
    }
    // This member's name and client URLs are what it has now, as etcd publishes them at every start.
    members = members.map((m) => (m.id === memberId ? { ...m, name: options.name, clientUrls: options.advertiseClientUrls } : m));

    // A conf change entry in the WAL means the log was written by raft (entry type 1 is raft's EntryConfChange).
    const clustered = members.length > 1 || raftEntries.some((e) => e.type === 1);

    const openedStore = store;
    const openedWal = wal;
    return {
      backend, store: openedStore, lessor, alarms, wal: openedWal, walEntries, lastTerm, hardState, raftEntries, bootstrapMembers, clustered, memberId, clusterId, members,
      async close() {
        await openedWal.close().catch(() => undefined);
        await openedStore.close().catch(() => undefined);
      },
    };
  } catch (err) {
    // Leave nothing open behind a failed start (a corrupt WAL, a bad --initial-cluster, ...).
    await wal?.close().catch(() => undefined);
    if (store !== undefined) await store.close().catch(() => undefined);
    else await backend.close().catch(() => undefined);
    throw err;
  }
}
