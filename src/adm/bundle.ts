// The cairn bundle shipped to hosts: the built dist/src, package.json, bin/, templates/ and the
// production node_modules as one tarball, plus this machine's Node runtime. The tarball is
// reproducible (sorted, fixed times and owners), so its sha256 tells whether a host already has it;
// it is cached under the temp dir, keyed by the files' names, sizes and times.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { arch, tmpdir, type } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Bundle {
  tarball: string;
  tarballSha256: string;
  node: string;
  nodeSha256: string;
  /** `uname -sm` of the machines the bundle runs on, e.g. `Linux x86_64` */
  platform: string;
}

const UNAME_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ppc64: 'ppc64le', s390x: 's390x' };

/** This machine's `uname -sm`, from Node's own view (the runtime we ship is this one). */
export function localPlatform(): string {
  return `${type()} ${UNAME_ARCH[arch()] ?? arch()}`;
}

/** The repository (or installed package) root: the nearest directory above this file with a package.json. */
export function packageRoot(from = __dirname): string {
  let dir = from;
  for (let i = 0; i < 10; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`adm: no package.json above ${from}`);
}

/** node_modules/<name> of every production dependency, transitively (optional ones when installed). */
export function productionModules(root: string): string[] {
  const found = new Set<string>();
  const queue: string[] = [root];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const dir = queue.shift()!;
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: object; optionalDependencies?: object };
    for (const name of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]) {
      // a copy nested under the dependent travels inside it; a hoisted one is listed
      if (dir !== root && existsSync(path.join(dir, 'node_modules', name))) continue;
      const rel = path.join('node_modules', name);
      if (found.has(rel) || !existsSync(path.join(root, rel, 'package.json'))) continue;
      found.add(rel);
      queue.push(path.join(root, rel));
    }
  }
  return [...found].sort();
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Builds (or finds in the cache) the bundle of the cairn this cairnadm belongs to. */
export async function buildBundle(opts: { root?: string; cacheDir?: string } = {}): Promise<Bundle> {
  const root = opts.root ?? packageRoot();
  const entry = path.join(root, 'dist', 'src', 'cli', 'cairn.js');
  if (!existsSync(entry)) throw new Error(`adm: ${entry} is missing; build cairn first (npm run build)`);
  const members = ['package.json', 'bin', 'templates', path.join('dist', 'src'), ...productionModules(root)];
  const listing = await run('find', [...members, '-printf', '%p %s %T@\n'], { cwd: root, maxBuffer: 64 << 20 });
  const key = createHash('sha256').update(listing.stdout).digest('hex').slice(0, 16);
  const cacheDir = opts.cacheDir ?? path.join(tmpdir(), 'cairnadm-bundles');
  const tarball = path.join(cacheDir, `cairn-${key}.tar.gz`);
  if (!existsSync(tarball)) {
    await mkdir(cacheDir, { recursive: true });
    const partial = `${tarball}.${process.pid}.tmp`;
    try {
      await run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--use-compress-program=gzip -n -1', '-cf', partial, ...members], { cwd: root, maxBuffer: 16 << 20 });
      await rename(partial, tarball);
    } finally {
      await rm(partial, { force: true });
    }
  }
  const node = process.execPath;
  await stat(node);
  return { tarball, tarballSha256: await sha256File(tarball), node, nodeSha256: await sha256File(node), platform: localPlatform() };
}
