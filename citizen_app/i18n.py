"""Languages: Swedish is the source language (msgids), English a complete translation.

The chosen language lives in the session, so the switch keeps you on the page you were on. Compiled catalogues
(.mo) are built from the committed .po files when they are missing or older, so a fresh clone needs no step.
"""

from __future__ import annotations

import os

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, session
from flask_babel import Babel, get_locale
from flask_login import current_user

from citizen_app import ROOT

TRANSLATIONS_DIR = os.path.join(ROOT, "translations")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    preferred = getattr(current_user, "preferred_language", None)
    if preferred in languages:
        return preferred
    # Swedish unless the person chose otherwise: the service is Swedish first [Språklagen].
    return "sv"


def compile_catalogues() -> None:
    for lang in os.listdir(TRANSLATIONS_DIR) if os.path.isdir(TRANSLATIONS_DIR) else []:
        po = os.path.join(TRANSLATIONS_DIR, lang, "LC_MESSAGES", "messages.po")
        mo = po[:-3] + ".mo"
        if os.path.isfile(po) and (not os.path.isfile(mo) or os.path.getmtime(mo) < os.path.getmtime(po)):
            with open(po, "rb") as fh:
                catalog = read_po(fh, locale=lang)
            with open(mo, "wb") as fh:
                write_mo(fh, catalog)


def init_app(app: Flask, babel: Babel) -> None:
    compile_catalogues()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = TRANSLATIONS_DIR
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    init_filters(app)


def _local_date(value) -> str:
    """A date (or UTC datetime, shown in Swedish local time) as "17 november 2026"."""
    from flask_babel import format_date

    return format_date(value, "d MMMM y") if value else ""


# A date and time as each language says it: "17 december 2026 kl. 13.30", "17 December 2026 at 13:30".
_DATETIME_PATTERNS = {"sv": "d MMMM y 'kl.' HH.mm", "en": "d MMMM y 'at' HH:mm"}


def _local_datetime(value) -> str:
    from flask_babel import format_datetime

    if not value:
        return ""
    return format_datetime(
        value, _DATETIME_PATTERNS.get(str(get_locale().language), _DATETIME_PATTERNS["sv"])
    )


def init_filters(app: Flask) -> None:
    app.jinja_env.filters["localdate"] = _local_date
    app.jinja_env.filters["localdatetime"] = _local_datetime
