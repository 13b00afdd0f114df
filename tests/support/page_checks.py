"""Checks every HTML response the test client sees [STYLE: Tests], after GOV.UK Notify's client.

A page fails when it: does not parse; lacks ``<html lang>``; has not exactly one h1; has a title that does not
start with the h1 (after an optional "Fel: "; a name marked in the h1 is replaced by its plain word, and the
title must not name the person); repeats an id; has a form without action, method or CSRF token (POST); has a
POST form to a view that creates something (``creates``) without a ``submission_id``; has a script without
the CSP nonce; or uses an inline ``style`` attribute or inline script.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup


class PageCheckError(AssertionError):
    pass


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True)).strip()


def _h1_as_title(h1) -> str:
    """The h1 as the title says it: a name marked with page_titles.a_name is replaced by its plain word."""
    h1 = BeautifulSoup(str(h1), "html.parser")
    for name in h1.select("[data-name]"):
        name.replace_with(name["data-name"])
    h1.smooth()  # one text again: "för personen?" is not "för personen ?"
    return _text(h1)


def check_html(
    html: str, nonce: str | None = None, url: str = "", creates: Callable[[str], bool] | None = None
) -> BeautifulSoup:
    """``creates(action)``: whether a POST to a form's action creates something (a ``@creates`` view)."""
    soup = BeautifulSoup(html, "html.parser")
    problems: list[str] = []
    root = soup.find("html")
    if root is None or not root.get("lang"):
        problems.append("<html> has no lang")
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        problems.append(f"expected one h1, found {len(h1s)}")
    title = soup.find("title")
    if title is None or not _text(title):
        problems.append("no <title>")
    elif len(h1s) == 1:
        t = _text(title)
        t = t.removeprefix("Fel: ").removeprefix("Error: ")
        if not t.startswith(_h1_as_title(h1s[0])):
            problems.append(f"title {t!r} does not start with the h1 {_h1_as_title(h1s[0])!r}")
        for name in h1s[0].select("[data-name]"):
            if _text(name) and _text(name) in t:
                problems.append(f"title {t!r} names {_text(name)!r} (page_titles.a_name)")
    ids = [el["id"] for el in soup.find_all(id=True)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        problems.append(f"duplicate ids: {dupes}")
    for form in soup.find_all("form"):
        if not form.get("action"):
            problems.append("a form has no action")
        method = (form.get("method") or "").lower()
        if method not in {"get", "post"}:
            problems.append("a form has no method")
        if method == "post" and not form.find("input", attrs={"name": "csrf_token"}):
            problems.append(f"POST form to {form.get('action')} has no CSRF token")
        if (
            method == "post"
            and creates is not None
            and creates(form.get("action") or "")
            and not form.find("input", attrs={"name": "submission_id", "value": True})
        ):
            problems.append(f"POST form to {form.get('action')} creates something but has no submission_id")
    for script in soup.find_all("script"):
        if not script.get("nonce"):
            problems.append("a <script> has no nonce")
        elif nonce and script["nonce"] != nonce:
            problems.append("a <script> nonce does not match the CSP")
        if script.string and script.string.strip() and script.get("type") != "application/json":
            problems.append("inline script")
    if soup.find(attrs={"style": True}):
        problems.append("inline style attribute")
    for label in soup.find_all("label"):
        target = label.get("for")
        if target and not soup.find(id=target):
            problems.append(f"label for missing id {target!r}")
    if problems:
        raise PageCheckError(f"{url}: " + "; ".join(problems))
    return soup
