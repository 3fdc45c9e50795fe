// Metrics the edge itself owns: the results of the /livez and /readyz checks, and the process and
// Node runtime metrics (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_*), in a
// registry of their own that /metrics serves after the member's. (The member counts /health itself:
// etcd_server_health_success and etcd_server_health_failures are in its registry.)
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface EdgeMetrics {
  readonly registry: Registry;
  /** etcd_server_healthcheck{type,name}: 1 when the last check of that name passed, else 0. */
  readonly healthCheck: Gauge<'type' | 'name'>;
  readonly healthChecksTotal: Counter<'type' | 'name' | 'status'>;
}

export function createEdgeMetrics(): EdgeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    healthCheck: new Gauge({ name: 'etcd_server_healthcheck', help: 'Result of the last check of each kind (1 passed, 0 failed).', labelNames: ['type', 'name'], registers: [registry] }),
    healthChecksTotal: new Counter({ name: 'etcd_server_healthchecks_total', help: 'Checks run, by kind and result.', labelNames: ['type', 'name', 'status'], registers: [registry] }),
  };
}

/** The Prometheus text of several registries, one after the other. */
export async function metricsText(registries: readonly Registry[]): Promise<string> {
  const texts = await Promise.all(registries.map((r) => r.metrics()));
  return texts.filter((t) => t.trim() !== '').map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('');
}
