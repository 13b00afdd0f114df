"""Page titles name nobody [issue 12]: a title is kept in the browser's history and shown in tab lists,
where someone else at the same phone or computer may read it.

A heading that names a person marks the name with ``a_name(name, instead)``. The ``<h1>`` shows the name;
``heading | as_title`` gives the title, where the name is replaced by the plain word ``instead``
("SIP för Elsa Berg" → "SIP för barnet"). The page checks in the tests hold every page to this.
"""

from __future__ import annotations

import html
import re

from flask import Flask
from markupsafe import Markup, escape

_MARKED_NAME = re.compile(r'<span data-name="([^"]*)">.*?</span>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def a_name(name: object, instead: object) -> Markup:
    """A person's name in a heading, and the word the page title uses in its place."""
    return Markup('<span data-name="{}">{}</span>').format(escape(str(instead)), escape(str(name)))


def as_title(heading: object) -> str:
    """The heading as plain text, each marked name replaced by its word (autoescaping escapes it again)."""
    text = _MARKED_NAME.sub(lambda match: match.group(1), str(heading))
    return html.unescape(_TAG.sub("", text))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["a_name"] = a_name
    app.jinja_env.filters["as_title"] = as_title
