"""A repeat visit transfers only the HTML [QUALITY 3] [issue 17], measured in Chromium with the DevTools
protocol and at the server: after a first visit to the start page and the plan page (the service worker
installed, the static files in the HTTP cache), a second visit to each page fetches the document from the
network, and every static file comes from the service worker or the disk cache.

The one other request the server may see is Chromium's update check of the service worker after a
navigation (the spec's "soft update"): ``sw.js`` is sent ``Cache-Control: no-cache`` with an ETag, so that
check is answered 304 without a body, never the script again.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in_as
from tests.browser.test_action_follow_up_journey import GUARDIAN, _oskars_plan_with_a_school_action

pytestmark = pytest.mark.browser

SETTLE_MS = 1500  # time after the load event for late requests (icons, the worker's update check)


class NetworkLog:
    """Every request of a page as Chromium's network stack saw it (CDP ``Network`` events)."""

    def __init__(self, page) -> None:
        self.requests: dict[str, dict] = {}
        session = page.context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.responseReceived", self._received)
        session.on("Network.requestServedFromCache", self._from_memory)
        session.on("Network.loadingFinished", self._finished)
        session.send("Network.enable")
        self.session = session

    def _sent(self, event) -> None:
        self.requests[event["requestId"]] = {"url": event["request"]["url"], "type": event.get("type")}

    def _received(self, event) -> None:
        entry = self.requests.setdefault(event["requestId"], {"url": event["response"]["url"]})
        response = event["response"]
        entry.update(
            status=response["status"],
            from_disk=response.get("fromDiskCache", False),
            from_worker=response.get("fromServiceWorker", False),
        )

    def _from_memory(self, event) -> None:
        self.requests.setdefault(event["requestId"], {})["from_memory"] = True

    def _finished(self, event) -> None:
        self.requests.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    def clear(self) -> None:
        self.requests.clear()

    def not_from_a_cache(self) -> list[str]:
        """Sub-resources the page did not get from the service worker, the disk cache or the memory cache."""
        return [
            entry["url"]
            for entry in self.requests.values()
            if "status" in entry
            and entry.get("type") != "Document"
            and not (entry.get("from_disk") or entry.get("from_worker") or entry.get("from_memory"))
        ]


class ServerLog:
    """What reached the live server, as (path, status, body bytes); WhiteNoise included, since it wraps the
    app inside wsgi_app."""

    def __init__(self, app) -> None:
        self.answers: list[tuple[str, int, int]] = []
        self._app = app
        self._inner = app.wsgi_app

        def recording(environ, start_response):
            seen: dict = {}

            def start(status, headers, exc_info=None):
                seen["status"] = int(status.split()[0])
                return start_response(status, headers, exc_info)

            body = b"".join(self._inner(environ, start))
            self.answers.append((environ.get("PATH_INFO", ""), seen["status"], len(body)))
            return [body]

        app.wsgi_app = recording

    def stop(self) -> None:
        self._app.wsgi_app = self._inner


def _worker_controls(page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_a_repeat_visit_to_the_start_page_and_the_plan_page_fetches_only_the_document(new_page, live_server):
    live_server.reset_demo_data()
    plan = f"/sip/{_oskars_plan_with_a_school_action(live_server)}/plan"
    page = new_page()
    sign_in_as(page, GUARDIAN)

    # First visit: the worker installs and takes control; the pages' static files reach the HTTP cache.
    for path in ("/", plan):
        page.goto(path)
        page.wait_for_load_state("load")
    _worker_controls(page)
    page.wait_for_timeout(SETTLE_MS)

    log = NetworkLog(page)
    server = ServerLog(live_server.app)
    try:
        for path in ("/", plan):
            log.clear()
            server.answers.clear()
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            page.wait_for_timeout(SETTLE_MS)
            # Chromium may send its update check for sw.js before or after the document: order is not ours.
            documents = [answer for answer in server.answers if answer[0] != "/sw.js"]
            assert [answer[:2] for answer in documents] == [(path, 200)], server.answers
            update_checks = [answer for answer in server.answers if answer[0] == "/sw.js"]
            assert all(answer == ("/sw.js", 304, 0) for answer in update_checks), (path, server.answers)
            assert log.not_from_a_cache() == [], (path, log.requests)
            others = [entry for entry in log.requests.values() if entry.get("type") != "Document"]
            assert others, "the page loaded no static file at all: nothing was measured"

        # The update check itself, made now rather than whenever Chromium schedules it: the browser kept
        # sw.js and only asks whether it changed.
        server.answers.clear()
        page.evaluate("navigator.serviceWorker.ready.then(worker => worker.update()).then(() => 1)")
        assert server.answers, "no update check reached the server"
        assert all(answer == ("/sw.js", 304, 0) for answer in server.answers), server.answers
    finally:
        server.stop()
