"""The installable app in Chromium [QUALITY 6; issue 8]: installable by the DevTools protocol's own check,
the offline page with the network off, every cache and storage emptied on sign-out, and the service
worker's push handler showing the generic notification that leads to the right page after sign-in.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, check_page, check_page_at_every_width, sign_in_as

pytestmark = pytest.mark.browser

GENERIC_TEXT = "Du har ett nytt meddelande i Min SIP."

# Every request URL in every cache, as {cache name: [path, ...]}.
_CACHED = """async () => {
  const found = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    found[name] = (await cache.keys()).map(request => new URL(request.url).pathname);
  }
  return found;
}"""


def _controlled(page, tries: int = 3) -> None:
    """Wait until the service worker is installed (its cache filled) and controls the page. An install that
    fails (a precached file not fetched in time) is tried again by the browser on the next page load, not on
    the same page: so the page is loaded again, as a person would by going on."""
    for attempt in range(1, tries + 1):
        try:
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
            break
        except PlaywrightTimeout:
            if attempt == tries:
                raise
            page.reload()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def _precache(page) -> set[str]:
    """The list of URLs the service worker may store, as the server renders it into /sw.js."""
    script = page.request.get("/sw.js").text()
    line = next(line for line in script.splitlines() if line.startswith("var PRECACHE = "))
    return set(json.loads(line.removeprefix("var PRECACHE = ").rstrip(";")))


def test_min_sip_is_installable_says_chromium(browser, live_server, tmp_path):
    """Chromium's own check, as behind its "Install app" button. Playwright's usual contexts are incognito,
    where nothing can be installed, so this one has a profile of its own."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        base_url=live_server.base_url,
        locale="sv-SE",
    )
    try:
        page = context.new_page()
        page.goto("/")
        _controlled(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"], manifest[
            "errors"
        ]
    finally:
        context.close()


def test_the_install_page_reads_well_at_every_width(page):
    page.goto("/")
    with page.expect_navigation():
        page.locator("footer").get_by_role("link", name="Installera Min SIP").click()
    assert page.locator("h1").inner_text() == "Installera Min SIP"
    check_page_at_every_width(page)


def test_without_network_any_page_shows_the_offline_page(page):
    page.goto("/")
    _controlled(page)
    page.context.set_offline(True)
    try:
        page.goto("/om-min-sip")
        assert page.locator("h1").inner_text() == "Du är inte uppkopplad"
        assert urlsplit(page.url).path == "/om-min-sip"  # the page asked for, so "Försök igen" tries it again
        check_page(page, label="offline page")  # its CSS and scripts come from the cache
        page.get_by_role("link", name="Försök igen").click()
        assert page.locator("h1").inner_text() == "Du är inte uppkopplad"
    finally:
        page.context.set_offline(False)
    page.get_by_role("link", name="Försök igen").click()
    page.wait_for_selector("h1:text('Om Min SIP')")


def test_signing_out_empties_every_cache_and_storage(page, live_server):
    sign_in_as(page, "Maria Berg")
    _controlled(page)
    page.get_by_role("link", name="Meddelanden").click()
    page.wait_for_selector("h1:text('Meddelanden')")
    page.goto("/")
    precache = _precache(page)
    cached = page.evaluate(_CACHED)
    assert cached, "the service worker keeps the static files and the offline page"
    for name, paths in cached.items():
        # Only static files and the offline page: no personal page (start page, /sip/..., messages).
        assert set(paths) == precache, f"{name}: {paths}"
    # Something else kept in the browser while signed in: a cache and page storage.
    page.evaluate("""async () => {
      await (await caches.open("kept-while-signed-in")).put("/sip/anything", new Response("private"));
      localStorage.setItem("kept", "1");
      sessionStorage.setItem("kept", "1");
    }""")

    with page.expect_navigation():
        page.get_by_role("button", name="Logga ut").click()
    page.wait_for_selector("h1:text('Du är utloggad')")

    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    after = page.evaluate(_CACHED)
    assert "kept-while-signed-in" not in after
    # A service worker may install again on the signed-out page: it then holds only the signed-out copies.
    assert all(set(paths) <= precache for paths in after.values()), after


def test_the_service_worker_empties_its_caches_when_asked(page):
    """What app.js asks at sign-out, for browsers that do not follow Clear-Site-Data."""
    page.goto("/")
    _controlled(page)
    assert page.evaluate("caches.keys()"), "the static files are cached"
    answer = page.evaluate("""() => new Promise(resolve => {
      navigator.serviceWorker.addEventListener("message", event => resolve(event.data));
      navigator.serviceWorker.controller.postMessage({type: "clear"});
    })""")
    assert answer == {"type": "cleared"}
    assert page.evaluate("caches.keys()") == []


def _registration_id(cdp, page) -> str:
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"])
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        live = [r for r in registrations if not r["isDeleted"] and r["scopeURL"].endswith("/")]
        if live:
            return live[-1]["registrationId"]
        page.wait_for_timeout(100)
    raise AssertionError("no service worker registration reported")


def _open_notifications(page) -> list[dict]:
    return page.evaluate("""() => navigator.serviceWorker.ready.then(r => r.getNotifications()).then(found =>
      found.map(n => ({title: n.title, body: n.body, url: n.data && n.data.url})))""")


_SEEN_IDS = """() => new Promise(resolve => {
  const request = indexedDB.open("minsip-shown-pushes", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("ids");
  request.onsuccess = () => {
    const keys = request.result.transaction("ids").objectStore("ids").getAllKeys();
    keys.onsuccess = () => { request.result.close(); resolve(keys.result); };
  };
})"""


def _seen_ids(page) -> list[str]:
    """The message ids the service worker has shown a notification for (sw.js keeps them against copies)."""
    return page.evaluate(_SEEN_IDS)


def _handled_once(page, public_id: str, again) -> list[dict]:
    """The open notifications once the worker has shown the push of ``public_id``; ``again`` delivers it once
    more while the worker has not. Headless Chromium can lose a shown notification under load (see
    ``_once_shown``); a copy is then rightly not shown again, so the worker's record of what it showed is
    what counts here."""
    url = f"/meddelanden#message-{public_id}"
    for attempt in range(150):
        found = _open_notifications(page)
        if any(n["url"] == url for n in found) or public_id in _seen_ids(page):
            return found
        if attempt % 50 == 49:
            again()
        page.wait_for_timeout(100)
    raise AssertionError(f"the push of {public_id} was not handled; found {_open_notifications(page)}")


def _once_shown(page, url: str, again) -> list[dict]:
    """The open notifications, once one opens ``url``; ``again`` delivers that push once more.

    In CI under load (never in reruns) headless Chromium twice lost a DevTools push (never shown, even after
    15 s) and once an already shown notification (gone from getNotifications). A real push service delivers
    at least once, and a copy is shown once (what these tests check), so a push not shown after 5 s is
    delivered again, as the push service would; and each check looks for the notification it waits for, not
    for a count of all of them.
    """
    for attempt in range(300):
        found = _open_notifications(page)
        if any(n["url"] == url for n in found):
            return found
        if attempt % 50 == 49:
            again()
        page.wait_for_timeout(100)
    raise AssertionError(f"no notification opening {url}; found {_open_notifications(page)}")


def _a_message_for(live_server, name: str) -> tuple[str, str]:
    """A new in-app message for a demo person; returns its id and the push payload the app would send."""
    from citizen_app.extensions import db
    from citizen_app.models import Person
    from citizen_app.models.notifications import NotificationKind
    from citizen_app.services import notifications, push

    with live_server.app.app_context():
        person = db.session.scalar(select(Person).where(Person.display_name == name))
        message = notifications.notify(person, NotificationKind.CONSENT_EXPIRING, data={"days_left": 5})
        payload = push.payload_for(message)
        public_id = message.public_id
        db.session.commit()
        db.session.remove()
    return public_id, payload


def test_a_push_shows_the_generic_notification_that_opens_the_message_after_sign_in(new_page, live_server):
    public_id, payload = _a_message_for(live_server, "Maria Berg")
    page = new_page()
    page.context.grant_permissions(["notifications"], origin=live_server.base_url)
    page.goto("/")
    _controlled(page)
    cdp = page.context.new_cdp_session(page)
    registration = _registration_id(cdp, page)

    def deliver(data: str) -> None:
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.base_url, "registrationId": registration, "data": data},
        )

    url = f"/meddelanden#message-{public_id}"
    deliver(payload)
    (shown,) = [n for n in _once_shown(page, url, lambda: deliver(payload)) if n["url"] == url]
    assert shown == {"title": "Min SIP", "body": GENERIC_TEXT, "url": url}
    # A push without a readable payload still says only the generic sentence, and opens the messages.
    deliver("not json")
    found = _once_shown(page, "/meddelanden", lambda: deliver("not json"))
    assert {(n["title"], n["body"]) for n in found} == {("Min SIP", GENERIC_TEXT)}

    # Headless Chromium cannot click a notification; the click opens its data.url (sw.js), so open that
    # URL signed out and sign in: the person comes back to the message.
    page.goto(shown["url"])
    assert urlsplit(page.url).path == "/logga-in"
    with page.expect_navigation():
        page.get_by_role("link", name="Välj en testperson").click()
    page.get_by_label("Maria Berg").check()
    with page.expect_navigation():
        page.locator("form[action*='testidentitet'] button[type=submit]").click()
    assert urlsplit(page.url).path == "/meddelanden"
    assert page.locator(f"#message-{public_id}").is_visible()
    assert "5 dagar" in page.locator(f"#message-{public_id}").inner_text()
    check_page(page)


def test_the_same_push_twice_is_shown_once(new_page, live_server):
    """Delivery is at-least-once (a killed worker's push goes again): the device shows each message once."""
    first_id, first = _a_message_for(live_server, "Maria Berg")
    page = new_page()
    page.context.grant_permissions(["notifications"], origin=live_server.base_url)
    page.goto("/")
    _controlled(page)
    cdp = page.context.new_cdp_session(page)
    registration = _registration_id(cdp, page)

    def deliver(payload: str) -> None:
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.base_url, "registrationId": registration, "data": payload},
        )

    deliver(first)
    deliver(first)  # the same push again
    second_id, second = _a_message_for(live_server, "Maria Berg")
    deliver(second)  # handled after the copy: once it shows, the copy has been handled too
    first_url, second_url = (f"/meddelanden#message-{i}" for i in (first_id, second_id))
    urls = [n["url"] for n in _handled_once(page, second_id, lambda: deliver(second))]
    assert urls.count(first_url) <= 1 and urls.count(second_url) <= 1 and set(urls) <= {first_url, second_url}
    assert {first_id, second_id} <= set(_seen_ids(page))

    # Maria closes both. The first one arrives a third time: it is not shown again.
    page.evaluate(
        "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(f => f.forEach(n => n.close()))"
    )
    deliver(first)
    third_id, third = _a_message_for(live_server, "Maria Berg")
    deliver(third)
    third_url = f"/meddelanden#message-{third_id}"
    assert [n["url"] for n in _handled_once(page, third_id, lambda: deliver(third))] in ([third_url], [])
    assert first_url not in [n["url"] for n in _open_notifications(page)]
