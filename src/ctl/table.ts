// The ASCII tables etcdctl draws with tablewriter: upper-case centred headers, right-aligned cells.

export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = header.map((h) => h.toUpperCase());
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const center = (text: string, w: number) => {
    const gap = w - text.length;
    const left = Math.floor(gap / 2);
    return ' '.repeat(left) + text + ' '.repeat(gap - left);
  };
  const out = [line, `|${head.map((h, i) => ` ${center(h, widths[i])} `).join('|')}|`, line];
  for (const row of rows) out.push(`|${widths.map((w, i) => ` ${(row[i] ?? '').padStart(w)} `).join('|')}|`);
  out.push(line);
  return `${out.join('\n')}\n`;
}
