// Small DOM helpers: every value from the service is set as text, never parsed as HTML.

/** h('a', {href: '#/x', class: 'c'}, 'text', child) */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function text(value) {
  if (value === undefined || value === null || value === '') return '—';
  return String(value);
}

export function number(value, digits = 0) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  return Number(value).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function when(value) {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function badge(value, kind) {
  if (value === undefined || value === null || value === '') return '—';
  const label = String(value);
  return h('span', { class: 'badge ' + (kind ?? String(value ?? '').toLowerCase().replace(/[^a-z]+/g, '-')) }, label);
}

export function table(columns, rows, options = {}) {
  const head = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.title))));
  const body = h('tbody', {}, rows.length === 0
    ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, options.empty ?? 'Nothing here.'))
    : rows.map((row) => h('tr', { 'data-key': options.key ? options.key(row) : null }, columns.map((c) => h('td', { class: c.numeric ? 'num' : null }, c.cell(row))))));
  return h('table', { class: 'grid', id: options.id }, head, body);
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v instanceof Node ? v : text(v))]));
}

export function pre(value) {
  return h('pre', { class: 'json' }, value === undefined || value === null ? '—' : JSON.stringify(value, null, 2));
}
