// What the HTTP endpoints need from the member they report on. EtcdServer (src/server) has this shape;
// declaring it here keeps the endpoints testable and their dependency narrow.
import type { Registry } from 'prom-client';

export interface HealthQuery {
  /** Alarm names (NOSPACE, CORRUPT) that do not count against health, as `/health?exclude=NOSPACE`. */
  excludedAlarms?: string[];
  /** Check the local member only: no leader needed, a serializable read instead of a linearizable one. */
  serializable?: boolean;
}

export interface HealthReport {
  health: boolean;
  /** Why not healthy, in etcd's words: `RAFT NO LEADER`, `ALARM NOSPACE`, `RANGE ERROR:...`. */
  reason: string;
}

export interface MemberVersions {
  etcdserver: string;
  etcdcluster: string;
  cairn: string;
}

export interface HttpMember {
  health(options?: HealthQuery): Promise<HealthReport>;
  /** False until the member serves (and while it is a learner). */
  isReady(): boolean;
  versions(): MemberVersions;
  readonly metrics: Registry;
}
