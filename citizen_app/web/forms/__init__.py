"""Form classes: one module per area (staff.py, staff_meetings.py, ...) [STYLE: A request's way, step 2].

Conventions every form here follows:
- A form subclasses ``Form``. Labels, hints and messages are plain Swedish msgids (marked with ``N_``); they
  are translated when the page is shown (``Form.page_errors``), so a form class never calls gettext.
- A form only parses and checks shape (a date that cannot be read, a choice that is not offered). Domain rules
  stay in services: a service's ``InvalidInput.errors`` go onto the form with ``add_errors``.
- CSRF is checked by CSRFProtect for every POST before the view runs, so forms do not check it again; the
  csrf() macro in templates/components/forms.html renders the token and the submission id @creates reads.
- A text field missing from the POST is "" (as ``request.form.get(name, "")`` was); a checkbox list is [].

The view: ``form = XForm()`` on POST (``XForm(data=...)`` for a GET's first values), ``form.validate()``, call
the service with plain values, ``add_errors(form, invalid.errors)`` on InvalidInput, then 303 on success or
``form_page(template, form, ...)``: the same page, with status 422 when a form on it has errors. No view
renders a form page another way (tests/unit/test_form_layer.py checks it). Templates show the fields with
the macros of templates/components/fields.html, which read the WTForms fields.
"""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import SelectMultipleField, StringField
from wtforms.validators import ValidationError

from citizen_app.services import N_

__all__ = [
    "Choices",
    "DateText",
    "Form",
    "StrictChoices",
    "StrictText",
    "LongText",
    "Text",
    "add_errors",
    "form_page",
]

MAX_CHOICES = 200  # more checkboxes than a county has units: not a person filling in the form

UNREADABLE_DATE = N_("Skriv datumet som år-månad-dag, till exempel 2026-12-01")


class Form(FlaskForm):
    """The base of every form: reads ``request.form`` of a POST only, and shows its errors in field order."""

    class Meta:
        csrf = False  # CSRFProtect has checked the token before the view runs

        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:  # not given: what was POSTed as a form, nothing else (no JSON, no files)
                return request.form if request.method == "POST" and request.form else None
            return formdata

    @property
    def page_errors(self) -> dict[str, str]:
        """What the error summary and fields show: field id → its first message, translated, in field order

        Form-level errors (``form_errors``) come after the fields, keyed by the name the service gave them.
        """
        shown = {field.id: _(field.errors[0]) for field in self if field.errors}
        for name, message in getattr(self, "_other_errors", {}).items():
            shown.setdefault(name, _(message))
        return shown

    @property
    def was_posted(self) -> bool:
        """Whether this request posted a form with anything in it (not JSON, not an empty body): for a view
        that takes either a form or what a script sends."""
        return self.meta.wrap_formdata(self, _Auto) is not None


def add_errors(form: Form, errors: dict[str, str]) -> None:
    """Put a service's errors (``InvalidInput.errors``: field name → Swedish msgid) onto the form's fields.

    A field that already has an error keeps it first (the form's own "cannot be read" says more than the
    service's "missing"). A name that is no field of the form becomes a form-level error under that name.
    """
    for name, message in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
            form._other_errors = {**getattr(form, "_other_errors", {}), name: message}


def form_page(template: str, form: Form | None = None, **context) -> tuple[str, int]:
    """The one way a view shows a page with forms: status 422 when a form on it has errors, else 200.

    ``form`` is the page's form, read by the macros of components/fields.html; its ``page_errors`` go to the
    template as ``errors`` too (the error summary, "Fel: " in the title). A page with more forms than one
    passes the others by their own names among the context: any form there with errors makes it a 422 (only
    the one posted can have them). A page without a form (``form`` None) is a 200.
    """
    forms = [value for value in (form, *context.values()) if isinstance(value, Form)]
    if form is not None:
        context = {"form": form, "errors": form.page_errors, **context}
    status = 422 if any(each.page_errors for each in forms) else 200
    return render_template(template, **context), status


class Text(StringField):
    """A text field: the first value sent, "" when it is missing; kept as typed (no stripping)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist and isinstance(valuelist[0], str) else ""


class LongText(Text):
    """A long text, such as a comment: cut at ``limit`` characters, NUL characters dropped (no database
    stores them in text). Set ``limit`` far above what the service allows, so the service still says "too
    long"; a body beyond it is not a comment, and is not carried further."""

    def __init__(self, label=None, validators=None, *, limit: int, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = self.data[: self.limit].replace("\x00", "")


class DateText(Text):
    """A date typed as år-månad-dag. ``data`` keeps the text; ``date`` is the date, None when empty or
    unreadable (unreadable is this field's error)."""

    date: date | None = None

    def pre_validate(self, form) -> None:
        self.date = None
        typed = (self.data or "").strip()
        if typed:
            try:
                self.date = date.fromisoformat(typed)
            except ValueError:
                raise ValidationError(UNREADABLE_DATE) from None


class Choices(SelectMultipleField):
    """The checked values of a checkbox list, in the order sent; the service decides which are allowed."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, coerce=str, **kwargs)

    def process_formdata(self, valuelist):
        self.data = list(valuelist)


class StrictText(Text):
    """A text field that is one answer: the same name sent twice is malformed, not an answer (400, so nothing
    is saved). NUL characters are dropped, as no database stores them in text. (What ``one`` did.)"""

    def process_formdata(self, valuelist):
        if len(valuelist) > 1:
            abort(400)
        super().process_formdata([value.replace("\x00", "") for value in valuelist if isinstance(value, str)])


class StrictChoices(Choices):
    """A checkbox list where hundreds of values is malformed (400): more than a county has units, so not a
    person filling in the form. NUL characters are dropped. (What ``choices`` did.)"""

    def process_formdata(self, valuelist):
        if len(valuelist) > MAX_CHOICES:
            abort(400)
        super().process_formdata([value.replace("\x00", "") for value in valuelist if isinstance(value, str)])
