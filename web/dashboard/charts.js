// The dashboard's small SVG charts. Every chart that carries meaning is role="img" with a <title> saying in words what
// it shows (the same figures are also printed as text beside it); purely decorative bars are aria-hidden.
const NS = 'http://www.w3.org/2000/svg';
let serial = 0;

/** An SVG element with attributes (no markup is parsed). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c);
  return el;
}

/** An <svg role="img"> whose accessible name is its <title>. */
function labelled(label, attrs, ...children) {
  const id = `chart-${++serial}`;
  const title = s('title', { id });
  title.textContent = label;
  return s('svg', { role: 'img', 'aria-labelledby': id, focusable: 'false', ...attrs }, title, ...children);
}

const clamp = (x) => Math.max(0, Math.min(1, Number(x) || 0));

/**
 * A horizontal bar of a share (0..1) with the goal marked as a line across it. `met` colours the bar; the words
 * in `label` say everything the picture does.
 */
export function shareChart({ share, goal, met, label }) {
  const w = 200;
  return labelled(label, { class: `share-chart${met ? ' is-met' : ''}`, viewBox: `0 0 ${w} 20`, preserveAspectRatio: 'none' },
    s('rect', { class: 'track', x: 0, y: 3, width: w, height: 14, rx: 2 }),
    s('rect', { class: 'fill', x: 0, y: 3, width: (clamp(share) * w).toFixed(1), height: 14, rx: 2 }),
    s('line', { class: 'goal-line', x1: clamp(goal) * w, x2: clamp(goal) * w, y1: 0, y2: 20, 'vector-effect': 'non-scaling-stroke' }));
}

/**
 * One box per meeting the goal asks for, filled for a held one, outlined with a dashed border for a scheduled one;
 * meetings beyond the goal add boxes.
 */
export function slotsChart({ held, scheduled, goal, label }) {
  const total = Math.max(goal, held + scheduled);
  const size = 20;
  const gap = 6;
  const boxes = [];
  for (let i = 0; i < total; i += 1) {
    const kind = i < held ? 'held' : i < held + scheduled ? 'scheduled' : 'missing';
    boxes.push(s('rect', { class: `slot slot-${kind}`, x: i * (size + gap) + 1, y: 1, width: size, height: size, rx: 3 }));
  }
  const width = total * (size + gap) - gap + 2;
  return labelled(label, { class: 'slots-chart', viewBox: `0 0 ${width} ${size + 2}`, width: width, height: size + 2 }, ...boxes);
}

/** A bar for a table row or a card, hidden from assistive technology: its number is in the text beside it. */
export function decorativeBar(fraction, cls = '') {
  const w = 100;
  return s('svg', { class: `bar ${cls}`.trim(), viewBox: `0 0 ${w} 10`, preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
    s('rect', { class: 'track', x: 0, y: 0, width: w, height: 10 }),
    s('rect', { class: 'fill', x: 0, y: 0, width: (clamp(fraction) * w).toFixed(1), height: 10 }));
}
