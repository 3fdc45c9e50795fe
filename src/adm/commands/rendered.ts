// Reading back what cairnadm rendered on a host earlier.
import * as yaml from 'js-yaml';
import type { ClusterMember } from '../../render';
import type { Host } from '../../ssh';

/** The initial-cluster of the config file on the host, or undefined when there is none. */
export async function renderedInitialCluster(host: Host, configFile: string): Promise<ClusterMember[] | undefined> {
  if (!(await host.exists(configFile))) return undefined;
  const doc = yaml.load((await host.read(configFile)).toString('utf8')) as Record<string, unknown> | null;
  const value = doc?.['initial-cluster'];
  if (typeof value !== 'string' || value === '') return undefined;
  return value.split(',').map((pair) => {
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), peerUrl: pair.slice(at + 1) };
  });
}
