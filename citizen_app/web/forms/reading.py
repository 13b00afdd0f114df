"""Small helpers the citizen's form pages share: reading a posted field, translating a service's errors, and
answering with 422 when there are errors [STYLE: forms].

Two ways to read a text field, on purpose:
- ``text`` is lenient: the first value sent, or "" (for pages where a repeated field is harmless);
- ``one`` is strict: a field sent twice is malformed, not an answer (400, nothing saved). NUL characters are
  dropped, as no database stores them in text.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

MAX_CHOICES = 200  # more checkboxes than a county has units: not a person filling in the form


def text(name: str) -> str:
    """The posted field as text, "" when it is missing."""
    value = request.form.get(name, "")
    return value if isinstance(value, str) else ""


def one(name: str) -> str:
    """A single posted field; the same field sent twice is malformed (400)."""
    sent = request.form.getlist(name)
    if len(sent) > 1:
        abort(400)
    return sent[0].replace("\x00", "") if sent else ""


def choices(name: str) -> list[str]:
    """The checked values of a checkbox list, in the order sent; hundreds of them is malformed (400)."""
    sent = [value.replace("\x00", "") for value in request.form.getlist(name)]
    if len(sent) > MAX_CHOICES:
        abort(400)
    return sent


def translated(errors: dict[str, str]) -> dict[str, str]:
    """A service's errors (Swedish msgids, keyed by field id) in the page's language."""
    return {field: _(message) for field, message in errors.items()}


def render_form(template: str, errors: dict[str, str], **context):
    """The page with its errors: status 422 when there are any, else 200."""
    return render_template(template, errors=errors, **context), (422 if errors else 200)


def subject_name(case) -> str | None:
    """Whom the case is about, as the questions name them: None when it is the signed-in person themself."""
    if case.subject_id == current_user.id or case.subject is None:
        return None
    return case.subject.display_name
