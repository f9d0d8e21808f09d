import type { AccessMatrix } from './matrix';

/** Pads columns to equal width, two spaces apart, without trailing spaces. */
export function alignColumns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** The class as shown in text: special-category classes get a `*`. */
function classLabel(className: string, sensitivity: string | null): string {
  return sensitivity === 'special-category' ? `${className} *` : className;
}

/**
 * The matrix as a terminal table: one line per field (partner, field, class) with one
 * column per audience; `*` marks special-category data.
 */
export function renderTable(matrix: AccessMatrix): string {
  const header = ['partner', 'field', 'class', ...matrix.audiences.map((a) => a.name)];
  const rows = matrix.rows.map((row) => [row.partner, row.coordinate, classLabel(row.className, row.sensitivity), ...matrix.audiences.map((a) => row.cells[a.name]!.text)]);
  const rule = header.map((_, i) => '-'.repeat(Math.max(...[header, ...rows].map((r) => r[i]!.length))));
  return [
    `Access matrix: policy ${matrix.policy.version} (hash ${matrix.policy.hash}) from ${matrix.policy.file}, supergraph ${matrix.supergraph}`,
    '',
    ...alignColumns([header, rule, ...rows]),
    '',
    '* special-category data',
    '',
  ].join('\n');
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The matrix as Markdown: a section per partner with a table of its fields by audience. */
export function renderMarkdown(matrix: AccessMatrix): string {
  const lines = [
    '# Access matrix',
    '',
    `Policy \`${matrix.policy.version}\` (hash \`${matrix.policy.hash}\`) from \`${matrix.policy.file}\`, supergraph \`${matrix.supergraph}\`.`,
    'Fields of special-category classes are marked **special category**.',
    '',
    '| audience | roles |',
    '|---|---|',
    ...matrix.audiences.map((a) => `| ${a.name} | ${a.roles.join(', ')} |`),
  ];
  for (const partner of matrix.partners) {
    lines.push('', `## ${partner}`, '', `| field | class | ${matrix.audiences.map((a) => a.name).join(' | ')} |`, `|---|---|${matrix.audiences.map(() => '---|').join('')}`);
    for (const row of matrix.rows.filter((r) => r.partner === partner)) {
      const className = row.sensitivity === 'special-category' ? `${row.className} **special category**` : row.className;
      lines.push(`| \`${row.coordinate}\` | ${className} | ${matrix.audiences.map((a) => markdownCell(row.cells[a.name]!.text)).join(' | ')} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** The matrix as JSON (stable key order, two-space indent). */
export function renderJson(matrix: AccessMatrix): string {
  return `${JSON.stringify(matrix, null, 2)}\n`;
}
