"""The form layer (citizen_app/web/forms/, templates/components/fields.html) [issue 14].

- Views converted to form classes read what was posted only through their form: no ``request.form``.
- ``add_errors`` puts a service's errors onto the fields; the page shows them translated, in field order.
- The field macros (templates/components/fields.html) give the markup the pages had before form classes.
- One helper renders a page with forms (``form_page``: 422 when a form on it has errors); no view has one of
  its own, and no template uses the older field macros.
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

# Every view module reads what was posted only through form classes. guards.py is no view: @creates reads
# the submission id of any POST before the view runs (web/guards.py).
NOT_VIEWS = {"__init__.py", "guards.py"}
CONVERTED = sorted(path.name for path in WEB.glob("*.py") if path.name not in NOT_VIEWS)


def test_every_view_module_is_checked():
    assert {"consent.py", "staff_plans.py", "declining.py", "sharing.py"} <= set(CONVERTED)


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


# --- One render helper, one set of field macros -------------------------------------------------------------

TEMPLATES = WEB.parents[1] / "templates"
THE_HELPER = WEB / "forms" / "__init__.py"
FIELD_MACROS = {"text_field", "text_area", "radio", "radio_items", "yes_no", "checkbox", "select", "option"}
FIELD_MACROS |= {"error_message", "described_by", "field_error", "back_to", "error_summary"}


def renders_with_422(source: str) -> list[str]:
    """The functions that render a template and answer 422 themselves: a render helper of their own."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside = list(ast.walk(node))
            says_422 = any(isinstance(n, ast.Constant) and n.value == 422 for n in inside)
            renders = any(
                isinstance(n, ast.Call)
                and getattr(n.func, "id", getattr(n.func, "attr", "")) == "render_template"
                for n in inside
            )
            if says_422 and renders:
                found.append(node.name)
    return found


def test_no_view_renders_a_form_page_with_a_helper_of_its_own():
    """Every page with a form goes through forms.form_page, so "422 when a form has errors" is said once."""
    modules = [path for path in WEB.rglob("*.py") if path != THE_HELPER]
    own = {str(path.relative_to(WEB)): renders_with_422(path.read_text()) for path in modules}
    assert {module: names for module, names in own.items() if names} == {}
    assert renders_with_422(THE_HELPER.read_text()) == ["form_page"]


def test_the_check_finds_a_render_helper_of_its_own():
    local = (
        "def _render(template, form):\n    return render_template(template), 422 if form.errors else 200\n"
    )
    inline = (
        'def view():\n    html = flask.render_template("a.html")\n    return html, (422 if bad else 200)\n'
    )
    json_answer = 'def api():\n    return jsonify(error="x"), 422\n'
    assert renders_with_422(local) == ["_render"]
    assert renders_with_422(inline) == ["view"]
    assert renders_with_422(json_answer) == []


def field_macros_from_elsewhere(template: str) -> list[str]:
    """Field macros a template imports from anywhere but templates/components/ (the older ones)."""
    found = []
    for source, names in re.findall(r'{%-?\s*from\s+["\']([^"\']+)["\']\s+import\s+(.+?)\s*-?%}', template):
        imported = {name.strip().split(" as ")[0] for name in names.split(",")}
        if not source.startswith("components/"):
            found += [f"{name} from {source}" for name in sorted(imported & FIELD_MACROS)]
    if "requests/_fields.html" in template:
        found.append("requests/_fields.html")
    return found


def test_every_template_takes_its_field_macros_from_components():
    older = {
        str(path.relative_to(TEMPLATES)): field_macros_from_elsewhere(path.read_text())
        for path in TEMPLATES.rglob("*.html")
    }
    assert {template: names for template, names in older.items() if names} == {}


def test_the_check_finds_a_template_with_the_older_macros():
    assert field_macros_from_elsewhere('{% from "requests/_fields.html" import back_to %}') == [
        "back_to from requests/_fields.html",
        "requests/_fields.html",
    ]
    assert field_macros_from_elsewhere('{% from "staff/_parts.html" import day, field_error %}') == [
        "field_error from staff/_parts.html"
    ]
    assert (
        field_macros_from_elsewhere('{% from "components/fields.html" import text_field, error_summary %}')
        == []
    )


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


FIELDS = (
    '{% from "components/fields.html" import text_field, text_area, yes_no, radio_items, error_summary %}'
)

# What each macro gives for a field typed with quotes, an ampersand and angle brackets: the markup the older
# field macros (requests/_fields.html) gave, so no page changed when it moved to a form class. Without errors,
# then with "need" and "answer" refused.
TYPED = "Hjälp med &#34;skola&#34; &amp; &lt;fritid&gt;"
RADIOS = """
<div class="radios">
  <div class="radio"><input type="radio" id="urgent" name="urgent" value="yes" checked>
    <label for="urgent">Ja{hint}</label></div>
  <div class="radio"><input type="radio" id="urgent-2" name="urgent" value="no">
    <label for="urgent-2">Nej</label></div>
</div>
"""
ERROR = '<p class="field-error" id="{}-error"><span class="visually-hidden">Fel: </span>{}</p>'
NEED_ERROR = ERROR.format("need", "Skriv högst 500 tecken")
ANSWER_ERROR = ERROR.format("answer", "Välj ett svar")
MARKUP = {
    '{{ text_field(f.need, "Behov?", hint="En mening.", autocomplete="off") }}': (
        f"""<div class="field"><label for="need">Behov?</label><p class="hint" id="need-hint">En mening.</p>
        <input type="text" id="need" name="need" value="{TYPED}" autocomplete="off"
               aria-describedby="need-hint"></div>""",
        f"""<div class="field field--error"><label for="need">Behov?</label>
        <p class="hint" id="need-hint">En mening.</p>{NEED_ERROR}
        <input type="text" id="need" name="need" value="{TYPED}" autocomplete="off"
               aria-describedby="need-hint need-error" aria-invalid="true"></div>""",
    ),
    '{{ text_field(f.answer, "Svar") }}': (
        """<div class="field"><label for="answer">Svar</label>
        <input type="text" id="answer" name="answer" value=""></div>""",
        f"""<div class="field field--error"><label for="answer">Svar</label>{ANSWER_ERROR}
        <input type="text" id="answer" name="answer" value=""
               aria-describedby="answer-error" aria-invalid="true"></div>""",
    ),
    '{{ text_area(f.need, "Behov", hint="Högst 500 tecken.") }}': (
        f"""<div class="field"><label for="need">Behov</label>
        <p class="hint" id="need-hint">Högst 500 tecken.</p>
        <textarea id="need" name="need" rows="5" aria-describedby="need-hint">{TYPED}</textarea></div>""",
        f"""<div class="field field--error"><label for="need">Behov</label>
        <p class="hint" id="need-hint">Högst 500 tecken.</p>{NEED_ERROR}
        <textarea id="need" name="need" rows="5"
                  aria-describedby="need-hint need-error" aria-invalid="true">{TYPED}</textarea></div>""",
    ),
    '{{ text_area(f.answer, "Svar") }}': (
        """<div class="field"><label for="answer">Svar</label>
        <textarea id="answer" name="answer" rows="5"></textarea></div>""",
        f"""<div class="field field--error"><label for="answer">Svar</label>{ANSWER_ERROR}
        <textarea id="answer" name="answer" rows="5"
                  aria-describedby="answer-error" aria-invalid="true"></textarea></div>""",
    ),
    "{{ yes_no(f.urgent) }}": (RADIOS.format(hint=""),) * 2,
    '{{ radio_items(f.urgent, [("yes", "Ja", "nu"), ("no", "Nej", none)]) }}': (
        RADIOS.format(hint=' <span class="hint">– nu</span>'),
    )
    * 2,
    "{{ error_summary(f) }}": (
        "",
        """<div class="error-summary" role="alert" tabindex="-1" data-focus-on-load>
        <h2 class="error-summary__title">Det finns ett problem</h2>
        <ul><li><a href="#need">Skriv högst 500 tecken</a></li>
            <li><a href="#answer">Välj ett svar</a></li></ul>
        </div>""",
    ),
}


@pytest.mark.parametrize("call", list(MARKUP))
@pytest.mark.parametrize("with_errors", [False, True])
def test_the_field_macros_give_the_markup_every_page_has(app, call, with_errors):
    with _posted(app, need='Hjälp med "skola" & <fritid>', answer="", urgent="yes"):
        f = NeedForm()
        if with_errors:
            add_errors(f, {"need": N_("Skriv högst 500 tecken"), "answer": N_("Välj ett svar")})
        html = render_template_string(FIELDS + call, f=f)
    assert _same(html) == _same(MARKUP[call][with_errors])


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
<div class="field{% if error %} field--error{% endif %}">
  <label for="responsible_unit">Vilken verksamhet?</label>
  <p class="hint" id="responsible_unit-hint">Som samtycket gäller.</p>
  {% if error %}
    <p class="field-error" id="responsible_unit-error">
      <span class="visually-hidden">Fel: </span>{{ error }}</p>
  {% endif %}
  <select id="responsible_unit" name="responsible_unit" aria-describedby="responsible_unit-hint
    {%- if error %} responsible_unit-error" aria-invalid="true{% endif %}">
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
{% call select(f.responsible_unit, "Vilken verksamhet?", empty_choice="Välj verksamhet",
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
        before = render_template_string(
            HAND_WRITTEN_SELECT, chosen="u2", error=f.page_errors.get("responsible_unit")
        )
    assert _same(after) == _same(before)
    assert '<option value="u2" selected>' in after and '<option value="u1">' in after
    if with_errors:
        assert 'aria-describedby="responsible_unit-hint responsible_unit-error" aria-invalid="true"' in after


def _placeholder_attributes(source: str) -> list[str]:
    """HTML ``placeholder`` attributes on inputs and text areas: a placeholder is no label, and it is gone
    as soon as the person types [WCAG 3.3.2]."""
    return re.findall(r"<(?:input|textarea)\b[^>]*\splaceholder\s*=", source, flags=re.IGNORECASE)


def test_no_template_puts_a_placeholder_where_a_label_belongs():
    templates = Path(__file__).resolve().parents[2] / "templates"
    found = {
        str(path.relative_to(templates)): hits
        for path in templates.rglob("*.html")
        if (hits := _placeholder_attributes(path.read_text()))
    }
    assert found == {}


def test_the_placeholder_check_finds_one():
    assert _placeholder_attributes('<input type="text" name="x" placeholder="Skriv här">')
    assert not _placeholder_attributes('<label for="x">Namn</label><input type="text" id="x" name="x">')


def test_the_unit_choice_of_an_action_has_a_label_tied_to_it(app):
    with _posted(app, responsible_unit="u1"):
        html = render_template_string(SELECT, f=ActionLikeForm())
    assert '<label for="responsible_unit">Vilken verksamhet?</label>' in html
    assert "placeholder" not in html
