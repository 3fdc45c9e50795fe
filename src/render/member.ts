// The files one member needs under each runtime.
import { renderConfigFile } from './config-file';
import type { MemberRenderInput, Runtime } from './input';
import { renderStaticPod } from './static-pod';
import { renderSystemdUnit } from './systemd';

export interface RenderedFile {
  path: string;
  content: string;
  mode: number;
}

/**
 * systemd: the config file and the unit that runs `cairn --config-file`; process: the config
 * file alone (cairnadm's supervisor runs the same command); static-pod: the manifest, whose
 * command line carries the flags, as kubeadm's does (0600, as kubeadm writes it).
 */
export function renderMember(input: MemberRenderInput, options: { runtime: Runtime }): RenderedFile[] {
  switch (options.runtime) {
    case 'systemd':
      return [
        { path: input.configFile, content: renderConfigFile(input), mode: 0o644 },
        { path: input.unitFile, content: renderSystemdUnit(input), mode: 0o644 },
      ];
    case 'process':
      return [{ path: input.configFile, content: renderConfigFile(input), mode: 0o644 }];
    case 'static-pod':
      return [{ path: input.manifestFile, content: renderStaticPod(input), mode: 0o600 }];
  }
}
