// The public partner database: profiles their owners chose to publish from the partner-search forums
// (GET /api/v1/partners, no names), searched by words, focus area and country. The search is kept in the query
// string, so a search can be bookmarked or shared.
import './strings.js';
import { api, getConfig } from '../lib/api.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, label, onLanguageChange } from '../lib/i18n.js';
import { errorText } from '../lib/errors.js';
import { initPage } from '../lib/page.js';
import { COUNTRIES, countryName, sortedCodes, profileCard } from './partner-vocab.js';

initPage();

const SEARCH_DELAY_MS = 300;
const form = $('db-filters');
const status = $('db-status');
const fields = { q: $('db-q'), focus_area: $('db-focus'), country: $('db-country') };

let config = null;
let items = null;
let loadError = null;
let seq = 0;
let timer = 0;

function fillSelects() {
  const { focus_area: focus, country } = fields;
  const [f, c] = [focus.value, country.value];
  replaceChildren(focus, h('option', { value: '' }, t('partner.browse.all')),
    ((config && config.focus_areas) || []).map((v) => h('option', { value: v }, label('focus_area', v))));
  replaceChildren(country, h('option', { value: '' }, t('partner.browse.all_countries')),
    sortedCodes(COUNTRIES, countryName).map((v) => h('option', { value: v }, countryName(v))));
  focus.value = f;
  country.value = c;
}

function readQuery() {
  const q = new URLSearchParams(location.search);
  fields.q.value = q.get('q') || '';
  for (const key of ['focus_area', 'country']) {
    const v = q.get(key);
    if (v && [...fields[key].options].some((o) => o.value === v)) fields[key].value = v;
  }
}

function query() {
  const q = new URLSearchParams();
  for (const [key, el] of Object.entries(fields)) if (el.value.trim()) q.set(key, el.value.trim());
  return q.toString();
}

const filtering = () => query() !== '';

function render() {
  status.removeAttribute('data-i18n');
  status.classList.toggle('error', !!loadError);
  if (loadError) {
    replaceChildren(list());
    status.textContent = errorText(loadError, 'partnerdb.error');
    return;
  }
  if (!items) return;
  let text;
  if (!items.length) text = t(filtering() ? 'partnerdb.none_found' : 'partnerdb.empty');
  else text = t('partnerdb.count', { n: items.length });
  if (status.textContent !== text) status.textContent = text;
  replaceChildren(list(), items.map((p) => h('li', {}, profileCard(p, { heading: 'h2', idPrefix: 'db' }))));
}

const list = () => $('db-list');

async function load() {
  const mine = ++seq;
  const q = query();
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
  try {
    const res = await api('GET', `/api/v1/partners${q ? `?${q}` : ''}`);
    if (mine !== seq) return;
    items = Array.isArray(res && res.items) ? res.items : [];
    loadError = null;
  } catch (err) {
    if (mine !== seq) return;
    loadError = err;
  }
  render();
}

function searchNow() {
  clearTimeout(timer);
  load();
}

async function start() {
  try { config = await getConfig(); } catch { /* the search still works without the focus areas to choose from */ }
  fillSelects();
  readQuery();
  await load();
}

form.addEventListener('submit', (e) => { e.preventDefault(); searchNow(); });
form.addEventListener('reset', () => setTimeout(searchNow, 0));
fields.q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(searchNow, SEARCH_DELAY_MS); });
fields.focus_area.addEventListener('change', searchNow);
fields.country.addEventListener('change', searchNow);
onLanguageChange(() => { fillSelects(); render(); });

start();
