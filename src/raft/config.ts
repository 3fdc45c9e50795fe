// Config of one raft member, checked in one place. Everything the member would otherwise
// take from its surroundings (randomness, logging) comes in here.
import { None } from './raftpb';
import { ReadOnlyOption } from './read-only';
import { Rng } from './rng';
import { Storage } from './storage';
import { RaftError } from './errors';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface Config {
  /** This member's ID; never 0. */
  id: bigint;
  /** Ticks without hearing from a leader before a follower campaigns (randomized up to 2x). */
  electionTick: number;
  /** Ticks between a leader's heartbeats; less than electionTick. */
  heartbeatTick: number;
  storage: Storage;
  /** Election jitter source: an integer in [0, n). */
  rng: Rng;
  /** The last applied index, when restarting; entries up to it are not handed out again. */
  applied?: number;
  /** Max bytes of entries per MsgApp (at least one entry is always sent). Default 1 MiB. */
  maxSizePerMsg?: number;
  /** Max bytes of committed entries handed out for applying and not yet applied. Default maxSizePerMsg. */
  maxCommittedSizePerReady?: number;
  /** Max bytes of uncommitted payload on the leader before proposals are dropped. Default unlimited. */
  maxUncommittedEntriesSize?: number;
  /** Max in-flight MsgApp per follower in replicate state. Default 256. */
  maxInflightMsgs?: number;
  /** Max in-flight bytes per follower (>= maxSizePerMsg). Default unlimited. */
  maxInflightBytes?: number;
  /** A leader that has not heard from a quorum within an election timeout steps down. Default true. */
  checkQuorum?: boolean;
  /** Campaign only after a pre-vote round would win (Raft thesis 9.6). Default true. */
  preVote?: boolean;
  readOnlyOption?: ReadOnlyOption;
  /** Followers drop proposals instead of forwarding them to the leader. */
  disableProposalForwarding?: boolean;
  /** Skip the leader's propose-time checks of conf changes (one pending, joint state). */
  disableConfChangeValidation?: boolean;
  /** A leader removed from the config (or demoted) steps down. Default true. */
  stepDownOnRemoval?: boolean;
  logger?: Logger;
}

export interface ValidConfig {
  id: bigint;
  electionTick: number;
  heartbeatTick: number;
  storage: Storage;
  rng: Rng;
  applied: number;
  maxSizePerMsg: number;
  maxCommittedSizePerReady: number;
  maxUncommittedEntriesSize: number;
  maxInflightMsgs: number;
  maxInflightBytes: number;
  checkQuorum: boolean;
  preVote: boolean;
  readOnlyOption: ReadOnlyOption;
  disableProposalForwarding: boolean;
  disableConfChangeValidation: boolean;
  stepDownOnRemoval: boolean;
  logger: Logger | undefined;
}

function invalid(msg: string): RaftError {
  return new RaftError('invalid-config', `raft: ${msg}`);
}

export function validateConfig(c: Config): ValidConfig {
  if (c.id === None) throw invalid('cannot use none as id');
  if (!Number.isInteger(c.heartbeatTick) || c.heartbeatTick <= 0) throw invalid('heartbeat tick must be greater than 0');
  if (!Number.isInteger(c.electionTick) || c.electionTick <= c.heartbeatTick) {
    throw invalid('election tick must be greater than heartbeat tick');
  }
  if (c.storage === undefined || c.storage === null) throw invalid('storage cannot be nil');
  if (typeof c.rng !== 'function') throw invalid('rng must be a function');
  const maxSizePerMsg = c.maxSizePerMsg ?? 1024 * 1024;
  const maxInflightMsgs = c.maxInflightMsgs ?? 256;
  if (maxInflightMsgs <= 0) throw invalid('max inflight messages must be greater than 0');
  const maxInflightBytes = c.maxInflightBytes ?? 0;
  if (maxInflightBytes !== 0 && maxInflightBytes < maxSizePerMsg) {
    throw invalid('max inflight bytes must be >= max message size');
  }
  const checkQuorum = c.checkQuorum ?? true;
  const readOnlyOption = c.readOnlyOption ?? ReadOnlyOption.ReadOnlySafe;
  if (readOnlyOption === ReadOnlyOption.ReadOnlyLeaseBased && !checkQuorum) {
    throw invalid('CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased');
  }
  return {
    id: c.id,
    electionTick: c.electionTick,
    heartbeatTick: c.heartbeatTick,
    storage: c.storage,
    rng: c.rng,
    applied: c.applied ?? 0,
    maxSizePerMsg,
    maxCommittedSizePerReady: c.maxCommittedSizePerReady || maxSizePerMsg || Infinity,
    maxUncommittedEntriesSize: c.maxUncommittedEntriesSize || Infinity,
    maxInflightMsgs,
    maxInflightBytes,
    checkQuorum,
    preVote: c.preVote ?? true,
    readOnlyOption,
    disableProposalForwarding: c.disableProposalForwarding ?? false,
    disableConfChangeValidation: c.disableConfChangeValidation ?? false,
    stepDownOnRemoval: c.stepDownOnRemoval ?? true,
    logger: c.logger,
  };
}
