// A configuration whose only host cannot be reached (127.0.0.99, a port nothing listens on), for
// the bad-input tests of every command.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../support/ports';

export async function unreachableHostConfig(dir: string): Promise<string> {
  const key = join(dir, 'id_ed25519');
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const file = join(dir, 'unreachable.yaml');
  const [port] = await freePorts(1);
  writeFileSync(file, `apiVersion: cairnadm/v1alpha1\nkind: ClusterConfiguration\nruntime: process\nssh:\n  privateKeyFile: ${key}\n  knownHostsFile: ${dir}/known_hosts\n  connectTimeout: 3s\nhosts:\n- name: cp-9\n  address: 127.0.0.99\n  port: ${port}\n`);
  return file;
}
