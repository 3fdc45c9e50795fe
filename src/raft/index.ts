// src/raft: a pure, deterministic Raft consensus core modelled on etcd-io/raft. No I/O,
// no timers, no clock, no Math.random: tick() is the clock, Config.rng the randomness.
export {
  EntryType,
  MessageType,
  ConfChangeType,
  ConfChangeTransition,
  None,
  newMessage,
  newEntry,
  emptyConfState,
  emptySnapshot,
  emptyHardState,
  isEmptyHardState,
  isEmptySnapshot,
  confChangeAsV2,
} from './raftpb';
export type {
  Entry,
  Message,
  HardState,
  ConfState,
  Snapshot,
  SnapshotMetadata,
  ConfChange,
  ConfChangeSingle,
  ConfChangeV2,
} from './raftpb';
export {
  encodeMessage,
  decodeMessage,
  encodeEntry,
  decodeEntry,
  encodeHardState,
  decodeHardState,
  encodeConfState,
  decodeConfState,
  encodeSnapshot,
  decodeSnapshot,
  encodeConfChange,
  decodeConfChange,
  encodeConfChangeV2,
  decodeConfChangeV2,
  entrySize,
} from './codec';
export { RaftError, isRaftError } from './errors';
export type { RaftErrorCode } from './errors';
export { MemoryStorage } from './storage';
export type { Storage, InitialState } from './storage';
export type { Config, Logger } from './config';
export { ReadOnlyOption } from './read-only';
export { seededRng } from './rng';
export type { Rng } from './rng';
export { StateType } from './raft';
export type { SoftState, ReadState } from './raft';
export { RawNode } from './rawnode';
export type { Ready, Status, ProgressStatus, Peer, SnapshotStatus } from './rawnode';
export { ProgressState } from './tracker';
export {
  describeEntry,
  describeEntries,
  describeMessage,
  describeHardState,
  describeSoftState,
  describeConfState,
  describeSnapshot,
  describeReady,
  describeId,
} from './describe';
