// Membership changes as pure functions: copy the current config and progress map, apply
// a simple or joint change to the copy, check the invariants, return the new pair (or
// throw). raft installs the result in one step (switchToConfig), so a half-applied
// change cannot exist.
import { ConfChangeSingle, ConfChangeType, ConfState } from './raftpb';
import { Inflights, Progress, ProgressMap, ProgressTracker, TrackerConfig } from './tracker';

export interface ChangeResult {
  config: TrackerConfig;
  progress: ProgressMap;
}

export interface Changer {
  tracker: ProgressTracker;
  /** The last index of the log, where new members' progress starts probing. */
  lastIndex: number;
}

function confErr(msg: string): Error {
  return new Error(`raft: ${msg}`);
}

function isJoint(cfg: TrackerConfig): boolean {
  return cfg.voters[1].size > 0;
}

function checkAndCopy(c: Changer): ChangeResult {
  const config = c.tracker.config.clone();
  const progress: ProgressMap = new Map();
  for (const [id, pr] of c.tracker.progress) progress.set(id, pr.clone());
  checkInvariants(config, progress);
  return { config, progress };
}

function checkInvariants(cfg: TrackerConfig, trk: ProgressMap): void {
  for (const ids of [cfg.voters[0], cfg.voters[1], cfg.learners, cfg.learnersNext]) {
    for (const id of ids) if (!trk.has(id)) throw confErr(`no progress for ${id}`);
  }
  for (const id of cfg.learnersNext) {
    if (!cfg.voters[1].has(id)) throw confErr(`${id} is in LearnersNext, but not Voters[1]`);
    if (trk.get(id)!.isLearner) throw confErr(`${id} is in LearnersNext, but is already marked as learner`);
  }
  for (const id of cfg.learners) {
    if (cfg.voters[1].has(id)) throw confErr(`${id} is in Learners and Voters[1]`);
    if (cfg.voters[0].has(id)) throw confErr(`${id} is in Learners and Voters[0]`);
    if (!trk.get(id)!.isLearner) throw confErr(`${id} is in Learners, but is not marked as learner`);
  }
  if (!isJoint(cfg)) {
    if (cfg.learnersNext.size > 0) throw confErr('cfg.LearnersNext must be empty when not joint');
    if (cfg.autoLeave) throw confErr('AutoLeave must be false when not joint');
  }
}

function initProgress(c: Changer, cfg: TrackerConfig, trk: ProgressMap, id: bigint, isLearner: boolean): void {
  if (isLearner) cfg.learners.add(id);
  else cfg.voters[0].add(id);
  trk.set(
    id,
    new Progress({
      match: 0,
      // Probing starts at the last index: a fresh member answers with its real log end.
      next: Math.max(c.lastIndex, 1),
      inflights: new Inflights(c.tracker.maxInflight, c.tracker.maxInflightBytes),
      isLearner,
      // Counted active so a leader does not step down (CheckQuorum) right after adding it.
      recentActive: true,
    }),
  );
}

function remove(cfg: TrackerConfig, trk: ProgressMap, id: bigint): void {
  if (!trk.has(id)) return;
  cfg.voters[0].delete(id);
  cfg.learners.delete(id);
  cfg.learnersNext.delete(id);
  // Still a voter in the outgoing config: its progress is needed until the joint config is left.
  if (!cfg.voters[1].has(id)) trk.delete(id);
}

function makeVoter(c: Changer, cfg: TrackerConfig, trk: ProgressMap, id: bigint): void {
  const pr = trk.get(id);
  if (pr === undefined) {
    initProgress(c, cfg, trk, id, false);
    return;
  }
  pr.isLearner = false;
  cfg.learners.delete(id);
  cfg.learnersNext.delete(id);
  cfg.voters[0].add(id);
}

function makeLearner(c: Changer, cfg: TrackerConfig, trk: ProgressMap, id: bigint): void {
  const pr = trk.get(id);
  if (pr === undefined) {
    initProgress(c, cfg, trk, id, true);
    return;
  }
  if (pr.isLearner) return;
  remove(cfg, trk, id);
  trk.set(id, pr);
  // A demoted voter of the outgoing config becomes a learner only when the joint config is left.
  if (cfg.voters[1].has(id)) {
    cfg.learnersNext.add(id);
  } else {
    pr.isLearner = true;
    cfg.learners.add(id);
  }
}

function apply(c: Changer, cfg: TrackerConfig, trk: ProgressMap, ccs: ConfChangeSingle[]): void {
  for (const cc of ccs) {
    if (cc.nodeId === 0n) continue; // etcd ignores changes for node 0
    switch (cc.type) {
      case ConfChangeType.ConfChangeAddNode:
        makeVoter(c, cfg, trk, cc.nodeId);
        break;
      case ConfChangeType.ConfChangeAddLearnerNode:
        makeLearner(c, cfg, trk, cc.nodeId);
        break;
      case ConfChangeType.ConfChangeRemoveNode:
        remove(cfg, trk, cc.nodeId);
        break;
      case ConfChangeType.ConfChangeUpdateNode:
        break;
      default:
        throw confErr(`unexpected conf type ${cc.type}`);
    }
  }
  if (cfg.voters[0].size === 0) throw confErr('removed all voters');
}

function symdiff(l: Set<bigint>, r: Set<bigint>): number {
  let n = 0;
  for (const id of l) if (!r.has(id)) n++;
  for (const id of r) if (!l.has(id)) n++;
  return n;
}

function done(res: ChangeResult): ChangeResult {
  checkInvariants(res.config, res.progress);
  return res;
}

/** Enters a joint config: the old voters become the outgoing half, the changes make the incoming half. */
export function enterJoint(c: Changer, opts: { autoLeave: boolean; changes: ConfChangeSingle[] }): ChangeResult {
  const res = checkAndCopy(c);
  const cfg = res.config;
  if (isJoint(cfg)) throw confErr('config is already joint');
  if (cfg.voters[0].size === 0) throw confErr("can't make a zero-voter config joint");
  cfg.voters[1] = new Set(cfg.voters[0]);
  apply(c, cfg, res.progress, opts.changes);
  cfg.autoLeave = opts.autoLeave;
  return done(res);
}

/** Leaves a joint config: the incoming half alone decides from now on. */
export function leaveJoint(c: Changer): ChangeResult {
  const res = checkAndCopy(c);
  const cfg = res.config;
  if (!isJoint(cfg)) throw confErr("can't leave a non-joint config");
  for (const id of cfg.learnersNext) {
    cfg.learners.add(id);
    res.progress.get(id)!.isLearner = true;
  }
  cfg.learnersNext = new Set();
  for (const id of cfg.voters[1]) {
    if (!cfg.voters[0].has(id) && !cfg.learners.has(id)) res.progress.delete(id);
  }
  cfg.voters[1] = new Set();
  cfg.autoLeave = false;
  return done(res);
}

/** A change that moves at most one voter, applied directly (no joint config). */
export function simpleChange(c: Changer, changes: ConfChangeSingle[]): ChangeResult {
  const res = checkAndCopy(c);
  if (isJoint(res.config)) throw confErr("can't apply simple config change in joint config");
  apply(c, res.config, res.progress, changes);
  if (symdiff(c.tracker.config.voters[0], res.config.voters[0]) > 1) {
    throw confErr('more than one voter changed without entering joint config');
  }
  return done(res);
}

/**
 * Rebuilds the config a ConfState describes, by replaying it as changes from an empty
 * config (the outgoing voters first, then a joint step to the incoming ones).
 */
export function restoreConfState(c: Changer, cs: ConfState): ChangeResult {
  const add = (type: ConfChangeType, ids: bigint[]): ConfChangeSingle[] => ids.map((nodeId) => ({ type, nodeId }));
  const outgoing = add(ConfChangeType.ConfChangeAddNode, cs.votersOutgoing);
  const incoming = [
    ...add(ConfChangeType.ConfChangeRemoveNode, cs.votersOutgoing),
    ...add(ConfChangeType.ConfChangeAddNode, cs.voters),
    ...add(ConfChangeType.ConfChangeAddLearnerNode, cs.learners),
    ...add(ConfChangeType.ConfChangeAddLearnerNode, cs.learnersNext),
  ];
  const tracker = new ProgressTracker(c.tracker.maxInflight, c.tracker.maxInflightBytes);
  let cur: Changer = { tracker, lastIndex: c.lastIndex };
  const step = (res: ChangeResult): void => {
    tracker.setConfig(res.config, res.progress);
    cur = { tracker, lastIndex: c.lastIndex };
  };
  if (outgoing.length === 0) {
    for (const cc of incoming) step(simpleChange(cur, [cc]));
  } else {
    for (const cc of outgoing) step(simpleChange(cur, [cc]));
    step(enterJoint(cur, { autoLeave: cs.autoLeave, changes: incoming }));
  }
  return { config: tracker.config, progress: tracker.progress };
}

export function describeChanges(ccs: ConfChangeSingle[]): string {
  return ccs.map((cc) => `${ConfChangeType[cc.type]}(${cc.nodeId})`).join(' ');
}
