// cairnadm: kubeadm-style bootstrap of cairn clusters. Phases are data (phase.ts), one runner walks
// them (runner.ts); commands list phases (commands/); program.ts is the command line.
export type { Phase, NamedPhase } from './phase';
export { flattenPhases, phaseTree } from './phase';
export { runPhases, selectPhases, type RunOptions } from './runner';
export { AdmError, phaseError } from './errors';
export type { AdmContext } from './context';
export { admProgram, runAdm, terminalConfirm, type AdmIo } from './program';
export { buildBundle, localPlatform, productionModules, type Bundle } from './bundle';
export { hostPkiFiles, copyCaCertificate } from './pki-files';
export {
  addLearner,
  initialClusterOf,
  listMembers,
  memberAtPeerUrl,
  promoteWhenReady,
  removeMemberAt,
  removeMemberById,
  LEARNER_NOT_READY,
  PROMOTE_RETRY,
  type MembershipClient,
  type AddOutcome,
  type RemoveOutcome,
  type RetryOptions,
} from './members';
export { parseFacts, parseProcAddress, portClashes, dirCheckName, type CheckResult, type HostFacts } from './preflight-checks';
export { formatPreflight } from './phases/preflight';
export { processFiles, memberRunning, startMember, stopMember } from './runtime';
