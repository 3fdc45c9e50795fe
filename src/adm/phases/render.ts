// render: each host's files for its runtime (config file, unit or static pod manifest), written
// only when they differ from what the host has; a host whose files changed is restarted by launch.
import { renderMember } from '../../render';
import { memberRenderInput } from '../config';
import type { AdmContext } from '../context';
import type { Phase } from '../phase';

export type RenderContext = Pick<AdmContext, 'config' | 'host' | 'print' | 'initialCluster' | 'changed'>;

export async function renderOnHost(ctx: RenderContext, name: string): Promise<void> {
  const host = ctx.host(name);
  const start = ctx.initialCluster.get(name);
  const input = memberRenderInput(ctx.config, name, { initialCluster: start?.members, initialClusterState: start?.state });
  for (const file of renderMember(input, { runtime: ctx.config.runtime })) {
    const current = (await host.exists(file.path)) ? (await host.read(file.path)).toString('utf8') : undefined;
    if (current === file.content) {
      ctx.print(`[render] ${name}: ${file.path} is up to date`);
      continue;
    }
    await host.upload(file.path, file.content, { mode: file.mode });
    ctx.changed.add(name);
    ctx.print(`[render] ${name}: wrote ${file.path}`);
  }
}

export function renderPhase<C extends RenderContext>(): Phase<C> {
  return { name: 'render', help: `Write each member's config file, systemd unit or static pod manifest`, runOnHost: renderOnHost };
}
