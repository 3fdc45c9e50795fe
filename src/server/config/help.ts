// `cairn --help`: etcd's flags by group, each with its default, generated from the flag table.
import { flagTable, type FlagGroup } from './flag-table';

const groupTitles: Record<FlagGroup, string> = {
  member: 'Member',
  clustering: 'Clustering',
  security: 'Security',
  auth: 'Auth',
  monitoring: 'Profiling and monitoring',
  logging: 'Logging',
  proxy: 'v2 proxy (etcd only)',
  experimental: 'Experimental',
  unsafe: 'Unsafe',
  deprecated: 'Deprecated',
};

export function usageText(program: string): string {
  const lines = [
    'Usage:',
    '',
    `  ${program} [flags]            start a member`,
    `  ${program} --version          print versions and exit`,
    `  ${program} --config-file FILE read etcd's YAML configuration (other flags and ETCD_* variables are then ignored)`,
    `  ${program} -h | --help        print this help`,
    '',
    'Every flag can also be set as an ETCD_* variable: --data-dir is ETCD_DATA_DIR.',
    'Flags marked (ignored) are accepted for etcd compatibility and have no effect; flags marked',
    '(unsupported) are accepted only at their default value.',
  ];
  for (const group of Object.keys(groupTitles) as FlagGroup[]) {
    const specs = flagTable.filter((spec) => spec.group === group && spec.name !== 'config-file' && spec.name !== 'version');
    if (specs.length === 0) continue;
    lines.push('', `${groupTitles[group]}:`);
    for (const spec of specs) {
      const mark = spec.support === 'ignored' ? ' (ignored)' : spec.support === 'unsupported' ? ' (unsupported)' : '';
      lines.push(`  --${spec.name} '${spec.defaultValue}'${mark}`, `      ${spec.usage}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
