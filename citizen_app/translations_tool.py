"""Keeps the English catalogue in step with the Swedish msgids in the code and the templates.

Refresh after changing any user-facing text::

    python -m citizen_app.translations_tool          # writes translations/messages.pot and en/.../messages.po
    python -m citizen_app.translations_tool --check  # writes nothing; exit status 1 if English needs work

It reads ``babel.cfg`` (the package and templates/, never tests/), extracts with Babel's Python API and
updates every ``translations/<lang>/LC_MESSAGES/messages.po``:

- existing translations are kept;
- a new or changed msgid arrives with an empty msgstr and is listed on screen. There is no fuzzy matching:
  a guessed translation marked fuzzy would be hidden by gettext and easy to miss, so a person writes it;
- a msgid the code no longer uses is removed (no ``#~`` leftovers); its old translation is printed so it can
  be reused if the text was only reworded.

The compiled ``.mo`` files are not made here: ``citizen_app.i18n`` builds them at start-up (and git ignores
them). tests/unit/test_translations.py fails until every msgid has an English text.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the project: babel.cfg, translations/
LANGUAGES = ("en",)  # every language besides Swedish, the source language of the msgids

# gettext's defaults (_, gettext, ngettext, pgettext, N_ for "mark now, translate later" …) and Flask-Babel's
# lazy variants, for texts defined at import time (form labels, enum labels).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("TRANSLATORS:",)
TEMPLATE_HEADER = (
    "# The Swedish texts (msgids) of Min SIP, found in citizen_app/ and templates/.\n"
    "# Made by python -m citizen_app.translations_tool. Do not edit: edit the code and run it again."
)
CATALOGUE_HEADER = (
    "# Translation of Min SIP. Swedish is the source language; every msgid needs a msgstr here.\n"
    "# Refresh with python -m citizen_app.translations_tool, then write the English it lists."
)
_DATE_HEADERS = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


def _top_folders(method_map: Iterable[tuple[str, str]]) -> set[str]:
    return {pattern.split("/", 1)[0] for pattern, _method in method_map}


def _new_catalog(lang: str | None, header: str) -> Catalog:
    return Catalog(
        locale=lang,
        header_comment=header,
        project="Min SIP",
        version=_version(),
        msgid_bugs_address="minsip@example.se",
        last_translator="Min SIP",
        language_team="Min SIP",
        charset="utf-8",
        fuzzy=False,
    )


def _version() -> str:
    try:
        return metadata.version("min-sip")
    except metadata.PackageNotFoundError:
        return "0"


def extract_template(root: str = ROOT) -> Catalog:
    """Every msgid in the package and the templates, as babel.cfg says, in file order."""
    mapping_file = os.path.join(root, "babel.cfg")
    with open(mapping_file, encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, mapping_file)
    folders = _top_folders(method_map)

    def only_mapped_folders(path: str) -> bool:
        # Walk only the folders babel.cfg names (not instance/, node_modules/ …); no __pycache__ or dot dirs.
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        name = os.path.basename(path)
        return relative.split("/", 1)[0] in folders and not name.startswith((".", "_"))

    template = _new_catalog(None, TEMPLATE_HEADER)
    for filename, lineno, message, comments, context in extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=only_mapped_folders,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def template_path(root: str = ROOT) -> str:
    return os.path.join(root, "translations", "messages.pot")


def catalogue_path(lang: str, root: str = ROOT) -> str:
    return os.path.join(root, "translations", lang, "LC_MESSAGES", "messages.po")


def read_catalogue(lang: str, root: str = ROOT) -> Catalog:
    with open(catalogue_path(lang, root), "rb") as fh:
        return read_po(fh, locale=lang)


@dataclass
class Outcome:
    """What a refresh changed or still needs from a person, for one language."""

    lang: str
    added: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (msgid, its old translation)
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    file_changed: bool = False

    @property
    def needs_a_person(self) -> bool:
        return bool(self.untranslated or self.fuzzy)


def _msgid_text(message: Message) -> str:
    return message.id if isinstance(message.id, str) else " | ".join(message.id)


def _is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings) and bool(strings)


def _serialise(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, ignore_obsolete=True, include_lineno=False)
    return buffer.getvalue()


def _without_dates(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(_DATE_HEADERS)]


def _differs(path: str, data: bytes) -> bool:
    if not os.path.isfile(path):
        return True
    with open(path, "rb") as fh:
        return _without_dates(fh.read()) != _without_dates(data)


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def refresh(
    languages: Iterable[str] = LANGUAGES, write: bool = True, root: str = ROOT
) -> tuple[bool, list[Outcome]]:
    """Extract and merge. Returns (template changed, one outcome per language). ``write=False`` only looks."""
    template = extract_template(root)
    pot = _serialise(template)
    template_changed = _differs(template_path(root), pot)
    if write and template_changed:
        _write(template_path(root), pot)

    outcomes = []
    for lang in languages:
        path = catalogue_path(lang, root)
        if os.path.isfile(path):
            catalog = read_catalogue(lang, root)
        else:
            catalog = _new_catalog(lang, CATALOGUE_HEADER)
        before = {message.id for message in catalog if message.id}
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=True)
        catalog.fuzzy = False  # the header; msgids keep their own fuzzy flags
        outcome = Outcome(lang)
        outcome.added = [_msgid_text(m) for m in catalog if m.id and m.id not in before]
        outcome.removed = [
            (_msgid_text(m), m.string if isinstance(m.string, str) else " | ".join(m.string))
            for m in catalog.obsolete.values()
        ]
        outcome.untranslated = [_msgid_text(m) for m in catalog if m.id and not _is_translated(m)]
        outcome.fuzzy = [_msgid_text(m) for m in catalog if m.id and m.fuzzy]
        data = _serialise(catalog)
        outcome.file_changed = _differs(path, data)
        if write and outcome.file_changed:
            catalog.revision_date = datetime.now(UTC)
            _write(path, _serialise(catalog))
        outcomes.append(outcome)
    return template_changed, outcomes


def _print_list(title: str, items: list[str]) -> None:
    if items:
        print(f"  {title} ({len(items)}):")
        for item in items:
            print(f"    - {item}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m citizen_app.translations_tool",
        description="Refresh translations/messages.pot and the .po catalogues from the code and templates.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything needs doing")
    args = parser.parse_args(argv)

    template_changed, outcomes = refresh(write=not args.check)
    verb = "is out of date" if args.check else "updated"
    if template_changed:
        print(f"translations/messages.pot {verb}")
    failed = args.check and template_changed
    for outcome in outcomes:
        name = os.path.relpath(catalogue_path(outcome.lang), ROOT)
        print(f"{name}: {verb if outcome.file_changed else 'up to date'}")
        _print_list("new msgids", outcome.added)
        _print_list("removed msgids (old translation after =>)", [f"{i} => {s}" for i, s in outcome.removed])
        _print_list("NEED A TRANSLATION (empty msgstr)", outcome.untranslated)
        _print_list("FUZZY: check the text, then remove the fuzzy flag", outcome.fuzzy)
        failed = failed or outcome.needs_a_person or (args.check and outcome.file_changed)
    if failed:
        print("Write the missing English in the .po file(s) above, then run the tests.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
