// Health of a member as an operator checks it: GET /health on its client URL with the
// healthcheck-client certificate, then Status through the client. Bounded retries.
import { etcdserverpb } from '../api';
import { EtcdClient, httpGet, type HttpAnswer } from '../client';
import { joinHostPort } from '../render';
import type { ClusterCredentials } from './credentials';
import { messageOf } from './errors';
import type { HostConfig } from './config';

export function clientUrl(h: HostConfig): string {
  return `https://${joinHostPort(h.advertiseAddress, h.ports.client)}`;
}

/** One /health request; resolves with etcd's answer body, rejects on a transport error. */
export function getHealth(url: string, creds: ClusterCredentials, timeoutMs = 5_000): Promise<HttpAnswer> {
  return httpGet(new URL('/health', url).href, { caFile: creds.caFile, certFile: creds.certFile, keyFile: creds.keyFile }, timeoutMs);
}

export function clusterClient(endpoints: string[], creds: ClusterCredentials): EtcdClient {
  return new EtcdClient({ endpoints, tls: { caFile: creds.caFile, certFile: creds.certFile, keyFile: creds.keyFile }, dialTimeoutMs: 3_000, commandTimeoutMs: 10_000 });
}

export interface WaitOptions {
  attempts: number;
  intervalMs: number;
}

export const HEALTH_WAIT: WaitOptions = { attempts: 60, intervalMs: 1_000 };

/** Waits until the member answers /health with health true and Status without errors; the last problem is thrown. */
export async function waitMemberHealthy(url: string, creds: ClusterCredentials, opts: WaitOptions = HEALTH_WAIT): Promise<etcdserverpb.StatusResponse> {
  let last = 'no answer yet';
  const client = clusterClient([url], creds);
  try {
    for (let attempt = 1; attempt <= opts.attempts; attempt++) {
      try {
        const health = await getHealth(url, creds);
        const ok = health.status === 200 && (JSON.parse(health.body) as { health?: string }).health === 'true';
        if (!ok) last = `/health answered ${health.status} ${health.body.trim()}`;
        else {
          const status = await client.unary(etcdserverpb.MaintenanceService.status, {}, { timeoutMs: 5_000 });
          if (status.errors.length === 0) return status;
          last = `status reports ${status.errors.join('; ')}`;
        }
      } catch (err) {
        last = messageOf(err);
      }
      if (attempt < opts.attempts) await new Promise((r) => setTimeout(r, opts.intervalMs));
    }
  } finally {
    client.close();
  }
  throw new Error(`member at ${url} is not healthy after ${opts.attempts} checks ${opts.intervalMs} ms apart: ${last}`);
}

/** Waits until the member no longer answers /health (it has stopped); the wait is bounded. */
export async function waitMemberDown(url: string, creds: ClusterCredentials, opts: WaitOptions = HEALTH_WAIT): Promise<void> {
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      await getHealth(url, creds, 2_000);
    } catch {
      return;
    }
    if (attempt < opts.attempts) await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
  throw new Error(`member at ${url} still answers after ${opts.attempts} checks ${opts.intervalMs} ms apart; it did not stop`);
}
