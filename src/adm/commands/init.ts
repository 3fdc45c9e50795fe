// cairnadm init: bootstrap a new cluster on the target hosts (one host: a single member; several:
// a cluster of all of them, started together with initial-cluster-state new).
import { peerUrl, hostByName } from '../config';
import type { Phase } from '../phase';
import { certsPhase } from '../phases/certs';
import { launchPhase } from '../phases/launch';
import { preflightPhase } from '../phases/preflight';
import { renderPhase } from '../phases/render';
import { shipPhase } from '../phases/ship';
import { waitHealthyPhase } from '../phases/wait-healthy';
import type { Session } from './session';

export function initPhases(): Phase<Session>[] {
  return [preflightPhase(), certsPhase(), renderPhase(), shipPhase(), launchPhase(), waitHealthyPhase()];
}

/** Every target starts into a cluster of all targets. */
export function planInit(session: Session): void {
  const members = session.targets.map((name) => ({ name, peerUrl: peerUrl(hostByName(session.config, name)) }));
  for (const name of session.targets) session.initialCluster.set(name, { members, state: 'new' });
}
