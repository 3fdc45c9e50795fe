// The member's HTTP endpoints (/health, /livez, /readyz, /version, /metrics) with etcd's answers.
export { createHttpHandler } from './handler';
export type { HttpHandler, HttpHandlerOptions, EndpointSet } from './handler';
export { createEdgeMetrics, metricsText } from './edge-metrics';
export type { EdgeMetrics } from './edge-metrics';
export { runProbe, probeChecks } from './probes';
export type { ProbeKind, ProbeResult } from './probes';
export type { HttpMember, HealthQuery, HealthReport, MemberVersions } from './member';
