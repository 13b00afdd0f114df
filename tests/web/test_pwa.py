"""The installable app [QUALITY 6]: manifest, service worker, offline page, "Installera Min SIP", sign-out."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from citizen_app import ROOT
from citizen_app.extensions import db
from citizen_app.models import Person
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import push
from tests.support.icons import ICONS, draw, png_size


def _person(name: str) -> Person:
    return db.session.scalar(select(Person).where(Person.display_name == name))


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _lix(response) -> float:
    return measure(main_text_blocks(response.get_data(as_text=True))).lix


def _fetch(client, url: str) -> tuple[int, str, bytes]:
    """Status, type and body of a static file (closed at once: it is sent from an open file)."""
    with client.get(url) as response:
        return response.status_code, response.mimetype, response.get_data()


def _script_value(script: str, name: str):
    """A constant of the service worker script: ``var NAME = <json>;``."""
    match = re.search(rf"^var {name} = (.+);$", script, re.MULTILINE)
    assert match, f"no var {name} in sw.js"
    return json.loads(match.group(1))


def _brand_colour() -> str:
    with open(os.path.join(ROOT, "static", "css", "app.css"), encoding="utf-8") as handle:
        return re.search(r"--brand:\s*(#[0-9a-fA-F]{6})", handle.read()).group(1).lower()


# --- The manifest ------------------------------------------------------------------------------------------


def test_the_manifest_makes_min_sip_an_app_in_swedish(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == manifest["short_name"] == "Min SIP"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["lang"] == "sv"
    assert "plan" in manifest["description"]
    assert manifest["theme_color"] == _brand_colour()
    assert manifest["background_color"] == "#ffffff"


def test_the_manifest_icons_are_pngs_of_the_sizes_it_says(client):
    icons = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))["icons"]
    found = set()
    for icon in icons:
        status, mimetype, body = _fetch(client, icon["src"])
        assert status == 200, icon["src"]
        assert icon["type"] == mimetype == "image/png"
        width, height = png_size(body)
        assert icon["sizes"] == f"{width}x{height}"
        found.add((icon["purpose"], width))
    assert {("any", 192), ("any", 512), ("maskable", 512)} <= found


def test_the_committed_icons_are_what_the_drawing_code_draws():
    """So the icons can be made again (python -m tests.support.icons) and nobody edits one by hand."""
    for name, (size, maskable) in ICONS.items():
        with open(os.path.join(ROOT, "static", "icons", name), "rb") as handle:
            committed = handle.read()
        assert png_size(committed) == (size, size)
        assert committed == draw(size, maskable), (
            f"static/icons/{name} differs: run python -m tests.support.icons"
        )


def test_every_page_links_the_manifest_the_theme_colour_and_a_home_screen_icon(client):
    soup = _soup(client.get("/om-min-sip"))
    assert soup.find("link", rel="manifest")["href"] == "/manifest.webmanifest"
    assert soup.find("meta", attrs={"name": "theme-color"})["content"] == _brand_colour()
    touch_icon = soup.find("link", rel="apple-touch-icon")["href"]
    assert png_size(_fetch(client, touch_icon)[2]) == (192, 192)


# --- The service worker ------------------------------------------------------------------------------------


def test_the_service_worker_is_a_script_at_the_root_that_is_never_kept_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    cache_control = response.headers["Cache-Control"]
    assert cache_control == "no-cache"  # kept, but asked for again (If-None-Match) on every update check
    # The app's policy applies to the worker too: its own origin only, no inline or eval'd script.
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "worker-src 'self'" in csp and "unsafe" not in csp
    assert "Service-Worker-Allowed" not in response.headers  # not needed: served from the root


def test_the_service_worker_stores_only_static_files_and_the_offline_page(client):
    script = client.get("/sw.js").get_data(as_text=True)
    precache = _script_value(script, "PRECACHE")
    assert "/offline" in precache
    fingerprinted = re.compile(r"^/static/.+\.[0-9a-f]{10}\.[a-z]+$")
    assert all(url == "/offline" or fingerprinted.match(url) for url in precache), precache
    for url in precache:
        assert _fetch(client, url)[0] == 200, url
    # Nothing in the script names a page with personal data, apart from the messages page a notification
    # opens (which is fetched from the network after sign-in, never stored).
    pages = {u for u in re.findall(r'"(/[^"]*)"', script) if not u.startswith("/static/")}
    assert pages == {"/offline", "/meddelanden"}, pages


def test_the_service_worker_has_every_static_file_a_page_uses(client):
    """A page's CSS or script missing from the list would break the offline page."""
    precache = set(_script_value(client.get("/sw.js").get_data(as_text=True), "PRECACHE"))
    for page in ("/", "/offline", "/installera"):
        soup = _soup(client.get(page))
        linked = {tag.get("href") for tag in soup.find_all("link", rel=["stylesheet", "icon"])}
        linked |= {tag.get("src") for tag in soup.find_all("script")}
        assert linked and linked <= precache, linked - precache


def test_a_changed_static_file_gives_the_worker_a_new_cache(client, app):
    before = _script_value(client.get("/sw.js").get_data(as_text=True), "CACHE")
    assets = app.extensions["assets"]
    real = assets.digest("js/app.js")
    assets._digests["js/app.js"] = "0123456789"  # as after a deploy with a new script
    try:
        script = client.get("/sw.js").get_data(as_text=True)
    finally:
        assets._digests["js/app.js"] = real
    assert _script_value(script, "CACHE") != before
    assert "/static/js/app.0123456789.js" in _script_value(script, "PRECACHE")


def test_a_push_shows_the_generic_text_and_opens_the_messages(client):
    script = client.get("/sw.js").get_data(as_text=True)
    assert (
        _script_value(script, "GENERIC_TEXT") == push.GENERIC_TEXT == "Du har ett nytt meddelande i Min SIP."
    )
    assert _script_value(script, "TITLE") == push.TITLE
    assert _script_value(script, "MESSAGES_URL") == "/meddelanden"
    for handler in ("install", "activate", "fetch", "message", "push", "notificationclick"):
        assert f'addEventListener("{handler}"' in script, handler


def test_the_messages_page_a_notification_opens_comes_back_after_sign_in(client, demo_data):
    response = client.get("/meddelanden")
    assert response.status_code == 303
    sign_in = response.headers["Location"]
    assert urlsplit(sign_in).path == "/logga-in" and "next=/meddelanden" in sign_in
    link = _soup(client.get(sign_in)).find("a", href=re.compile("testidentitet"))["href"]
    token = client.csrf_token(link)
    response = client.post(link, data={"identity": _person("Maria Berg").get_id(), "csrf_token": token})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/meddelanden"
    assert "<h1>Meddelanden</h1>" in client.get("/meddelanden").get_data(as_text=True)


# --- The offline page and "Installera Min SIP" -------------------------------------------------------------


def test_the_offline_page_says_what_to_do_in_plain_swedish(client):
    response = client.get("/offline")
    assert response.status_code == 200
    soup = _soup(response)
    assert soup.h1.get_text(strip=True) == "Du är inte uppkopplad"
    assert "Försök igen" in soup.main.get_text()
    assert _lix(response) <= 35


def test_the_offline_page_is_the_same_signed_out_page_for_someone_signed_in(client, demo_data):
    """It is stored in the browser: it must never hold a name or other personal data."""
    client.sign_in_as(_person("Maria Berg"))
    assert "Maria Berg" in client.get("/").get_data(as_text=True)
    html = client.get("/offline").get_data(as_text=True)
    assert "Maria Berg" not in html
    assert "Logga ut" not in html and "Inloggad" not in html


@pytest.mark.parametrize("path", ["/", "/om-min-sip"])
def test_the_install_page_is_linked_from_every_footer(client, path):
    footer = _soup(client.get(path)).find("footer")
    assert footer.find("a", href="/installera").get_text(strip=True) == "Installera Min SIP"


def test_the_install_page_explains_each_kind_of_phone_in_plain_swedish(client):
    response = client.get("/installera")
    assert response.status_code == 200
    headings = [h.get_text(strip=True) for h in _soup(response).find_all("h2")]
    assert {"iPhone och iPad", "Android", "Dator"} <= set(headings)
    text = _soup(response).main.get_text(" ")
    assert "Lägg till på hemskärmen" in text and "aviseringar" in text
    assert _lix(response) <= 35


# --- Signing out -------------------------------------------------------------------------------------------


def test_signing_out_tells_the_browser_to_clear_caches_storage_and_cookies(client, demo_data):
    client.sign_in_as(_person("Anna Lind"))
    response = client.post("/logga-ut", data={"csrf_token": client.csrf_token("/")})
    assert response.status_code == 303
    cleared = {part.strip() for part in response.headers["Clear-Site-Data"].split(",")}
    assert {'"cache"', '"storage"', '"cookies"'} <= cleared
    # The signed-out page asks the service worker to empty its caches too (app.js, data-signed-out).
    assert _soup(client.get(response.headers["Location"])).find(attrs={"data-signed-out": True})
