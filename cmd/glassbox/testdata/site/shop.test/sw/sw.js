// service-worker: precache on install; take charge of the open page;
// fetch navigations itself (sw-navigation: the request glassbox sees is the
// worker's, Sec-Fetch-Mode: navigate with Sec-Fetch-Dest: empty); answer
// other requests from the precache, or else from the network.
const PRECACHE = ["precached.css", "offline.html"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open("v1").then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  if (event.request.mode === "navigate") {
    event.respondWith(fetch(event.request));
    return;
  }
  event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
});
