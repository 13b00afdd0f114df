"""Min SIP is bilingual: every Swedish text a person can see has an English translation.

Swedish is the source language (the msgids); English is a complete translation [issue 2, QUALITY.md 2].
When a test here fails after you changed a text, run the README's pybabel extract and update (the commands
are below and in babel.cfg) and write the English they leave empty in translations/en/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from jinja2 import Environment, nodes
from markupsafe import escape

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = os.path.join(ROOT, "templates")
ENGLISH_PO = Path("translations", "en", "LC_MESSAGES", "messages.po")
TEMPLATE_POT = Path("translations", "messages.pot")

# The README's translation workflow, word for word (babel.cfg repeats it). Run from the project folder.
HEADER = (
    "# The Swedish texts (msgids) of Min SIP, from citizen_app/ and templates/. "
    "Made by pybabel extract (see the README): never edit it by hand."
)
EXTRACT = [
    *("extract", "-F", "babel.cfg", "-o", str(TEMPLATE_POT)),
    *("-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "lazy_pgettext:1c,2"),
    *("-c", "TRANSLATORS:", "-s", "--add-location=file", "--project=Min SIP"),
    *("--msgid-bugs-address=minsip@example.se", f"--header-comment={HEADER}", "."),
]
UPDATE = [
    *("update", "-i", str(TEMPLATE_POT), "-d", "translations"),
    *("--no-fuzzy-matching", "--ignore-obsolete", "--ignore-pot-creation-date"),
]
README_HINT = "run the README's pybabel extract and pybabel update, then write the English"

# Literal text that may stay outside gettext, on purpose: the service's name, the acronym, and the names of
# the languages, which the language switch shows in their own language (with a lang attribute).
ALLOWED_LITERALS = ("Min SIP", "SIP", "Svenska", "English")

# Attributes whose value a person sees or hears (tooltip, screen reader name, image text, field hint).
VISIBLE_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "label",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "aria-placeholder",
}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
META_TEXT_NAMES = {"description", "application-name", "apple-mobile-web-app-title"}

# While the markup is checked, a Jinja expression becomes EXPRESSION and a {% tag %} becomes BOUNDARY:
# private-use characters, not letters. BOUNDARY keeps the texts of two blocks apart.
EXPRESSION = "\ue000"
BOUNDARY = "\ue001"
_LETTER = re.compile(r"[^\W\d_]")
_ALLOWED = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in ALLOWED_LITERALS) + r")(?!\w)")
# Text that is only HTML attributes (name="value" …), as a child template's block inside a layout's tag.
_ATTRIBUTE_LIST = re.compile(r"""(?:\s*[\w:.@-]+(?:=(?:"[^"]*"|'[^']*'))?)+\s*\Z""")
_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[a-zA-Z%]")


def pybabel(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Runs ``pybabel`` (Babel's command line) in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *args], cwd=cwd, capture_output=True, text=True
    )


def _read(path: Path) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh)


def _copy_of_the_project(target: Path) -> Path:
    """babel.cfg, the package, the templates and the translations, where pybabel may write."""
    shutil.copy(ROOT / "babel.cfg", target / "babel.cfg")
    for folder in ("citizen_app", "templates", "translations"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project with a freshly extracted translations/messages.pot."""
    project = _copy_of_the_project(tmp_path_factory.mktemp("project"))
    done = pybabel(*EXTRACT, cwd=project)
    assert done.returncode == 0, done.stderr
    return project


@pytest.fixture(scope="module")
def extracted(project) -> Catalog:
    return _read(project / TEMPLATE_POT)


@pytest.fixture(scope="module")
def english() -> Catalog:
    with open(ROOT / ENGLISH_PO, "rb") as fh:
        return read_po(fh, locale="en")


def _text(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _strings(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


# --- the catalogue ------------------------------------------------------------------------------------------


def test_extraction_finds_the_texts_of_code_and_templates(extracted):
    """Guards the guard: if babel.cfg stopped matching files, every other check here would pass on nothing."""
    found = {_text(m): {path for path, _line in m.locations} for m in extracted if m.id}
    assert "Hoppa till innehållet" in found  # templates/layouts/base.html
    assert any(path.startswith("citizen_app/") for paths in found.values() for path in paths)
    assert not any(path.startswith("tests/") for paths in found.values() for path in paths)


def test_every_text_in_the_code_has_an_english_translation(extracted, english):
    missing = [_text(m) for m in extracted if m.id and english.get(m.id, context=m.context) is None]
    untranslated = [
        _text(m)
        for m in extracted
        if m.id and (found := english.get(m.id, context=m.context)) is not None and not all(_strings(found))
    ]
    assert not missing, f"not in the English .po ({README_HINT}): {missing}"
    assert not untranslated, f"no English text yet in translations/en/LC_MESSAGES/messages.po: {untranslated}"


def test_english_catalogue_has_no_entries_the_code_no_longer_uses(extracted, english):
    in_code = {(_text(m), m.context) for m in extracted if m.id}
    unused = [_text(m) for m in english if m.id and (_text(m), m.context) not in in_code]
    assert not unused, f"{README_HINT}; these go: {unused}"


def test_english_catalogue_has_no_fuzzy_or_obsolete_entries(english):
    """A fuzzy entry is a guess that gettext does not show; it must be checked by a person."""
    fuzzy = [_text(m) for m in english if m.id and m.fuzzy]
    assert not fuzzy, f"check these translations and remove the fuzzy flag: {fuzzy}"
    assert not english.fuzzy, "the header of the English .po is marked fuzzy"
    assert not list(english.obsolete), f"remove the #~ entries: {list(english.obsolete)}"
    with open(ROOT / ENGLISH_PO, encoding="utf-8") as fh:
        assert not [line for line in fh if line.startswith("#~")]


def _entries(catalog: Catalog) -> list[tuple]:
    return [(m.id, m.context, sorted(m.locations), m.auto_comments, sorted(m.flags)) for m in catalog if m.id]


def test_the_committed_template_and_catalogue_are_what_pybabel_makes(project, extracted):
    """The .pot and the .po are written only by pybabel extract and update, so the English catalogue keeps
    one order and one layout and a change of text shows as a small diff."""
    assert _entries(_read(ROOT / TEMPLATE_POT)) == _entries(extracted), (
        f"translations/messages.pot: {README_HINT}"
    )
    check = pybabel(*UPDATE, "--check", cwd=project)
    assert check.returncode == 0, f"translations/en/LC_MESSAGES/messages.po: {README_HINT}\n{check.stderr}"


def _placeholders(text: str) -> Counter:
    return Counter(match.group(0) for match in _PLACEHOLDER.finditer(text))


def test_placeholders_are_the_same_in_swedish_and_english(english):
    """A lost %(name)s silently drops the name from the page; an extra one breaks the page."""
    wrong = []
    for message in english:
        if not message.id:
            continue
        wanted = _placeholders(_ids(message)[-1])
        for string in _strings(message):
            if string and _placeholders(string) != wanted:
                wrong.append((_text(message), string))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_placeholder_check_notices_a_lost_name():
    assert _placeholders("SIP för %(name)s") == _placeholders("SIP for %(name)s")
    assert _placeholders("SIP för %(name)s") != _placeholders("SIP for %(nam)s")
    assert _placeholders("Ring %(phone)s, 100 %%") != _placeholders("Call us, 100 %%")


def _small_project(root: Path, template_text: str) -> None:
    """A project with the real babel.cfg, one template, one module and one test file."""
    (root / "templates").mkdir()
    (root / "citizen_app").mkdir()
    (root / "tests").mkdir()
    (root / "translations").mkdir()
    shutil.copy(ROOT / "babel.cfg", root / "babel.cfg")
    (root / "templates" / "page.html").write_text(template_text, encoding="utf-8")
    (root / "citizen_app" / "rules.py").write_text('from flask_babel import gettext as _\n_("Ring oss")\n')
    (root / "tests" / "test_x.py").write_text('_("Bara i ett test")\n')


def _extract_and_update(root: Path) -> None:
    for args in (EXTRACT, UPDATE):
        done = pybabel(*args, cwd=root)
        assert done.returncode == 0, done.stderr


def test_the_workflow_keeps_translations_and_never_guesses(tmp_path):
    """A reworded text arrives empty, not as a fuzzy guess; the old one goes, without a #~ leftover."""
    _small_project(tmp_path, '<p>{{ _("Hej") }}</p><p>{{ _("Vi ses snart") }}</p>')
    assert pybabel(*EXTRACT, cwd=tmp_path).returncode == 0
    assert (
        pybabel("init", "-i", str(TEMPLATE_POT), "-d", "translations", "-l", "en", cwd=tmp_path).returncode
        == 0
    )
    po = tmp_path / ENGLISH_PO
    text = po.read_text(encoding="utf-8")
    for swedish, english in (("Hej", "Hello"), ("Vi ses snart", "See you soon")):
        text = text.replace(f'msgid "{swedish}"\nmsgstr ""', f'msgid "{swedish}"\nmsgstr "{english}"')
    po.write_text(text, encoding="utf-8")
    assert sorted(m.id for m in _read(po) if m.id) == ["Hej", "Ring oss", "Vi ses snart"]

    (tmp_path / "templates" / "page.html").write_text(
        '<p>{{ _("Hej") }}</p><p>{{ _("Vi ses snart igen") }}</p>'
    )
    _extract_and_update(tmp_path)

    catalog = _read(po)
    assert catalog.get("Hej").string == "Hello"
    assert catalog.get("Vi ses snart igen").string == "" and not catalog.get("Vi ses snart igen").fuzzy
    assert catalog.get("Vi ses snart") is None and not list(catalog.obsolete)
    assert "#~" not in po.read_text(encoding="utf-8")
    assert [m.id for m in catalog if m.id and not m.string] == ["Ring oss", "Vi ses snart igen"]
    assert pybabel(*UPDATE, "--check", cwd=tmp_path).returncode == 0


def test_update_check_notices_a_catalogue_that_is_behind_the_code(tmp_path):
    """Guards the guard of test_the_committed_template_and_catalogue_are_what_pybabel_makes."""
    _small_project(tmp_path, '<p>{{ _("Hej") }}</p>')
    assert pybabel(*EXTRACT, cwd=tmp_path).returncode == 0
    assert (
        pybabel("init", "-i", str(TEMPLATE_POT), "-d", "translations", "-l", "en", cwd=tmp_path).returncode
        == 0
    )
    (tmp_path / "templates" / "page.html").write_text('<p>{{ _("Hej") }}</p><p>{{ _("Ny text") }}</p>')
    assert pybabel(*EXTRACT, cwd=tmp_path).returncode == 0
    assert pybabel(*UPDATE, "--check", cwd=tmp_path).returncode != 0


def test_a_template_that_does_not_parse_stops_the_extraction(tmp_path):
    _small_project(tmp_path, '<p>{{ _("Hej" }}</p>')
    done = pybabel(*EXTRACT, cwd=tmp_path)
    assert done.returncode != 0
    assert "TemplateSyntaxError" in done.stderr  # so the README's `extract && update` stops here


# --- no text outside gettext in the templates ---------------------------------------------------------------


def _markup_only(source: str) -> str:
    """The template's HTML with Jinja taken out: comments removed, each {% tag %} replaced by BOUNDARY,
    each expression and {% trans %} block by EXPRESSION. Line breaks are kept, so line numbers match."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # only lexes, never renders
    parts: list[str] = []
    in_trans = in_block = False
    tag_name_next = False
    for _line, kind, value in env.lex(source):
        if kind == "block_begin":
            in_block, tag_name_next = True, True
            if not in_trans:
                parts.append(BOUNDARY)
        elif kind == "block_end":
            in_block = False
        elif in_block and tag_name_next and kind == "name":
            tag_name_next = False
            if value == "trans":
                in_trans = True
                parts.append(EXPRESSION)
            elif value == "endtrans":
                in_trans = False
        elif kind == "data" and not in_trans:
            parts.append(value)
            continue
        elif kind == "variable_begin" and not in_trans:
            parts.append(EXPRESSION)
        parts.append("\n" * value.count("\n"))
    return "".join(parts)


class _VisibleText(HTMLParser):
    """Collects text and attribute values a person sees that still contain letters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.found: list[tuple[int, str]] = []

    def _check(self, text: str, what: str) -> None:
        rest = _ALLOWED.sub("", text.replace(EXPRESSION, " ").replace(BOUNDARY, " "))
        if _LETTER.search(rest):
            self.found.append((self.getpos()[0], f"{what}{text.strip()!r}"))

    def handle_starttag(self, tag, attrs):
        # A {% if %} inside a tag leaves BOUNDARY in tag and attribute names: take it out.
        tag = tag.replace(BOUNDARY, "")
        attributes = {n.replace(BOUNDARY, ""): v or "" for n, v in attrs if n.replace(BOUNDARY, "")}
        if tag in ("script", "style"):
            self.hidden_depth += 1
        for name, value in attributes.items():
            if name in VISIBLE_ATTRIBUTES:
                self._check(value, f"<{tag} {name}=> ")
        # The value of <input type=submit> is its label; a <button>'s value is only sent, never shown.
        is_button_input = tag == "input" and attributes.get("type", "").lower() in BUTTON_INPUT_TYPES
        if "value" in attributes and is_button_input:
            self._check(attributes["value"], f"<{tag} value=> ")
        if tag == "meta" and attributes.get("name", "").lower() in META_TEXT_NAMES:
            self._check(attributes.get("content", ""), "<meta content=> ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.hidden_depth -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if self.hidden_depth:
            return
        for part in data.split(BOUNDARY):
            if "=" in part and _ATTRIBUTE_LIST.match(part):
                # A child template's block that fills in attributes of a tag in the layout, such as
                # {% block body_attrs %} hx-history="false"{% endblock %}: check it as attributes.
                inner = _VisibleText()
                inner.feed(f"<attributes {part}>")
                self.found += [(self.getpos()[0], text) for _line, text in inner.found]
            else:
                self._check(part, "")


def unmarked_texts(source: str) -> list[tuple[int, str]]:
    parser = _VisibleText()
    parser.feed(_markup_only(source))
    parser.close()
    return parser.found


def _templates() -> list[str]:
    found = []
    for folder, _dirs, files in os.walk(TEMPLATES_DIR):
        found += [
            os.path.relpath(os.path.join(folder, f), TEMPLATES_DIR) for f in files if f.endswith(".html")
        ]
    return sorted(found)


def test_there_are_templates_to_check():
    assert "layouts/base.html" in _templates()


@pytest.mark.parametrize("template", _templates())
def test_template_has_no_text_outside_gettext(template):
    """Every word a person sees goes through _() so it can be translated [issue 2]."""
    with open(os.path.join(TEMPLATES_DIR, template), encoding="utf-8") as fh:
        found = unmarked_texts(fh.read())
    assert not found, f'templates/{template}: wrap in {{{{ _("…") }}}}: ' + "; ".join(
        f"line {line}: {text}" for line, text in found
    )


@pytest.mark.parametrize(
    "source",
    [
        "<p>Hej</p>",
        "<h1>{{ _('Kontakt') }}</h1> <p>Ring oss</p>",
        '<button type="submit">{{ _("Spara") }}</button><a title="Stäng" href="/">x</a>',
        '<img src="a.png" alt="En karta">',
        '<nav aria-label="Meny"></nav>',
        '<input type="submit" value="Skicka">',
        '<input type="text" placeholder="Namn">',
        '<meta name="description" content="Din plan">',
        "{% if x %}<p>{{ name }} är klar</p>{% endif %}",
        '{% block body_attrs %} title="Din plan"{% endblock %}',
        'Se "planen"',
        '{% block body_attrs %} hx-history="false"{% endblock %}{% block content %}Hej{% endblock %}',
        '<input{% if x %} checked{% endif %} type="submit" value="Skicka">',
        '<a{% if x %} title="Öppna"{% endif %} href="/">{{ _("Öppna") }}</a>',
    ],
)
def test_unmarked_text_is_found(source):
    assert unmarked_texts(source)


@pytest.mark.parametrize(
    "source",
    [
        "<p>{{ _('Hej') }}</p>",
        "<title>{% block title %}{% endblock %} – Min SIP</title>",
        '<a href="/sprak/en" lang="en">English</a> <a lang="sv" href="/sprak/sv">Svenska</a>',
        "{# En kommentar som ingen ser #}<p>{{ organisation }}.</p>",
        "<p>{% trans name=name %}Hej {{ name }}{% endtrans %}</p>",
        '<nav aria-label="{{ _(\'Meny\') }}" class="menu"></nav><input type="radio" value="{{ token }}">',
        "<script nonce=\"{{ csp_nonce() }}\">var a = 'text';</script><p>112 – 1177</p>",
        '<meta name="theme-color" content="#1f4e79"><p>{{ _("Ring %(n)s", n=phone) }}: SIP</p>',
        '{% block body_attrs %} hx-history="false" class="x"{% endblock %}',
        '{% block body_attrs %} hx-history="false"{% endblock %}\n{% block content %} {{ x }}{% endblock %}',
        '<button type="submit" name="answer" value="yes">{{ _("Ja") }}</button>',
        '<input type="radio"{% if error %} aria-describedby="e"{% endif %} value="{{ v }}">',
    ],
)
def test_marked_text_and_allowed_literals_pass(source):
    assert unmarked_texts(source) == []


# --- a page in English really is English --------------------------------------------------------------------


def _choose_english(client, path: str):
    response = client.get(f"/sprak/en?next={path}")
    assert response.status_code == 303
    return client.get(path)


def test_contact_page_in_english_shows_the_english_texts(client, extracted, english):
    response = _choose_english(client, "/kontakt")
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert f"<h1>{escape(english.get('Kontakt').string)}</h1>" in html
    texts = [
        _text(m)
        for m in extracted
        if m.id and any(p == "templates/pages/show_contact.html" for p, _line in m.locations)
    ]
    assert len(texts) > 5
    for text in texts:
        translated = english.get(text).string
        assert str(escape(translated)) in html, translated
        if translated != text:
            assert str(escape(text)) not in html, f"Swedish text on the English page: {text}"


def test_without_a_compiled_catalogue_the_log_says_how_to_make_it(tmp_path, monkeypatch, caplog):
    """The app never compiles catalogues itself (an install may be read-only); a missing one is named."""
    from citizen_app import create_app, i18n

    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", str(tmp_path))
    create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "No compiled catalogue for 'en'" in caplog.text
    assert "pybabel compile -d translations" in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_language_can_be_switched_back_to_swedish(client):
    _choose_english(client, "/kontakt")
    response = client.get("/sprak/sv?next=/kontakt")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="sv">' in html and "<h1>Kontakt</h1>" in html


ENGLISH_PAGES = [
    "/",
    "/om-min-sip",
    "/kontakt",
    "/tillganglighet",
    "/ordlista",
    "/logga-in",
    "/personal/logga-in",
    "/utloggad",
    "/finns-inte",
]


@pytest.mark.parametrize("path", ENGLISH_PAGES)
def test_english_page_has_no_swedish_words(app, client, path):
    """Swedish letters on an English page mean an untranslated text. A Swedish name may stay Swedish when it
    is marked with lang="sv" (WCAG 3.1.2), or when it is the organisation's configured name."""
    response = _choose_english(client, path)
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.html["lang"] == "en"
    for part in soup.select("[lang]:not(html)"):
        if not part["lang"].startswith("en"):
            part.decompose()
    text = soup.body.get_text(" ", strip=True).replace(app.config["SERVICE_ORGANISATION"], "")
    swedish = sorted({word for word in re.findall(r"\w+", text) if re.search(r"[åäöÅÄÖ]", word)})
    assert not swedish, f"{path} in English still shows {swedish}"


def test_english_test_identity_page_describes_the_people_in_english(client, demo_data, english):
    """A text given to _() as a variable must be marked with N_() where it is written, or nobody finds it."""
    response = _choose_english(client, "/logga-in/testidentitet")
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    roles = [hint.get_text(strip=True).lstrip("– ") for hint in soup.select("label .hint")]
    assert roles
    english_texts = {message.string for message in english if message.id}
    assert [role for role in roles if role not in english_texts] == []


def test_a_template_with_texts_at_its_top_level_is_imported_with_context():
    """A template whose top level sets translated texts must be imported "with context": Jinja caches an
    import without context, and the texts would stay in the language of whoever came first."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    texts_at_top = {
        name
        for name, source in _template_sources().items()
        for node in env.parse(source).body
        if isinstance(node, nodes.Assign) and any(_is_gettext(call) for call in node.find_all(nodes.Call))
    }
    assert "preparation/_texts.html" in texts_at_top
    cached = [
        f"{name}: {match.group(0)}"
        for name, source in _template_sources().items()
        for match in re.finditer(r"\{%-? *(?:import|from) +[\"']([^\"']+)[\"'][^%]*%\}", source)
        if match.group(1) in texts_at_top and "with context" not in match.group(0)
    ]
    assert cached == []


def _template_sources() -> dict[str, str]:
    root = Path(__file__).resolve().parents[2] / "templates"
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in root.rglob("*.html")}


def _is_gettext(call: nodes.Call) -> bool:
    return isinstance(call.node, nodes.Name) and call.node.name == "_"
