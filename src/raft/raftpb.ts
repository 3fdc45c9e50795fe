// The raft wire types, shaped like etcd's raftpb (field names and enum values match
// raft.proto so the binary encoding in codec.ts can use raftpb's field numbers).
// Terms and indexes are numbers (exact up to 2^53); member IDs are 64-bit bigints.

export enum EntryType {
  EntryNormal = 0,
  EntryConfChange = 1,
  EntryConfChangeV2 = 2,
}

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

export enum MessageType {
  MsgHup = 0,
  MsgBeat = 1,
  MsgProp = 2,
  MsgApp = 3,
  MsgAppResp = 4,
  MsgVote = 5,
  MsgVoteResp = 6,
  MsgSnap = 7,
  MsgHeartbeat = 8,
  MsgHeartbeatResp = 9,
  MsgUnreachable = 10,
  MsgSnapStatus = 11,
  MsgCheckQuorum = 12,
  MsgTransferLeader = 13,
  MsgTimeoutNow = 14,
  MsgReadIndex = 15,
  MsgReadIndexResp = 16,
  MsgPreVote = 17,
  MsgPreVoteResp = 18,
  MsgForgetLeader = 23,
}

export interface ConfState {
  voters: bigint[];
  learners: bigint[];
  votersOutgoing: bigint[];
  learnersNext: bigint[];
  autoLeave: boolean;
}

export interface SnapshotMetadata {
  confState: ConfState;
  index: number;
  term: number;
}

export interface Snapshot {
  data: Uint8Array;
  metadata: SnapshotMetadata;
}

export interface Message {
  type: MessageType;
  to: bigint;
  from: bigint;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  vote: bigint;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: number;
  context: Uint8Array;
}

export interface HardState {
  term: number;
  vote: bigint;
  commit: number;
}

export enum ConfChangeType {
  ConfChangeAddNode = 0,
  ConfChangeRemoveNode = 1,
  ConfChangeUpdateNode = 2,
  ConfChangeAddLearnerNode = 3,
}

export enum ConfChangeTransition {
  ConfChangeTransitionAuto = 0,
  ConfChangeTransitionJointImplicit = 1,
  ConfChangeTransitionJointExplicit = 2,
}

/** The v1 change: one member at a time. `id` is the proposer's request ID. */
export interface ConfChange {
  id: bigint;
  type: ConfChangeType;
  nodeId: bigint;
  context: Uint8Array;
}

export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: bigint;
}

export interface ConfChangeV2 {
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  context: Uint8Array;
}

/** The "no member" ID: no leader, no vote. */
export const None = 0n;

const EMPTY = new Uint8Array(0);
/** Shared by every message without entries; frozen so nobody appends to it by mistake. */
const NO_ENTRIES: Entry[] = Object.freeze([]) as unknown as Entry[];

/** A message with every field present (one object shape, which keeps V8's property access fast). */
export function newMessage(f: Partial<Message> & { type: MessageType }): Message {
  return {
    type: f.type,
    to: f.to ?? None,
    from: f.from ?? None,
    term: f.term ?? 0,
    logTerm: f.logTerm ?? 0,
    index: f.index ?? 0,
    entries: f.entries ?? NO_ENTRIES,
    commit: f.commit ?? 0,
    vote: f.vote ?? None,
    snapshot: f.snapshot,
    reject: f.reject ?? false,
    rejectHint: f.rejectHint ?? 0,
    context: f.context ?? EMPTY,
  };
}

export function newEntry(f: Partial<Entry>): Entry {
  return { term: f.term ?? 0, index: f.index ?? 0, type: f.type ?? EntryType.EntryNormal, data: f.data ?? EMPTY };
}

export function emptyConfState(): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

export function emptySnapshot(): Snapshot {
  return { data: EMPTY, metadata: { confState: emptyConfState(), index: 0, term: 0 } };
}

export function emptyHardState(): HardState {
  return { term: 0, vote: None, commit: 0 };
}

export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === None && hs.commit === 0;
}

export function isEmptySnapshot(s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** A v1 change expressed as a v2 change, so the rest of raft knows only one shape. */
export function confChangeAsV2(cc: ConfChange | ConfChangeV2): ConfChangeV2 {
  if ('changes' in cc) return cc;
  return {
    transition: ConfChangeTransition.ConfChangeTransitionAuto,
    changes: [{ type: cc.type, nodeId: cc.nodeId }],
    context: cc.context,
  };
}

/** True when the change leaves a joint configuration (an empty v2 change). */
export function leavesJoint(cc: ConfChangeV2): boolean {
  return cc.changes.length === 0 && cc.transition === ConfChangeTransition.ConfChangeTransitionAuto;
}

/**
 * Whether the change enters a joint configuration, and if so whether raft leaves it
 * by itself (autoLeave). A single change with the Auto transition stays simple.
 */
export function entersJoint(cc: ConfChangeV2): { joint: boolean; autoLeave: boolean } {
  if (cc.transition !== ConfChangeTransition.ConfChangeTransitionAuto || cc.changes.length > 1) {
    switch (cc.transition) {
      case ConfChangeTransition.ConfChangeTransitionAuto:
      case ConfChangeTransition.ConfChangeTransitionJointImplicit:
        return { joint: true, autoLeave: true };
      default:
        return { joint: true, autoLeave: false };
    }
  }
  return { joint: false, autoLeave: false };
}

/** Messages that never leave the node: they drive it from the inside. */
export function isLocalMsg(t: MessageType): boolean {
  return (
    t === MessageType.MsgHup ||
    t === MessageType.MsgBeat ||
    t === MessageType.MsgUnreachable ||
    t === MessageType.MsgSnapStatus ||
    t === MessageType.MsgCheckQuorum
  );
}

export function isResponseMsg(t: MessageType): boolean {
  return (
    t === MessageType.MsgAppResp ||
    t === MessageType.MsgVoteResp ||
    t === MessageType.MsgHeartbeatResp ||
    t === MessageType.MsgUnreachable ||
    t === MessageType.MsgPreVoteResp
  );
}

export function voteRespMsgType(t: MessageType): MessageType {
  if (t === MessageType.MsgVote) return MessageType.MsgVoteResp;
  if (t === MessageType.MsgPreVote) return MessageType.MsgPreVoteResp;
  throw new Error(`raft: not a vote message: ${MessageType[t]}`);
}
