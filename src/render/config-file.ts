// The etcd-style config file: rendered from templates/cairn.conf.yaml, extra flags placed into
// it under their config-file keys, then parsed back and checked against etcd 3.4's key table.
import * as yaml from 'js-yaml';
import { ETCD_CONFIG_KEYS, SECURITY_KEYS, placeFlag, typeProblem } from './etcd-keys';
import { DEFAULT_SNAPSHOT_COUNT, MemberRenderInput, memberUrls } from './input';
import { dumpYaml, fillYamlTemplate, loadTemplate } from './template';
import { RenderError } from './errors';

const HEADER = "# Written by cairnadm: this member's configuration in etcd's --config-file format.\n";

const REQUIRED = [
  'name',
  'data-dir',
  'listen-client-urls',
  'advertise-client-urls',
  'listen-peer-urls',
  'initial-advertise-peer-urls',
  'initial-cluster',
  'initial-cluster-token',
  'initial-cluster-state',
];

export function renderConfigFile(input: MemberRenderInput): string {
  const urls = memberUrls(input);
  const { probeHost: _probeHost, ...urlValues } = urls;
  const doc = fillYamlTemplate(
    loadTemplate('cairn.conf.yaml'),
    {
      ...urlValues,
      name: input.name,
      dataDir: input.dataDir,
      certificatesDir: input.certificatesDir,
      initialClusterToken: input.initialClusterToken,
      initialClusterState: input.initialClusterState,
      snapshotCount: DEFAULT_SNAPSHOT_COUNT,
    },
    'cairn.conf.yaml',
  );
  for (const [flag, value] of Object.entries(input.extraArgs)) {
    const placed = placeFlag(flag, value);
    if (placed.key.section) (doc[placed.key.section] as Record<string, unknown>)[placed.key.key] = placed.value;
    else doc[placed.key.key] = placed.value;
  }
  const text = HEADER + dumpYaml(doc);
  const problems = checkConfigFile(text);
  if (problems.length > 0) throw new RenderError(`rendered config file of ${input.name} is invalid: ${problems.join('; ')}`);
  return text;
}

function checkSection(name: string, value: unknown, problems: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${name}: must be a mapping`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const type = SECURITY_KEYS[key];
    if (!type) problems.push(`${name}.${key}: unknown key`);
    else {
      const p = typeProblem(v, type);
      if (p) problems.push(`${name}.${key}: ${p}`);
    }
  }
}

/** Parses a config file and lists everything etcd 3.4 would reject or silently ignore. */
export function checkConfigFile(text: string): string[] {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    return [`not YAML: ${(err as Error).message.split('\n')[0]}`];
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return ['must be a YAML mapping'];
  const cfg = doc as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(cfg)) {
    if (key === 'client-transport-security' || key === 'peer-transport-security') checkSection(key, value, problems);
    else if (!(key in ETCD_CONFIG_KEYS)) problems.push(`${key}: unknown key (etcd would ignore it)`);
    else {
      const p = typeProblem(value, ETCD_CONFIG_KEYS[key]);
      if (p) problems.push(`${key}: ${p}`);
    }
  }
  for (const key of REQUIRED) if (!(key in cfg)) problems.push(`${key}: required`);
  if (problems.length > 0) return problems;

  if (cfg['initial-cluster-state'] !== 'new' && cfg['initial-cluster-state'] !== 'existing') {
    problems.push(`initial-cluster-state: must be new or existing`);
  }
  const advertised = String(cfg['initial-advertise-peer-urls']).split(',');
  const members = String(cfg['initial-cluster']).split(',').map((m) => m.split('='));
  for (const m of members) {
    if (m.length !== 2 || m[0] === '' || typeProblem(m[1], 'urls')) problems.push(`initial-cluster: ${JSON.stringify(m.join('='))} is not name=URL`);
  }
  if (!members.some(([name, url]) => name === cfg.name && advertised.includes(url))) {
    problems.push(`initial-cluster: has no entry ${String(cfg.name)}=<one of initial-advertise-peer-urls>`);
  }
  const tls = (section: string, urlKeys: string[]): void => {
    const https = urlKeys.some((k) => String(cfg[k]).includes('https://'));
    const s = (cfg[section] ?? {}) as Record<string, unknown>;
    if (https && !s['auto-tls'] && (!s['cert-file'] || !s['key-file'])) problems.push(`${section}: https URLs need cert-file and key-file`);
  };
  tls('client-transport-security', ['listen-client-urls', 'advertise-client-urls']);
  tls('peer-transport-security', ['listen-peer-urls', 'initial-advertise-peer-urls']);
  return problems;
}
