// EtcdServer: the face of the server core that the listeners and the CLI use. It opens the data
// dir, wires store, lessor, alarms and the proposal pipeline together, and hands out the gRPC
// services; each job itself lives in its own file.
import * as path from 'node:path';
import type { ChannelOptions } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { status as Status } from '@grpc/grpc-js';
import { EtcdError, etcdError, etcdserverpb } from '../api';
import type { InternalRaftRequest } from './internal-request';
import { Logger, namedLogger, silentLogger } from '../log';
import type { Backend, WatchableStore } from '../mvcc';
import type * as mvcc from '../mvcc';
import type { AlarmStore } from './alarms';
import { AutoCompactionPolicy, AutoCompactor, parseAutoCompaction } from './auto-compaction';
import type { ApplyValue } from './apply';
import { ServerError } from './errors';
import { makeHeader } from './header';
import { LeaseExpiry } from './lease-expiry';
import type { Lessor } from './lessor';
import type { Member } from './membership';
import { OpenedMember, openMember, storedMembers } from './open-member';
import { receivedImagePath, removeReceivedImages, saveReceivedImage } from './received-images';
import { copyImageBuckets } from '../restore';
import { ServerMetrics, timed } from './metrics';
import { watchHeartbeats } from './heartbeat-watch';
import { countApplied } from './applied-metrics';
import { EtcdServerOptions, ResolvedOptions, grpcOverheadBytes, resolveOptions } from './options';
import { Proposal, Proposals } from './proposals';
import { quotaAvailable, requestCost } from './quota';
import { RequestIdGenerator } from './request-id';
import { authService } from './services/auth';
import { AuthGate, AuthStore, SimpleTokens, guardServices, type CallCredentials } from './auth';
import { clusterService } from './services/cluster';
import { kvService } from './services/kv';
import { leaseService } from './services/lease';
import { maintenanceService } from './services/maintenance';
import { WatchServiceHandle, watchService } from './services/watch';
import { ClusterMembers } from './cluster-members';
import { applyMemberChange, confChangeContext, memberChange } from './conf-change';
import { unsafeDeleteMember, unsafeSaveMembers } from './member-store';
import type { PeerEvents } from './peer-link';
import { OnDemandPeerLink } from './on-demand-link';
import { guardLeaderRequired, LeaderRequiredStreams } from './leader-required';
import { guardLearner } from './learner-guard';
import { countMessageBytes } from './message-bytes';
import { forwardPromote, forwardRenewBatch, forwardTimeToLive, maxRenewBatch, peerApiHandler, type LeaseTimeToLive } from './peer-api';
import { RenewBatcher } from './renew-batcher';
import type { PeerReply, PeerRequester } from '../transport';
import { RaftReplicationLog, requestTimeoutMs } from './raft-node';
import { ConfChange, ConfChangeType, Message, Snapshot } from '../raft';
import { etcdClusterVersion } from './versions';
import { SnapshotImage, writeSnapshotImage } from './snapshot-image';
import { Versions, etcdServerVersion, versions } from './versions';
import type { GrpcService } from './service-guard';

export type { GrpcService };

/** As etcd's /health: false with a reason when an alarm is active, there is no leader or a read fails. */
export interface Health {
  health: boolean;
  reason: string;
}

export interface HealthOptions {
  /** Alarm names (`NOSPACE`, `CORRUPT`) that do not make the member unhealthy, as `/health?exclude=NOSPACE`. */
  excludedAlarms?: string[];
  /** `/health?serializable=true`: no leader needed, and the test read is a local (serializable) one. */
  serializable?: boolean;
}

/** How long /health waits for a linearizable read, as etcd. */
const healthReadTimeoutMs = 1000;

interface Parts extends OpenedMember {
  options: ResolvedOptions;
  autoCompaction: AutoCompactionPolicy | undefined;
  logger: Logger;
  metrics: ServerMetrics;
  raft: RaftReplicationLog;
  link: OnDemandPeerLink;
  peerRequest: PeerRequester | undefined;
}

export class EtcdServer {
  readonly memberId: bigint;
  readonly clusterId: bigint;
  private readonly options: ResolvedOptions;
  private readonly logger: Logger;
  private readonly serverMetrics: ServerMetrics;
  private readonly backend: Backend;
  private readonly store: WatchableStore;
  private readonly lessor: Lessor;
  private readonly alarms: AlarmStore;
  private readonly raft: RaftReplicationLog;
  private readonly link: OnDemandPeerLink;
  private readonly clusterMembers: ClusterMembers;
  private readonly peerApi: (method: string, path: string, body: Buffer) => Promise<PeerReply>;
  private readonly peerRequest: PeerRequester | undefined;
  /** a follower's keep-alives on their way to the leader */
  private readonly forwardedRenewals: RenewBatcher;
  private readonly proposals: Proposals;
  private readonly expiry: LeaseExpiry;
  private readonly compactor: AutoCompactor | undefined;
  private readonly ids: RequestIdGenerator;
  private readonly watch: WatchServiceHandle;
  /** streams opened with `hasleader: true` (clientv3's WithRequireLeader) */
  private readonly leaderRequiredStreams: LeaderRequiredStreams;
  private readonly auth: AuthGate;
  private readonly services: GrpcService[];
  private memberList: Member[];
  private state: 'starting' | 'serving' | 'closing' | 'closed' = 'starting';

  private constructor(parts: Parts) {
    this.options = parts.options;
    this.logger = parts.logger;
    this.serverMetrics = parts.metrics;
    this.backend = parts.backend;
    this.store = parts.store;
    this.lessor = parts.lessor;
    this.alarms = parts.alarms;
    this.raft = parts.raft;
    this.link = parts.link;
    this.memberList = parts.members;
    this.memberId = parts.memberId;
    this.clusterId = parts.clusterId;
    this.ids = new RequestIdGenerator(this.memberId, Date.now());
    this.auth = new AuthGate(AuthStore.open(this.backend), new SimpleTokens());
    this.expiry = new LeaseExpiry({
      now: () => Date.now(),
      revoke: async (id) => {
        // Only the leader's clock expires leases (etcd's lessor revokes only when primary).
        if (!this.raft.isLeader()) throw new ServerError('not-capable');
        await this.proposals.propose({ leaseRevoke: { ID: id } });
        this.serverMetrics.leasesExpired.inc();
      },
    });
    this.compactor =
      parts.autoCompaction &&
      new AutoCompactor(parts.autoCompaction, {
        now: () => Date.now(),
        currentRevision: () => this.store.currentRevision,
        compact: async (revision) => {
          try {
            await this.proposals.propose({ compaction: { revision: BigInt(revision), physical: false } });
            this.logger.info({ revision }, 'auto-compaction proposed');
          } catch (err) {
            this.logger.warn({ revision, error: err instanceof Error ? err.message : String(err) }, 'auto-compaction failed');
          }
        },
      });
    this.proposals = new Proposals({
      log: this.raft,
      store: this.store,
      state: { lessor: this.lessor, alarms: this.alarms, auth: { store: this.auth.store, tokens: this.auth.tokens } },
      ids: this.ids,
      maxRequestBytes: this.options.maxRequestBytes,
      metrics: this.serverMetrics,
      logger: this.logger,
      requestTimeoutMs: requestTimeoutMs(this.options.electionMs),
      afterApply: (req, value) => this.afterApply(req, value),
    });
    this.peerRequest = parts.peerRequest;
    this.forwardedRenewals = new RenewBatcher({
      renewOnLeader: (ids, timeoutMs) => forwardRenewBatch(this.leaderRequester(), () => this.leaderPeerUrls(), ids, timeoutMs),
      leader: this.raft.status().leader,
      timeoutMs: requestTimeoutMs(this.options.electionMs),
      maxBatch: maxRenewBatch,
    });
    this.clusterMembers = new ClusterMembers({
      members: () => this.members(),
      log: this.raft,
      memberId: this.memberId,
      clusterToken: this.options.initialClusterToken,
      newId: () => this.ids.next(),
      now: () => Date.now(),
      peersReady: () => this.link.ready(),
      peerActiveSince: (id) => this.link.activeSince(id),
      metrics: this.serverMetrics,
      forwardPromote: (id) => forwardPromote(this.leaderRequester(), () => this.leaderPeerUrls(), id, requestTimeoutMs(this.options.electionMs)),
    });
    this.peerApi = peerApiHandler({
      members: () => this.members(),
      versions: () => versions(),
      promote: (id) => this.clusterMembers.promote(id),
      renewLease: (id) => {
        if (!this.raft.isLeader()) throw new ServerError('no-leader');
        return this.renewLocally(id);
      },
      leaseTimeToLive: (id, withKeys) => {
        if (!this.raft.isLeader()) throw new ServerError('no-leader');
        return this.timeToLiveLocally(id, withKeys);
      },
    });
    this.watch = watchService({
      metrics: this.serverMetrics,
      header: (revision) => this.header(revision),
      maxRequestBytes: this.options.maxRequestBytes,
      newWatchStream: () => this.store.watchStream(),
      progressNotifyIntervalMs: this.options.watchProgressNotifyIntervalMs,
      authorizeWatch: (call, creq) => this.auth.checkRange(call, creq.key, creq.rangeEnd),
    });
    this.leaderRequiredStreams = new LeaderRequiredStreams(() => this.raft.status().leader !== 0n, this.options.electionMs);
    this.services = this.buildServices();
    this.serverMetrics.attach({
      memberIdHex: this.memberId.toString(16),
      hasLeader: () => this.raft.status().leader !== 0n,
      isLeader: () => this.raft.status().leader === this.memberId,
      isLearner: () => this.raft.status().isLearner,
      dbSize: () => this.backend.size(),
      dbSizeInUse: () => this.backend.sizeInUse(),
      keysTotal: () => this.store.index.size,
      pendingProposals: () => this.raft.pending(),
      committedIndex: () => this.raft.status().commitIndex,
      appliedIndex: () => this.proposals.appliedIndex,
      currentRevision: () => this.store.currentRevision,
      watchStreams: () => this.store.watchStreamCount(),
      watchers: () => this.store.watcherCounts(),
      watchEvents: () => this.store.eventCounts,
      compactRevision: () => this.store.compactRevision,
      quotaBackendBytes: () => this.options.quotaBackendBytes,
      openReadTransactions: () => this.backend.openReadTransactions(),
      totalPutSize: () => this.store.totalPutSize,
      authRevision: () => this.auth.store.revision,
    });
  }

  /** Opens (or creates) the data dir, replays the WAL after the store's consistent index and gets ready to serve. */
  static async open(options: EtcdServerOptions): Promise<EtcdServer> {
    const resolved = resolveOptions(options);
    const autoCompaction = parseAutoCompaction(resolved.autoCompactionMode, resolved.autoCompactionRetention);
    const logger = namedLogger(resolved.logger ?? silentLogger(), 'etcdserver');
    const metrics = new ServerMetrics(etcdServerVersion, etcdClusterVersion.split('.').slice(0, 2).join('.'), { handlingTime: resolved.metricsDetail === 'extensive' });
    const memberDir = path.join(resolved.dataDir, 'member');
    const member = await openMember(resolved, {
      logger,
      onWalSync: (seconds) => metrics.walFsyncDuration.observe(seconds),
      onBackendCommit: (seconds) => metrics.backendCommitDuration.observe(seconds),
      onWalWrite: (bytes) => metrics.walWriteBytes.inc(bytes),
      snapshotSaves: metrics.snap.snapshotSaves,
      compactions: metrics.compactionObserver(),
      peerRequest: options.peerRequest,
    });
    // The log, the link and the server refer to each other: their callbacks reach the server once it exists.
    let server: EtcdServer | undefined;
    let raft: RaftReplicationLog | undefined;
    const { peerLink } = options;
    const events: PeerEvents = {
      message: (m) => raft?.step(m),
      unreachable: (id) => raft?.reportUnreachable(id),
      removed: () => server?.removedFromCluster(),
      snapshot: async (m, body) => {
        await saveReceivedImage(memberDir, m.snapshot?.metadata.index ?? 0, body, metrics.snap.imageSaves);
        raft?.step(m);
      },
      request: (method, path, body) => (server as EtcdServer).peerApi(method, path, body),
    };
    const link = new OnDemandPeerLink(peerLink && (async () => peerLink({ memberId: member.memberId, clusterId: member.clusterId, metrics: metrics.registry }, events)), logger);
    try {
      if (member.members.length > 1 && peerLink === undefined) throw new Error('etcdserver: a member of a multi-member cluster needs a peer transport');
      raft = new RaftReplicationLog({
        memberId: member.memberId,
        disk: member.storage,
        snapshot: member.raftSnapshot,
        hardState: member.hardState,
        walEntries: member.raftEntries,
        snapshotCount: resolved.snapshotCount,
        catchUpEntries: resolved.snapshotCatchUpEntries,
        snapshots: {
          flush: () => (server as EtcdServer).store.sync(),
          send: (m) => (server as EtcdServer).sendSnapshot(m),
          restore: (snapshot) => (server as EtcdServer).restoreSnapshot(snapshot),
        },
        bootstrapPeers: member.bootstrapMembers?.map((m) => ({ id: m.id, context: confChangeContext(m) })),
        heartbeatMs: resolved.heartbeatMs,
        electionMs: resolved.electionMs,
        network: watchHeartbeats(link, resolved.heartbeatMs, (to, ms) => {
          metrics.heartbeatSendFailures.inc();
          logger.warn({ to: to.toString(16), ms: Math.round(ms) }, 'leader failed to send out heartbeat on time; server is likely overloaded');
        }),
        onConfChange: (change, fresh) => server?.applyConfChange(change, fresh),
        onLeaderChange: (leader) => server?.leaderChanged(leader),
        readIndexes: { slow: () => metrics.slowReadIndexes.inc(), failed: () => metrics.readIndexesFailed.inc() },
        logger,
      });
      server = new EtcdServer({ ...member, options: resolved, autoCompaction, logger, metrics, raft, link, peerRequest: options.peerRequest });
      for (const m of member.members) if (m.id !== member.memberId) link.addPeer(m.id, m.peerUrls);
      await link.ready();
      await server.start();
      return server;
    } catch (err) {
      await link.close().catch(() => undefined);
      await member.close();
      throw err;
    }
  }

  get metrics(): Registry {
    return this.serverMetrics.registry;
  }

  /** The gRPC services (KV, Watch, Lease, Cluster, Maintenance, Auth) to add to a grpc-js Server. */
  grpcServices(): GrpcService[] {
    return this.services;
  }

  /** grpc-js Server options as etcd sets them: receive up to max-request-bytes plus gRPC overhead. */
  grpcServerOptions(): ChannelOptions {
    return {
      'grpc.max_receive_message_length': this.options.maxRequestBytes + grpcOverheadBytes,
      'grpc.max_send_message_length': 2 ** 31 - 1,
    };
  }

  async health(options: HealthOptions = {}): Promise<Health> {
    const result = await this.checkHealth(new Set(options.excludedAlarms ?? []), options.serializable ?? false);
    (result.health ? this.serverMetrics.healthSuccess : this.serverMetrics.healthFailures).inc();
    return result;
  }

  isReady(): boolean {
    return this.state === 'serving';
  }

  versions(): Versions {
    return versions();
  }

  members(): Member[] {
    return this.memberList.map((m) => ({ ...m }));
  }

  /** Stops accepting requests, finishes in-flight applies, closes the WAL and the store. */
  async close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    this.expiry.stop();
    this.compactor?.stop();
    this.watch.closeAll();
    this.leaderRequiredStreams.stop();
    await this.raft.close();
    await this.link.close();
    this.proposals.stop(new ServerError('stopped'));
    await this.store.close();
    this.state = 'closed';
    this.logger.info({}, 'stopped');
  }

  private async start(): Promise<void> {
    await this.raft.start(this.store.consistentIndex, {
      apply: (entries) => this.proposals.apply(entries),
      fatal: (err) => this.proposals.fatal(err),
    });
    // A restarted member gives every lease its remaining TTL again from now, as etcd's new leader does.
    for (const id of this.lessor.ids()) this.expiry.track(id, this.lessor.startingTtl(id) ?? 0);
    this.expiry.start();
    this.leaderRequiredStreams.start();
    this.compactor?.start();
    this.state = 'serving';
    void this.publish(this.raft);
  }

  /** etcd's publish: this member's name and client URLs go to every member through the log, retried until applied. */
  private async publish(raft: RaftReplicationLog): Promise<void> {
    const retryMs = this.options.electionMs;
    for (let attempt = 0; this.state === 'serving'; attempt++) {
      const known = this.memberList.find((m) => m.id === this.memberId);
      if (known === undefined) return;
      // The name and client URLs are this start's flags; the list may hold older ones replayed from the log.
      const self = { ...known, name: this.options.name, clientUrls: this.options.advertiseClientUrls };
      try {
        if (raft.status().leader === 0n) throw new ServerError('no-leader');
        await raft.proposeConfChange({ id: this.ids.next(), type: ConfChangeType.ConfChangeUpdateNode, nodeId: this.memberId, context: confChangeContext(self) });
        this.logger.info({ name: self.name, 'client-urls': self.clientUrls }, 'published local member to cluster through raft');
        return;
      } catch (err) {
        if (attempt % 10 === 9) this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot publish local member yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  }

  /** A committed membership change: the member list, the store (unless replayed) and the transport's peers. */
  private applyConfChange(change: ConfChange, fresh: boolean): void {
    const applied = memberChange(change, this.memberList);
    if (applied === undefined) return;
    this.memberList = applyMemberChange(this.memberList, applied);
    if (fresh) {
      this.store.applyBatch(this.store.consistentIndex, (w) => {
        if (applied.kind === 'remove') unsafeDeleteMember(w.backend, applied.member.id);
        else unsafeSaveMembers(w.backend, [applied.member], etcdClusterVersion);
      });
    }
    if (applied.member.id === this.memberId) {
      if (applied.kind === 'remove') this.removedFromCluster();
      return;
    }
    if (applied.kind === 'remove') this.link.removePeer(applied.member.id);
    else this.link.addPeer(applied.member.id, applied.member.peerUrls);
    this.logger.info({ change: applied.kind, 'member-id': applied.member.id.toString(16) }, 'applied a membership change');
  }

  /** etcd's MoveLeader: only the leader hands over, to a voting member, and waits until it leads. */
  private async moveLeader(target: bigint): Promise<void> {
    const raft = this.raft;
    if (!raft.isLeader()) throw etcdError('notLeader');
    const member = this.memberList.find((m) => m.id === target);
    if (member === undefined || member.isLearner) throw etcdError('badLeaderTransferee');
    if (target === this.memberId) return;
    raft.transferLeader(target);
    const deadline = Date.now() + requestTimeoutMs(this.options.electionMs);
    while (raft.status().leader !== target) {
      if (Date.now() > deadline) throw new EtcdError(Status.UNAVAILABLE, 'etcdserver: request timed out, leader transfer took too long');
      await new Promise((resolve) => setTimeout(resolve, this.options.heartbeatMs));
    }
  }

  /** The leader's side of a raft snapshot: the store's image as it is now goes with the message. */
  private async sendSnapshot(m: Message): Promise<void> {
    // raft asks again once the peer answers; a member that is down costs no image meanwhile
    if (!this.link.isActive(m.to)) throw new Error(`etcdserver: peer ${m.to.toString(16)} is not active; snapshot not sent`);
    const image = await this.storeImage();
    try {
      await this.link.sendSnapshot(m, image.path);
    } finally {
      await image.release();
    }
  }

  /**
   * A follower's side (etcd's applySnapshot): the image received with the snapshot replaces the
   * store, and everything kept beside the store is read again from it. Returns the store's applied index.
   * The snapshot-apply gauge is 1 meanwhile, as etcd's.
   */
  private async restoreSnapshot(snapshot: Snapshot): Promise<number> {
    this.serverMetrics.snapshotApplyInProgress.set(1);
    try {
      return await this.restoreImage(snapshot);
    } finally {
      this.serverMetrics.snapshotApplyInProgress.set(0);
    }
  }

  /** restoreSnapshot's work: the store, then what is kept beside it. */
  private async restoreImage(snapshot: Snapshot): Promise<number> {
    const image = receivedImagePath(this.memberDir(), snapshot.metadata.index);
    await this.store.replaceContents(
      async (write) => void (await copyImageBuckets(image, write)),
      (contents) => {
        this.lessor.restore(contents);
        this.alarms.restore(contents);
      },
    );
    this.auth.store.reload(this.backend);
    this.expiry.clear();
    for (const id of this.lessor.ids()) this.expiry.track(id, this.lessor.startingTtl(id) ?? 0);
    const before = this.memberList;
    this.memberList = storedMembers(this.backend, this.memberId, this.options);
    for (const m of before) if (m.id !== this.memberId && !this.memberList.some((n) => n.id === m.id)) this.link.removePeer(m.id);
    for (const m of this.memberList) if (m.id !== this.memberId) this.link.addPeer(m.id, m.peerUrls);
    const applied = this.store.consistentIndex;
    this.proposals.restoredTo(applied);
    await removeReceivedImages(this.memberDir(), snapshot.metadata.index);
    return applied;
  }

  private memberDir(): string {
    return path.join(this.options.dataDir, 'member');
  }

  /** etcd stops a member that the cluster removed. */
  private removedFromCluster(): void {
    this.logger.warn({ 'member-id': this.memberId.toString(16) }, 'the member has been permanently removed from the cluster');
    setImmediate(() => void this.close().then(() => this.options.onRemoved?.()));
  }

  /** Raft's leader changed; a new leader gives every lease its TTL again from now, as etcd's lessor Promote. */
  private leaderChanged(leader: bigint): void {
    if (leader !== 0n) this.serverMetrics.leaderChanges.inc();
    this.forwardedRenewals.leaderChanged(leader);
    this.logger.info({ leader: leader.toString(16) }, leader === 0n ? 'lost the leader' : 'leader elected');
    if (leader === this.memberId) {
      const extendSeconds = this.options.electionMs / 1000;
      for (const id of this.lessor.ids()) this.expiry.track(id, (this.lessor.ttl(id) ?? 0) + extendSeconds);
    }
  }

  private afterApply(req: InternalRaftRequest, value: ApplyValue): void {
    countApplied(this.serverMetrics, value);
    if (value.kind === 'leaseGrant') this.expiry.track(value.id, value.ttl);
    else if (value.kind === 'leaseRevoke' && req.leaseRevoke !== undefined) this.expiry.forget(req.leaseRevoke.ID);
  }

  private header(revision?: number): etcdserverpb.ResponseHeader {
    return makeHeader(
      {
        clusterId: this.clusterId,
        memberId: this.memberId,
        raftTerm: () => this.raft.status().term,
        currentRevision: () => this.store.currentRevision,
      },
      revision,
    );
  }

  private assertServing(): void {
    if (this.state !== 'serving') throw new ServerError('stopped');
  }

  /** `call`: the client's call, whose caller apply checks the request as again (while auth is enabled). */
  private async propose(proposal: Proposal, call?: CallCredentials): Promise<ApplyValue> {
    this.assertServing();
    return this.proposals.propose(proposal, call && this.auth.proposer(call));
  }

  /** A write that adds data is refused, and NOSPACE raised, when it would take the database past the quota. */
  private async proposeWrite(proposal: Proposal, call?: CallCredentials): Promise<ApplyValue> {
    this.assertServing();
    const cost = requestCost(proposal);
    if (cost > 0 && !quotaAvailable(this.backend.size(), cost, this.options.quotaBackendBytes)) {
      await this.proposals.propose({
        alarm: { action: etcdserverpb.AlarmRequest_AlarmAction.ACTIVATE, memberID: this.memberId, alarm: etcdserverpb.AlarmType.NOSPACE },
      });
      throw new ServerError('no-space');
    }
    return this.proposals.propose(proposal, call && this.auth.proposer(call));
  }

  private async readBarrier(): Promise<void> {
    this.assertServing();
    await this.proposals.readBarrier();
  }

  private range(request: mvcc.RangeRequest): mvcc.RangeResponse {
    this.serverMetrics.ranges.inc();
    return this.store.range(request);
  }

  /** Keep-alives renew on the leader, whose clock alone expires leases; a follower forwards them, together. */
  private async renewLease(id: bigint): Promise<number | undefined> {
    if (this.raft.isLeader()) return this.renewLocally(id);
    return this.forwardedRenewals.renew(id);
  }

  /** A lease's time to live is the leader's (only its clock runs the expiry); a follower asks it. */
  private async leaseTimeToLive(id: bigint, withKeys: boolean): Promise<LeaseTimeToLive | undefined> {
    if (this.raft.isLeader()) return this.timeToLiveLocally(id, withKeys);
    return forwardTimeToLive(this.leaderRequester(), () => this.leaderPeerUrls(), id, withKeys, requestTimeoutMs(this.options.electionMs));
  }

  private async timeToLiveLocally(id: bigint, withKeys: boolean): Promise<LeaseTimeToLive | undefined> {
    await this.readBarrier();
    const granted = this.lessor.ttl(id);
    const remaining = this.lessor.exists(id) ? this.expiry.remainingSeconds(id) : undefined;
    if (granted === undefined || remaining === undefined) return undefined;
    return { TTL: remaining, grantedTTL: granted, keys: withKeys ? this.lessor.keys(id) : [] };
  }

  private leaderRequester(): PeerRequester {
    if (this.peerRequest === undefined) throw new ServerError('no-leader');
    return this.peerRequest;
  }

  private leaderPeerUrls(): string[] {
    return this.memberList.find((m) => m.id === this.raft.status().leader)?.peerUrls ?? [];
  }

  private renewLocally(id: bigint): number | undefined {
    const ttl = this.lessor.ttl(id);
    if (ttl === undefined || !this.expiry.renew(id, ttl)) return undefined;
    this.serverMetrics.leasesRenewed.inc();
    return ttl;
  }

  private status(): Omit<etcdserverpb.StatusResponse, 'header'> {
    const raft = this.raft.status();
    return {
      version: etcdServerVersion,
      dbSize: BigInt(this.backend.size()),
      dbSizeInUse: BigInt(this.backend.sizeInUse()),
      leader: raft.leader,
      raftIndex: BigInt(raft.commitIndex),
      raftTerm: BigInt(raft.term),
      raftAppliedIndex: BigInt(this.proposals.appliedIndex),
      // As etcd: "no leader" first, then a line per alarm.
      errors: [
        ...(raft.leader === 0n ? [new ServerError('no-leader').message] : []),
        ...this.alarms.get().map((a) => `memberID:${a.memberID} alarm:${etcdserverpb.alarmTypeToJSON(a.alarm)} `),
      ],
      isLearner: raft.isLearner,
    };
  }

  private async snapshotImage(): Promise<SnapshotImage> {
    await this.readBarrier();
    return this.storeImage();
  }

  /**
   * The store's image as it is now, for a client or a peer. etcd times a backend snapshot from its
   * read transaction to the end of its transfer; here, from the consistent read to the image's release.
   */
  private async storeImage(): Promise<SnapshotImage> {
    const transferred = this.serverMetrics.backendSnapshotDuration.startTimer();
    const image = await writeSnapshotImage(this.store.snapshot(), this.memberDir());
    return {
      ...image,
      release: () => {
        transferred();
        return image.release();
      },
    };
  }

  /** etcd's checks in etcd's order and words: alarms, then the leader, then a one-key range read within a second. */
  private async checkHealth(excluded: Set<string>, serializable: boolean): Promise<Health> {
    if (this.state !== 'serving') return { health: false, reason: 'SERVER NOT SERVING' };
    for (const alarm of this.alarms.get()) {
      const name = etcdserverpb.alarmTypeToJSON(alarm.alarm);
      if (!excluded.has(name)) return { health: false, reason: `ALARM ${name}` };
    }
    if (!serializable && this.raft.status().leader === 0n) return { health: false, reason: 'RAFT NO LEADER' };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ServerError('timeout')), healthReadTimeoutMs);
    });
    const read = async () => {
      if (!serializable) await this.readBarrier();
      this.store.range({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]), keysOnly: true, limit: 1 });
    };
    try {
      await Promise.race([read(), timeout]);
      return { health: true, reason: '' };
    } catch (err) {
      return { health: false, reason: `RANGE ERROR:${err instanceof Error ? err.message : String(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  private buildServices(): GrpcService[] {
    const metrics = this.serverMetrics;
    const header = (revision?: number) => this.header(revision);
    const readBarrier = () => this.readBarrier();
    const proposeWrite = (p: Proposal, call?: CallCredentials) => this.proposeWrite(p, call);
    const services: GrpcService[] = [
      [etcdserverpb.KVService, kvService({ metrics, maxTxnOps: this.options.maxTxnOps, header, proposeWrite, readBarrier, range: (r) => this.range(r) })],
      [etcdserverpb.WatchService, this.watch.implementation],
      [
        etcdserverpb.LeaseService,
        leaseService({
          metrics,
          header,
          proposeWrite,
          readBarrier,
          newLeaseId: () => this.ids.next() & ((1n << 63n) - 1n),
          timeToLive: (id, withKeys) => this.leaseTimeToLive(id, withKeys),
          renew: (id) => this.renewLease(id),
          leaseIds: () => this.lessor.ids(),
        }),
      ],
      [etcdserverpb.ClusterService, clusterService({ metrics, header, readBarrier, members: () => this.members(), changes: this.clusterMembers })],
      [
        etcdserverpb.MaintenanceService,
        maintenanceService({
          metrics,
          memberId: this.memberId,
          header,
          propose: (p) => this.propose(p),
          readBarrier,
          status: () => this.status(),
          hashKV: (revision) => timed(this.serverMetrics.hashRevDuration, () => this.store.hashKV(revision)),
          hash: () => timed(this.serverMetrics.hashDuration, () => this.store.hash()),
          defragment: () => this.serverMetrics.defragment(() => this.store.defragment()),
          snapshotImage: () => this.snapshotImage(),
          moveLeader: (target) => this.moveLeader(target),
        }),
      ],
      [etcdserverpb.AuthService, authService({ metrics, gate: this.auth, header, propose: (p, call) => this.propose(p, call), readBarrier })],
    ];
    const isLearner = () => this.memberList.find((m) => m.id === this.memberId)?.isLearner ?? false;
    const authorized = guardServices(services, this.auth, { leaseKeys: (id) => this.lessor.keys(id) });
    const leaderChecked = guardLeaderRequired(authorized, { hasLeader: () => this.raft.status().leader !== 0n, streams: this.leaderRequiredStreams, clientRequests: metrics.clientRequests });
    return countMessageBytes(guardLearner(leaderChecked, isLearner), metrics.grpc);
  }
}
