import type { AccessMatrix, MatrixRow } from './matrix';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
:root { color-scheme: light; --allowed: #1b7a3a; --conditional: #9a6400; --denied: #b3261e; --line: #d9d9de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d1d22; background: #fafafc; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 12px 24px; z-index: 1; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta, .legend { color: #55555f; margin: 2px 0; }
form { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin: 8px 0 4px; }
select, input[type=search] { font: inherit; padding: 3px 6px; }
main { padding: 0 24px 32px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; background: #fff; border: 1px solid var(--line); }
col.field { width: 34%; } col.class { width: 22%; } col.audience { width: 16%; } col.decision { width: 28%; }
td { overflow-wrap: anywhere; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: #f0f0f4; font-weight: 600; }
tr.type-row th { background: #f6f6f9; font-weight: 600; padding-top: 8px; }
td.field code { font-size: 13px; }
tr.special td.field { border-left: 4px solid var(--denied); }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 8px; background: #fde7e4; color: var(--denied); margin-left: 6px; white-space: nowrap; }
td.decision { font-weight: 600; }
td.decision .why { font-weight: 400; color: #55555f; font-size: 12px; }
[data-decision=allowed] { color: var(--allowed); }
[data-decision=conditional] { color: var(--conditional); }
[data-decision=denied] { color: var(--denied); }
.count { color: #55555f; }
[hidden] { display: none !important; }
`;

const SCRIPT = `
(function () {
  var audience = document.getElementById('audience-filter');
  var sensitive = document.getElementById('sensitive-only');
  var search = document.getElementById('field-filter');
  var count = document.getElementById('shown-count');
  function apply() {
    var a = audience.value, s = sensitive.checked, q = search.value.trim().toLowerCase(), shown = 0;
    document.querySelectorAll('tr.access').forEach(function (row) {
      var hide = (a && row.dataset.audience !== a) || (s && row.dataset.sensitivity !== 'special-category') ||
        (q && row.dataset.field.toLowerCase().indexOf(q) < 0);
      row.hidden = !!hide;
      if (!hide) shown++;
    });
    document.querySelectorAll('tbody.type').forEach(function (group) {
      group.hidden = !group.querySelector('tr.access:not([hidden])');
    });
    document.querySelectorAll('section.partner').forEach(function (section) {
      section.hidden = !section.querySelector('tr.access:not([hidden])');
    });
    count.textContent = shown + ' shown';
    var hash = a ? '#audience=' + encodeURIComponent(a) : '';
    if (location.hash !== hash) history.replaceState(null, '', hash || location.pathname + location.search);
  }
  function fromAddress() {
    var match = /audience=([^&]+)/.exec(location.hash);
    audience.value = match ? decodeURIComponent(match[1]) : '';
    if (audience.selectedIndex < 0) audience.value = '';
    apply();
  }
  window.addEventListener('hashchange', fromAddress);
  audience.addEventListener('change', apply);
  sensitive.addEventListener('change', apply);
  search.addEventListener('input', apply);
  fromAddress();
})();
`;

function rowsHtml(matrix: AccessMatrix, row: MatrixRow): string[] {
  const special = row.sensitivity === 'special-category';
  const classCell = `${escapeHtml(row.className)}${special ? '<span class="badge" title="special category of personal data (GDPR art. 9)">special category</span>' : ''}`;
  const owners = row.partners.length > 1 ? ` title="resolved by ${escapeHtml(row.partners.join(', '))}"` : '';
  return matrix.audiences.map((audience) => {
    const cell = row.cells[audience.name]!;
    const why = cell.decision === 'denied' ? cell.rules.join(', ') : cell.decision === 'conditional' ? `${cell.condition ?? ''} (${cell.rules.join(', ')})` : cell.rules.join(', ');
    return (
      `<tr class="access${special ? ' special' : ''}" data-audience="${escapeHtml(audience.name)}" data-field="${escapeHtml(row.coordinate)}" ` +
      `data-class="${escapeHtml(row.className)}" data-sensitivity="${escapeHtml(row.sensitivity ?? 'undefined')}">` +
      `<td class="field"${owners}><code>${escapeHtml(row.coordinate)}</code></td><td class="class">${classCell}</td>` +
      `<td class="audience">${escapeHtml(audience.name)}</td>` +
      `<td class="decision" data-decision="${cell.decision}">${cell.decision}<div class="why">${escapeHtml(why)}</div></td></tr>`
    );
  });
}

/**
 * The matrix as one self-contained HTML page (inline CSS and JS, no external resources):
 * a section per partner, a block per type, one row per field and audience; filterable by
 * audience (`#audience-filter`, also from `#audience=<name>` in the URL), by
 * special-category data and by field name. Special-category fields carry a visible badge;
 * every decision cell has `data-decision` (allowed, conditional, denied).
 */
export function renderHtml(matrix: AccessMatrix): string {
  const title = `Access matrix - policy ${matrix.policy.version}`;
  const options = matrix.audiences
    .map((a) => `<option value="${escapeHtml(a.name)}">${escapeHtml(a.name)} (${escapeHtml(a.roles.join(', '))})</option>`)
    .join('');
  const sections = matrix.partners.map((partner) => {
    const rows = matrix.rows.filter((row) => row.partner === partner);
    const types = [...new Set(rows.map((row) => row.typeName))];
    const bodies = types.map((typeName) => {
      const typeRows = rows.filter((row) => row.typeName === typeName);
      return `<tbody class="type" data-type="${escapeHtml(typeName)}"><tr class="type-row"><th colspan="4">${escapeHtml(typeName)}</th></tr>\n${typeRows.flatMap((row) => rowsHtml(matrix, row)).join('\n')}\n</tbody>`;
    });
    const label = partner === 'shared' ? 'shared (resolved by several partners)' : partner;
    return (
      `<section class="partner" data-partner="${escapeHtml(partner)}"><h2>${escapeHtml(label)}</h2>\n` +
      `<table><colgroup><col class="field"><col class="class"><col class="audience"><col class="decision"></colgroup><thead><tr><th>field</th><th>class</th><th>audience</th><th>decision</th></tr></thead>\n${bodies.join('\n')}\n</table></section>`
    );
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Access matrix</h1>
<p class="meta">Policy <code>${escapeHtml(matrix.policy.version)}</code> (hash <code>${escapeHtml(matrix.policy.hash)}</code>) from <code>${escapeHtml(matrix.policy.file)}</code>, supergraph <code>${escapeHtml(matrix.supergraph)}</code>: ${matrix.rows.length} classified fields, ${matrix.audiences.length} audiences.</p>
<form id="filters" onsubmit="return false">
<label>Audience <select id="audience-filter"><option value="">all audiences</option>${options}</select></label>
<label><input type="checkbox" id="sensitive-only"> only special-category data</label>
<label>Field <input type="search" id="field-filter" placeholder="e.g. Person.medical"></label>
<span class="count" id="shown-count"></span>
</form>
<p class="legend"><span data-decision="allowed">allowed</span>: always returned; <span data-decision="conditional">conditional</span>: only for the stated purpose, organisation or consent; <span data-decision="denied">denied</span>: never returned (null with FORBIDDEN), with the rule that denies it. <span class="badge">special category</span> marks medical and other special-category data.</p>
</header>
<main>
${sections.join('\n')}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
