// Swedish and English for every area: one string table per language, the language choice and the translation of
// static markup (data-i18n attributes).
//
// lib/strings.js holds the shared strings; each area adds its own with addStrings() (keys carry the area's prefix).
// A string is text with {name} placeholders, or a function of the parameters for wording that varies more (counts
// use plural()). Markup marks translatable text with data-i18n="key" (sets textContent), attributes with
// data-i18n-attr="attr:key;attr2:key2", enum values with data-i18n-enum="group:value", and blocks written in
// both languages with data-lang-only="sv|en". Pages re-render their dynamic parts from onLanguageChange().
import * as shared from './strings.js';

// One choice for every area: the door app and the organisers' pages open in the language last chosen anywhere.
const STORAGE_KEY = 'eventd.lang';
export const LANGUAGES = ['sv', 'en'];

const STRINGS = { en: {}, sv: {} };

/** Adds nested groups as dotted keys: {enum: {kind: {seminar: 'x'}}} -> 'enum.kind.seminar'. */
function flatten(into, table, prefix) {
  for (const [key, value] of Object.entries(table || {})) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object') flatten(into, value, full);
    else into[full] = value;
  }
}

/**
 * Adds an area's strings, {en: {key: text}, sv: {key: text}}, under an optional key prefix (e.g. 'checkin').
 * Call it before initI18n(); keys should carry their area's prefix so they never replace shared ones.
 */
export function addStrings(tables, prefix = '') {
  for (const code of LANGUAGES) flatten(STRINGS[code], tables && tables[code], prefix);
}

addStrings(shared);

function initialLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch { /* storage may be disabled */ }
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  for (const p of prefs) {
    const base = String(p).toLowerCase().split('-')[0];
    if (base === 'sv') return 'sv';
    if (base === 'en') return 'en';
    // Norwegian and Danish readers usually read Swedish more easily than English.
    if (['nb', 'nn', 'no', 'da'].includes(base)) return 'sv';
  }
  return 'en';
}

let current = initialLanguage();
const listeners = [];

/** The current language code, 'sv' or 'en'. */
export function lang() { return current; }

/** The BCP 47 locale used for Intl formatting. */
export function locale() { return current === 'sv' ? 'sv-SE' : 'en-GB'; }

/** The one plural rule: `one` for a count the current language calls singular, else `other`. */
export function plural(n, one, other) {
  return new Intl.PluralRules(locale()).select(Number(n)) === 'one' ? one : other;
}

/** The translation of key with {params} filled in. Unknown keys show as themselves. */
export function t(key, params = {}) {
  const s = STRINGS[current][key] ?? STRINGS.en[key];
  if (s === undefined) return key;
  if (typeof s === 'function') return s(params);
  return String(s).replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

/** True when a translation exists for key. */
export function has(key) { return key in STRINGS[current] || key in STRINGS.en; }

/** The label of an enum value (group: kind, topic, focus_area, network, organisation_type, gender, need, language). */
export function label(group, value) {
  if (value === null || value === undefined || value === '') return '';
  const key = `enum.${group}.${value}`;
  if (has(key)) return t(key);
  const words = String(value).replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Translates the static markup under root and sets <html lang>. */
export function applyTranslations(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((x) => x.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  for (const el of root.querySelectorAll('[data-i18n-enum]')) {
    const [group, value] = el.dataset.i18nEnum.split(':');
    el.textContent = label(group, value);
  }
  // Blocks written out in both languages (the privacy notice): show the current one only.
  for (const el of root.querySelectorAll('[data-lang-only]')) {
    el.hidden = el.dataset.langOnly !== current;
  }
  for (const btn of document.querySelectorAll('[data-set-lang]')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.setLang === current));
  }
}

/** Calls fn after every language switch (not at start). */
export function onLanguageChange(fn) { listeners.push(fn); }

/** Switches the language, remembers it and re-renders. */
export function setLanguage(code) {
  if (!LANGUAGES.includes(code) || code === current) return;
  current = code;
  try { localStorage.setItem(STORAGE_KEY, code); } catch { /* storage may be disabled */ }
  applyTranslations();
  for (const fn of listeners) fn(code);
}

/** Wires the language buttons (<button data-set-lang="sv">) and translates the page once. */
export function initI18n() {
  for (const btn of document.querySelectorAll('[data-set-lang]')) {
    btn.addEventListener('click', () => setLanguage(btn.dataset.setLang));
  }
  applyTranslations();
}
