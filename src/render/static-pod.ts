// The kubelet static pod manifest in kubeadm's shape: the etcd command line built as kubeadm's
// getEtcdCommand builds it (defaults, then extra flags override, sorted by name), rendered from
// templates/etcd-pod.yaml with sorted keys as kubeadm's serializer writes them, then checked.
import * as yaml from 'js-yaml';
import { FlagValue, configKeyOfFlag, flagText, placeFlag } from './etcd-keys';
import { DEFAULT_SNAPSHOT_COUNT, MemberRenderInput, memberUrls } from './input';
import { dumpYaml, fillYamlTemplate, loadTemplate } from './template';
import { RenderError } from './errors';

export const ADVERTISE_ANNOTATION = 'kubeadm.kubernetes.io/etcd.advertise-client-urls';

/** The member's flags: our defaults with the extra flags laid over them. */
export function memberFlags(input: MemberRenderInput): Record<string, FlagValue> {
  const urls = memberUrls(input);
  const etcdDir = `${input.certificatesDir}/etcd`;
  const flags: Record<string, FlagValue> = {
    name: input.name,
    'data-dir': input.dataDir,
    'listen-client-urls': urls.listenClientUrls,
    'advertise-client-urls': urls.advertiseClientUrls,
    'listen-peer-urls': urls.listenPeerUrls,
    'initial-advertise-peer-urls': urls.initialAdvertisePeerUrls,
    'listen-metrics-urls': urls.listenMetricsUrls,
    'initial-cluster': urls.initialCluster,
    'initial-cluster-state': input.initialClusterState,
    'initial-cluster-token': input.initialClusterToken,
    'snapshot-count': DEFAULT_SNAPSHOT_COUNT,
    'cert-file': `${etcdDir}/server.crt`,
    'key-file': `${etcdDir}/server.key`,
    'trusted-ca-file': `${etcdDir}/ca.crt`,
    'client-cert-auth': true,
    'peer-cert-file': `${etcdDir}/peer.crt`,
    'peer-key-file': `${etcdDir}/peer.key`,
    'peer-trusted-ca-file': `${etcdDir}/ca.crt`,
    'peer-client-cert-auth': true,
  };
  for (const [flag, value] of Object.entries(input.extraArgs)) {
    placeFlag(flag, value); // refuses an unknown flag or a value of the wrong type
    flags[flag] = value;
  }
  return flags;
}

/** The command line: the executable, then `--flag=value` sorted by flag name. */
export function memberCommand(input: MemberRenderInput): string[] {
  const flags = memberFlags(input);
  return [input.cairnBinary, ...Object.keys(flags).sort().map((f) => flagText(f, flags[f]))];
}

/** A --wal-dir outside the data dir, which the pod must mount too; undefined when there is none. */
export function separateWalDir(flags: Record<string, FlagValue>): string | undefined {
  const walDir = flags['wal-dir'];
  const dataDir = String(flags['data-dir']);
  if (typeof walDir !== 'string' || walDir === '' || walDir === dataDir || walDir.startsWith(`${dataDir.replace(/\/$/, '')}/`)) return undefined;
  return walDir;
}

/** Where the kubelet probes, from the first metrics URL (kubeadm's GetEtcdProbeEndpoint). */
function probeEndpoint(metricsUrls: string, fallbackHost: string): { host: string; port: number; scheme: 'HTTP' | 'HTTPS' } {
  const url = new URL(metricsUrls.split(',')[0]);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || fallbackHost;
  return { host, port: Number(url.port || 2381), scheme: url.protocol === 'https:' ? 'HTTPS' : 'HTTP' };
}

export function renderStaticPod(input: MemberRenderInput): string {
  const urls = memberUrls(input);
  const command = memberCommand(input);
  const metrics = String(memberFlags(input)['listen-metrics-urls']);
  const probe = probeEndpoint(metrics, urls.probeHost);
  const doc = fillYamlTemplate(
    loadTemplate('etcd-pod.yaml'),
    {
      advertiseClientUrls: urls.advertiseClientUrls,
      command,
      image: input.image,
      probeHost: probe.host,
      metricsPort: probe.port,
      dataDir: input.dataDir,
      certificatesDir: input.certificatesDir,
      installDir: input.installDir,
    },
    'etcd-pod.yaml',
  );
  const spec = doc.spec as { containers: (Record<string, unknown> & { volumeMounts: unknown[] })[]; volumes: unknown[] };
  const container = spec.containers[0];
  for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) (container[p] as { httpGet: { scheme: string } }).httpGet.scheme = probe.scheme;
  const walDir = separateWalDir(memberFlags(input));
  if (walDir !== undefined) {
    container.volumeMounts.push({ mountPath: walDir, name: 'etcd-wal' });
    spec.volumes.push({ hostPath: { path: walDir, type: 'DirectoryOrCreate' }, name: 'etcd-wal' });
  }
  const text = dumpYaml(doc, { sortKeys: true });
  const problems = checkStaticPod(text);
  if (problems.length > 0) throw new RenderError(`rendered static pod of ${input.name} is invalid: ${problems.join('; ')}`);
  return text;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Everything that keeps a manifest from being kubeadm's etcd pod running a valid member. */
export function checkStaticPod(text: string): string[] {
  let doc: Obj;
  try {
    doc = obj(yaml.load(text));
  } catch (err) {
    return [`not YAML: ${(err as Error).message.split('\n')[0]}`];
  }
  const problems: string[] = [];
  const expect = (path: string, actual: unknown, wanted: unknown): void => {
    if (actual !== wanted) problems.push(`${path}: is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  expect('apiVersion', doc.apiVersion, 'v1');
  expect('kind', doc.kind, 'Pod');
  const meta = obj(doc.metadata);
  expect('metadata.name', meta.name, 'etcd');
  expect('metadata.namespace', meta.namespace, 'kube-system');
  expect('metadata.labels.component', obj(meta.labels).component, 'etcd');
  expect('metadata.labels.tier', obj(meta.labels).tier, 'control-plane');
  const spec = obj(doc.spec);
  expect('spec.hostNetwork', spec.hostNetwork, true);
  expect('spec.priorityClassName', spec.priorityClassName, 'system-node-critical');
  expect('spec.securityContext.seccompProfile.type', obj(obj(spec.securityContext).seccompProfile).type, 'RuntimeDefault');
  const containers = list(spec.containers);
  expect('spec.containers length', containers.length, 1);
  const c = obj(containers[0]);
  const command = list(c.command);
  if (command.length < 2 || !command.every((a) => typeof a === 'string')) {
    problems.push('spec.containers[0].command: must be a list of strings');
    return problems;
  }
  const flags = new Map<string, string>();
  for (const arg of command.slice(1) as string[]) {
    const m = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    if (!m || !configKeyOfFlag(m[1])) problems.push(`command: ${JSON.stringify(arg)} is not an etcd 3.4 flag`);
    else flags.set(m[1], m[2]);
  }
  for (const f of ['name', 'data-dir', 'listen-client-urls', 'advertise-client-urls', 'listen-peer-urls', 'initial-advertise-peer-urls', 'initial-cluster', 'listen-metrics-urls']) {
    if (!flags.has(f)) problems.push(`command: --${f} missing`);
  }
  expect(`metadata.annotations["${ADVERTISE_ANNOTATION}"]`, obj(meta.annotations)[ADVERTISE_ANNOTATION], flags.get('advertise-client-urls'));
  for (const [probe, path] of [['livenessProbe', '/livez'], ['readinessProbe', '/readyz'], ['startupProbe', '/readyz']]) {
    const get = obj(obj(c[probe]).httpGet);
    expect(`${probe}.httpGet.path`, get.path, path);
    if (!Number.isInteger(get.port)) problems.push(`${probe}.httpGet.port: must be a number`);
  }
  const volumes = new Map(list(spec.volumes).map((v) => [obj(v).name, obj(obj(v).hostPath).path]));
  for (const name of ['etcd-data', 'etcd-certs']) if (!volumes.has(name)) problems.push(`spec.volumes: ${name} missing`);
  for (const m of list(c.volumeMounts).map(obj)) {
    if (volumes.get(m.name) !== m.mountPath) problems.push(`volumeMounts ${String(m.name)}: no hostPath volume at ${String(m.mountPath)}`);
  }
  expect('etcd-data volume', volumes.get('etcd-data'), flags.get('data-dir'));
  const walDir = separateWalDir(Object.fromEntries(flags));
  if (walDir !== undefined && !list(c.volumeMounts).some((m) => obj(m).mountPath === walDir)) problems.push(`--wal-dir ${walDir} is not mounted`);
  return problems;
}
