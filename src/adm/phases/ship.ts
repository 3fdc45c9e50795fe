// ship: puts the cairn bundle and the Node runtime on each host under installDir, checks their
// sha256 there, and unpacks them; a host whose installed checksums match is left alone.
import { posix } from 'node:path';
import { shellQuote } from '../../ssh';
import type { AdmContext } from '../context';
import type { Bundle } from '../bundle';
import type { Phase } from '../phase';

export type ShipContext = Pick<AdmContext, 'config' | 'host' | 'print'> & { bundle(): Promise<Bundle> };

const SHIP_TIMEOUT_MS = 300_000;

/** What installDir/bundle.sha256 holds once the bundle is in place (sha256sum -c format). */
export function installedManifest(bundle: Bundle): string {
  return `${bundle.tarballSha256}  cairn-bundle.tar.gz\n${bundle.nodeSha256}  node\n`;
}

/** The launcher at installDir/bin/cairn: the shipped Node running the shipped cairn. */
export function launcherScript(installDir: string): string {
  return `#!/bin/sh\n# written by cairnadm: the cairn server on the Node runtime shipped with it\nexec ${shellQuote(posix.join(installDir, 'bin', 'node'))} ${shellQuote(posix.join(installDir, 'lib', 'dist', 'src', 'cli', 'cairn.js'))} "$@"\n`;
}

export async function shipToHost(ctx: ShipContext, name: string): Promise<void> {
  const host = ctx.host(name);
  const dir = ctx.config.paths.installDir;
  const bundle = await ctx.bundle();
  const uname = await host.exec('uname -sm', { timeoutMs: 30_000, readOnly: true });
  const platform = uname.stdout.trim();
  if (uname.code !== 0 || platform !== bundle.platform) {
    throw new Error(`host is ${platform || 'of unknown OS/arch'}, but the Node runtime cairnadm ships is ${bundle.platform}; run cairnadm from a ${platform || 'matching'} machine`);
  }
  const manifestFile = posix.join(dir, 'bundle.sha256');
  const manifest = installedManifest(bundle);
  const launcher = posix.join(dir, 'bin', 'cairn');
  if ((await host.exists(manifestFile)) && (await host.read(manifestFile)).toString('utf8') === manifest && (await host.exists(launcher))) {
    ctx.print(`[ship] ${name}: cairn bundle ${bundle.tarballSha256.slice(0, 12)} is already installed in ${dir}`);
    return;
  }
  const incoming = posix.join(dir, '.incoming');
  await host.upload(posix.join(incoming, 'cairn-bundle.tar.gz'), { localFile: bundle.tarball }, { mode: 0o644 });
  await host.upload(posix.join(incoming, 'node'), { localFile: bundle.node }, { mode: 0o755 });
  await host.upload(posix.join(incoming, 'bundle.sha256'), manifest, { mode: 0o644 });
  await host.upload(posix.join(incoming, 'cairn'), launcherScript(dir), { mode: 0o755 });
  const q = (p: string) => shellQuote(posix.join(dir, p));
  const script = [
    `cd ${shellQuote(incoming)}`,
    'sha256sum --quiet -c bundle.sha256',
    `rm -rf ${q('lib.new')} && mkdir -p ${q('lib.new')} ${q('bin')}`,
    `tar -xzf cairn-bundle.tar.gz -C ${q('lib.new')}`,
    `rm -rf ${q('lib')} && mv ${q('lib.new')} ${q('lib')}`,
    `mv node cairn ${q('bin')}/`,
    `mv bundle.sha256 ${shellQuote(manifestFile)}`,
    `cd / && rm -rf ${shellQuote(incoming)}`,
  ].join(' && ');
  const result = await host.exec(script, { timeoutMs: SHIP_TIMEOUT_MS });
  if (result.code !== 0) {
    const why = /FAILED|checksum/i.test(result.stdout + result.stderr) ? 'the copied files do not match their sha256 (a transfer error); re-run to copy them again' : (result.stderr.trim() || `exit ${result.code}`);
    throw new Error(`cannot install the cairn bundle in ${dir}: ${why}`);
  }
  ctx.print(`[ship] ${name}: installed cairn bundle ${bundle.tarballSha256.slice(0, 12)} and Node ${process.version} in ${dir}`);
}

export function shipPhase<C extends ShipContext>(): Phase<C> {
  return { name: 'ship', help: 'Copy cairn and its Node runtime to each host (checksum verified)', runOnHost: shipToHost };
}
