/* sw.js: the app shell's service worker, served from the root (/sw.js) so that its scope
   covers every page. The server writes the version of the page files into VERSION, so a
   new release installs a new cache and drops the old one (docs/pages.md, "Offline").
   Pages and static files: the network first for a page (so it is never stale when the
   server answers), the cache first for static files of this version. The API and the
   live socket never pass through the cache: the worker leaves them to the network. The
   pages' texts (/i18n/<language>) are kept like a page: the network first. */
"use strict";
const VERSION = "__VERSION__";
const CACHE = `pos-shell-${VERSION}`;
const SHELLS = ["/app/handheld", "/app/kitchen", "/app/host", "/app/manager"];
const STATIC = __STATIC__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll([...SHELLS, ...STATIC])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("pos-shell-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const answer = await fetch(request);
    if (answer.ok) cache.put(request, answer.clone());
    return answer;
  } catch (err) {
    const kept = (await cache.match(request)) || (await cache.match(request, { ignoreSearch: true }));
    if (kept) return kept;
    throw err;
  }
}

async function file(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const answer = await fetch(request);
  if (answer.ok) cache.put(request, answer.clone());
  return answer;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (request.headers.has("Authorization")) return; // an answer for someone: never cached
  if (url.pathname.startsWith("/app/") && request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.startsWith("/static/")) event.respondWith(file(request));
  else if (url.pathname.startsWith("/i18n/")) event.respondWith(page(request)); // the page's texts, kept for offline
  // everything else (/api, /ws, /guest, /health) goes to the network untouched
});
