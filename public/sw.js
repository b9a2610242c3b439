// Xunfang's service worker: the app starts and works with no network.
//
// It precaches exactly the files of one build (the list and the build id
// below are written by `cargo xtask precache` after each release build) and
// serves every navigation from that cached shell, so a deep link opens
// offline and html, js and wasm always come from the same build. A new build
// installs beside the old one and waits; the page offers "new version,
// reload", then tells it to take over. Old builds' caches are removed.

const BUILD = 'dev';
const FILES = [];
const CACHE = `xunfang-${BUILD}`;
const SHELL = '/index.html';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // `reload` skips the HTTP cache, so a stale file never enters a new build's cache.
      cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith('xunfang-') && n !== CACHE).map((n) => caches.delete(n)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  if (event.data && event.data.type === 'BUILD') event.source.postMessage({ type: 'BUILD', build: BUILD });
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The sync endpoint and other APIs always go to the network.
  if (url.pathname.startsWith('/api/')) return;

  if (request.mode === 'navigate') {
    event.respondWith(
      caches.open(CACHE).then(async (cache) => {
        const shell = await cache.match(SHELL);
        return shell || fetch(request);
      }),
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(request, { ignoreSearch: true });
      return hit || fetch(request);
    }),
  );
});
