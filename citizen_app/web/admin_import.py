"""The organisation import for administrators [issue 18]: choose a CSV file, read what it would change (a dry
run), and "Genomför ändringarna" applies exactly that file; then a receipt.

The file is kept on the server between the check and applying it (services/organisation_import.py,
``keep_upload``): the confirming form names the kept file and carries its hash and the hash of the changes the
page showed, so what is applied is the file that was read, with the changes that were shown. The whole request
is at most MAX_CONTENT_LENGTH (256 KB): a bigger file gets a clear message and goes through
``flask import-organisation`` instead. The rules and the format are in services/organisation_import.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

import citizen_app.pages.organisation_import as import_pages
from citizen_app.services import NotFound, administrators, organisation_import
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.admin_import import ApplyForm, ImportFileForm
from citizen_app.web.guards import admin, creates

bp = Blueprint("admin_import", __name__, url_prefix="/admin/import")


def _own_upload(public_id: str):
    try:
        return organisation_import.find_upload(current_user, public_id)
    except NotFound:
        abort(404)


def _limit_kb() -> int:
    return int((current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024) - 6  # the form's own fields


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Over MAX_CONTENT_LENGTH: refused while the CSRF check reads the body, before the view (and its guard)
    runs. Only an administrator sees the upload page again; anyone else gets the usual error page."""
    signed_in_staff = current_user.is_authenticated and current_user.is_staff
    if not (signed_in_staff and administrators.is_admin(current_user)):
        return render_template("errors/error.html", status=413), 413
    form = ImportFileForm(formdata=None)
    form.file.errors = [_("Filen är för stor. Den får vara högst %(size)s kB.", size=_limit_kb())]
    html, _status = form_page("admin_import/upload.html", form, limit_kb=_limit_kb(), too_large=True)
    return html, 413


@bp.route("", methods=["GET", "POST"], strict_slashes=False)
@admin
@creates
def upload():
    """Choose the file. A file that can be read at all is kept and checked on the next page."""
    form = ImportFileForm()
    if request.method == "POST" and form.validate():
        try:
            kept = organisation_import.keep_upload(
                current_user, form.file.data.filename, form.file.data.read()
            )
        except organisation_import.InvalidFile as invalid:
            add_errors(form, invalid.errors)
        else:
            return redirect(url_for("admin_import.check", public_id=kept.public_id), 303)
    return form_page("admin_import/upload.html", form, limit_kb=_limit_kb(), too_large=False)


@bp.route("/<string(length=22):public_id>")
@admin
def check(public_id: str):
    """What the file would change (nothing is changed yet), with "Genomför ändringarna" when it can be."""
    kept = _own_upload(public_id)
    if kept.applied_at is not None:
        return redirect(url_for("admin_import.receipt", public_id=public_id), 303)
    report = organisation_import.check(kept.content)
    form = ApplyForm(data={"sha256": kept.sha256, "digest": report.digest})
    return form_page(
        "admin_import/check.html",
        form,
        upload=kept,
        page=import_pages.check_page(report),
        kind_words=import_pages.KIND_WORDS,
        outcome_words=import_pages.OUTCOME_WORDS,
    )


@bp.route("/<string(length=22):public_id>/genomfor", methods=["POST"])
@admin
@creates
def apply(public_id: str):
    """Apply the kept file: all of it in one transaction, only if it is the file and the changes shown."""
    kept = _own_upload(public_id)
    form = ApplyForm()
    form.validate()
    try:
        organisation_import.apply_upload(current_user, kept, form.sha256.data, form.digest.data)
    except organisation_import.AlreadyApplied:
        return redirect(url_for("admin_import.receipt", public_id=public_id), 303)
    except organisation_import.NotTheCheckedFile as refused:
        flash(_(refused.message), "info")
        return redirect(url_for("admin_import.upload"), 303)
    except (organisation_import.ChangedSinceCheck, organisation_import.HasErrors) as refused:
        flash(_(refused.message), "info")
        return redirect(url_for("admin_import.check", public_id=public_id), 303)
    return redirect(url_for("admin_import.receipt", public_id=public_id), 303)


@bp.route("/<string(length=22):public_id>/kvitto")
@admin
def receipt(public_id: str):
    """What applying the file changed."""
    kept = _own_upload(public_id)
    if kept.applied_at is None or kept.receipt is None:
        return redirect(url_for("admin_import.check", public_id=public_id), 303)
    return form_page(
        "admin_import/receipt.html",
        upload=kept,
        receipt=kept.receipt,
        groups=import_pages.grouped(kept.receipt["lines"]),
        done_words=import_pages.DONE_WORDS,
    )
