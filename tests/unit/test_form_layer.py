"""The form layer (citizen_app/web/forms/, templates/components/fields.html) [issue 14].

- Views converted to form classes read what was posted only through their form: no ``request.form``.
- ``add_errors`` puts a service's errors onto the fields; the page shows them translated, in field order.
- The field macros for WTForms fields give the same markup as the older macros of requests/_fields.html.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from citizen_app.services import N_
from citizen_app.web.forms import DateText, Form, Text, add_errors

WEB = Path(__file__).resolve().parents[2] / "citizen_app" / "web"

# The view modules that read their POST through form classes. Add a module here when it is converted; the
# ones left (the other citizen pages) still read request.form by hand.
CONVERTED = [
    "staff.py",
    "staff_meetings.py",
    "staff_feedback.py",
    "staff_decisions.py",
    "invitations.py",
    "staff_plans.py",
    "preparation.py",
    "child.py",
    "consent.py",
    "requests.py",
    "auth.py",
    "cases.py",
    "feedback.py",
    "problems.py",
    "notification_settings.py",
    "plan.py",
]


def reads_the_post_by_hand(source: str) -> list[int]:
    """The lines where ``request.form`` (or ``request.values``) is read."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr in ("form", "values")
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    )


@pytest.mark.parametrize("module", CONVERTED)
def test_a_converted_view_reads_what_was_posted_only_through_its_form(module):
    assert reads_the_post_by_hand((WEB / module).read_text()) == [], f"web/{module} reads request.form"


def test_the_check_finds_a_view_that_reads_the_post_by_hand():
    by_hand = 'def view():\n    name = request.form.get("name", "")\n    return request.values["x"]\n'
    assert reads_the_post_by_hand(by_hand) == [2, 3]
    assert reads_the_post_by_hand("def view():\n    form = AForm()\n    return form.name.data\n") == []


class MeetingLikeForm(Form):
    date = DateText()
    place = Text()
    note = Text()


def _posted(app, **fields):
    return app.test_request_context("/", method="POST", data=MultiDict(fields))


def test_a_service_error_lands_on_its_field_and_the_page_shows_them_in_field_order(app):
    with _posted(app, date="2026-12-01", place="", note="x" * 10):
        form = MeetingLikeForm()
        assert form.validate()
        add_errors(form, {"note": N_("Skriv högst 500 tecken"), "place": N_("Skriv var ni ses")})
        assert form.place.errors == ["Skriv var ni ses"]
        assert list(form.page_errors) == ["place", "note"]


def test_what_the_form_found_comes_before_the_service_saying_it_is_missing(app):
    with _posted(app, date="1 december", place="Vårdcentralen"):
        form = MeetingLikeForm()
        assert not form.validate()
        assert form.date.date is None  # the service gets None, and says "missing"
        add_errors(form, {"date": N_("Skriv datum och tid")})
        assert form.page_errors == {"date": "Skriv datumet som år-månad-dag, till exempel 2026-12-01"}


def test_an_error_for_a_name_that_is_no_field_becomes_a_form_level_error(app):
    with _posted(app, place="Vårdcentralen"):
        form = MeetingLikeForm()
        add_errors(form, {"whole_form": N_("Skriv var ni ses")})
        assert form.form_errors == ["Skriv var ni ses"]
        assert form.page_errors == {"whole_form": "Skriv var ni ses"}


def test_a_field_missing_from_the_post_is_empty_text(app):
    with _posted(app, place="Vårdcentralen"):
        form = MeetingLikeForm()
        assert form.note.data == ""
        assert form.date.data == ""


def test_errors_are_shown_in_the_language_of_the_page(app):
    with app.test_request_context("/?lang=en", method="POST", data={"place": "x"}):
        from flask_babel import force_locale

        with force_locale("en"):
            form = MeetingLikeForm()
            add_errors(form, {"date": N_("Skriv datumet som år-månad-dag, till exempel 2026-12-01")})
            assert form.page_errors["date"] != "Skriv datumet som år-månad-dag, till exempel 2026-12-01"


class NeedForm(Form):
    need = Text()
    answer = Text()
    urgent = Text()


def _same(html: str) -> str:
    """Markup with the whitespace between tags and attributes made uniform."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


OLD = '{% from "requests/_fields.html" import text_field, text_area, yes_no, radio_items %}'
OLD += '{% from "components/forms.html" import error_summary %}'
NEW = '{% from "components/fields.html" import text_field, text_area, yes_no, radio_items, error_summary %}'


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            '{{ text_field("need", "Behov?", form, errors, hint="En mening.", autocomplete="off") }}',
            '{{ text_field(f.need, "Behov?", hint="En mening.", autocomplete="off") }}',
        ),
        ('{{ text_field("answer", "Svar", form, errors) }}', '{{ text_field(f.answer, "Svar") }}'),
        (
            '{{ text_area("need", "Behov", form, errors, hint="Högst 500 tecken.") }}',
            '{{ text_area(f.need, "Behov", hint="Högst 500 tecken.") }}',
        ),
        ('{{ text_area("answer", "Svar", form, errors) }}', '{{ text_area(f.answer, "Svar") }}'),
        ('{{ yes_no("urgent", form) }}', "{{ yes_no(f.urgent) }}"),
        (
            '{{ radio_items("urgent", [("yes", "Ja", "nu"), ("no", "Nej", none)], form) }}',
            '{{ radio_items(f.urgent, [("yes", "Ja", "nu"), ("no", "Nej", none)]) }}',
        ),
        ("{{ error_summary(errors) }}", "{{ error_summary(f) }}"),
    ],
)
@pytest.mark.parametrize("with_errors", [False, True])
def test_the_field_macros_give_the_markup_of_the_older_macros(app, old, new, with_errors):
    with _posted(app, need='Hjälp med "skola" & <fritid>', answer="", urgent="yes"):
        f = NeedForm()
        if with_errors:
            add_errors(f, {"need": N_("Skriv högst 500 tecken"), "answer": N_("Välj ett svar")})
        values = {"need": f.need.data, "answer": f.answer.data, "urgent": f.urgent.data}
        before = render_template_string(OLD + old, form=values, errors=f.page_errors)
        after = render_template_string(NEW + new, f=f)
    assert _same(after) == _same(before)
    if with_errors and "need" in old and "summary" not in old:
        assert 'aria-invalid="true"' in after


class ActionLikeForm(Form):
    responsible_unit = Text()
    end = Text()


# What the plan's pages wrote by hand before the checkbox and select macros (staff_plans/outcome.html and
# action.html).
HAND_WRITTEN_CHECKBOX = """
<div class="radio checkbox">
  <input type="checkbox" id="end" name="end" value="yes"
         {%- if end == "yes" %} checked{% endif %} aria-describedby="end-hint">
  <label for="end">Målet avslutas här</label>
  <p class="checkbox__hint" id="end-hint">Då kommer målet inte med i nästa version.</p>
</div>
"""
HAND_WRITTEN_SELECT = """
{% from "requests/_fields.html" import error_message, described_by %}
<div class="field{% if errors.get('responsible_unit') %} field--error{% endif %}">
  <label for="responsible_unit">Vilken verksamhet?</label>
  <p class="hint" id="responsible_unit-hint">Som samtycket gäller.</p>
  {{ error_message("responsible_unit", errors) }}
  <select id="responsible_unit" name="responsible_unit"{{ described_by("responsible_unit", errors, true) }}>
    <option value="">Välj verksamhet</option>
    <optgroup label="Kommunen">
      {% for id, name in [("u1", "Hemtjänsten"), ("u2", "Skolan & fritids")] %}
        <option value="{{ id }}"{% if chosen == id %} selected{% endif %}>{{ name }}</option>
      {% endfor %}
    </optgroup>
  </select>
</div>
"""
SELECT = """
{% from "components/fields.html" import select, option %}
{% call select(f.responsible_unit, "Vilken verksamhet?", placeholder="Välj verksamhet",
               hint="Som samtycket gäller.") %}
  <optgroup label="Kommunen">
    {% for id, name in [("u1", "Hemtjänsten"), ("u2", "Skolan & fritids")] %}
      {{ option(f.responsible_unit, id, name) }}
    {% endfor %}
  </optgroup>
{% endcall %}
"""
CHECKBOX = """
{% from "components/fields.html" import checkbox %}
{{ checkbox(f.end, "Målet avslutas här", hint="Då kommer målet inte med i nästa version.") }}
"""


@pytest.mark.parametrize("end", ["yes", ""])
def test_a_checkbox_is_checked_when_it_was_and_gives_the_markup_written_by_hand_before(app, end):
    with _posted(app, end=end):
        f = ActionLikeForm()
        after = render_template_string(CHECKBOX, f=f)
        before = render_template_string(HAND_WRITTEN_CHECKBOX, end=end)
    assert _same(after) == _same(before)
    assert ("checked" in after) == (end == "yes")


@pytest.mark.parametrize("with_errors", [False, True])
def test_a_select_keeps_the_chosen_option_and_gives_the_markup_written_by_hand_before(app, with_errors):
    with _posted(app, responsible_unit="u2"):
        f = ActionLikeForm()
        if with_errors:
            add_errors(f, {"responsible_unit": N_("Välj vilken verksamhet som gör det")})
        after = render_template_string(SELECT, f=f)
        before = render_template_string(HAND_WRITTEN_SELECT, chosen="u2", errors=f.page_errors)
    assert _same(after) == _same(before)
    assert '<option value="u2" selected>' in after and '<option value="u1">' in after
    if with_errors:
        assert 'aria-describedby="responsible_unit-hint responsible_unit-error" aria-invalid="true"' in after
