// The organisers' door check-in app: sign-in, event choice, scanning/typing/searching, offline queue and sync.

import './strings.js';
import { t, lang, setLanguage, applyTranslations } from '../lib/i18n.js';
import { formatTime, formatWhen, stockholmDate } from '../lib/time.js';
import { ApiError, errorOf, knownOffline, isUnavailable } from '../lib/api.js';
import { getSession, setSession, signIn, signOut } from '../lib/session.js';
import { send } from './net.js';
import { $, h, uuid } from '../lib/dom.js';
import { extractCode, searchTickets } from './codes.js';
import * as store from './store.js';
import { QrScanner, cameraSupported } from './scanner.js';
import { placeWalkIn, clearWalkInErrors, readWalkInForm, showWalkInErrors, serverFieldErrors, showWalkInMessage } from './walkin.js';
import * as attendance from './attendance.js';
import { live } from '../lib/live.js';

const EVENT_KEY = 'eventd.checkin.event';
const MODE_KEY = 'eventd.checkin.mode';       // 'attendance' while recording attendance afterwards
const SOUND_KEY = 'eventd.checkin.sound';
const REFRESH_MS = 10_000;                    // door list polling while the live connection cannot serve
const LIVE_LIST_GAP_MS = 10_000;               // live changes fetch the door list at most this often
const BATCH_SIZE = 50;
const LIST_MAX_AGE_MS = 3 * 24 * 3600 * 1000;
const EARLIER_DAYS = 366;                      // how far back "Earlier events" reaches (attendance is recorded afterwards)
const CAMERA_REPEAT_MS = 4000;
const CHECKIN_ROLES = ['admin', 'organiser'];
const DEFAULT_MUNICIPALITIES = ['Botkyrka', 'Danderyd', 'Ekerö', 'Haninge', 'Huddinge', 'Järfälla', 'Lidingö', 'Nacka',
  'Norrtälje', 'Nykvarn', 'Nynäshamn', 'Salem', 'Sigtuna', 'Sollentuna', 'Solna', 'Stockholm', 'Sundbyberg', 'Södertälje',
  'Tyresö', 'Täby', 'Upplands-Bro', 'Upplands Väsby', 'Vallentuna', 'Vaxholm', 'Värmdö', 'Österåker'];

const state = {
  screen: null,
  events: [],
  event: null,
  tickets: [],
  counts: null,
  fetchedAt: 0,
  reachable: true,      // the last request got an HTTP answer
  last: null,           // what the answer panel shows, for Undo / Admit anyway
  conflicts: [],
  flushing: false,
  refreshing: false,
  pending: 0,
  justSent: false,
  chain: Promise.resolve(),
  timer: 0,
  scanner: null,
  cameraLast: { code: null, at: 0 },
};

// ---------------------------------------------------------------- small helpers

function formatCode(code) {
  const c = String(code || '');
  return c.length === 8 ? `${c.slice(0, 4)}-${c.slice(4)}` : c;
}

function canCheckIn(user) { return !!user && CHECKIN_ROLES.includes(user.role); }

function show(screen) {
  state.screen = screen;
  $('loading').hidden = true;
  for (const s of ['signin', 'forbidden', 'events', 'door', 'attendance']) $(`screen-${s}`).hidden = s !== screen;
  $('sign-out').hidden = screen === 'signin';
  if (screen !== 'door') { stopTimer(); stopCamera(); unfollowDoor(); }
}

// ---------------------------------------------------------------- start

function boot() {
  // Served as /checkin (no slash), the service worker's scope and the relative imports would not match.
  if (location.pathname === '/checkin') { location.replace(`/checkin/${location.search}${location.hash}`); return; }
  $('lang').value = lang();
  applyTranslations();
  bind();
  registerServiceWorker();
  store.pruneTickets(LIST_MAX_AGE_MS).catch(() => {});
  start();
}

async function start() {
  const s = getSession();
  if (!s?.token) return showSignIn();
  if (!canCheckIn(s.user)) return showForbidden(s.user);
  verifySession();
  const params = new URLSearchParams(location.search);
  const fromUrl = Number(params.get('event'));
  const saved = Number(sessionStorage.getItem(EVENT_KEY));
  const mode = fromUrl ? params.get('mode') : sessionStorage.getItem(MODE_KEY);
  const id = fromUrl || saved;
  if (id && await resume(id, mode)) return;
  showEvents();
}

/** Opens event `id` at the door or, for mode 'attendance', in "record attendance afterwards". */
function resume(id, mode) {
  return mode === 'attendance' ? openAttendance(id) : openEvent(id);
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(new URL('sw.js', import.meta.url), { scope: new URL('./', import.meta.url).pathname })
    .catch(() => { /* no offline shell (e.g. plain http): the app still works while the page stays open */ });
}

/** Confirms the stored token still works and refreshes the user (a role may have changed). */
async function verifySession() {
  try {
    const res = await send('GET', '/api/v1/session');
    if (res.status === 401) return sessionEnded();
    if (res.status === 200 && res.body?.user) {
      const s = getSession();
      setSession({ ...s, user: res.body.user, csrf_token: res.body.csrf_token || s.csrf_token });
      if (!canCheckIn(res.body.user)) showForbidden(res.body.user);
    }
  } catch { /* offline: keep working with what we have */ }
}

function sessionEnded() {
  setSession(null);
  showSignIn(t('checkin.sessionExpired'));
}

// ---------------------------------------------------------------- sign-in / out

function showSignIn(message) {
  show('signin');
  const err = $('signin-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('signin-email').focus();
}

async function onSignIn(e) {
  e.preventDefault();
  const email = $('signin-email').value.trim();
  const password = $('signin-password').value;
  const err = $('signin-error');
  const fail = (msg) => { err.textContent = msg; err.hidden = false; $('signin-password').focus(); };
  if (!email || !password) return fail(t('checkin.signInFailed'));
  let session;
  // lib/session.js keeps the token, and the cookie that authorises the live connection.
  try { session = await signIn(email, password, { timeoutMs: 8000 }); }
  catch (e) {
    if (e?.status === 0) return fail(t('checkin.signInOffline'));
    if (e?.status === 429) return fail(t('checkin.tooManyAttempts'));
    return fail(e?.status >= 500 ? t('checkin.serverError', { status: e.status }) : t('checkin.signInFailed'));
  }
  err.hidden = true;
  $('signin-password').value = '';
  if (!canCheckIn(session.user)) return showForbidden(session.user);
  flush();
  const saved = Number(sessionStorage.getItem(EVENT_KEY));
  if (saved && await resume(saved, sessionStorage.getItem(MODE_KEY))) return;
  showEvents();
}

function showForbidden(user) {
  show('forbidden');
  const who = user?.name || user?.email || '';
  $('forbidden-text').textContent = user?.role === 'steering' ? t('checkin.forbiddenText', { name: who }) : t('checkin.forbiddenOther', { name: who });
  $('forbidden-h').setAttribute('tabindex', '-1');
  $('forbidden-h').focus();
}

async function onSignOut() {
  const pendingBefore = state.pending;
  await signOut({ timeoutMs: 3000 }); // offline too: the token ends with the tab anyway
  sessionStorage.removeItem(EVENT_KEY);
  sessionStorage.removeItem(MODE_KEY);
  state.event = null;
  state.tickets = [];
  attendance.close();
  // Door lists hold names: they leave the device with the organiser. Unsent scans stay and go with the next sign-in.
  await store.clearTickets().catch(() => {});
  await store.deleteMeta('events').catch(() => {});
  history.replaceState(null, '', location.pathname);
  showSignIn();
  if (pendingBefore) { const err = $('signin-error'); err.hidden = false; err.textContent = t('checkin.pending', { n: pendingBefore }); }
}

// ---------------------------------------------------------------- event picker

async function showEvents() {
  show('events');
  history.replaceState(null, '', location.pathname);
  $('events-h').setAttribute('tabindex', '-1');
  $('events-h').focus();
  const cached = await store.getMeta('events').catch(() => undefined);
  if (cached) renderEvents(cached);
  await loadEvents();
}

async function loadEvents() {
  const status = $('events-status');
  try {
    // Events ending a year ago or later: today's, the upcoming ones and the earlier ones whose attendance may still be recorded.
    const from = stockholmDate(Date.now() - EARLIER_DAYS * 24 * 3600 * 1000);
    const res = await send('GET', `/api/v1/events?from=${from}`);
    if (res.status === 401) return sessionEnded();
    if (res.status !== 200) { status.textContent = t('checkin.eventsFailed', { status: res.status }); return; }
    const items = Array.isArray(res.body?.items) ? res.body.items : [];
    state.events = items;
    store.putMeta('events', items).catch(() => {});
    status.textContent = '';
    if (state.screen === 'events') renderEvents(items);
  } catch (e) {
    if (!e?.network) throw e;
    status.textContent = t('checkin.eventsOffline');
  }
}

function renderEvents(items) {
  state.events = items;
  // "Today" is the Stockholm calendar day, where the events happen, whatever the device's time zone.
  const today = stockholmDate();
  const earliest = Date.now() - EARLIER_DAYS * 24 * 3600 * 1000;
  const todays = [], upcoming = [], earlier = [];
  for (const ev of items) {
    if (ev.status === 'cancelled') continue;
    const s = Date.parse(ev.starts_at);
    const e = Date.parse(ev.ends_at || ev.starts_at) || s;
    if (Number.isNaN(s)) continue;
    const first = stockholmDate(s), last = stockholmDate(e);
    if (first <= today && last >= today) todays.push(ev);
    else if (first > today) upcoming.push(ev);
    else if (e >= earliest) earlier.push(ev);
  }
  const byStart = (a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at);
  todays.sort(byStart);
  upcoming.sort(byStart);
  earlier.sort((a, b) => byStart(b, a));
  fillEventList($('events-today'), todays, t('checkin.noEventsToday'));
  fillEventList($('events-upcoming'), upcoming, t('checkin.noEventsUpcoming'));
  fillEventList($('events-earlier'), earlier, null, { afterwards: true });
  $('events-earlier-box').hidden = earlier.length === 0;
}

/** With `afterwards`, each event also offers "Record attendance afterwards" directly (past events). */
function fillEventList(ul, events, emptyText, { afterwards = false } = {}) {
  ul.replaceChildren();
  const note = ul.previousElementSibling?.classList.contains('none') ? ul.previousElementSibling : null;
  if (note) note.remove();
  if (!events.length) {
    if (emptyText) ul.before(h('p', { class: 'none', text: emptyText }));
    return;
  }
  for (const ev of events) {
    const meta = [formatWhen(ev.starts_at, ev.ends_at), ev.venue?.name].filter(Boolean).join(' · ');
    ul.append(h('li', { class: afterwards ? 'event-item with-afterwards' : 'event-item' },
      h('button', { type: 'button', class: 'event-pick', dataset: { eventId: String(ev.id) }, onclick: () => openEvent(ev.id, ev) },
        h('span', { class: 'ev-title' }, ev.title, ev.status === 'draft' ? h('span', { class: 'badge', text: t('checkin.draft') }) : null),
        h('span', { class: 'ev-meta', text: meta })),
      afterwards ? h('button', {
        type: 'button', class: 'btn btn-secondary event-afterwards', dataset: { eventId: String(ev.id) },
        onclick: () => openAttendance(ev.id, ev),
      }, t('checkin.recordAfterwards'), h('span', { class: 'visually-hidden', text: `: ${ev.title}` })) : null));
  }
}

// ---------------------------------------------------------------- the door screen

/** The event from the list in memory, the cached list or the server; null when unknown, 'ended' when the session ended. */
async function findEvent(id, ev) {
  ev = ev || state.events.find((x) => x.id === id);
  if (!ev) {
    const cached = await store.getMeta('events').catch(() => undefined);
    ev = cached?.find((x) => x.id === id);
  }
  if (!ev) {
    try {
      const res = await send('GET', `/api/v1/events/${id}`);
      if (res.status === 401) { sessionEnded(); return 'ended'; }
      if (res.status === 200) ev = res.body;
    } catch { /* offline and not cached */ }
  }
  if (!ev) { sessionStorage.removeItem(EVENT_KEY); sessionStorage.removeItem(MODE_KEY); return null; }
  return ev;
}

async function openEvent(id, ev) {
  ev = await findEvent(id, ev);
  if (ev === 'ended') return true;
  if (!ev) return false;

  attendance.close();
  state.event = ev;
  state.last = null;
  sessionStorage.setItem(EVENT_KEY, String(ev.id));
  sessionStorage.removeItem(MODE_KEY);
  history.replaceState(null, '', `${location.pathname}?event=${ev.id}`);
  placeWalkIn('door');
  const rec = await store.getTickets(ev.id).catch(() => undefined);
  state.tickets = rec?.items || [];
  state.counts = rec?.counts || ev.counts || null;
  state.fetchedAt = rec?.fetched_at || 0;

  renderDoorHead();
  renderCounts();
  renderListStatus();
  setResult('idle', t('checkin.resultIdle'));
  $('code').value = '';
  renderMatches();
  renderConflicts();
  show('door');
  $('code').focus();
  startTimer();
  followDoor(ev.id);
  loadMunicipalities();
  updatePending();
  await refreshTickets();
  flush();
  return true;
}

// ---------------------------------------------------------------- recording attendance afterwards (attendance.js)

async function openAttendance(id, ev) {
  ev = await findEvent(id, ev);
  if (ev === 'ended') return true;
  if (!ev) return false;
  state.event = ev;
  state.last = null;
  sessionStorage.setItem(EVENT_KEY, String(ev.id));
  sessionStorage.setItem(MODE_KEY, 'attendance');
  history.replaceState(null, '', `${location.pathname}?event=${ev.id}&mode=attendance`);
  show('attendance');
  placeWalkIn('attendance', $('att-add-slot'));
  loadMunicipalities();
  await attendance.open(ev);
  return true;
}

function changeEvent() {
  sessionStorage.removeItem(EVENT_KEY);
  sessionStorage.removeItem(MODE_KEY);
  state.event = null;
  attendance.close();
  showEvents();
}

function renderDoorHead() {
  const ev = state.event;
  if (!ev) return;
  const title = $('door-title');
  title.replaceChildren(ev.title || '', ev.status === 'draft' ? h('span', { class: 'badge', text: t('checkin.draft') }) : '');
  $('door-when').textContent = [formatWhen(ev.starts_at, ev.ends_at), ev.venue?.name].filter(Boolean).join(' · ');
}

function localCounts() {
  const c = { checked_in: 0, confirmed: 0, walk_ins: 0 };
  for (const x of state.tickets) {
    if (x.status === 'confirmed') c.confirmed++;
    if (x.walk_in) c.walk_ins++;
    if (x.checked_in_at && x.status !== 'cancelled') c.checked_in++;
  }
  return c;
}

function renderCounts() {
  const base = state.counts || localCounts();
  // Admissions made on this device that the server has not heard of yet.
  const unsent = state.tickets.filter((x) => x._pending).length;
  $('count-checked-in').textContent = String((base.checked_in ?? 0) + unsent);
  $('count-confirmed').textContent = base.confirmed == null ? '–' : String(base.confirmed);
  $('count-walk-ins').textContent = base.walk_ins == null ? '–' : String(base.walk_ins);
}

function renderListStatus() {
  const time = state.fetchedAt ? formatTime(new Date(state.fetchedAt)) : '';
  const text = !state.fetchedAt ? t('checkin.listNotLoaded')
    : doorLive() ? t('checkin.listLive', { time }) : t('checkin.listUpdated', { time });
  // A status region: written only when the words change, so that a screen reader is not told the same again.
  if ($('list-status').textContent !== text) $('list-status').textContent = text;
}

function setReachable(ok) {
  state.reachable = ok;
  $('net-offline').hidden = ok && !knownOffline();
}

function startTimer() {
  stopTimer();
  state.timer = setInterval(() => {
    if (state.screen !== 'door') return;
    if (state.pending) flush();
    // While the live topics serve, changes arrive by themselves (below); polling is the fallback.
    if (document.visibilityState !== 'hidden' && !doorLive()) refreshTickets();
  }, REFRESH_MS);
}

function stopTimer() { clearInterval(state.timer); state.timer = 0; }

async function saveTickets() {
  if (!state.event) return;
  await store.putTickets({ event_id: state.event.id, items: state.tickets, counts: state.counts, fetched_at: state.fetchedAt }).catch(() => {});
}

/** Fetches the door list and counts; keeps this device's unsent admissions and undos on top of it. */
async function refreshTickets() {
  const ev = state.event;
  if (!ev || state.refreshing) return;
  state.refreshing = true;
  try {
    const res = await send('GET', `/api/v1/events/${ev.id}/tickets`);
    if (res.status === 401) return sessionEnded();
    if (res.status === 403) return showForbidden(getSession()?.user);
    if (isUnavailable(res.status)) return setReachable(false);
    if (res.status !== 200 || !Array.isArray(res.body?.items)) return;
    setReachable(true);
    if (state.event !== ev) return;
    const queue = await store.listQueue().catch(() => []);
    const items = res.body.items.map((x) => ({ ...x }));
    const byCode = new Map(items.map((x) => [x.ticket_code, x]));
    for (const q of queue) {
      if (q.event_id !== ev.id) continue;
      const x = q.kind === 'undo' ? items.find((i) => i.registration_id === q.registration_id) : byCode.get(q.ticket_code);
      if (!x) continue;
      if (q.kind === 'undo') { x.checked_in_at = null; delete x._pending; }
      else if (q.local && !x.checked_in_at) { x.checked_in_at = q.attended_at; x._pending = q.scan_id; }
    }
    state.tickets = items;
    state.counts = res.body.counts || null;
    state.fetchedAt = Date.now();
    door.lastFetch = state.fetchedAt;
    await saveTickets();
    renderCounts();
    renderListStatus();
    if ($('code').value) renderMatches(false);
  } catch (e) {
    if (!e?.network) throw e;
    setReachable(false);
  } finally {
    state.refreshing = false;
  }
}

// ---------------------------------------------------------------- live counts and check-ins (lib/live.js)

const door = { eventId: null, stops: [], timer: 0, lastFetch: 0, unwatch: null };

/** True while this event's counts come over the live connection. */
function doorLive() { return door.eventId !== null && live().isLive(`event:${door.eventId}`); }

/** Local count changes, only while nothing better comes: the live counts are the server's own. */
function bump(field, delta = 1) {
  if (doorLive() || !state.counts || state.counts[field] == null) return;
  state.counts[field] = Math.max(0, state.counts[field] + delta);
}

function followDoor(id) {
  if (door.eventId === id) return;
  unfollowDoor();
  door.eventId = id;
  const client = live();
  door.stops.push(client.subscribe(`event:${id}`, { onData: (counts) => onDoorCounts(id, counts) }));
  // The check-in feed (organisers): who was checked in elsewhere, marked on this device's list without fetching it.
  door.stops.push(client.subscribe(`checkins:${id}`, { onData: (feed) => onDoorCheckins(id, feed) }));
  door.unwatch = client.onState(() => { if (state.screen === 'door') renderListStatus(); });
}

function unfollowDoor() {
  for (const stop of door.stops) stop();
  if (door.unwatch) door.unwatch();
  clearTimeout(door.timer);
  Object.assign(door, { eventId: null, stops: [], timer: 0, unwatch: null });
}

/** Fetches the door list soon: one fetch for a burst of changes, at most one per LIVE_LIST_GAP_MS. */
function refreshSoon() {
  if (door.timer) return;
  const wait = Math.max(1000, door.lastFetch + LIVE_LIST_GAP_MS - Date.now());
  door.timer = setTimeout(() => { door.timer = 0; refreshTickets(); }, wait);
}

function onDoorCounts(id, counts) {
  if (state.event?.id !== id || !counts || typeof counts !== 'object') return;
  const before = state.counts;
  state.counts = { ...counts };
  renderCounts();
  renderListStatus();
  saveTickets();
  if (!before) return;
  // New or cancelled registrations, walk-ins elsewhere, an undone check-in: the list itself has changed.
  // A check-in elsewhere needs no fetch while the check-in feed names it.
  const listChanged = counts.confirmed !== before.confirmed || counts.waitlisted !== before.waitlisted
    || counts.walk_ins !== before.walk_ins || counts.checked_in < before.checked_in
    || (counts.checked_in > before.checked_in && !live().isLive(`checkins:${id}`));
  if (listChanged) refreshSoon();
}

function onDoorCheckins(id, feed) {
  if (state.event?.id !== id || !feed || typeof feed !== 'object') return;
  if (feed.counts) onDoorCounts(id, feed.counts);
  let changed = false;
  for (const r of Array.isArray(feed.recent) ? feed.recent : []) {
    const x = findById(r.registration_id);
    if (!x) { refreshSoon(); continue; } // someone this device has not heard of yet
    if (!x.checked_in_at && r.checked_in_at) { x.checked_in_at = r.checked_in_at; changed = true; }
  }
  if (!changed) return;
  saveTickets();
  if ($('code').value) renderMatches(false);
}

function findByCode(code) { return code ? state.tickets.find((x) => x.ticket_code === code) : undefined; }
function findById(id) { return id == null ? undefined : state.tickets.find((x) => x.registration_id === id); }

// ---------------------------------------------------------------- the answer panel

const ICONS = { admitted: '✓', already: '!', refused: '✕', undone: '↺', error: '⚠', idle: '' };
let resultTimer = 0;

/**
 * Shows an answer. The texts are written a moment after being cleared so that a screen reader
 * announces a repeated answer too (two "Already checked in" in a row).
 */
function setResult(kind, title, who = '', note = '', extra = {}) {
  const box = $('result');
  clearTimeout(resultTimer);
  $('result-title').textContent = '';
  $('result-who').textContent = '';
  $('result-note').textContent = '';
  box.querySelector('.result-icon').textContent = '';
  const write = () => {
    box.dataset.kind = kind;
    box.dataset.code = extra.code || '';
    box.querySelector('.result-icon').textContent = ICONS[kind] || '';
    $('result-title').textContent = title;
    $('result-who').textContent = who;
    $('result-note').textContent = note;
    box.classList.remove('flash');
    void box.offsetWidth; // restart the animation
    if (kind !== 'idle') box.classList.add('flash');
  };
  if (kind === 'idle') write(); else resultTimer = setTimeout(write, 60);
  $('admit-anyway').hidden = !extra.canForce;
  $('undo').hidden = !extra.canUndo;
  if (kind !== 'idle') beep(kind);
}

function personLine(name, org) {
  return [name, org].filter(Boolean).join(' — ');
}

function showAdmitted(ctx, { name, org, regId, offline, walkIn }) {
  const title = walkIn ? t('checkin.admittedWalkIn') : ctx.force ? t('checkin.admittedOverride') : t('checkin.admitted');
  state.last = { kind: 'admitted', event_id: ctx.event_id, code: ctx.code, registration_id: regId ?? null, queuedSeq: ctx.queuedSeq ?? null, name };
  setResult('admitted', title, personLine(name, org), offline ? t('checkin.savedOffline') : '', { canUndo: true, code: ctx.code });
}

function showAlready(ctx, name, org, at) {
  state.last = { kind: 'already', code: ctx.code };
  setResult('already', at ? t('checkin.already', { time: formatTime(at) }) : t('checkin.alreadyNoTime'), personLine(name, org), '', { code: ctx.code });
}

function showRefused(ctx, reason, name, org, { offline = false } = {}) {
  const title = reason === 'unknown' ? t('checkin.unknown') : reason === 'cancelled' ? t('checkin.cancelled') : reason === 'waitlisted' ? t('checkin.waitlisted') : t('checkin.notAdmitted');
  let note = '';
  if (reason === 'unknown') note = offline ? t('checkin.unknownLocalNote', { code: formatCode(ctx.code) }) : t('checkin.unknownNote', { code: formatCode(ctx.code) });
  else if (reason === 'cancelled') note = t('checkin.cancelledNote');
  else if (reason === 'waitlisted') note = t('checkin.waitlistedNote');
  // Forcing cannot make an unknown code known to the server; offline, the list on the device may just be stale.
  const canForce = reason === 'cancelled' || reason === 'waitlisted' || (reason === 'unknown' && offline && !!ctx.code);
  state.last = { kind: 'refused', code: ctx.code, registration_id: ctx.ticket?.registration_id ?? ctx.registration_id ?? null, canForce };
  setResult('refused', title, personLine(name, org), note, { canForce, code: ctx.code });
}

function showError(message) {
  state.last = null;
  setResult('error', message, '', '');
}

// ---------------------------------------------------------------- sound

let audio = null;
function soundOn() { return $('sound').checked; }
function beep(kind) {
  if (!soundOn() || !['admitted', 'already', 'refused'].includes(kind)) return;
  try {
    audio = audio || new AudioContext();
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.type = kind === 'refused' ? 'square' : 'sine';
    o.frequency.value = kind === 'admitted' ? 880 : kind === 'already' ? 520 : 200;
    g.gain.value = 0.06;
    o.connect(g).connect(audio.destination);
    const now = audio.currentTime;
    o.start(now);
    o.stop(now + (kind === 'refused' ? 0.45 : kind === 'already' ? 0.25 : 0.12));
  } catch { /* no audio: the screen says it all */ }
}

// ---------------------------------------------------------------- checking in

/** Runs check-ins one after another, so that fast scanner input keeps its order. */
function enqueueAction(fn) {
  state.chain = state.chain.then(fn).catch((e) => { console.error(e); showError(t('checkin.serverError', { status: e?.message || '?' })); });
  return state.chain;
}

/** target: {ticket_code} or {registration_id}. */
async function checkIn(target, { force = false } = {}) {
  const ev = state.event;
  if (!ev) return;
  const ticket = target.ticket_code ? findByCode(target.ticket_code) : findById(target.registration_id);
  const code = target.ticket_code || ticket?.ticket_code || null;
  const scan = { scan_id: uuid(), attended_at: new Date().toISOString() };
  const ctx = { event_id: ev.id, code, ticket, registration_id: target.registration_id ?? ticket?.registration_id, force, scan };
  if (knownOffline()) return admitOffline(ctx);
  const body = code ? { ticket_code: code } : { registration_id: target.registration_id };
  Object.assign(body, scan);
  if (force) body.force = true;
  let res;
  try {
    res = await send('POST', `/api/v1/events/${ev.id}/checkins`, body, { headers: { 'x-device-id': store.deviceId() } });
  } catch (e) {
    if (e?.network) return admitOffline(ctx);
    throw e;
  }
  if (isUnavailable(res.status)) return admitOffline(ctx);
  setReachable(true);
  await handleAnswer(ctx, res);
  if (state.pending) flush();
}

async function handleAnswer(ctx, res) {
  const b = res.body && typeof res.body === 'object' ? res.body : {};
  const reg = b.registration && typeof b.registration === 'object' ? b.registration : b;
  const name = ctx.ticket?.name ?? reg.name ?? '';
  const org = ctx.ticket?.organisation ?? reg.organisation ?? '';
  const regId = ctx.ticket?.registration_id ?? b.registration_id ?? reg.registration_id ?? b.registration?.id ?? null;
  const ok = res.status === 200 || res.status === 201;
  if (ok && (b.result === 'checked_in' || (!b.result && res.status === 201))) {
    const at = b.checked_in_at || reg.checked_in_at || ctx.scan.attended_at;
    await markLocal(ctx, at, null);
    bump('checked_in');
    renderCounts();
    showAdmitted(ctx, { name, org, regId });
  } else if (ok && b.result === 'already_checked_in') {
    const at = b.checked_in_at || reg.checked_in_at || ctx.ticket?.checked_in_at;
    if (ctx.ticket && !ctx.ticket.checked_in_at && at) { ctx.ticket.checked_in_at = at; await saveTickets(); }
    showAlready(ctx, name, org, at);
  } else if (res.status === 404) {
    showRefused(ctx, 'unknown', name, org);
  } else if (res.status === 409) {
    const reason = registrationStatus(b, ctx.ticket);
    if (ctx.ticket && (reason === 'cancelled' || reason === 'waitlisted')) { ctx.ticket.status = reason; await saveTickets(); }
    showRefused(ctx, reason, name, org);
  } else if (res.status === 401) {
    sessionEnded();
  } else if (res.status === 403) {
    showError(t('checkin.notAllowed'));
  } else {
    showError(`${t('checkin.serverError', { status: res.status })} ${errorOf(res).message}`);
  }
}

/** cancelled / waitlisted / refused, from a 409 answer's registration_status (else the local list). */
function registrationStatus(b, ticket) {
  const st = b.registration_status ?? b.registration?.status;
  if (st === 'cancelled' || st === 'waitlisted') return st;
  if (ticket?.status === 'cancelled' || ticket?.status === 'waitlisted') return ticket.status;
  return 'refused';
}

async function markLocal(ctx, at, pendingScanId) {
  const x = ctx.ticket || findByCode(ctx.code);
  if (!x) return;
  x.checked_in_at = at;
  if (pendingScanId) x._pending = pendingScanId; else delete x._pending;
  if (ctx.force && x.status !== 'confirmed') x.status = 'confirmed';
  await saveTickets();
}

/** No network: answer from the list on this device and queue the scan for later. */
async function admitOffline(ctx) {
  setReachable(false);
  const x = ctx.ticket;
  const name = x?.name ?? '';
  const org = x?.organisation ?? '';
  if (!ctx.code) return showError(t('checkin.networkError'));
  if (x?.checked_in_at) return showAlready(ctx, name, org, x.checked_in_at);
  if (!x && !ctx.force) return showRefused(ctx, 'unknown', '', '', { offline: true });
  if (x && !ctx.force && (x.status === 'cancelled' || x.status === 'waitlisted')) return showRefused(ctx, x.status, name, org, { offline: true });
  const item = {
    kind: 'checkin', event_id: ctx.event_id, ticket_code: ctx.code, scan_id: ctx.scan.scan_id, attended_at: ctx.scan.attended_at,
    local: !!x, name, organisation: org,
  };
  if (ctx.force) item.force = true;
  ctx.queuedSeq = await store.enqueue(item);
  await markLocal(ctx, ctx.scan.attended_at, ctx.scan.scan_id);
  renderCounts();
  showAdmitted(ctx, { name: name || formatCode(ctx.code), org, regId: x?.registration_id, offline: true });
  await updatePending();
}

async function undo() {
  const last = state.last;
  if (!last || last.kind !== 'admitted') return;
  $('undo').hidden = true;
  const ctx = { code: last.code };
  const x = findByCode(last.code) || findById(last.registration_id);
  const who = last.name || x?.name || formatCode(last.code);
  const unmark = async () => { if (x) { x.checked_in_at = null; delete x._pending; await saveTickets(); } renderCounts(); };
  const done = (note) => {
    state.last = null;
    setResult('undone', t('checkin.undone'), who, note || t('checkin.undoneNote', { name: who }), { code: ctx.code });
  };
  if (last.queuedSeq != null) {
    const queue = await store.listQueue().catch(() => []);
    if (queue.some((q) => q.seq === last.queuedSeq)) {
      await store.dequeue([last.queuedSeq]);
      await unmark();
      await updatePending();
      return done();
    }
  }
  let regId = last.registration_id ?? x?.registration_id ?? null;
  if (regId == null && !knownOffline()) { await refreshTickets(); regId = findByCode(last.code)?.registration_id ?? null; }
  if (regId == null) return showError(t('checkin.serverError', { status: '—' }));
  try {
    const res = await send('DELETE', `/api/v1/events/${last.event_id}/checkins/${regId}`);
    if (res.status === 401) return sessionEnded();
    if (isUnavailable(res.status)) throw new ApiError(0, { detail: 'unavailable' });
    if (res.status >= 400 && res.status !== 404) return showError(`${t('checkin.serverError', { status: res.status })} ${errorOf(res).message}`);
    if (x?.checked_in_at && !x._pending) bump('checked_in', -1);
    await unmark();
    done();
  } catch (e) {
    if (!e?.network) throw e;
    setReachable(false);
    await store.enqueue({ kind: 'undo', event_id: last.event_id, registration_id: regId, ticket_code: last.code });
    if (x?.checked_in_at && !x._pending && state.counts?.checked_in) state.counts.checked_in--;
    await unmark();
    await updatePending();
    done(t('checkin.undoQueued'));
  }
}

function admitAnyway() {
  const last = state.last;
  if (!last || last.kind !== 'refused' || !last.canForce) return;
  $('admit-anyway').hidden = true;
  const target = last.code ? { ticket_code: last.code } : { registration_id: last.registration_id };
  return enqueueAction(() => checkIn(target, { force: true })).then(() => $('code').focus());
}

// ---------------------------------------------------------------- sending the queue

async function updatePending(justSent = false) {
  const queue = await store.listQueue().catch(() => []);
  const n = queue.filter((q) => q.kind === 'checkin').length;
  state.pending = queue.length;
  if (justSent) state.justSent = true;
  if (n) state.justSent = false;
  const p = $('pending');
  p.dataset.state = n ? 'waiting' : state.justSent ? 'done' : '';
  p.dataset.count = String(n);
  p.textContent = n ? t('checkin.pending', { n }) : state.justSent ? t('checkin.allSent') : '';
}

/** The answer of one check-in (single call or a batch entry), reduced to what the door needs. */
function classifyAnswer(status, body) {
  const b = body && typeof body === 'object' ? body : {};
  const result = b.result;
  if (result === 'checked_in' || result === 'already_checked_in') {
    return { ok: true, result, checked_in_at: b.checked_in_at ?? b.registration?.checked_in_at ?? null };
  }
  if (status >= 200 && status < 300) return { ok: true, result: 'checked_in', checked_in_at: b.checked_in_at ?? null };
  if (status === 404) return { ok: false, reason: 'unknown', status };
  if (status === 409) return { ok: false, reason: registrationStatus(b, null), status };
  return { ok: false, reason: 'error', status, detail: b.detail || b.title || '' };
}

function classifyBatchEntry(r) {
  if (!r || typeof r !== 'object') return { ok: false, reason: 'error', status: 0 };
  // Either {status, body} envelopes or the single call's own body (problem details carry a numeric status).
  if (r.body && typeof r.body === 'object') return classifyAnswer(Number(r.status ?? r.http_status) || 0, r.body);
  const num = [r.http_status, r.status_code, r.status, r.code].find((v) => typeof v === 'number');
  return classifyAnswer(num ?? (r.result ? 200 : 0), r);
}

/** Sends queued scans (POST /api/v1/checkins/batch) and undos, oldest first; stops at the first network failure. */
async function flush() {
  if (state.flushing || !getSession()?.token || knownOffline()) return;
  state.flushing = true;
  let sent = false;
  let problem = null;
  try {
    for (;;) {
      const queue = await store.listQueue();
      if (!queue.length) break;
      const head = queue[0];
      if (head.kind === 'undo') {
        let res;
        try { res = await send('DELETE', `/api/v1/events/${head.event_id}/checkins/${head.registration_id}`); }
        catch (e) { if (e?.network) { setReachable(false); break; } throw e; }
        if (res.status === 401) { sessionEnded(); break; }
        if (res.status >= 500) { problem = res.status; break; }
        await store.dequeue([head.seq]);
        sent = true;
        continue;
      }
      const run = [];
      for (const q of queue) { if (q.kind !== 'checkin' || run.length >= BATCH_SIZE) break; run.push(q); }
      const wire = (q) => {
        const o = { event_id: q.event_id, ticket_code: q.ticket_code, scan_id: q.scan_id, attended_at: q.attended_at };
        if (q.force) o.force = true;
        return o;
      };
      let res;
      try { res = await send('POST', '/api/v1/checkins/batch', { items: run.map(wire) }, { timeoutMs: 20000, headers: { 'x-device-id': store.deviceId() } }); }
      catch (e) { if (e?.network) { setReachable(false); break; } throw e; }
      if (res.status === 401) { sessionEnded(); break; }
      if (res.status >= 500) { problem = res.status; break; }
      setReachable(true);
      let results = null;
      if (res.status >= 200 && res.status < 300 && Array.isArray(res.body?.results) && res.body.results.length === run.length) {
        results = res.body.results.map(classifyBatchEntry);
      } else {
        // No usable batch answer: send them one by one; the scan_id makes a repeat harmless on the server.
        results = [];
        for (const q of run) {
          let r;
          try { r = await send('POST', `/api/v1/events/${q.event_id}/checkins`, (({ event_id, ...rest }) => rest)(wire(q)), { headers: { 'x-device-id': store.deviceId() } }); }
          catch (e) { if (e?.network) { setReachable(false); break; } throw e; }
          if (r.status === 401 || r.status >= 500) { problem = r.status; break; }
          results.push(classifyAnswer(r.status, r.body));
        }
      }
      const done = run.slice(0, results.length);
      await applyResults(done, results);
      await store.dequeue(done.map((q) => q.seq));
      if (done.length) sent = true;
      if (done.length < run.length) { if (problem === 401) sessionEnded(); break; }
    }
  } finally {
    state.flushing = false;
  }
  await updatePending(sent);
  if (problem && problem !== 401) {
    const p = $('pending');
    if (state.pending) p.textContent = `${p.textContent}. ${t('checkin.sendFailed', { status: problem })}`;
  }
  if (sent && state.screen === 'door') refreshTickets();
}

async function applyResults(items, results) {
  let changed = false;
  items.forEach((q, i) => {
    const r = results[i];
    const current = state.event && q.event_id === state.event.id;
    const x = current ? findByCode(q.ticket_code) : undefined;
    if (r.ok) {
      if (x) { x.checked_in_at = x.checked_in_at || r.checked_in_at || q.attended_at; delete x._pending; changed = true; }
      if (current && r.result === 'checked_in') bump('checked_in');
      return;
    }
    if (x) {
      if (x._pending === q.scan_id) { x.checked_in_at = null; delete x._pending; }
      if (r.reason === 'cancelled' || r.reason === 'waitlisted') x.status = r.reason;
      changed = true;
    }
    state.conflicts.push({
      id: q.scan_id, event_id: q.event_id, code: q.ticket_code, name: q.name || x?.name || '',
      attended_at: q.attended_at, reason: r.reason, detail: r.detail || '', status: r.status,
    });
  });
  if (changed) await saveTickets();
  renderCounts();
  renderConflicts();
}

function reasonText(c) {
  if (c.reason === 'unknown') return t('checkin.unknown');
  if (c.reason === 'cancelled') return t('checkin.cancelled');
  if (c.reason === 'waitlisted') return t('checkin.waitlisted');
  return `${t('checkin.notAdmitted')}${c.detail ? ` (${c.detail})` : c.status ? ` (${c.status})` : ''}`;
}

function renderConflicts() {
  const list = $('conflict-list');
  list.replaceChildren();
  const mine = state.conflicts;
  $('conflicts').hidden = mine.length === 0;
  for (const c of mine) {
    const text = t('checkin.conflictLine', { name: c.name || '—', code: formatCode(c.code), time: formatTime(c.attended_at), reason: reasonText(c) });
    const canForce = (c.reason === 'cancelled' || c.reason === 'waitlisted') && state.event?.id === c.event_id;
    list.append(h('li', { dataset: { code: c.code, reason: c.reason } },
      h('span', { text }),
      h('span', { class: 'conflict-actions' },
        canForce ? h('button', {
          type: 'button', class: 'btn btn-danger', text: t('checkin.admitAnyway'),
          onclick: () => { dropConflict(c.id); enqueueAction(() => checkIn({ ticket_code: c.code }, { force: true })).then(() => $('code').focus()); },
        }) : null,
        h('button', { type: 'button', class: 'btn btn-quiet', text: t('checkin.dismiss'), onclick: () => { dropConflict(c.id); $('code').focus(); } }))));
  }
}

function dropConflict(id) {
  state.conflicts = state.conflicts.filter((c) => c.id !== id);
  renderConflicts();
}

// ---------------------------------------------------------------- typing, searching, scanning

let countTimer = 0;

function renderMatches(announce = true) {
  const input = $('code');
  const ul = $('matches');
  const q = input.value;
  $('code-error').hidden = true;
  ul.replaceChildren();
  clearTimeout(countTimer);
  if (q.trim().length < 2) { $('match-count').textContent = ''; return; }
  const found = searchTickets(state.tickets, q);
  for (const x of found) {
    let stateBadge = null;
    if (x.checked_in_at) stateBadge = h('span', { class: 'match-state is-in', text: t('checkin.checkedInAt', { time: formatTime(x.checked_in_at) }) });
    else if (x.status === 'cancelled') stateBadge = h('span', { class: 'match-state is-bad', text: t('checkin.cancelled') });
    else if (x.status === 'waitlisted') stateBadge = h('span', { class: 'match-state is-bad', text: t('checkin.waitlisted') });
    ul.append(h('li', {},
      h('button', {
        type: 'button', class: 'match', dataset: { code: x.ticket_code || '', registrationId: String(x.registration_id ?? '') },
        onclick: () => pickMatch(x),
      },
      h('span', { class: 'visually-hidden', text: t('checkin.checkInButton') + ':' }),
      h('span', { class: 'match-name', text: x.name || '—' }),
      x.organisation ? h('span', { class: 'match-org', text: x.organisation }) : null,
      x.ticket_code ? h('span', { class: 'match-code', text: formatCode(x.ticket_code) }) : null,
      x.walk_in ? h('span', { class: 'match-state', text: t('checkin.walkInBadge') }) : null,
      stateBadge)));
  }
  // Announce the count once typing pauses, not for every letter a scanner types.
  if (announce) {
    countTimer = setTimeout(() => {
      $('match-count').textContent = found.length ? t('checkin.matches', { n: found.length }) : t('checkin.noMatches');
    }, 600);
  }
}

function clearEntry() {
  $('code').value = '';
  renderMatches();
  $('match-count').textContent = '';
}

function pickMatch(x) {
  clearEntry();
  $('code').focus();
  const target = x.ticket_code ? { ticket_code: x.ticket_code } : { registration_id: x.registration_id };
  return enqueueAction(() => checkIn(target));
}

function onCodeSubmit(e) {
  e.preventDefault();
  const input = $('code');
  const text = input.value;
  if (!text.trim()) return;
  const code = extractCode(text);
  if (!code) {
    const err = $('code-error');
    err.textContent = t('checkin.notACode', { text: text.trim() });
    err.hidden = false;
    return;
  }
  clearEntry();
  input.focus();
  enqueueAction(() => checkIn({ ticket_code: code }));
}

function onCodeKeydown(e) {
  if (e.key === 'ArrowDown') {
    const first = $('matches').querySelector('button');
    if (first) { e.preventDefault(); first.focus(); }
  } else if (e.key === 'Escape') {
    clearEntry();
  }
}

function onMatchesKeydown(e) {
  const buttons = [...$('matches').querySelectorAll('button')];
  const i = buttons.indexOf(document.activeElement);
  if (i < 0) return;
  if (e.key === 'ArrowDown') { e.preventDefault(); (buttons[i + 1] || buttons[i]).focus(); }
  else if (e.key === 'ArrowUp') { e.preventDefault(); (i === 0 ? $('code') : buttons[i - 1]).focus(); }
  else if (e.key === 'Escape') { e.preventDefault(); $('code').focus(); }
}

/**
 * A keyboard-wedge scanner types into whatever has focus. When that is nothing, or a button (where the final
 * Enter would press it), the keys go to the code field instead. Codes hold no spaces, so Space still presses buttons.
 */
function onDocumentKeydown(e) {
  if (state.screen !== 'door' || e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1 || e.key === ' ') return;
  const a = document.activeElement;
  const idle = !a || a === document.body || a === $('main') || a.tagName === 'BUTTON' || a.tagName === 'SUMMARY' || a.tagName === 'VIDEO';
  if (idle && !a?.closest?.('#walkin-form')) $('code').focus();
}

// ---------------------------------------------------------------- camera

async function startCamera() {
  const status = $('camera-status');
  if (!cameraSupported()) { status.textContent = t('checkin.cameraUnsupported'); return; }
  state.scanner = state.scanner || new QrScanner($('camera-video'), {
    onText: onCameraText,
    onError: () => { stopCamera(); status.textContent = t('checkin.cameraFailed', { reason: 'ended' }); },
  });
  $('camera-video').hidden = false;
  try {
    await state.scanner.start();
    $('camera-start').hidden = true;
    $('camera-stop').hidden = false;
    $('camera-stop').focus();
    status.textContent = t('checkin.cameraOn');
  } catch (e) {
    state.scanner.stop();
    $('camera-video').hidden = true;
    status.textContent = e?.name === 'NotAllowedError' || e?.name === 'SecurityError' ? t('checkin.cameraDenied')
      : e?.name === 'NotFoundError' || e?.name === 'OverconstrainedError' ? t('checkin.cameraNone')
        : t('checkin.cameraFailed', { reason: e?.message || e?.name || '?' });
  }
}

function stopCamera() {
  if (!state.scanner?.running) return;
  state.scanner.stop();
  $('camera-video').hidden = true;
  $('camera-start').hidden = false;
  $('camera-stop').hidden = true;
  $('camera-status').textContent = '';
}

function onCameraText(text) {
  const code = extractCode(text);
  if (!code) return;
  const now = Date.now();
  // The camera sees the same QR code many times a second: one check-in per code per few seconds.
  if (state.cameraLast.code === code && now - state.cameraLast.at < CAMERA_REPEAT_MS) return;
  state.cameraLast = { code, at: now };
  enqueueAction(() => checkIn({ ticket_code: code }));
}

// ---------------------------------------------------------------- walk-ins

async function loadMunicipalities() {
  const list = $('municipalities');
  if (list.childElementCount) return;
  let names = await store.getMeta('municipalities').catch(() => undefined);
  try {
    const res = await send('GET', '/api/v1/config', undefined, { timeoutMs: 5000 });
    if (res.status === 200 && Array.isArray(res.body?.home_municipalities)) {
      names = res.body.home_municipalities;
      store.putMeta('municipalities', names).catch(() => {});
    }
  } catch { /* offline: cached or default list */ }
  for (const n of names || DEFAULT_MUNICIPALITIES) list.append(h('option', { value: n }));
}

async function onWalkIn(e) {
  e.preventDefault();
  const ev = state.event;
  if (!ev) return;
  clearWalkInErrors();
  const { v, errors, body } = readWalkInForm();
  if (Object.keys(errors).length) return showWalkInErrors(errors);

  let res;
  try { res = await send('POST', `/api/v1/events/${ev.id}/walk-ins`, body); }
  catch (err) {
    if (!err?.network) throw err;
    setReachable(false);
    showWalkInMessage(t('checkin.walkInOffline'));
    return;
  }
  if (res.status === 401) return sessionEnded();
  if (res.status === 201 || res.status === 200) {
    setReachable(true);
    const r = res.body || {};
    const regId = r.id ?? r.registration_id ?? null;
    const at = r.checked_in_at || new Date().toISOString();
    if (r.ticket_code && !findByCode(r.ticket_code)) {
      state.tickets.push({ registration_id: regId, ticket_code: r.ticket_code, name: v.name, organisation: v.organisation, status: 'confirmed', walk_in: true, checked_in_at: at });
      bump('checked_in');
      bump('walk_ins');
      await saveTickets();
    }
    renderCounts();
    $('walkin-form').reset();
    const ctx = { event_id: ev.id, code: r.ticket_code || null, force: false };
    showAdmitted(ctx, { name: v.name, org: v.organisation, regId, walkIn: true });
    $('code').focus();
    refreshTickets();
    return;
  }
  const fieldErrors = serverFieldErrors(res);
  if (fieldErrors) return showWalkInErrors(fieldErrors);
  const detail = errorOf(res).message;
  showWalkInMessage(res.status === 409 && res.body?.reason === 'duplicate' ? t('checkin.walkInDuplicate')
    : res.status === 403 ? t('checkin.notAllowed')
      : res.status === 409 ? t('checkin.walkInClosed', { detail }) : `${t('checkin.serverError', { status: res.status })} ${detail}`);
}

// ---------------------------------------------------------------- language

function onLanguage() {
  setLanguage($('lang').value);
  // Re-render what JavaScript wrote.
  if (state.screen === 'events') renderEvents(state.events);
  if (state.screen === 'door') {
    renderDoorHead();
    renderListStatus();
    renderConflicts();
    updatePending();
    if ($('code').value) renderMatches(false);
    if ($('result').dataset.kind === 'idle') setResult('idle', t('checkin.resultIdle'));
  }
  if (state.screen === 'attendance') attendance.render();
  if (state.screen === 'forbidden') showForbidden(getSession()?.user);
}

// ---------------------------------------------------------------- wiring

function bind() {
  $('signin-form').addEventListener('submit', onSignIn);
  $('sign-out').addEventListener('click', onSignOut);
  $('lang').addEventListener('change', onLanguage);
  $('reload-events').addEventListener('click', loadEvents);
  $('change-event').addEventListener('click', changeEvent);
  $('open-attendance').addEventListener('click', () => { if (state.event) openAttendance(state.event.id, state.event); });
  $('att-change-event').addEventListener('click', changeEvent);
  $('att-to-door').addEventListener('click', () => { if (state.event) openEvent(state.event.id, state.event); });
  $('code-form').addEventListener('submit', onCodeSubmit);
  $('code').addEventListener('input', () => renderMatches());
  $('code').addEventListener('keydown', onCodeKeydown);
  $('matches').addEventListener('keydown', onMatchesKeydown);
  $('undo').addEventListener('click', () => enqueueAction(undo).then(() => $('code').focus()));
  $('admit-anyway').addEventListener('click', admitAnyway);
  $('camera-start').addEventListener('click', startCamera);
  $('camera-stop').addEventListener('click', () => { stopCamera(); $('camera-start').focus(); });
  // One walk-in form: at the door it admits at once, in "record attendance afterwards" it adds an attendee on the chosen date.
  $('walkin-form').addEventListener('submit', (e) => (state.screen === 'attendance' ? attendance.onAddAttendee(e) : onWalkIn(e)));
  attendance.bind({ sessionEnded });
  const sound = $('sound');
  try { sound.checked = localStorage.getItem(SOUND_KEY) !== 'off'; } catch { /* default on */ }
  sound.addEventListener('change', () => { try { localStorage.setItem(SOUND_KEY, sound.checked ? 'on' : 'off'); } catch { /* ignore */ } });
  document.addEventListener('keydown', onDocumentKeydown);
  window.addEventListener('online', () => {
    setReachable(true);
    if (state.screen === 'door') { flush(); refreshTickets(); }
    else flush();
  });
  window.addEventListener('offline', () => setReachable(false));
  window.addEventListener('pagehide', stopCamera);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.screen === 'door') { flush(); refreshTickets(); }
  });
  // Scans waiting while no door screen is open (e.g. on the event list) are still retried.
  setInterval(() => { if (state.pending && state.screen !== 'door') flush(); }, REFRESH_MS * 3);
}

boot();
