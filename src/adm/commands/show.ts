// What init and join print at the end: the member list and the cairnctl line that reaches the cluster.
import { credentialPaths } from '../credentials';
import { clusterClient } from '../health';
import { listMembers, memberIdHex } from '../members';
import type { Session } from './session';

export function cairnctlLine(session: Session, endpoints: readonly string[]): string {
  const files = credentialPaths(session.config.paths.certificatesDir);
  return `cairnctl --endpoints ${endpoints.join(',')} --cacert ${files.caFile} --cert ${files.certFile} --key ${files.keyFile} member list -w table`;
}

export async function showCluster(session: Session, endpoints: string[]): Promise<void> {
  if (session.dryRun) return;
  const client = clusterClient(endpoints, await session.credentials());
  try {
    const members = await listMembers(client);
    session.print('\nMembers:');
    for (const m of members) session.print(`  ${memberIdHex(m.ID)}  ${m.name || '(unstarted)'}  ${m.peerURLs.join(',')}  ${m.clientURLs.join(',')}${m.isLearner ? '  learner' : ''}`);
  } finally {
    client.close();
  }
  const where = session.host(session.caHost).address === 'local' ? '' : ` (the files are on ${session.caHost}; copy them here, or run it there)`;
  session.print(`\nYour cairn cluster is up. Reach it with${where}:\n\n  ${cairnctlLine(session, endpoints)}\n`);
}
