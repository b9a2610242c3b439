// Xunfang's service worker: the app starts and works with no network.
//
// It precaches exactly the files of one build, the lazily loaded wasm chunks
// included (the list and the build id below are written by `cargo xtask
// precache` after each release build) and
// serves every navigation from that cached shell, so a deep link opens
// offline and html, js and wasm always come from the same build. A new build
// installs beside the old one and waits; the page offers "new version,
// reload", then tells it to take over. Old builds' caches are removed.

const BUILD = 'dev';
const FILES = [];
const CACHE = `xunfang-${BUILD}`;
const SHELL = '/index.html';

// Files named after their content (`stem-<16 hex digits>` by xtask/src/split.rs): one name is
// one content forever, so an update copies those it already has from an older build's cache
// and downloads only the files whose name changed.
const CONTENT_NAMED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

async function precache() {
  const cache = await caches.open(CACHE);
  const older = [];
  for (const name of await caches.keys()) {
    if (name.startsWith('xunfang-') && name !== CACHE) older.push(await caches.open(name));
  }
  const fill = async (file) => {
    if (!CONTENT_NAMED.test(file)) {
      // `reload` skips the HTTP cache, so a stale file never enters a new build's cache.
      return cache.add(new Request(file, { cache: 'reload' }));
    }
    for (const old of older) {
      const hit = await old.match(file);
      if (hit) return cache.put(file, hit);
    }
    // The page fetched its first-screen files moments ago; a content-named file in the HTTP
    // cache cannot be stale, so those are not downloaded twice. The lazily loaded chunks come
    // from the network here, in the background, so an offline start has every screen.
    return cache.add(new Request(file));
  };
  try {
    await Promise.all(FILES.map(fill));
  } catch (e) {
    // All or nothing, as addAll was: a half-filled build must not take over.
    await caches.delete(CACHE);
    throw e;
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
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
