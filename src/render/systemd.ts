// The systemd unit: rendered from templates/cairn.service with ExecStart quoted as systemd parses
// it, then parsed back and checked.
import type { MemberRenderInput } from './input';
import { fillTextTemplate, loadTemplate, stripLeadingComments } from './template';
import { RenderError } from './errors';

const PLAIN_WORD = /^[A-Za-z0-9_\-./=:,@+]+$/;

/** Quotes argv for ExecStart: double quotes with C escapes where needed; % and $ doubled. */
export function quoteSystemdArgs(argv: readonly string[]): string {
  return argv
    .map((arg) => {
      if (/[\r\n\0]/.test(arg)) throw new RenderError(`argument ${JSON.stringify(arg)} spans lines`);
      const word = PLAIN_WORD.test(arg) ? arg : `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      return word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
    })
    .join(' ');
}

/** Splits an ExecStart value into argv, undoing quoteSystemdArgs; refuses unescaped % and $. */
export function splitSystemdArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  const special = (c: string): string => {
    if (line[i + 1] === c) {
      i += 2;
      return c;
    }
    throw new RenderError(`ExecStart has an unescaped ${c} (systemd would expand it)`);
  };
  while (i < n) {
    while (i < n && line[i] === ' ') i++;
    if (i >= n) break;
    let word = '';
    if (line[i] === '"') {
      i++;
      while (i < n && line[i] !== '"') {
        if (line[i] === '\\') {
          word += line[i + 1];
          i += 2;
        } else if (line[i] === '%' || line[i] === '$') word += special(line[i]);
        else word += line[i++];
      }
      if (i >= n) throw new RenderError('ExecStart has an unterminated quote');
      i++;
    } else {
      while (i < n && line[i] !== ' ') {
        if (line[i] === '%' || line[i] === '$') word += special(line[i]);
        else word += line[i++];
      }
    }
    args.push(word);
  }
  return args;
}

export type UnitSections = Record<string, Record<string, string[]>>;

/** INI-style sections of a unit file; a key may repeat, so each maps to its list of values. */
export function parseSystemdUnit(text: string): UnitSections {
  const sections: UnitSections = {};
  let current: Record<string, string[]> | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq <= 0) throw new RenderError(`unit line ${index + 1}: ${JSON.stringify(raw)} is neither a section nor key=value`);
    (current[line.slice(0, eq).trim()] ??= []).push(line.slice(eq + 1).trim());
  }
  return sections;
}

/** How the systemd and process runtimes start a member: cairn reading its config file. */
export function configFileCommand(input: MemberRenderInput): string[] {
  return [input.cairnBinary, `--config-file=${input.configFile}`];
}

export function renderSystemdUnit(input: MemberRenderInput): string {
  const argv = configFileCommand(input);
  const text =
    '# Written by cairnadm.\n' +
    fillTextTemplate(
      stripLeadingComments(loadTemplate('cairn.service')),
      { name: input.name.replace(/%/g, '%%'), execStart: quoteSystemdArgs(argv) },
      'cairn.service',
    );
  const problems = checkSystemdUnit(text, argv);
  if (problems.length > 0) throw new RenderError(`rendered systemd unit of ${input.name} is invalid: ${problems.join('; ')}`);
  return text;
}

/** Everything wrong with a unit: missing sections or keys, or an ExecStart other than `argv`. */
export function checkSystemdUnit(text: string, argv: readonly string[]): string[] {
  let sections: UnitSections;
  try {
    sections = parseSystemdUnit(text);
  } catch (err) {
    return [(err as Error).message];
  }
  const problems: string[] = [];
  for (const name of ['Unit', 'Service', 'Install']) if (!sections[name]) problems.push(`[${name}]: missing`);
  const exec = sections.Service?.ExecStart ?? [];
  if (exec.length !== 1) problems.push(`ExecStart: expected once, found ${exec.length} times`);
  else {
    try {
      const parsed = splitSystemdArgs(exec[0]);
      if (JSON.stringify(parsed) !== JSON.stringify(argv)) problems.push(`ExecStart: parses as ${JSON.stringify(parsed)}, expected ${JSON.stringify(argv)}`);
      if (!parsed[0]?.startsWith('/')) problems.push('ExecStart: the executable must be an absolute path');
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (!sections.Install?.WantedBy) problems.push('WantedBy: missing');
  return problems;
}
