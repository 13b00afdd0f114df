"""Languages: Swedish is the source language (msgids), English a complete translation.

The chosen language lives in the session, so the switch keeps you on the page you were on. The app reads
compiled catalogues (.mo) and never writes them: the wheel carries them (hatch_build.py compiles them at build
time), ``pip install -e .`` compiles them into the checkout's translations/, and after editing a .po file
``pybabel compile -d translations`` does it again.
"""

from __future__ import annotations

import os

from flask import Flask, current_app, session
from flask_babel import Babel, get_locale
from flask_login import current_user

from citizen_app.paths import package_path

TRANSLATIONS_DIR = package_path("translations")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    preferred = getattr(current_user, "preferred_language", None)
    if isinstance(preferred, str) and preferred in languages:
        return preferred
    # Swedish unless the person chose otherwise: the service is Swedish first [Språklagen].
    return "sv"


def _warn_about_missing_catalogues(app: Flask) -> None:
    """Without its .mo file a language silently shows Swedish; say so in the log at start-up."""
    for lang in app.config["LANGUAGES"]:
        if lang != app.config["BABEL_DEFAULT_LOCALE"] and not os.path.isfile(
            os.path.join(TRANSLATIONS_DIR, lang, "LC_MESSAGES", "messages.mo")
        ):
            app.logger.warning(
                "No compiled catalogue for %r in %s: pages in that language show Swedish. "
                "Run: pybabel compile -d translations",
                lang,
                TRANSLATIONS_DIR,
            )


def init_app(app: Flask, babel: Babel) -> None:
    _warn_about_missing_catalogues(app)
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
