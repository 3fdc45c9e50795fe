// Finds and ends the processes of one test host. Each host runs in its own mount namespace, so every
// process started through it (the sshd, its sessions, a daemon a test launched there) shares that
// namespace, even after it left sshd's process group or session: that identity is what stop() kills.
import { readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 50;

/** "mnt:[4026532201]" for a live process, undefined when it is gone (or a zombie). */
export function mountNamespaceOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

export function processesInNamespace(namespace: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (mountNamespaceOf(pid) === namespace) pids.push(pid);
  }
  return pids;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM everything in the namespace, wait up to graceMs, then SIGKILL what is left (bounded too). */
export async function endNamespace(namespace: string, graceMs: number): Promise<number[]> {
  if (namespace === mountNamespaceOf('self')) throw new Error('sshd-hosts: refusing to end our own mount namespace');
  signalAll(processesInNamespace(namespace), 'SIGTERM');
  for (let waited = 0; waited < graceMs; waited += POLL_MS) {
    if (processesInNamespace(namespace).length === 0) return [];
    await sleep(POLL_MS);
  }
  signalAll(processesInNamespace(namespace), 'SIGKILL');
  for (let waited = 0; waited < graceMs; waited += POLL_MS) {
    if (processesInNamespace(namespace).length === 0) return [];
    await sleep(POLL_MS);
  }
  return processesInNamespace(namespace);
}

/** For a process that is exiting: no waiting possible, so SIGKILL at once. */
export function killNamespaceNow(namespace: string): void {
  if (namespace === mountNamespaceOf('self')) return;
  signalAll(processesInNamespace(namespace), 'SIGKILL');
}
