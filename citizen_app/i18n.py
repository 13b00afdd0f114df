"""Languages: Swedish is the source language (msgids), English a complete translation.

The chosen language lives in the session, so the switch keeps you on the page you were on. The app reads
compiled catalogues (.mo) and never writes them: the wheel carries them (hatch_build.py compiles them at build
time), ``pip install -e .`` compiles them into the checkout's translations/, and after editing a .po file
``pybabel compile -d translations`` does it again.

Performance [issue 17]: a page calls gettext a few hundred times ("Min plan": about 400). flask_babel finds
the catalogue again on every call (the request's context, the domain, the locale and its name, a dict), which
was a quarter of the plan page's time. Here the catalogue is found once per request and kept beside the
locale flask_babel chose (``RequestDomain``); the templates' ``_()``/``ngettext`` read it directly. It is
looked up again whenever the locale object changes (``flask_babel.refresh()``, ``force_locale``), so the
language switch and the error pages in the person's language behave as before. Lazy strings, ngettext and
the templates' %-formatting with autoescape are flask_babel's and Jinja's own, unchanged.
"""

from __future__ import annotations

import os
from typing import Any

from babel.support import NullTranslations
from flask import Flask, current_app, session
from flask.globals import _cv_app
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

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


class RequestDomain(Domain):
    """flask_babel's message domain, with the request's catalogue looked up once and kept with its locale."""

    _KEY = "minsip_translations"  # on flask_babel's own per-request namespace, g._flask_babel

    def get_translations(self) -> NullTranslations:
        app_context = _cv_app.get(None)  # flask.g without the proxy: this runs hundreds of times a page
        if app_context is None:  # outside an app context: the untranslated (Swedish) texts
            return super().get_translations()
        babel_ctx = app_context.g.__dict__.get("_flask_babel")
        if babel_ctx is not None:
            cached = babel_ctx.__dict__.get(self._KEY)
            if cached is not None and cached[0] is babel_ctx.__dict__.get("babel_locale"):
                return cached[1]
        translations = super().get_translations()  # chooses the locale (select_locale) if not yet done
        babel_ctx = app_context.g.__dict__.get("_flask_babel")
        if babel_ctx is not None:
            setattr(babel_ctx, self._KEY, (babel_ctx.__dict__.get("babel_locale"), translations))
        return translations


def _install_in_templates(app: Flask, domain: RequestDomain) -> None:
    """The templates' gettext, ngettext, pgettext as flask_babel installs them (Jinja's i18n extension,
    newstyle: autoescaped, always %-formatted), reading the request's catalogue. ``_`` and ``gettext`` are
    called directly rather than through Jinja's alias, which looks ``gettext`` up and calls it through the
    template context twice per text."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
    )

    @pass_context
    def gettext(context: Context, string: str, /, **variables: Any) -> str:
        text = domain.get_translations().ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704  # our own catalogue, as Jinja's i18n extension does
        if not variables and "%" not in text:
            return text  # what ``text % {}`` gives, without formatting it
        return text % variables  # always a format string, as Jinja's newstyle gettext ("%%" is "%")

    app.jinja_env.globals["gettext"] = gettext
    app.jinja_env.globals["_"] = gettext


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
    domain = babel.__dict__.get("domain_instance")
    if not isinstance(domain, RequestDomain):  # one Babel() for every app made in this process
        domain = RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
        babel.domain_instance = domain  # a cached_property in flask_babel: set once
    _install_in_templates(app, domain)
    app.jinja_env.globals["get_locale"] = get_locale
    init_filters(app)


def _local_date(value) -> str:
    """A date (or UTC datetime, shown in Swedish local time; or a date as ISO text, as a message's data keeps
    it) as "17 november 2026"."""
    from datetime import date, datetime

    from flask_babel import format_date

    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
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
