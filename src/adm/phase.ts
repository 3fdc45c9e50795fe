// A phase is data, as kubeadm's workflow.Phase: a name, help, nested phases, what it runs and when.
// The runner (runner.ts) is the only code that walks phases; commands only list them.

export interface Phase<C> {
  /** short name; nested phases are known as parent/child */
  name: string;
  help: string;
  /** sub-phases, run in order after this phase's own run (kubeadm's Phases) */
  phases?: readonly Phase<C>[];
  /** work done once for the whole command */
  run?: (ctx: C) => Promise<void>;
  /** work done once per target host; the runner shows a line per host */
  runOnHost?: (ctx: C, host: string) => Promise<void>;
  /** the hosts runOnHost visits, in order (default: the command's targets), e.g. a leader last */
  hosts?: (ctx: C, targets: readonly string[]) => Promise<readonly string[]>;
  /** the phase is left out (shown as skipped) when this answers false */
  runIf?: (ctx: C) => boolean;
  /** full names of phases that must run before this one in the same run */
  dependencies?: readonly string[];
}

/** A phase with its full name (parent/child), as the runner and --skip-phases see it. */
export interface NamedPhase<C> {
  fullName: string;
  phase: Phase<C>;
  depth: number;
}

/** Every phase in run order, parents before their children. */
export function flattenPhases<C>(phases: readonly Phase<C>[], parent = '', depth = 0): NamedPhase<C>[] {
  const out: NamedPhase<C>[] = [];
  for (const phase of phases) {
    const fullName = parent ? `${parent}/${phase.name}` : phase.name;
    out.push({ fullName, phase, depth });
    out.push(...flattenPhases(phase.phases ?? [], fullName, depth + 1));
  }
  return out;
}

/** The phase tree as --help prints it (kubeadm's "The "init" command executes the following phases"). */
export function phaseTree<C>(phases: readonly Phase<C>[]): string {
  const named = flattenPhases(phases);
  const width = Math.max(...named.map((n) => n.depth * 2 + n.phase.name.length));
  return named.map((n) => `${'  '.repeat(n.depth)}${n.phase.name.padEnd(width - n.depth * 2)}  ${n.phase.help}`).join('\n');
}
