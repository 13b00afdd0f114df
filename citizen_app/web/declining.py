"""Saying no to a SIP ("Jag vill inte ha en SIP nu"), and changing one's mind ("Jag har ändrat mig")
[issue 15]. The rules are in services/declining.py; these views ask first, then POST.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import consent as consent_page
from citizen_app.services import NotAllowed, cases, declining
from citizen_app.web.guards import citizen

bp = Blueprint("declining", __name__)

CASE_ID = "<string(length=22):public_id>"


@bp.route(f"/sip/{CASE_ID}/samtycke/nej", methods=["GET", "POST"])
@citizen
def decline(public_id: str):
    """A page that says what a no means, then a POST that closes the SIP."""
    case = cases.get_case_for(current_user, public_id, Action.GIVE_CONSENT)
    if request.method == "POST":
        try:
            declining.decline(current_user, case)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
        else:
            flash(_("Du har sagt nej. SIP:en är avslutad."), "success")
        return redirect(url_for("consent.show_consent", public_id=public_id), 303)
    if not declining.can_decline(current_user, case):
        return redirect(url_for("consent.show_consent", public_id=public_id), 303)
    return render_template(
        "declining/decline.html",
        case=case,
        subject_name=consent_page.subject_name(current_user, case),
        for_a_child=case.subject is not None and case.subject.is_child_on(date.today()),
    )


@bp.route(f"/sip/{CASE_ID}/andrat-mig", methods=["GET", "POST"])
@citizen
def start_again(public_id: str):
    """ "Jag har ändrat mig": a new request that links to the SIP the person said no to."""
    case = cases.get_case_for(current_user, public_id, Action.GIVE_CONSENT)
    if request.method == "POST":
        try:
            new = declining.start_again(current_user, case)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(url_for("consent.show_consent", public_id=public_id), 303)
        flash(_("Vi har fått din nya förfrågan om en SIP."), "success")
        return redirect(url_for("cases.show_case", public_id=new.public_id), 303)
    if not declining.can_start_again(current_user, case):
        abort(404)
    return render_template(
        "declining/start_again.html", case=case, subject_name=consent_page.subject_name(current_user, case)
    )
