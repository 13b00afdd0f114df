"""``pip install .`` gives a working Min SIP [issue 14]: the wheel carries the templates, the static files,
the question sets and the compiled English, and the installed app writes nothing into its own folder.

The wheel is built from this checkout (as ``pip install .`` builds it), installed into a new virtualenv and
started with the README's ``flask --app citizen_app demo`` from a folder outside the checkout. Its
dependencies come from this test's environment (a .pth file), so nothing is downloaded but the build backend.
Then a citizen and a coordinator sign in on the test-identity page and follow every link they see, in
English: every page answers without a server error, every page's CSS, script and icons load, and every page
is English, which needs the compiled catalogue from the wheel.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import sysconfig
import time
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_PREFIXES = ("/logga-ut", "/sprak/", "/static/", "/sw.js", "/manifest")
SKIPPED_ENDINGS = (".csv", ".ics", ".json", ".png", ".svg", ".js", ".css")
MOST_PAGES_PER_PERSON = 80
START_TIMEOUT = 180


@pytest.fixture(scope="module")
def english() -> dict[str, str]:
    with open(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and m.id}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT))
    [built] = out.glob("min_sip-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A new virtualenv with the wheel installed (not editable) and this environment's packages behind it."""
    venv = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel))
    site_packages = Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"))
    (site_packages / "_dependencies_of_the_test.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _run(*command: str, cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=_clean_environment(), capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()


def _clean_environment() -> dict[str, str]:
    """No settings of this test run (database, Redis, mode) and no path into the checkout."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MINSIP_", "TEST_", "FLASK_", "PYTHON", "REDIS_"))
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _files(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if "__pycache__" not in path.parts}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(venv, tmp_path_factory):
    """``flask --app citizen_app demo`` of the installed copy, run from an empty folder."""
    folder = tmp_path_factory.mktemp("run")
    python = str(venv / "bin" / "python")
    package = Path(
        _run(python, "-c", "import citizen_app, os; print(os.path.dirname(citizen_app.__file__))", cwd=folder)
    )
    assert package.is_relative_to(venv), package
    files_before = _files(package)
    port = _free_port()
    log = folder / "demo.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [python, "-m", "flask", "--app", "citizen_app", "demo", "--port", str(port)],
            cwd=folder,
            env=_clean_environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, f"the demo stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, (
                f"the demo did not answer in {START_TIMEOUT} s:\n{log.read_text()}"
            )
            try:
                requests.get(base + "/", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        yield {"base": base, "folder": folder, "package": package, "files_before": files_before, "log": log}
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_wheel_carries_templates_static_files_question_sets_and_compiled_translations(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    checkout = {
        f"citizen_app/{path.relative_to(ROOT)}"
        for folder in ("templates", "static")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
    }
    assert checkout and checkout <= names, sorted(checkout - names)[:10]
    assert "citizen_app/translations/en/LC_MESSAGES/messages.mo" in names
    question_sets = {
        f"citizen_app/question_sets/{p.name}" for p in (ROOT / "citizen_app/question_sets").glob("*.toml")
    }
    assert question_sets and question_sets <= names
    assert "citizen_app/migrations/script.py.mako" in names
    assert not [name for name in names if name.startswith(("tests/", "instance/", "translations/"))]


def test_the_installed_demo_keeps_its_data_in_the_current_folder_and_writes_nothing_into_the_package(served):
    assert (served["folder"] / "instance" / "minsip.sqlite").is_file()
    assert _files(served["package"]) == served["files_before"]


def _sign_in(base: str, name: str) -> requests.Session:
    browser = requests.Session()
    page = BeautifulSoup(browser.get(base + "/logga-in/testidentitet").text, "html.parser")
    label = next(
        label for label in page.find_all("label") if label.get_text(" ", strip=True).startswith(name)
    )
    chosen = page.find("input", id=label["for"])["value"]
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    response = browser.post(
        base + "/logga-in/testidentitet",
        data={"identity": chosen, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 303, response.status_code
    return browser


def _links_and_files(html: str) -> tuple[list[str], set[str]]:
    soup = BeautifulSoup(html, "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    hrefs += [
        f.get("action") or "" for f in soup.find_all("form") if (f.get("method") or "").lower() == "get"
    ]
    files = {tag["href"] for tag in soup.find_all("link", href=True)}
    files |= {tag["src"] for tag in soup.find_all(["script", "img"], src=True)}
    return [h.split("#")[0] for h in hrefs if h and not h.startswith(("#", "mailto:", "tel:"))], files


def _crawl_in_english(browser: requests.Session, base: str, start: str) -> tuple[dict[str, str], set[str]]:
    """Every page reachable from ``start`` (status and html) and every file those pages load."""
    response = browser.get(f"{base}/sprak/en?next={start}", allow_redirects=False)
    assert response.status_code == 303
    pages: dict[str, tuple[int, str]] = {}
    files: set[str] = set()
    queue = deque([start])
    while queue and len(pages) < MOST_PAGES_PER_PERSON:
        path = queue.popleft()
        if path in pages:
            continue
        response = browser.get(base + path)
        is_html = response.headers.get("Content-Type", "").startswith("text/html")
        pages[path] = (response.status_code, response.text if is_html else "")
        if response.status_code == 200 and is_html:
            links, loaded = _links_and_files(response.text)
            files |= {urlsplit(urljoin(base + path, f)).path for f in loaded}
            for link in links:
                parts = urlsplit(urljoin(base + path, link))
                if parts.netloc != urlsplit(base).netloc:
                    continue
                if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_ENDINGS):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages, files


@pytest.mark.parametrize(("who", "start"), [("Maria Berg", "/"), ("Kent Olofsson", "/personal/")])
def test_every_page_of_the_installed_demo_is_served_in_english_with_its_css(served, english, who, start):
    base = served["base"]
    browser = _sign_in(base, who)
    pages, files = _crawl_in_english(browser, base, start)

    assert len(pages) > 5, pages.keys()
    assert {path: status for path, (status, _) in pages.items() if status >= 500} == {}
    skip_link = english["Hoppa till innehållet"]
    not_english = [
        path
        for path, (status, html) in pages.items()
        if html and ('<html lang="en">' not in html or skip_link not in html)
    ]
    assert not_english == [], f"pages without the English catalogue: {not_english}"

    # The stylesheet is inlined in each page (issue 17: no render-blocking request), read from the wheel's
    # static/css/app.css: every page carries it, whole.
    without_css = [
        path
        for path, (status, html) in pages.items()
        if status == 200 and html and not re.search(r"<style nonce=\"[^\"]+\">[^<]{5000,}</style>", html)
    ]
    assert without_css == [], f"pages without their stylesheet: {without_css}"
    stylesheets = {path for path in files if path.endswith(".css")}
    for path in sorted(files):
        response = browser.get(base + path)
        assert response.status_code == 200, path
        assert response.content, path
    for path in stylesheets:
        assert browser.get(base + path).headers["Content-Type"].startswith("text/css")


def test_the_installed_demo_shows_a_page_in_swedish_and_in_english(served, english):
    base = served["base"]
    browser = requests.Session()
    swedish = BeautifulSoup(browser.get(base + "/kontakt").text, "html.parser")
    assert swedish.html["lang"] == "sv" and swedish.h1.get_text(strip=True) == "Kontakt"
    in_english = BeautifulSoup(browser.get(base + "/sprak/en?next=/kontakt").text, "html.parser")
    assert in_english.html["lang"] == "en"
    assert in_english.h1.get_text(strip=True) == english["Kontakt"] != "Kontakt"


def test_the_instance_folder_can_be_chosen(tmp_path, monkeypatch):
    from citizen_app import create_app

    monkeypatch.setenv("MINSIP_INSTANCE_PATH", str(tmp_path / "data"))
    app = create_app("demo")
    assert app.instance_path == str(tmp_path / "data")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "data" / "minsip.sqlite")
    assert (tmp_path / "data").is_dir()


def test_production_makes_no_instance_folder(tmp_path, monkeypatch):
    """Production keeps nothing there, and may run where nothing can be written (a read-only image)."""
    from citizen_app import create_app

    monkeypatch.setenv("MINSIP_INSTANCE_PATH", str(tmp_path / "data"))
    import secrets

    from cryptography.fernet import Fernet

    monkeypatch.setenv("MINSIP_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("MINSIP_IDENTITY_HASH_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("MINSIP_IDENTITY_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("MINSIP_DATABASE_URL", "sqlite://")
    app = create_app("production")
    assert app.instance_path == str(tmp_path / "data")
    assert not (tmp_path / "data").exists()
