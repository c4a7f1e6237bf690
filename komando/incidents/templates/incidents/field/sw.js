/* Komando field app: service worker (scope /petugas/). Keeps the app shell and the last task list
   so the app opens without a network. Updates are never sent from here: the page queues them in
   IndexedDB and sends them itself (POSTs pass straight through). Version {{ version }}. */
"use strict";

const VERSION = "{{ version }}";
const SHELL_CACHE = "komando-field-shell-" + VERSION;
const DATA_CACHE = "komando-field-data";
const SHELL = {{ shell_json|safe }};
const PAGE = "/petugas/";
const TASKS = "/petugas/api/tasks/";

async function cacheIfGood(cache, url, response) {
  // Never keep a login page or an error in place of the app.
  if (response && response.ok && !response.redirected && response.type === "basic") {
    await cache.put(url, response.clone());
  }
  return response;
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await Promise.all(SHELL.map(async (url) => {
      try {
        await cacheIfGood(cache, url, await fetch(url, { credentials: "same-origin", cache: "no-cache" }));
      } catch (error) { /* offline during install: kept on the next visit */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("komando-field-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function networkFirst(request, cacheName, key) {
  const cache = await caches.open(cacheName);
  try {
    return await cacheIfGood(cache, key, await fetch(request));
  } catch (error) {
    const cached = await cache.match(key);
    if (!cached) throw error;
    if (key !== TASKS) return cached;
    const headers = new Headers(cached.headers);
    headers.set("X-Komando-From-Cache", "1");
    return new Response(await cached.blob(), { status: 200, headers });
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request, { ignoreSearch: false });
  if (cached) return cached;
  return cacheIfGood(cache, request, await fetch(request));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;  // updates go straight to the server
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(networkFirst(request, SHELL_CACHE, PAGE));
  } else if (url.pathname === TASKS) {
    event.respondWith(networkFirst(request, DATA_CACHE, TASKS));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
