// Live updates for every page: one WebSocket to the server's /ws, topics with callbacks, reconnection with
// exponential backoff and jitter, and polling in its place where it cannot serve (no WebSocket in the browser, the
// connection lost, a topic refused).
//
// Protocol (docs/API-EXTENSIONS.md, "Live updates"): the client sends {"type":"subscribe","topics":[...]}; the server
// answers each topic with {"type":"snapshot","topic","seq","data"}, then {"type":"update",...} on every change, where
// data is always the topic's full state and seq grows. Private topics (goals, checkins:{id}) are authorised by the
// session cookie the browser sends with the upgrade request (same origin): no staff token passes through this module.
// A participant's own topic (partner:{registration_id}) has no cookie behind it: the page hands its private link to
// authorize(), which sends {"type":"auth","manage_token"} first thing on every connection.

const MIN_DELAY_MS = 1000;       // the first retry after a failure waits 0.5-1 s
const MAX_DELAY_MS = 30000;      // and no retry waits longer than this
const STABLE_MS = 10000;         // a connection that stayed open this long starts the backoff afresh
const MAX_MESSAGE_BYTES = 4000;  // the server closes on client messages over 4096 bytes
const MAX_TOPICS = 64;           // the server refuses more per connection
export const DEFAULT_POLL_MS = 30000;

/**
 * The wait before retry number `attempt` (0, 1, 2, ...): 1 s, 2 s, 4 s, ... up to 30 s, each shortened by a random
 * part of up to half, so that many pages cut off together (a server restart) do not all come back at the same moment.
 */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

/** ws://host/ws or wss://host/ws for the page's own origin. */
function defaultUrl() {
  const loc = globalThis.location;
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/**
 * One connection and its topics. States: 'connecting' (the first attempt, or one after renew()), 'open', 'lost' (closed
 * or never opened; retrying), 'unavailable' (this browser has no WebSocket: polling only), 'closed' (close() called).
 */
export class LiveClient {
  /**
   * options: url (default: /ws of the page's origin), WebSocket (the constructor; default the browser's),
   * random and now (for tests), windowEvents (default: the page's window; null: none).
   */
  constructor({ url, WebSocket: Socket = globalThis.WebSocket, random = Math.random, now = () => Date.now(),
    windowEvents = globalThis.window ?? null } = {}) {
    this.url_ = url || null;
    this.Socket_ = typeof Socket === 'function' ? Socket : null;
    this.random_ = random;
    this.now_ = now;
    this.topics_ = new Map();      // topic -> {listeners: Set, seq, data, live, refused, pollTimer, polling}
    this.stateListeners_ = new Set();
    this.state_ = 'connecting';
    this.ws_ = null;
    this.started_ = false;
    this.attempt_ = 0;
    this.openedAt_ = 0;
    this.retryTimer_ = 0;
    this.nextRetryAt_ = null;
    this.lastHeard_ = null;
    this.suspended_ = false;  // closed while the page sat in the back/forward cache
    this.auths_ = [];         // messages sent before the subscriptions on every connection (authorize())
    if (windowEvents) this.watchPage_(windowEvents);
  }

  /** 'connecting' | 'open' | 'lost' | 'unavailable' | 'closed'. */
  get state() { return this.state_; }

  /** When the server was last heard from (ms since the epoch: a message, or the connection opening), or null. */
  get lastHeard() { return this.lastHeard_; }

  /** When the next connection attempt is due (ms since the epoch), or null. */
  get nextRetryAt() { return this.nextRetryAt_; }

  /** Calls fn(state, client) on every change of state; returns a function that stops it. */
  onState(fn) {
    this.stateListeners_.add(fn);
    return () => this.stateListeners_.delete(fn);
  }

  /**
   * Follows a topic. handlers: onData(data, {topic, seq, source: 'snapshot'|'update'|'poll'|'cache'}) with the topic's
   * full state; onError(code, topic) for a refusal ('forbidden', 'unknown_topic', 'too_many_topics'); poll, an async
   * function returning the same state from the REST API, called every pollMs (default 30 s) while the topic is not
   * live (no WebSocket, connection lost, topic refused). Returns a function that stops following.
   */
  subscribe(topic, handlers = {}) {
    const listener = { onData: handlers.onData, onError: handlers.onError, poll: handlers.poll,
      pollMs: handlers.pollMs || DEFAULT_POLL_MS };
    let t = this.topics_.get(topic);
    const isNew = !t;
    if (isNew) {
      t = { listeners: new Set(), seq: null, data: undefined, live: false, refused: null, pollTimer: 0, polling: false };
      this.topics_.set(topic, t);
    }
    t.listeners.add(listener);
    if (!isNew && t.data !== undefined && listener.onData) {
      // Another part of the page follows this topic already: hand over what is known at once.
      const { data, seq } = t;
      queueMicrotask(() => { if (t.listeners.has(listener)) listener.onData(data, { topic, seq, source: 'cache' }); });
    }
    if (!this.started_) this.start_();
    else if (isNew && this.isOpen_()) this.send_({ type: 'subscribe', topics: [topic] });
    this.updatePolling_(topic, t);
    return () => this.unsubscribe_(topic, listener);
  }

  /**
   * Sends `message` (e.g. {type: 'auth', manage_token}) now if the connection is open, and first thing on every
   * connection from now on, before the topics are subscribed: for private topics authorised by a credential the page
   * holds (a participant's private link) rather than by the session cookie. Topics refused as forbidden before it are
   * asked for again.
   */
  authorize(message) {
    const text = JSON.stringify(message);
    if (this.auths_.some((m) => JSON.stringify(m) === text)) return;
    this.auths_.push(message);
    if (!this.isOpen_()) return;
    this.send_(message);
    const again = [...this.topics_].filter(([, t]) => t.refused === 'forbidden').map(([topic]) => topic);
    if (again.length) this.send_({ type: 'subscribe', topics: again });
  }

  /** True while `topic` is served by the open connection (its snapshot came; not refused). */
  isLive(topic) {
    const t = this.topics_.get(topic);
    return !!t && t.live && this.isOpen_();
  }

  /** Tries to connect at once (e.g. a "Reconnect now" button), instead of waiting for the next retry. */
  reconnectNow() {
    if (this.state_ === 'open' || this.state_ === 'unavailable' || this.state_ === 'closed' || !this.started_) return;
    if (this.ws_) return; // an attempt is under way
    this.clearRetry_();
    this.connect_();
  }

  /** Closes the connection for good and stops every poll. */
  close() {
    this.clearRetry_();
    for (const t of this.topics_.values()) this.stopPoll_(t);
    this.dropSocket_(1000);
    this.setState_('closed');
  }

  // ---------------------------------------------------------------- connection

  start_() {
    this.started_ = true;
    if (!this.Socket_) { this.setState_('unavailable'); return; }
    this.connect_();
  }

  isOpen_() { return !!this.ws_ && this.state_ === 'open'; }

  connect_() {
    this.nextRetryAt_ = null;
    let ws;
    try {
      ws = new this.Socket_(this.url_ || defaultUrl());
    } catch {
      // A URL the browser refuses outright (e.g. a blocked scheme): treat it like a failed attempt.
      this.failed_();
      return;
    }
    this.ws_ = ws;
    ws.onopen = () => {
      if (this.ws_ !== ws) return;
      this.openedAt_ = this.now_();
      this.lastHeard_ = this.openedAt_;
      for (const t of this.topics_.values()) { t.seq = null; t.live = false; t.refused = null; }
      this.setState_('open');
      for (const m of this.auths_) this.send_(m);
      this.subscribeAll_();
    };
    ws.onmessage = (ev) => { if (this.ws_ === ws) this.receive_(ev.data); };
    ws.onerror = () => { /* a close event follows and decides */ };
    ws.onclose = () => {
      if (this.ws_ !== ws) return;
      this.ws_ = null;
      this.failed_();
    };
  }

  /** The connection closed or could not open: every topic falls back to polling, and a retry is scheduled. */
  failed_() {
    if (this.state_ === 'closed') return;
    if (this.openedAt_ && this.now_() - this.openedAt_ >= STABLE_MS) this.attempt_ = 0;
    this.openedAt_ = 0;
    for (const t of this.topics_.values()) t.live = false;
    const delay = backoffDelay(this.attempt_, this.random_);
    this.attempt_ += 1;
    this.clearRetry_();
    this.nextRetryAt_ = this.now_() + delay;
    this.retryTimer_ = setTimeout(() => { this.retryTimer_ = 0; this.connect_(); }, delay);
    if (this.state_ === 'lost') {
      // Still lost: the polls run already; only the time of the next attempt is news.
      for (const [topic, t] of this.topics_) this.updatePolling_(topic, t);
      this.notify_();
    } else {
      this.setState_('lost');
    }
  }

  clearRetry_() {
    if (this.retryTimer_) clearTimeout(this.retryTimer_);
    this.retryTimer_ = 0;
    this.nextRetryAt_ = null;
  }

  dropSocket_(code) {
    const ws = this.ws_;
    this.ws_ = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try { ws.close(code); } catch { /* already closing */ }
    }
  }

  /**
   * Connects afresh with the browser's current cookies: the server authorised the open connection with the cookie it
   * had when it opened, so a sign-in, a sign-out or another user must not keep using it.
   */
  renew() {
    if (!this.started_ || this.state_ === 'unavailable' || this.state_ === 'closed') return;
    this.clearRetry_();
    this.dropSocket_(1000);
    this.attempt_ = 0;
    this.openedAt_ = 0;
    for (const t of this.topics_.values()) t.live = false;
    this.setState_('connecting');
    this.connect_();
  }

  /** Retries at once when the page comes back (network again, tab shown again, restored from the back/forward cache). */
  watchPage_(win) {
    win.addEventListener('eventd-session-changed', () => this.renew());
    const soon = () => { if (this.state_ === 'lost') this.reconnectNow(); };
    win.addEventListener('online', soon);
    win.document?.addEventListener?.('visibilitychange', () => { if (win.document.visibilityState === 'visible') soon(); });
    // An open WebSocket keeps a page out of the back/forward cache: close it when leaving, reopen when restored.
    win.addEventListener('pagehide', (ev) => {
      if (!ev.persisted || !this.started_ || this.state_ === 'closed' || this.state_ === 'unavailable') return;
      this.clearRetry_();
      this.dropSocket_(1001);
      this.suspended_ = true;
    });
    win.addEventListener('pageshow', (ev) => {
      if (!ev.persisted || !this.suspended_) return;
      this.suspended_ = false;
      this.attempt_ = 0;
      this.failed_();
      this.reconnectNow();
    });
  }

  // ---------------------------------------------------------------- messages

  send_(msg) {
    try { this.ws_.send(JSON.stringify(msg)); } catch { /* closing: the close handler takes over */ }
  }

  /** Subscribes to every followed topic, in messages the server accepts (size and count). */
  subscribeAll_() {
    const topics = [...this.topics_.keys()].slice(0, MAX_TOPICS);
    let batch = [];
    let size = 40;
    for (const topic of topics) {
      const add = JSON.stringify(topic).length + 1;
      if (batch.length && size + add > MAX_MESSAGE_BYTES) {
        this.send_({ type: 'subscribe', topics: batch });
        batch = [];
        size = 40;
      }
      batch.push(topic);
      size += add;
    }
    if (batch.length) this.send_({ type: 'subscribe', topics: batch });
    for (const [topic, t] of this.topics_) if (!topics.includes(topic)) this.refuse_(topic, t, 'too_many_topics');
  }

  receive_(text) {
    this.lastHeard_ = this.now_();
    let msg;
    try { msg = JSON.parse(text); } catch { return; }
    if (!msg || typeof msg !== 'object') return;
    const t = typeof msg.topic === 'string' ? this.topics_.get(msg.topic) : undefined;
    if ((msg.type === 'snapshot' || msg.type === 'update') && t) {
      const seq = typeof msg.seq === 'number' ? msg.seq : null;
      // Updates may overtake nothing, but a late one must never replace a newer state.
      if (seq !== null && t.seq !== null && seq <= t.seq) return;
      t.seq = seq;
      t.data = msg.data;
      t.live = true;
      t.refused = null;
      this.updatePolling_(msg.topic, t);
      for (const l of [...t.listeners]) if (l.onData) l.onData(msg.data, { topic: msg.topic, seq, source: msg.type });
    } else if (msg.type === 'error' && t) {
      this.refuse_(msg.topic, t, typeof msg.code === 'string' ? msg.code : 'error');
    }
    // Anything else (an error without a topic, a type this page does not know) changes nothing here.
  }

  refuse_(topic, t, code) {
    t.refused = code;
    t.live = false;
    this.updatePolling_(topic, t);
    for (const l of [...t.listeners]) if (l.onError) l.onError(code, topic);
  }

  unsubscribe_(topic, listener) {
    const t = this.topics_.get(topic);
    if (!t || !t.listeners.delete(listener)) return;
    if (t.listeners.size) { this.updatePolling_(topic, t); return; }
    this.stopPoll_(t);
    this.topics_.delete(topic);
    if (this.isOpen_()) this.send_({ type: 'unsubscribe', topics: [topic] });
  }

  // ---------------------------------------------------------------- polling in place of the connection

  updatePolling_(topic, t) {
    const pollers = [...t.listeners].filter((l) => l.poll);
    const wanted = pollers.length > 0 && this.state_ !== 'closed' && !(t.live && this.isOpen_());
    if (!wanted) { this.stopPoll_(t); return; }
    if (t.pollTimer) return;
    const ms = Math.min(...pollers.map((l) => l.pollMs));
    t.pollTimer = setInterval(() => this.pollOnce_(topic, t), ms);
  }

  stopPoll_(t) {
    if (t.pollTimer) clearInterval(t.pollTimer);
    t.pollTimer = 0;
  }

  async pollOnce_(topic, t) {
    if (t.polling) return;
    const listener = [...t.listeners].find((l) => l.poll);
    if (!listener) return;
    t.polling = true;
    try {
      const data = await listener.poll();
      // The connection may have delivered a newer state while the request was on its way.
      if (data === undefined || t.live || this.topics_.get(topic) !== t) return;
      t.data = data;
      for (const l of [...t.listeners]) if (l.onData) l.onData(data, { topic, seq: null, source: 'poll' });
    } catch { /* the next poll tries again; the page's own poll function reports what it must */ } finally {
      t.polling = false;
    }
  }

  // ---------------------------------------------------------------- state

  setState_(state) {
    if (state === this.state_) return;
    this.state_ = state;
    for (const [topic, t] of this.topics_) this.updatePolling_(topic, t);
    this.notify_();
  }

  notify_() {
    for (const fn of [...this.stateListeners_]) fn(this.state_, this);
  }
}

let shared = null;

/** The page's one live connection (made on first use; it connects at the first subscribe). */
export function live() {
  if (!shared) shared = new LiveClient();
  return shared;
}
