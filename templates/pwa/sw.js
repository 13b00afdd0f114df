// Min SIP service worker [QUALITY 6]. Rendered by citizen_app/web/pwa.py.
// It keeps a copy of the static files and of the offline page, and of NOTHING else: pages can hold
// personal data, so they always come from the network and are never stored.
"use strict";

var CACHE = {{ cache_name|tojson }};
var PRECACHE = {{ precache|tojson }};
var OFFLINE_URL = {{ offline_url|tojson }};
var MESSAGES_URL = {{ messages_url|tojson }};
var TITLE = {{ title|tojson }};
var GENERIC_TEXT = {{ generic_text|tojson }};
var ICON = {{ icon|tojson }};
var PUBLIC_ID = /^[A-Za-z0-9_-]{22}$/;

function precacheRequest(url) {
  // Without cookies: the stored offline page must be the signed-out one, never with a name in it. The HTTP
  // cache may answer: static files have fingerprinted names, and the offline page is sent no-store.
  return new Request(url, { credentials: "omit" });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(PRECACHE.map(precacheRequest)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  // A new deploy has a new cache name: the old copies go.
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key !== CACHE; })
          .map(function (key) { return caches.delete(key); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function isPrecached(url) {
  return url.origin === self.location.origin && PRECACHE.indexOf(url.pathname) !== -1;
}

function offlinePage() {
  return caches.match(OFFLINE_URL, { ignoreVary: true }).then(function (found) {
    // After signing out the cache is empty until the next install: say it in plain text then.
    return found || new Response("Du är inte uppkopplad. Försök igen när du har internet.", {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8" }
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (request.mode === "navigate") {
    // Network first, never stored; without a network, the offline page.
    event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  if (isPrecached(url) && url.pathname !== OFFLINE_URL) {
    // Static files have the fingerprint in their name: a copy is always right.
    event.respondWith(
      caches.match(request, { ignoreVary: true }).then(function (found) { return found || fetch(request); })
    );
  }
  // Everything else goes to the network as if there were no service worker.
});

function deleteAllCaches() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (key) { return caches.delete(key); }));
  });
}

self.addEventListener("message", function (event) {
  // Sent by app.js when the person signs out (the response's Clear-Site-Data does the same where supported).
  if (!event.data || event.data.type !== "clear") { return; }
  event.waitUntil(deleteAllCaches().then(function () {
    if (event.source) { event.source.postMessage({ type: "cleared" }); }
  }));
});

// The URL a notification opens. The payload holds only an opaque id; the message itself is read after
// signing in (the sign-in page brings the person back to this URL).
function urlFor(payload) {
  if (payload && typeof payload.id === "string" && PUBLIC_ID.test(payload.id)) {
    return MESSAGES_URL + "#message-" + payload.id;
  }
  return MESSAGES_URL;
}

function readPayload(event) {
  if (!event.data) { return {}; }
  try { return event.data.json() || {}; } catch (error) { return {}; }
}

// Delivery is at-least-once: a push can arrive twice (a server that stopped mid-send sends it again). The
// device shows each message once: the message id is the notification's tag (a copy replaces an open one),
// and the ids already shown are remembered (a copy of a closed one is not shown again). Only opaque ids are
// kept, the newest SHOWN_KEEP of them.
var SHOWN_DB = "minsip-shown-pushes";
var SHOWN_STORE = "ids";
var SHOWN_KEEP = 200;

function openShown() {
  return new Promise(function (resolve, reject) {
    var request = self.indexedDB.open(SHOWN_DB, 1);
    request.onupgradeneeded = function () { request.result.createObjectStore(SHOWN_STORE); };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

// Resolves true the first time an id is seen, false for a copy. Without storage it shows (true): a copy
// shown twice is better than a message never shown.
function firstTimeShown(id) {
  return openShown().then(function (database) {
    return new Promise(function (resolve) {
      var transaction = database.transaction(SHOWN_STORE, "readwrite");
      var store = transaction.objectStore(SHOWN_STORE);
      var first = true;
      store.get(id).onsuccess = function (found) {
        if (found.target.result !== undefined) { first = false; return; }
        store.put(Date.now(), id);
        store.count().onsuccess = function (counted) {
          var extra = counted.target.result - SHOWN_KEEP;
          if (extra <= 0) { return; }
          var oldest = [];
          store.openCursor().onsuccess = function (step) {
            var cursor = step.target.result;
            if (cursor) { oldest.push([cursor.value, cursor.key]); cursor.continue(); return; }
            oldest.sort(function (a, b) { return a[0] - b[0]; });
            oldest.slice(0, extra).forEach(function (entry) { store.delete(entry[1]); });
          };
        };
      };
      transaction.oncomplete = function () { database.close(); resolve(first); };
      transaction.onerror = transaction.onabort = function () { database.close(); resolve(true); };
    });
  }).catch(function () { return true; });
}

self.addEventListener("push", function (event) {
  var payload = readPayload(event);
  var title = typeof payload.title === "string" && payload.title ? payload.title : TITLE;
  var body = typeof payload.body === "string" && payload.body ? payload.body : GENERIC_TEXT;
  var id = typeof payload.id === "string" && PUBLIC_ID.test(payload.id) ? payload.id : null;
  event.waitUntil((id ? firstTimeShown(id) : Promise.resolve(true)).then(function (first) {
    if (!first) { return undefined; }
    return self.registration.showNotification(title, {
      body: body,
      icon: ICON,
      lang: "sv",
      tag: id || undefined,
      data: { url: urlFor(payload) }
    });
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || MESSAGES_URL,
    self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i += 1) {
        var client = windows[i];
        if (new URL(client.url).origin === self.location.origin && "focus" in client) {
          return client.focus().then(function (focused) {
            return focused.navigate(target);
          }).catch(function () { return self.clients.openWindow(target); });
        }
      }
      return self.clients.openWindow(target);
    })
  );
});
