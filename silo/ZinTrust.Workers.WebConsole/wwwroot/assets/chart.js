// Line charts drawn as SVG (no library, nothing fetched from elsewhere).
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attributes) {
  const element = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, String(v));
  return element;
}

/**
 * series: [{ name, points: [{ x: Date|number, y: number }], unit }]; options: { max, height, label }.
 * Draws each series on one time axis, with its last value in the legend.
 */
export function lineChart(series, options = {}) {
  const width = 640;
  const height = options.height ?? 180;
  const pad = { left: 40, right: 10, top: 10, bottom: 22 };
  const all = series.flatMap((s) => s.points);
  const figure = document.createElement('figure');
  figure.className = 'chart';
  if (all.length === 0) {
    figure.append(document.createTextNode('No samples yet.'));
    figure.classList.add('muted');
    return figure;
  }
  const xs = all.map((p) => +p.x);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs, minX + 1);
  const maxY = options.max ?? Math.max(1, ...all.map((p) => p.y)) * 1.1;
  const x = (v) => pad.left + ((+v - minX) / (maxX - minX)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v / maxY) * (height - pad.top - pad.bottom);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': options.label ?? 'chart' });
  for (const tick of [0, 0.5, 1]) {
    const value = maxY * tick;
    root.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), class: 'gridline' }));
    const label = svg('text', { x: pad.left - 4, y: y(value) + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = value >= 100 ? Math.round(value).toString() : value.toFixed(1);
    root.append(label);
  }
  for (const [i, edge] of [[0, minX], [1, maxX]]) {
    const label = svg('text', { x: i === 0 ? pad.left : width - pad.right, y: height - 6, 'text-anchor': i === 0 ? 'start' : 'end', class: 'axis' });
    label.textContent = new Date(edge).toISOString().slice(11, 19) + 'Z';
    root.append(label);
  }
  series.forEach((s, index) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    root.append(svg('path', { d, class: `series s${index}` }));
  });
  figure.append(root);
  const legend = document.createElement('figcaption');
  series.forEach((s, index) => {
    const item = document.createElement('span');
    item.className = `key s${index}`;
    const last = s.points.at(-1);
    item.textContent = `${s.name}: ${last ? (Math.round(last.y * 100) / 100) + (s.unit ?? '') : '—'}`;
    legend.append(item);
  });
  figure.append(legend);
  return figure;
}
