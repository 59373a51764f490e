// The device's own copy: door lists per event, the queue of scans not yet sent, and small cached facts (IndexedDB).
// Falls back to memory when IndexedDB cannot be opened (some private modes), so the door still works for the visit.

const DB_NAME = 'eventd-checkin';
const DB_VERSION = 1;

let dbPromise = null;
const memory = { tickets: new Map(), queue: new Map(), meta: new Map(), seq: 0 };
let useMemory = false;

function open() {
  if (useMemory) return Promise.resolve(null);
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      let req;
      try { req = indexedDB.open(DB_NAME, DB_VERSION); } catch { useMemory = true; resolve(null); return; }
      req.onupgradeneeded = () => {
        const db = req.result;
        // One record per event: {event_id, items:[ticket...], counts, fetched_at}.
        if (!db.objectStoreNames.contains('tickets')) db.createObjectStore('tickets', { keyPath: 'event_id' });
        // Scans and undos waiting for the network, in the order they happened.
        if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', { keyPath: 'key' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => { useMemory = true; resolve(null); };
      req.onblocked = () => { /* another tab holds an older version; it closes on versionchange */ };
    });
  }
  return dbPromise;
}

function run(storeName, mode, fn) {
  return open().then((db) => {
    if (!db) return fn(null);
    return new Promise((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      const store = tx.objectStore(storeName);
      let result;
      Promise.resolve(fn(store)).then((r) => { result = r; }, reject);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  });
}

function req(r) {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}

const clone = (v) => (v == null ? v : structuredClone(v));

// ---- door lists ----

export function getTickets(eventId) {
  return run('tickets', 'readonly', (s) => (s ? req(s.get(eventId)) : clone(memory.tickets.get(eventId))));
}

export function putTickets(record) {
  return run('tickets', 'readwrite', (s) => (s ? req(s.put(record)) : void memory.tickets.set(record.event_id, clone(record))));
}

/** Removes every door list (personal data) from the device, e.g. on sign-out. */
export function clearTickets() {
  return run('tickets', 'readwrite', (s) => (s ? req(s.clear()) : void memory.tickets.clear()));
}

/** Removes door lists fetched more than maxAgeMs ago. */
export function pruneTickets(maxAgeMs) {
  const limit = Date.now() - maxAgeMs;
  return run('tickets', 'readwrite', async (s) => {
    if (!s) { for (const [k, v] of memory.tickets) if ((v.fetched_at || 0) < limit) memory.tickets.delete(k); return; }
    const all = await req(s.getAll());
    for (const r of all) if ((r.fetched_at || 0) < limit) s.delete(r.event_id);
  });
}

// ---- queue ----

/** Adds {kind:'checkin'|'undo', event_id, ...}; resolves to its seq. */
export function enqueue(item) {
  return run('queue', 'readwrite', (s) => {
    if (s) return req(s.add(item));
    const seq = ++memory.seq;
    memory.queue.set(seq, { ...clone(item), seq });
    return seq;
  });
}

/** Every queued item, oldest first, each with its seq. */
export function listQueue() {
  return run('queue', 'readonly', (s) => (s ? req(s.getAll()) : [...memory.queue.values()].map(clone)));
}

export function dequeue(seqs) {
  return run('queue', 'readwrite', (s) => {
    for (const seq of seqs) { if (s) s.delete(seq); else memory.queue.delete(seq); }
  });
}

// ---- small facts (cached event list, the user) ----

export function getMeta(key) {
  return run('meta', 'readonly', async (s) => {
    const r = s ? await req(s.get(key)) : clone(memory.meta.get(key));
    return r ? r.value : undefined;
  });
}

export function putMeta(key, value) {
  return run('meta', 'readwrite', (s) => (s ? req(s.put({ key, value })) : void memory.meta.set(key, clone({ key, value }))));
}

export function deleteMeta(key) {
  return run('meta', 'readwrite', (s) => (s ? req(s.delete(key)) : void memory.meta.delete(key)));
}

const DEVICE_KEY = 'eventd.checkin.device';

/** A random name for this browser, sent as X-Device-Id with check-ins so the server's log tells the doors apart. */
export function deviceId() {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) {
      const b = crypto.getRandomValues(new Uint8Array(6));
      id = `door-${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  } catch {
    return 'door-unnamed';
  }
}
