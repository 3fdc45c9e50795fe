// preflight: every check on every host runs, and the results are reported together; a check named
// in --ignore-preflight-errors (or `all`) becomes a warning, as in kubeadm.
import { hostByName } from '../config';
import type { AdmContext } from '../context';
import { localPlatform } from '../bundle';
import type { Phase } from '../phase';
import { checkHost, type CheckResult } from '../preflight-checks';

export type PreflightContext = Pick<AdmContext, 'config' | 'host' | 'print'> & { targets: readonly string[]; ignorePreflightErrors: readonly string[] };

export function formatPreflight(results: readonly CheckResult[], ignored: readonly string[]): { warnings: string[]; errors: string[] } {
  const ignoredSet = new Set(ignored.map((n) => n.toLowerCase()));
  const isIgnored = (r: CheckResult) => ignoredSet.has('all') || ignoredSet.has(r.check.toLowerCase());
  const line = (kind: string, r: CheckResult) => `[${kind} ${r.check}] ${r.host}: ${r.message}`;
  return {
    warnings: results.filter((r) => r.level === 'warning' || isIgnored(r)).map((r) => line('WARNING', r)),
    errors: results.filter((r) => r.level === 'error' && !isIgnored(r)).map((r) => line('ERROR', r)),
  };
}

export async function runPreflight(ctx: PreflightContext): Promise<void> {
  const platform = localPlatform();
  const all = await Promise.all(ctx.targets.map((name) => checkHost(ctx.host(name), ctx.config, hostByName(ctx.config, name), { platform })));
  const { warnings, errors } = formatPreflight(all.flat(), ctx.ignorePreflightErrors);
  for (const w of warnings) ctx.print(`\t${w}`);
  if (errors.length > 0) {
    throw new Error(
      `[preflight] Some fatal errors occurred:\n${errors.map((e) => `\t${e}`).join('\n')}\n` +
        '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`',
    );
  }
  ctx.print(`[preflight] ${ctx.targets.join(', ')}: all checks passed`);
}

export function preflightPhase<C extends PreflightContext>(): Phase<C> {
  return { name: 'preflight', help: 'Run pre-flight checks on every host', run: runPreflight };
}
