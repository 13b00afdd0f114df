"""Every page each demo person can reach, in the state the demo data puts it in: no server error, no two
pages with the same title (a screen reader's first words, and the browser's history), and no page title that
names a person (a title is kept in the browser's history, where others may read it)
[issue 12]. The crawl follows the links and GET forms a person sees, as a new user would."""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from citizen_app.services import demo

# Pages that end the session, change the language, or are files: not part of the crawl.
SKIPPED_PREFIXES = ("/logga-ut", "/sprak/", "/static/", "/sw.js", "/manifest")
SKIPPED_ENDINGS = (".csv", ".ics", ".json", ".png", ".svg", ".js", ".css")
MOST_PAGES_PER_PERSON = 120


def _demo_identities():
    return [(identity.token, identity.name) for identity in demo.list_test_identities()]


def _links(base: str, html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = [a["href"] for a in soup.find_all("a", href=True)]
    found += [
        form.get("action") for form in soup.find_all("form") if (form.get("method") or "").lower() == "get"
    ]
    urls = []
    for href in found:
        if not href:
            continue
        url = urljoin(base, href.split("#")[0])
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_ENDINGS):
            continue
        urls.append(path)
    return urls


def _crawl(client, start: str) -> dict[str, tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    queue = deque([start])
    while queue and len(seen) < MOST_PAGES_PER_PERSON:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        title = BeautifulSoup(html, "html.parser").title
        seen[path] = (response.status_code, title.get_text(" ", strip=True) if title else "")
        if response.status_code == 200 and html:
            queue.extend(u for u in _links(path, html) if u not in seen)
    return seen


def _names(app) -> set[str]:
    """Every demo person's full name, first name and surname."""
    names: set[str] = set()
    for identity in demo.list_test_identities():
        names.add(identity.name)
        names.update(part for part in identity.name.split() if len(part) > 2)
    return names


def test_the_demo_has_people_to_crawl_as(app, demo_data):
    assert len(_demo_identities()) >= 10


# The demo's people by name, known without a database: each is one test (a person added to the demo is
# crawled too, and no test stands for somebody who is not there).
DEMO_NAMES = [p.name for p in demo.demo_people()] + [s.name for s in demo.demo_staff()]


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_every_page_a_demo_person_reaches_answers_without_error_and_names_nobody_in_its_title(
    app, client, demo_data, name
):
    identity = next(i for i in demo.list_test_identities() if i.name == name)
    client.sign_in_as(demo.actor_for_test_identity(identity.token))
    start = "/personal/" if identity.is_staff else "/"
    pages = _crawl(client, start)
    assert len(pages) > 3, pages
    errors = {path: status for path, (status, _) in pages.items() if status >= 500}
    assert errors == {}, f"{identity.name}: {errors}"
    by_title: dict[str, set[str]] = {}
    for path, (status, title) in pages.items():
        if status == 200 and title:  # a file (the "Mina uppgifter" JSON download) has no title
            by_title.setdefault(title, set()).add(path.split("?")[0])
    repeated = {title: sorted(paths) for title, paths in by_title.items() if len(paths) > 1}
    assert repeated == {}, f"{identity.name}: different pages with the same title: {repeated}"
    names = _names(app)
    named = {path: title for path, (_, title) in pages.items() if any(name in title for name in names)}
    assert named == {}, f"{identity.name}: titles that name a person: {named}"
