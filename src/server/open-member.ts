// Opening a member's data dir: the store (`member/db`) with the lessor and alarms restored from it,
// and the raft storage: the WAL (`member/wal`) and the raft snapshots (`member/snap`). A new data dir bootstraps from the --initial-* settings, or with
// --initial-cluster-state existing joins the running cluster those name (join-cluster.ts): the
// members go into the store first, then the WAL is created, so a crash in between just starts over.
// A data dir that has a WAL restarts from it and ignores the --initial-* settings, as etcd does.
import * as fs from 'node:fs';
import { forceNewCluster } from './force-new-cluster';
import * as path from 'node:path';
import { Logger, namedLogger } from '../log';
import { Backend, WatchableStore, openStore, type CompactionObserver } from '../mvcc';
import { Entry as WalEntry, HardState as WalHardState, MemberStorage, walExists, type SnapshotSaveObserver } from '../wal';
import { Snapshot, decodeSnapshot } from '../raft';
import { AlarmStore } from './alarms';
import { Lessor, minLeaseTtl } from './lessor';
import { readMembers, unsafeSaveMembers } from './member-store';
import { Member, bootstrapCluster } from './membership';
import type { ResolvedOptions } from './options';
import { checkNotBootstrapped, joinExistingCluster } from './join-cluster';
import type { PeerRequester } from '../transport';
import { etcdClusterVersion } from './versions';
import { removeReceivedImages } from './received-images';

export interface OpenedMember {
  backend: Backend;
  store: WatchableStore;
  lessor: Lessor;
  alarms: AlarmStore;
  /** the WAL and the raft snapshot files */
  storage: MemberStorage;
  /** the newest raft snapshot, the WAL's last hard state and its raft entries after that snapshot (raft's storage is rebuilt from them) */
  raftSnapshot: Snapshot | undefined;
  hardState: WalHardState;
  raftEntries: WalEntry[];
  /** the members a new cluster starts with (raft's bootstrap); undefined on restart and for a joining member */
  bootstrapMembers: Member[] | undefined;
  memberId: bigint;
  clusterId: bigint;
  members: Member[];
  /** closes what was opened, for a start that fails later */
  close(): Promise<void>;
}

export interface OpenMemberOptions {
  logger: Logger;
  onWalSync: (seconds: number) => void;
  /** the duration of every store commit */
  onBackendCommit: (seconds: number) => void;
  onWalWrite: (bytes: number) => void;
  /** how long each raft snapshot file's save took */
  snapshotSaves: SnapshotSaveObserver;
  compactions: CompactionObserver;
  /** etcd's peer API requests, for a member that joins a running cluster */
  peerRequest?: PeerRequester;
}

function needRequester(request: PeerRequester | undefined): PeerRequester {
  if (request === undefined) throw new Error('etcdserver: a member joining an existing cluster needs a peer transport');
  return request;
}

/** The members the store holds, with this member's name and client URLs as this start has them (etcd publishes them at every start). */
export function storedMembers(backend: Backend, memberId: bigint, options: Pick<ResolvedOptions, 'name' | 'advertiseClientUrls'>): Member[] {
  const stored = backend.snapshot();
  try {
    return readMembers(stored).map((m) => (m.id === memberId ? { ...m, name: options.name, clientUrls: options.advertiseClientUrls } : m));
  } finally {
    stored.close();
  }
}

/**
 * A WAL left in `<data-dir>/member/wal` while --wal-dir names another place that holds none: starting
 * would make a new member beside the old one's data, so it is refused, saying where the log is.
 */
function checkWalPlace(memberDir: string, walDir: string | undefined): void {
  const usual = path.join(memberDir, 'wal');
  if (walDir === undefined || path.resolve(walDir) === path.resolve(usual)) return;
  if (walExists(usual) && !walExists(walDir)) {
    throw new Error(`etcdserver: the WAL is in ${usual} but --wal-dir is ${walDir}: move the WAL's files there, or start without --wal-dir`);
  }
}

export async function openMember(options: ResolvedOptions, io: OpenMemberOptions): Promise<OpenedMember> {
  const { logger } = io;
  const memberDir = path.join(options.dataDir, 'member');
  const walDir = options.walDir ?? path.join(memberDir, 'wal');
  checkWalPlace(memberDir, options.walDir);
  fs.mkdirSync(memberDir, { recursive: true, mode: 0o700 });
  await removeReceivedImages(memberDir);
  const storageOptions = { walDir, logger, onSync: io.onWalSync, onWrite: io.onWalWrite, snapshotSaves: io.snapshotSaves, maxSnapshots: options.maxSnapshots, maxFiles: options.maxWals };
  const lessor = new Lessor(minLeaseTtl(options.heartbeatMs, options.electionMs));
  const alarms = new AlarmStore();
  const clusterOptions = {
    name: options.name,
    initialCluster: options.initialCluster,
    clusterToken: options.initialClusterToken,
    advertiseClientUrls: options.advertiseClientUrls,
  };
  const backend = Backend.open(options.dataDir, { batchIntervalMs: options.backendBatchIntervalMs, batchLimit: options.backendBatchLimit, onCommit: io.onBackendCommit });
  let store: WatchableStore | undefined;
  let storage: MemberStorage | undefined;
  try {
    const snapshot = backend.snapshot();
    try {
      lessor.restore(snapshot);
      alarms.restore(snapshot);
    } finally {
      snapshot.close();
    }
    store = openStore(backend, { lease: lessor, logger: namedLogger(logger, 'mvcc'), compaction: { observer: io.compactions } });

    let memberId: bigint;
    let clusterId: bigint;
    let hardState: WalHardState = { term: 0, vote: 0n, commit: 0 };
    let raftEntries: WalEntry[] = [];
    let raftSnapshot: Snapshot | undefined;
    let bootstrapMembers: Member[] | undefined;
    if (walExists(walDir)) {
      const opened = MemberStorage.open(memberDir, undefined, storageOptions);
      storage = opened.storage;
      const { restored } = opened;
      memberId = restored.metadata.nodeId;
      clusterId = restored.metadata.clusterId;
      hardState = restored.hardState;
      raftEntries = restored.entries;
      raftSnapshot = restored.snapshot && decodeSnapshot(restored.snapshot.data);
      if (options.forceNewCluster) {
        const self = storedMembers(backend, memberId, options).find((m) => m.id === memberId) ?? { id: memberId, name: options.name, peerUrls: options.initialAdvertisePeerUrls, clientUrls: options.advertiseClientUrls, isLearner: false };
        const forced = forceNewCluster({ snapshot: raftSnapshot, entries: raftEntries, hardState }, self);
        await storage.save(forced.hardState, forced.appended);
        raftEntries = forced.entries;
        hardState = forced.hardState;
        logger.warn(
          { 'member-id': memberId.toString(16), 'commit-index': hardState.commit, 'committed-past-wal-commit': forced.pastCommit, 'removed-members': forced.removed.map((id) => id.toString(16)) },
          'forcing restart as a new one-member cluster (--force-new-cluster)',
        );
      }
      logger.info(
        { 'member-id': memberId.toString(16), 'cluster-id': clusterId.toString(16), 'snapshot-index': raftSnapshot?.metadata.index ?? 0, entries: raftEntries.length },
        'restarting member',
      );
    } else {
      const joining = options.initialClusterState === 'existing';
      const identity = joining ? await joinExistingCluster(clusterOptions, needRequester(io.peerRequest), logger) : bootstrapCluster(clusterOptions);
      if (!joining && io.peerRequest !== undefined) await checkNotBootstrapped(identity, io.peerRequest);
      // A new cluster's members are raft's bootstrap; a joining member learns them from the leader's log.
      bootstrapMembers = joining ? undefined : identity.members;
      memberId = identity.self.id;
      clusterId = identity.clusterId;
      store.applyBatch(store.consistentIndex, (w) => unsafeSaveMembers(w.backend, identity.members, etcdClusterVersion));
      storage = MemberStorage.open(memberDir, { nodeId: memberId, clusterId }, storageOptions).storage;
      logger.info({ 'member-id': memberId.toString(16), 'cluster-id': clusterId.toString(16) }, joining ? 'joining an existing cluster' : 'starting a new member');
    }

    const members = storedMembers(backend, memberId, options);

    const openedStore = store;
    const openedStorage = storage;
    return {
      backend, store: openedStore, lessor, alarms, storage: openedStorage, raftSnapshot, hardState, raftEntries, bootstrapMembers, memberId, clusterId, members,
      async close() {
        await openedStorage.close().catch(() => undefined);
        await openedStore.close().catch(() => undefined);
      },
    };
  } catch (err) {
    // Leave nothing open behind a failed start (a corrupt WAL, a bad --initial-cluster, ...).
    await storage?.close().catch(() => undefined);
    if (store !== undefined) await store.close().catch(() => undefined);
    else await backend.close().catch(() => undefined);
    throw err;
  }
}
