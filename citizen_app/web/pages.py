"""Fixed pages linked from every footer: about, contact, accessibility statement, word list, language."""

from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from citizen_app.web.guards import public

bp = Blueprint("pages", __name__)

# Dates of the accessibility statement [Digg]: change them when the assessment is redone.
ASSESSED_ON = date(2026, 11, 23)
STATEMENT_UPDATED_ON = date(2026, 11, 23)


def _service_facts() -> dict:
    return {
        "organisation": current_app.config["SERVICE_ORGANISATION"],
        "contact_email": current_app.config["SERVICE_CONTACT_EMAIL"],
        "contact_phone": current_app.config["SERVICE_CONTACT_PHONE"],
    }


@bp.route("/om-min-sip")
@public
def show_about():
    return render_template("pages/show_about.html", **_service_facts())


@bp.route("/kontakt")
@public
def show_contact():
    return render_template("pages/show_contact.html", **_service_facts())


@bp.route("/tillganglighet")
@public
def show_accessibility():
    return render_template(
        "pages/show_accessibility.html",
        assessed_on=ASSESSED_ON,
        updated_on=STATEMENT_UPDATED_ON,
        **_service_facts(),
    )


@bp.route("/ordlista")
@public
def show_glossary():
    return render_template("pages/show_glossary.html")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect, and never a character that could break the
    Location header (a newline would let a link set headers) or that browsers read as a slash."""
    if not target:
        return url_for("start.show_start")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return url_for("start.show_start")
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 address
        return url_for("start.show_start")
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("start.show_start")
    return target


@bp.route("/sprak/<any(sv, en):lang>")
@public
def change_language(lang: str):
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(_safe_next(request.args.get("next")), 303)
