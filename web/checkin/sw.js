// Service worker of the door check-in app (scope /checkin/): keeps the app shell so the door keeps working offline.
// API calls are never cached here: the app keeps its own door list and scan queue in IndexedDB.

const CACHE = 'eventd-checkin-shell-v4';
// The shared toolkit the app imports lives outside the scope, in /lib/; it is cached and served here all the same.
const LIB = ['../lib/api.js', '../lib/dom.js', '../lib/errors.js', '../lib/i18n.js', '../lib/live.js', '../lib/session.js',
  '../lib/strings.js', '../lib/time.js'];
const SHELL = [
  './', 'index.html', 'checkin.css', 'app.js', 'net.js', 'strings.js', 'codes.js', 'store.js', 'scanner.js',
  'scan-worker.js', 'walkin.js', 'attendance.js', 'vendor/jsQR.js', 'manifest.webmanifest', 'icon.svg', ...LIB,
];
const NETWORK_WAIT_MS = 3000;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // One by one: a file the server does not serve must not keep the rest out of the cache.
    await Promise.all(SHELL.map(async (path) => {
      try {
        const url = new URL(path, self.registration.scope);
        const res = await fetch(url, { cache: 'no-cache' });
        if (res.ok) await cache.put(url, res);
      } catch { /* offline at install: cached on first use instead */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('eventd-checkin-') && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  const scope = new URL(self.registration.scope);
  const lib = new URL('../lib/', scope);
  if (url.origin !== scope.origin || !(url.pathname.startsWith(scope.pathname) || url.pathname.startsWith(lib.pathname))) return;
  event.respondWith(networkFirst(req, url));
});

/** The network when it answers soon (so updates arrive at once), else the cached copy. */
async function networkFirst(req, url) {
  const cache = await caches.open(CACHE);
  // Navigations to /checkin/?event=12 share the cached /checkin/ page.
  const key = req.mode === 'navigate' ? new URL('./', self.registration.scope).href : url.origin + url.pathname;
  const fromNetwork = fetch(req).then(async (res) => {
    if (res.ok && res.type === 'basic') await cache.put(key, res.clone());
    return res;
  });
  const cached = await cache.match(key);
  if (!cached) return fromNetwork;
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), NETWORK_WAIT_MS); });
  try {
    const res = await Promise.race([fromNetwork, timeout]);
    return res || cached;
  } catch {
    return cached;
  } finally {
    clearTimeout(timer);
    fromNetwork.catch(() => {});
  }
}
