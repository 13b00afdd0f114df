// Min SIP: small enhancements only. Every page works without this file.
(function () {
  "use strict";
  // The page loads this file after its first paint [issue 17], so DOMContentLoaded and load may be over.
  function whenParsed(run) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
  }
  // htmx is asked for once the page is loaded and painted [issue 17]. It sets itself up at once then
  // (readyState "complete"). From 'self', so the CSP lets it in without a nonce.
  var htmxUrl = document.currentScript && document.currentScript.getAttribute("data-htmx");
  function loadHtmx() {
    // Not on the signed-out page: it has nothing for htmx, and htmx would write its history key into the
    // session storage the page has just emptied.
    if (!htmxUrl || window.htmx || document.querySelector("[data-signed-out]")) { return; }
    var script = document.createElement("script");
    script.src = htmxUrl;
    document.head.appendChild(script);
    htmxUrl = null;
  }
  function afterPaint() {
    // Two frames: the first is painted by the time the second begins.
    if (window.requestAnimationFrame) {
      window.requestAnimationFrame(function () {
        window.requestAnimationFrame(function () { setTimeout(loadHtmx, 0); });
      });
    }
    setTimeout(loadHtmx, 500);  // a tab in the background paints nothing: load it anyway
  }
  if (document.readyState === "complete") { afterPaint(); } else { window.addEventListener("load", afterPaint); }
  // Send the CSRF token with every htmx request (Flask-WTF reads X-CSRFToken).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });
  // An error summary takes focus so screen readers read it first (GOV.UK pattern).
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  }
  whenParsed(function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.detail.target); });
  // A swap that replaces the focused element (e.g. "Markera som läst" replaces its message) would drop focus
  // to the top of the page [WCAG 2.4.3]: focus the new content with the same id instead.
  var focusWasIn = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    focusWasIn = target && target.id && target.contains(document.activeElement) ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var replacement = focusWasIn && document.getElementById(focusWasIn);
    focusWasIn = null;
    if (replacement && !replacement.contains(document.activeElement)) {
      if (!replacement.hasAttribute("tabindex")) { replacement.setAttribute("tabindex", "-1"); }
      replacement.focus();
    }
  });
  // A form that htmx saves on change (e.g. an answer in "Inför mötet") can be sent by its button while that
  // save is still on its way. Both answers set the session cookie, and the one that comes last wins, so the
  // "saved" message of the button's page could be lost. So the button waits for the save to finish.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("htmx-request") || form.dataset.waitedForSave) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    form.addEventListener("htmx:afterRequest", function () {
      form.dataset.waitedForSave = "1";
      if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
    }, { once: true });
  });
  // The installable app [QUALITY 6]: the service worker keeps the static files and an offline page.
  if ("serviceWorker" in navigator) {
    var register = function () {
      // The site works without it, so a failed registration is not an error for the person.
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    };
    if (document.readyState === "complete") { register(); } else { window.addEventListener("load", register); }
  }
  // Signing out empties every cache and the page storage. The sign-out response's Clear-Site-Data does it
  // too, but not every browser follows that header, so the service worker is asked as well.
  function clearOfflineData() {
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (worker) { worker.postMessage({ type: "clear" }); }
    try { window.localStorage.clear(); window.sessionStorage.clear(); } catch (error) { /* storage is off */ }
  }
  document.addEventListener("submit", function (event) {
    if (event.target.classList && event.target.classList.contains("sign-out")) { clearOfflineData(); }
  });
  whenParsed(function () {
    if (document.querySelector("[data-signed-out]")) { clearOfflineData(); }
  });
})();
