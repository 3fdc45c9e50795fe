// /livez and /readyz, the probes of etcd 3.4.45 and later (kubeadm points the kubelet at them):
// named checks, each listed as `[+]name ok` or `[-]name failed: reason`; `?exclude=name` skips one,
// `?verbose` lists them on success too, and /livez/<name> runs one check alone.
import type { HttpMember } from './member';

export type ProbeKind = 'livez' | 'readyz';

/** A check: resolves to undefined when it passes, else to the reason. */
type Check = (member: HttpMember) => Promise<string | undefined>;

const checks: Record<string, Check> = {
  data_corruption: async (member) => {
    const report = await member.health({ serializable: true, excludedAlarms: ['NOSPACE'] });
    return report.reason.startsWith('ALARM CORRUPT') ? 'alarm activated: CORRUPT' : undefined;
  },
  serializable_read: async (member) => {
    const report = await member.health({ serializable: true, excludedAlarms: ['NOSPACE', 'CORRUPT'] });
    return report.health ? undefined : report.reason;
  },
  linearizable_read: async (member) => {
    // A learner (or a member still starting) cannot serve linearizable reads, so it is not ready.
    if (!member.isReady()) return 'member is not ready to serve (starting, or a learner)';
    const report = await member.health({ excludedAlarms: ['NOSPACE', 'CORRUPT'] });
    return report.health ? undefined : report.reason;
  },
};

export const probeChecks: Record<ProbeKind, readonly string[]> = {
  livez: ['serializable_read'],
  readyz: ['data_corruption', 'serializable_read', 'linearizable_read'],
};

export interface ProbeResult {
  readonly ok: boolean;
  /** One `[+]name ok` / `[-]name failed: reason` line per check run. */
  readonly lines: readonly string[];
  readonly results: ReadonlyArray<{ name: string; failure: string | undefined }>;
}

/** Runs the named checks of a probe in their fixed order. */
export async function runProbe(member: HttpMember, names: readonly string[]): Promise<ProbeResult> {
  const results = await Promise.all(names.map(async (name) => {
    let failure: string | undefined;
    try {
      failure = await checks[name](member);
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    return { name, failure };
  }));
  return {
    ok: results.every((r) => r.failure === undefined),
    lines: results.map((r) => (r.failure === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.failure}`)),
    results,
  };
}
