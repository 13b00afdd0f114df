// Min SIP: turn Web Push on and off on this device (only on the "Aviseringar" page).
// The browser asks for permission only after the person taps the button [QUALITY 6; iOS requires a tap].
// Without this file, or in a browser without Push, the page keeps its text "can't get notifications".
(function () {
  "use strict";
  var root = document.querySelector("[data-push]");
  if (!root) { return; }
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
    root.dataset.vapidKey;
  if (!supported) { return; }

  var controls = root.querySelector("[data-push-controls]");
  var onButton = root.querySelector("[data-push-on]");
  var offButton = root.querySelector("[data-push-off]");
  var status = root.querySelector("[data-push-status]");
  root.querySelector("[data-push-unsupported]").hidden = true;
  controls.hidden = false;

  function say(text) { status.textContent = text || ""; }

  function busy(on) {
    onButton.disabled = on;
    offButton.disabled = on;
    if (on) { say(root.dataset.textWait); }
  }

  // The VAPID public key is base64url; the browser wants its bytes.
  function keyBytes(base64url) {
    var base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  // A name the person recognises in the list of devices. Nothing else about the device is sent.
  function deviceLabel() {
    var agent = navigator.userAgent;
    if (/iPhone/.test(agent)) { return "iPhone"; }
    if (/iPad/.test(agent) || (/Macintosh/.test(agent) && navigator.maxTouchPoints > 1)) { return "iPad"; }
    if (/Android/.test(agent)) { return "Android"; }
    return "Dator";
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "error", // signed out: the sign-in page is not an answer
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    });
  }

  // The service worker is registered by the app (pwa); register it here too if it is not yet, or
  // serviceWorker.ready would wait for ever.
  function registration() {
    return navigator.serviceWorker.getRegistration().then(function (found) {
      return found || navigator.serviceWorker.register(root.dataset.workerUrl, { scope: "/" });
    }).then(function () { return navigator.serviceWorker.ready; });
  }

  // Older Safari has only the callback form of requestPermission.
  function askPermission() {
    return new Promise(function (resolve) {
      var answer = Notification.requestPermission(resolve);
      if (answer && answer.then) { answer.then(resolve); }
    });
  }

  function showState(subscribed) {
    onButton.hidden = subscribed;
    offButton.hidden = !subscribed;
  }

  function turnOn() {
    busy(true);
    askPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("denied"); }
      return registration();
    }).then(function (worker) {
      return worker.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(root.dataset.vapidKey)
      });
    }).then(function (subscription) {
      var json = subscription.toJSON();
      return send(root.dataset.subscribeUrl, {
        endpoint: json.endpoint,
        keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
        device: deviceLabel()
      });
    }).then(function (response) {
      if (response.status !== 201) { throw new Error("refused"); }
      say(root.dataset.textOn);
      window.location.reload(); // the list of devices now shows this one
    }).catch(function (error) {
      busy(false);
      say(error && error.message === "denied" || Notification.permission === "denied"
        ? root.dataset.textDenied : root.dataset.textFailed);
    });
  }

  function turnOff() {
    busy(true);
    navigator.serviceWorker.ready.then(function (worker) {
      return worker.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) { return null; }
      // Tell the server first; a 404 means it had already forgotten this device, which is fine.
      return send(root.dataset.unsubscribeUrl, { endpoint: subscription.endpoint }).then(function (response) {
        if (response.status !== 200 && response.status !== 404) { throw new Error("refused"); }
        return subscription.unsubscribe();
      });
    }).then(function () {
      window.location.reload();
    }).catch(function () {
      busy(false);
      say(root.dataset.textFailed);
    });
  }

  onButton.addEventListener("click", turnOn);
  offButton.addEventListener("click", turnOff);
  if (Notification.permission === "denied") { say(root.dataset.textDenied); }
  // Already on here? Then offer "Stäng av på den här enheten" instead.
  navigator.serviceWorker.getRegistration().then(function (found) {
    return found ? found.pushManager.getSubscription() : null;
  }).then(function (subscription) { showState(Boolean(subscription)); }).catch(function () { showState(false); });
})();
