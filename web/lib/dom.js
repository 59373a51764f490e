// Tiny DOM helpers: build elements without innerHTML, so no markup from data is ever parsed.

/** The element with this id, or null. */
export const $ = (id) => document.getElementById(id);

/**
 * h('p', {class: 'x', dataset: {a: 1}, onclick: fn, text: 'y'}, 'text', child, [more]) -> element.
 * Attributes with value false/null/undefined are left out; true sets an empty attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' && 'value' in el) el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of el. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** Shows or hides el with the hidden attribute. */
export function show(el, visible = true) { el.hidden = !visible; }

/** Puts text into a live region; clearing first makes screen readers announce a repeated message again. */
export function announce(region, text, kind = 'info') {
  region.textContent = '';
  region.dataset.kind = kind;
  // A new text node in a later task is announced even when the text is the same as before.
  setTimeout(() => { region.textContent = text; }, 30);
}

/** A random v4 UUID (e.g. an idempotency key). */
export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // Plain-http deployments are not a secure context and lack randomUUID: build one by hand.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
