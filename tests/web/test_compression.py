"""Bytes on the wire [QUALITY 3] [issue 17]: pages compressed by the app, static files precompressed and kept
for a year, the service worker revalidated, and a first visit to the start page within 40 KB.

The Flask test client runs the whole WSGI app (WhiteNoise included); the last tests start gunicorn as the
README's "Running in production" does, so the headers hold on the real server too.
"""

from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import brotli
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from citizen_app import precompress
from citizen_app.assets import STATIC_DIR, minify_css

FIRST_VISIT_BUDGET = 40 * 1024


@pytest.fixture
def client(app):
    """Flask's own test client: the project's checking client reads every page as text, which a compressed
    body is not (the pages' checks run in the other web tests)."""
    return FlaskClient(app, app.response_class, use_cookies=True)


IMMUTABLE = "public, max-age=31536000, immutable"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def _get(client, url: str, encoding: str | None = None, **headers):
    if encoding is not None:
        headers["Accept-Encoding"] = encoding
    response = client.get(url, headers=headers)
    response.direct_passthrough = False  # a file WhiteNoise sends: read it whole
    body = response.get_data()
    response.close()
    return response, body


def _static_urls(html: str) -> list[str]:
    """Every static file a page makes the browser load: scripts (htmx is loaded by app.js after the first
    paint, from the script tag's data-htmx), icons."""
    soup = BeautifulSoup(html, "html.parser")
    urls = [tag["src"] for tag in soup.find_all("script", src=True)]
    urls += [tag["data-htmx"] for tag in soup.find_all("script", attrs={"data-htmx": True})]
    urls += [tag["href"] for tag in soup.find_all("link", href=True) if tag["href"].startswith("/static/")]
    return urls


# --- HTML: compressed by the app ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_page_is_compressed_when_the_browser_accepts_it(client, encoding):
    plain, plain_body = _get(client, "/", "identity")
    response, body = _get(client, "/", f"{encoding}, deflate" if encoding == "gzip" else "gzip, br")
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(body) < len(plain_body) / 3
    html = DECODE[encoding](body).decode()
    assert "<h1" in html and "Min SIP" in html
    # Still the page's own security headers and no caching of a page.
    assert "nonce-" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_page_is_not_compressed_when_the_browser_does_not_ask(client):
    for accept in (None, "identity"):
        response, body = _get(client, "/", accept)
        assert "Content-Encoding" not in response.headers
        assert body.lstrip().startswith(b"<!doctype html>")
        assert "Accept-Encoding" in response.headers["Vary"]


def test_the_stylesheet_is_inline_under_the_pages_nonce(client):
    response, body = _get(client, "/")
    html = body.decode()
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    soup = BeautifulSoup(html, "html.parser")
    style = soup.find("style")
    assert style is not None and style["nonce"] == nonce
    assert "--brand" in style.text
    assert not soup.find("link", rel="stylesheet")  # no render-blocking request before the first paint
    csp = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'nonce-{nonce}'" in csp and "unsafe-inline" not in csp


def test_an_answer_to_htmx_carries_no_stylesheet(client):
    """htmx keeps the page's head; a style in its answer has another request's nonce, which Chromium reports
    as a CSP violation when htmx parses the answer (seen in the preparation journey)."""
    html = client.get("/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<style" not in html
    assert "<style nonce=" in client.get("/").get_data(as_text=True)


def test_minifying_the_stylesheet_keeps_its_meaning():
    assert minify_css("/* x */ a > b ,  c {\n  color : red ;\n}\n") == "a>b,c{color : red}"
    assert minify_css(".a:not(:last-child) { left: calc(50% + 1rem); }") == (
        ".a:not(:last-child){left: calc(50% + 1rem)}"
    )
    with pytest.raises(ValueError):
        minify_css("a { content: '</style>' }")


# --- Static files: precompressed, immutable, nothing per request ------------------------------------------


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_static_files_come_precompressed_and_are_kept_for_a_year(client, encoding):
    html = _get(client, "/")[1].decode()
    scripts = [url for url in _static_urls(html) if url.endswith(".js")]
    assert len(scripts) == 2
    for url in scripts:
        response, body = _get(client, url, "gzip, br" if encoding == "br" else "gzip")
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding, url
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["Vary"] == "Accept-Encoding"  # never Cookie
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["ETag"]
        for per_request in ("Set-Cookie", "Content-Security-Policy", "Pragma"):
            assert per_request not in response.headers, (url, per_request)
        name = re.sub(r"\.[0-9a-f]{10}(\.[a-z]+)$", r"\1", url.removeprefix("/static/"))
        with open(os.path.join(STATIC_DIR, name), "rb") as fh:
            assert DECODE[encoding](body) == fh.read()  # the copy is the file itself


def test_a_static_file_is_sent_as_it_is_to_a_browser_that_asks_for_no_compression(client):
    url = [u for u in _static_urls(_get(client, "/")[1].decode()) if "htmx" in u][0]
    response, body = _get(client, url, "identity")
    assert "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert body.startswith(b"var htmx") or b"htmx" in body[:200]


def test_a_304_for_a_static_file_is_small(client):
    url = [u for u in _static_urls(_get(client, "/")[1].decode()) if "htmx" in u][0]
    first, _ = _get(client, url, "br")
    response, body = _get(client, url, "br", **{"If-None-Match": first.headers["ETag"]})
    assert response.status_code == 304
    assert body == b""
    assert set(response.headers.keys()) <= {"Cache-Control", "ETag", "Vary", "Date", "Content-Length"}
    assert "Set-Cookie" not in response.headers


def test_an_old_or_unfingerprinted_name_is_still_served_but_not_kept(client):
    for url in ("/static/js/app.js", "/static/js/app.0000000000.js"):
        response, _ = _get(client, url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        assert "Content-Security-Policy" not in response.headers and "Set-Cookie" not in response.headers


def test_a_stale_compressed_copy_is_not_served(tmp_path, monkeypatch):
    """A checkout updated after its build: the old .br must not stand in for the new file."""
    from citizen_app import assets

    (tmp_path / "js").mkdir()
    source = tmp_path / "js" / "a.js"
    source.write_text("var a = 1;\n" * 100)
    precompress.precompress(str(tmp_path))
    old = time.time() - 60
    for suffix in (".br", ".gz"):
        os.utime(f"{source}{suffix}", (old, old))
    monkeypatch.setattr(assets, "STATIC_DIR", str(tmp_path))
    files = assets.StaticFiles(lambda environ, start: [], assets.Assets())
    (static_file,) = files.files.values()
    assert len(static_file.alternatives) == 1  # the file itself, no compressed copy


def test_the_build_precompresses_every_compressible_static_file(tmp_path):
    """hatch_build.py writes .br and .gz beside each file (wheel and editable install alike)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    try:
        import hatch_build
    finally:
        sys.path.pop(0)
    copy = hatch_build.precompressed_static(Path(__file__).resolve().parents[2], tmp_path)
    for path in precompress.source_files(str(copy)):
        if not precompress.compressible(path):
            continue
        data = Path(path).read_bytes()
        assert brotli.decompress(Path(path + ".br").read_bytes()) == data, path
        assert gzip.decompress(Path(path + ".gz").read_bytes()) == data, path
    assert (copy / "vendor" / "htmx-2.0.11.min.js.br").exists()
    assert not (copy / "icons" / "icon-192.png.br").exists()  # PNG is compressed already


# --- The service worker: kept, but revalidated ------------------------------------------------------------


def test_the_service_worker_is_revalidated_not_refetched(client):
    first, body = _get(client, "/sw.js", "br")
    assert first.headers["Cache-Control"] == "no-cache"
    assert "no-store" not in first.headers["Cache-Control"]
    assert first.headers["Content-Encoding"] == "br"
    script = brotli.decompress(body).decode()
    assert not re.search(r'cache:\s*"(no-cache|no-store|reload)"', script)  # the precache may use the cache
    again, body = _get(client, "/sw.js", "br", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and body == b""
    plain, _ = _get(client, "/sw.js", "identity")
    unchanged = _get(client, "/sw.js", "identity", **{"If-None-Match": plain.headers["ETag"]})[0]
    assert unchanged.status_code == 304


def test_the_manifest_is_revalidated_too(client):
    first, _ = _get(client, "/manifest.webmanifest")
    assert first.headers["Cache-Control"] == "no-cache"
    again, body = _get(client, "/manifest.webmanifest", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and body == b""


# --- The budget: a first visit ---------------------------------------------------------------------------


def _first_visit_bytes(client) -> dict[str, int]:
    """Compressed bytes of everything a first visit to the start page loads: the page, its scripts and icons,
    the manifest and its icon, the service worker and what the worker stores (brotli, as Chromium asks)."""
    sizes = {}
    response, body = _get(client, "/", "gzip, deflate, br")
    sizes["/"] = len(body)
    html = DECODE[response.headers["Content-Encoding"]](body).decode()
    urls = _static_urls(html) + ["/manifest.webmanifest", "/sw.js"]
    script = _get(client, "/sw.js", "identity")[1].decode()
    urls += re.findall(r'"(/static/[^"]+|/offline)"', script.split("var PRECACHE")[1].split(";")[0])
    for url in dict.fromkeys(urls):
        if url in sizes:
            continue
        sizes[url] = len(_get(client, url, "gzip, deflate, br")[1])
    return sizes


def test_a_first_visit_to_the_start_page_is_within_40_kb(client):
    sizes = _first_visit_bytes(client)
    assert any("htmx" in url for url in sizes) and "/offline" in sizes
    assert sum(sizes.values()) <= FIRST_VISIT_BUDGET, sizes


# --- The real server ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """``gunicorn -w 2 'citizen_app:create_app()'`` as in the README, in demo mode on a SQLite file."""
    instance = tmp_path_factory.mktemp("gunicorn-instance")
    port = _free_port()
    env = dict(os.environ, MINSIP_ENV="demo", MINSIP_INSTANCE_PATH=str(instance))
    env.pop("MINSIP_DATABASE_URL", None)
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    log = instance / "gunicorn.log"
    with log.open("wb") as log_file:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [str(gunicorn_bin), "-w", "2", "-b", f"127.0.0.1:{port}", "citizen_app:create_app()"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: on a loaded 2-core CI machine two workers migrating a new SQLite file took over 30 s.
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/sw.js", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("gunicorn did not start:\n" + log.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_under_gunicorn_pages_and_static_files_are_compressed_and_cached(gunicorn):
    status, headers, body = _fetch(gunicorn + "/sw.js", **{"Accept-Encoding": "br"})
    assert status == 200 and headers["Content-Encoding"] == "br" and headers["Cache-Control"] == "no-cache"
    script = brotli.decompress(body).decode()
    htmx = re.search(r'"(/static/vendor/htmx[^"]+)"', script).group(1)
    status, headers, body = _fetch(gunicorn + htmx, **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    assert headers["Cache-Control"] == IMMUTABLE and headers["Vary"] == "Accept-Encoding"
    assert "Set-Cookie" not in headers and "Content-Security-Policy" not in headers
    conditional = {"Accept-Encoding": "br", "If-None-Match": headers["ETag"]}
    status, small, body = _fetch(gunicorn + htmx, **conditional)
    assert status == 304 and body == b""
    assert len(small) <= 8, small
