// What `cairn --version` prints, in etcd's shape: the program's version, the etcd version it serves,
// the Git commit it was built from (when run from a checkout) and the runtime.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { etcdServerVersion, readCairnVersion } from '../server';

function packageRoot(start: string): string | undefined {
  let dir = start;
  for (let i = 0; i < 10; i++) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  return undefined;
}

/** The commit of the checkout cairn runs from, or undefined (a shipped bundle has no .git). */
export function gitSha(root = packageRoot(__dirname)): string | undefined {
  if (root === undefined) return undefined;
  try {
    const head = readFileSync(join(root, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    try {
      return readFileSync(join(root, '.git', ref), 'utf8').trim();
    } catch {
      const packed = readFileSync(join(root, '.git', 'packed-refs'), 'utf8');
      return packed.split('\n').find((line) => line.endsWith(` ${ref}`))?.split(' ')[0];
    }
  } catch {
    return undefined;
  }
}

export function cairnVersionText(): string {
  const sha = gitSha();
  return [
    `cairn Version: ${readCairnVersion()}`,
    `etcd Version: ${etcdServerVersion}`,
    `Git SHA: ${sha === undefined ? 'Not provided' : sha.slice(0, 7)}`,
    `Node Version: ${process.version}`,
    `Node OS/Arch: ${process.platform}/${process.arch}`,
    '',
  ].join('\n');
}
