// Lines of the fields of a YAML document. js-yaml has no syntax tree, but its listener reports
// every node it composes, opening in document order and closing after its children; rebuilding
// that nesting gives, for each mapping, alternating key and value nodes with their lines.
import * as yaml from 'js-yaml';

interface PosNode {
  line: number;
  result?: unknown;
  children: PosNode[];
}

/** Field path (`hosts[1].address`, '' for the root) to 1-based line. */
export type LineMap = Map<string, number>;

export function buildLineMap(source: string, filename?: string): { doc: unknown; lines: LineMap } {
  const root: PosNode = { line: 0, children: [] };
  const stack: PosNode[] = [root];
  const doc = yaml.load(source, {
    filename,
    listener(event, state) {
      if (event === 'open') {
        stack.push({ line: state.line, children: [] });
      } else {
        const node = stack.pop();
        if (!node) return;
        node.result = state.result;
        stack[stack.length - 1].children.push(node);
      }
    },
  });
  const lines: LineMap = new Map();
  const walk = (node: PosNode, path: string): void => {
    if (!lines.has(path)) lines.set(path, node.line + 1);
    if (Array.isArray(node.result)) {
      node.children.forEach((child, i) => walk(child, `${path}[${i}]`));
    } else if (node.result !== null && typeof node.result === 'object') {
      for (let i = 0; i + 1 < node.children.length; i += 2) {
        const key = String(node.children[i].result);
        const child = `${path === '' ? '' : `${path}.`}${key}`;
        lines.set(child, node.children[i].line + 1); // the key's line, where a reader looks
        walk(node.children[i + 1], child);
      }
    }
  };
  if (root.children[0]) walk(root.children[0], '');
  return { doc, lines };
}

/** The line of a field, or of its nearest ancestor that has one. */
export function lineOf(lines: LineMap, path: string): number | undefined {
  let p = path;
  for (;;) {
    const line = lines.get(p);
    if (line !== undefined) return line;
    if (p === '') return undefined;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut < 0 ? '' : p.slice(0, cut);
  }
}
