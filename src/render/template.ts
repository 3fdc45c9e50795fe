// The template language, kept small. YAML templates are valid YAML documents: a string that is
// exactly "{{key}}" becomes the value itself (any type), "{{key}}" inside a longer string becomes
// the value's text, and the tree is dumped again by js-yaml, so no value can break the syntax.
// Text templates (the systemd unit) take single-line text values only.
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { RenderError } from './errors';

export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };
export type TemplateValues = Readonly<Record<string, TemplateValue>>;

const WHOLE = /^\{\{([A-Za-z][A-Za-z0-9]*)\}\}$/;
const INLINE = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

function lookup(values: TemplateValues, key: string, where: string): TemplateValue {
  if (!Object.prototype.hasOwnProperty.call(values, key)) throw new RenderError(`${where}: no value for placeholder {{${key}}}`);
  return values[key];
}

function inlineText(value: TemplateValue, key: string, where: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new RenderError(`${where}: placeholder {{${key}}} inside text needs a scalar value`);
}

function fill(node: unknown, values: TemplateValues, where: string): unknown {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) return structuredClone(lookup(values, whole[1], where));
    return node.replace(INLINE, (_m, key: string) => inlineText(lookup(values, key, where), key, where));
  }
  if (Array.isArray(node)) return node.map((item) => fill(item, values, where));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, values, where)]));
  }
  return node;
}

/** Loads a YAML template and fills its placeholders; returns the document as data. */
export function fillYamlTemplate(source: string, values: TemplateValues, name = 'template'): Record<string, unknown> {
  const doc = yaml.load(source, { filename: name });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new RenderError(`${name}: a YAML template must be a mapping`);
  return fill(doc, values, name) as Record<string, unknown>;
}

/** Dumps data as block YAML; lines are never folded, so long URLs stay on one line. */
export function dumpYaml(doc: unknown, options: { sortKeys?: boolean } = {}): string {
  return yaml.dump(doc, { lineWidth: -1, noRefs: true, noArrayIndent: true, sortKeys: options.sortKeys ?? false });
}

/** Fills a text template. Values must be single-line: a newline could add directives. */
export function fillTextTemplate(source: string, values: TemplateValues, name = 'template'): string {
  return source.replace(INLINE, (_m, key: string) => {
    const text = inlineText(lookup(values, key, name), key, name);
    if (/[\r\n\0]/.test(text)) throw new RenderError(`${name}: value of {{${key}}} must be a single line`);
    return text;
  });
}

/** Drops the template's own leading comment lines (they describe the template, not the output). */
export function stripLeadingComments(source: string): string {
  const lines = source.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].startsWith('#')) i++;
  return lines.slice(i).join('\n');
}

/** The repository's templates/ directory: the nearest one above this file (from src/ or dist/src/). */
function templatesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(candidate, 'cairn.conf.yaml'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new RenderError(`templates directory not found above ${__dirname}`);
}

const cache = new Map<string, string>();

/** The text of templates/<name>, read once. */
export function loadTemplate(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(templatesDir(), name), 'utf8');
    cache.set(name, text);
  }
  return text;
}
