// The report page's SVG charts. Each is role="img" named by its <title> and described by its <desc>, which says in
// words what the picture shows; the same numbers are in the tables beside it.
const NS = 'http://www.w3.org/2000/svg';
let serial = 0;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function chart(title, desc, attrs, ...children) {
  const id = `rchart-${++serial}`;
  return s('svg', { role: 'img', 'aria-labelledby': `${id}-t`, 'aria-describedby': `${id}-d`, focusable: 'false', ...attrs },
    s('title', { id: `${id}-t` }, title), s('desc', { id: `${id}-d` }, desc), ...children);
}

const clamp = (x) => Math.max(0, Math.min(1, Number(x) || 0));

/**
 * One bar per goal: how much of its target is reached (a full bar is the target). rows: [{label, fraction, met, text}].
 */
export function progressChart({ title, desc, rows }) {
  const labelW = 230, barW = 300, rowH = 26, w = labelW + barW + 70;
  const body = rows.map((r, i) => {
    const y = i * rowH;
    return s('g', { class: `progress-row${r.met ? ' is-met' : ''}`, transform: `translate(0 ${y})` },
      s('text', { x: 0, y: 17, class: 'chart-label' }, r.label),
      s('rect', { class: 'track', x: labelW, y: 4, width: barW, height: 16 }),
      s('rect', { class: 'fill', x: labelW, y: 4, width: (clamp(r.fraction) * barW).toFixed(1), height: 16 }),
      s('text', { x: labelW + barW + 6, y: 17, class: 'chart-value' }, r.text));
  });
  return chart(title, desc, { class: 'report-chart progress-chart', viewBox: `0 0 ${w} ${rows.length * rowH}`,
    width: w, height: rows.length * rowH }, ...body);
}

/**
 * One stacked bar per row (an activity), split into its parts (e.g. genders), with a legend.
 * rows: [{label, parts: [n...]}]; parts: [{label, cls}] in the same order.
 */
export function stackedChart({ title, desc, rows, parts }) {
  const labelW = 190, barW = 330, rowH = 26, legendH = 24, w = labelW + barW + 60;
  const max = Math.max(1, ...rows.map((r) => r.parts.reduce((a, n) => a + (Number(n) || 0), 0)));
  const legend = s('g', { class: 'legend' }, ...parts.map((p, i) => s('g', { transform: `translate(${i * 140} 0)` },
    s('rect', { class: `part part-${i}`, x: 0, y: 4, width: 14, height: 14 }),
    s('text', { x: 20, y: 16, class: 'chart-label' }, p.label))));
  const body = rows.map((r, i) => {
    let x = labelW;
    const total = r.parts.reduce((a, n) => a + (Number(n) || 0), 0);
    const segs = r.parts.map((n, j) => {
      const width = ((Number(n) || 0) / max) * barW;
      const seg = s('rect', { class: `part part-${j}`, x: x.toFixed(1), y: 4, width: width.toFixed(1), height: 16 });
      x += width;
      return seg;
    });
    return s('g', { transform: `translate(0 ${legendH + i * rowH})` },
      s('text', { x: 0, y: 17, class: 'chart-label' }, r.label), ...segs,
      s('text', { x: x + 6, y: 17, class: 'chart-value' }, String(total)));
  });
  return chart(title, desc, { class: 'report-chart stacked-chart', viewBox: `0 0 ${w} ${legendH + rows.length * rowH}`,
    width: w, height: legendH + rows.length * rowH }, legend, ...body);
}
