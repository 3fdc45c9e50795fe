// Runs a command's phases in order through listr2: a line per phase, and under a per-host phase a
// line per host. The runner names nested phases parent/child, applies --skip-phases, runs one phase
// alone for `<command> phase <name>`, checks dependencies first, and turns a failure into an error
// naming the phase and the host.
import { Listr, type ListrTask } from 'listr2';
import { AdmError, phaseError } from './errors';
import { flattenPhases, type NamedPhase, type Phase } from './phase';

export interface RunOptions {
  /** full phase names to leave out (a parent takes its children with it) */
  skipPhases?: readonly string[];
  /** run only this phase and its children (`cairnadm init phase certs`) */
  only?: string;
  /** the hosts a per-host phase runs on */
  targets: readonly string[];
  /** listr2 renderer: default (a live task list on a terminal), simple (a line per event), silent */
  renderer?: 'default' | 'simple' | 'silent';
}

function under(name: string, parent: string): boolean {
  return name === parent || name.startsWith(`${parent}/`);
}

/** The phases this run executes, after --skip-phases and `phase <name>`; unknown names are errors. */
export function selectPhases<C>(phases: readonly Phase<C>[], opts: Pick<RunOptions, 'skipPhases' | 'only'>): NamedPhase<C>[] {
  const all = flattenPhases(phases);
  const names = all.map((n) => n.fullName);
  for (const name of [...(opts.skipPhases ?? []), ...(opts.only ? [opts.only] : [])]) {
    if (!names.includes(name)) throw new AdmError(`unknown phase ${JSON.stringify(name)} (phases: ${names.join(', ')})`);
  }
  const skipped = (n: NamedPhase<C>) => (opts.skipPhases ?? []).some((s) => under(n.fullName, s));
  const selected = all.filter((n) => (!opts.only || under(n.fullName, opts.only)) && !skipped(n));
  if (!opts.only) {
    // a full run may not leave out what a remaining phase needs
    const chosen = new Set(selected.map((n) => n.fullName));
    for (const n of selected) {
      for (const dep of n.phase.dependencies ?? []) {
        if (!names.includes(dep)) throw new AdmError(`phase ${n.fullName} depends on unknown phase ${dep}`);
        if (!chosen.has(dep)) throw new AdmError(`phase ${n.fullName} needs phase ${dep}, which --skip-phases leaves out; skip both or neither`);
      }
    }
  }
  return selected;
}

function taskFor<C>(n: NamedPhase<C>, ctx: C, targets: readonly string[]): ListrTask {
  const { phase, fullName } = n;
  return {
    title: fullName,
    skip: () => (phase.runIf && !phase.runIf(ctx) ? `${fullName} (not needed)` : false),
    task: async (_c, task) => {
      if (phase.run) {
        try {
          await phase.run(ctx);
        } catch (err) {
          throw phaseError(err, fullName);
        }
      }
      const runOnHost = phase.runOnHost;
      if (!runOnHost) return;
      let hosts = targets;
      try {
        if (phase.hosts) hosts = await phase.hosts(ctx, targets);
      } catch (err) {
        throw phaseError(err, fullName);
      }
      return task.newListr(
        hosts.map((host) => ({
          title: host,
          task: async () => {
            try {
              await runOnHost(ctx, host);
            } catch (err) {
              throw phaseError(err, fullName, host);
            }
          },
        })),
        { concurrent: false, exitOnError: true },
      );
    },
  };
}

/** Runs the selected phases in order; the first failure stops the run and is thrown as an AdmError. */
export async function runPhases<C>(phases: readonly Phase<C>[], ctx: C, opts: RunOptions): Promise<string[]> {
  const selected = selectPhases(phases, opts);
  const list = new Listr(
    selected.map((n) => taskFor(n, ctx, opts.targets)),
    {
      concurrent: false,
      exitOnError: true,
      renderer: opts.renderer ?? 'default',
      fallbackRenderer: 'simple',
      rendererOptions: { collapseSubtasks: false, collapseErrors: false, showErrorMessage: false },
    } as never,
  );
  await list.run();
  return selected.map((n) => n.fullName);
}
