// launch: start each member under its runtime (restart it when render changed its files).
import type { AdmContext } from '../context';
import type { Phase } from '../phase';
import { startMember } from '../runtime';

export type LaunchContext = Pick<AdmContext, 'config' | 'host' | 'print' | 'changed'>;

export async function launchOnHost(ctx: LaunchContext, name: string): Promise<void> {
  const what = await startMember(ctx.host(name), ctx.config, { restart: ctx.changed.has(name) });
  const says = {
    started: 'started cairn',
    restarted: 'restarted cairn with its new files',
    running: 'cairn is already running',
    kubelet: `the kubelet starts the static pod from ${ctx.config.paths.manifestFile}`,
  };
  ctx.print(`[launch] ${name}: ${says[what]} (runtime ${ctx.config.runtime})`);
}

export function launchPhase<C extends LaunchContext>(): Phase<C> {
  return { name: 'launch', help: 'Start each member (systemd unit, static pod, or process supervisor)', runOnHost: launchOnHost, dependencies: ['certs', 'render', 'ship'] };
}
