// etcdctl takes Go-style boolean flags (`--prefix=true`, `--hex=false`), which commander does not;
// this rewrites them before parsing. Every boolean flag defaults to false except the two that
// default to true, which commander takes as explicit values.
const TRUE_BY_DEFAULT = new Set(['insecure-transport', 'insecure-discovery']);
const GO_BOOL = /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/;
const GO_TRUE = /^(1|t|T|TRUE|true|True)$/;

/** Names of the flags that take a value; `--name=true` on those is a value, not a boolean. */
export function normaliseBoolFlags(argv: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m || valueFlags.has(m[1])) {
      out.push(arg);
      continue;
    }
    const [, name, value] = m;
    if (TRUE_BY_DEFAULT.has(name)) {
      out.push(`--${name}=${value ?? 'true'}`);
    } else if (value === undefined) {
      out.push(arg);
    } else if (GO_BOOL.test(value)) {
      if (GO_TRUE.test(value)) out.push(`--${name}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}
