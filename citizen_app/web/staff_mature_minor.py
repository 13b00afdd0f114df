"""The coordinator's page "Barnet bestämmer själv" [issue 15] [DA 4.2]: record, with a reason and the day it
was decided, that the child has the age and maturity to consent themself; or end it, so the guardians decide
again. Reached from the consent part of the staff case page; only the case's coordinator (the right to write
in a consent). The rules are in services/mature_minor_decisions.py.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.services import NotAllowed, intake, mature_minor_decisions
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.mature_minor import MatureMinorForm
from citizen_app.web.guards import creates, staff

bp = Blueprint(
    "staff_mature_minor", __name__, url_prefix="/personal/sip/<string(length=22):public_id>/barnet-bestammer"
)


def _case_url(public_id: str) -> str:
    return url_for("staff.show_case", public_id=public_id)


@bp.route("", methods=["GET", "POST"])
@staff
@creates
def record_decision(public_id: str):
    """GET: the page, with the county's age hint and a warning for a younger child. POST: record it."""
    return _decision_page(public_id, ending=False)


@bp.route("/avsluta", methods=["POST"])
@staff
@creates
def end_decision(public_id: str):
    """End the decision: the guardians decide again, and must say yes again."""
    return _decision_page(public_id, ending=True)


def _decision_page(public_id: str, ending: bool):
    case = intake.get_case(current_user, public_id, Action.STAFF_RECORD_CONSENT)
    today = date.today()
    if not mature_minor_decisions.can_record(current_user, case, today):
        abort(404)
    form = (
        MatureMinorForm()
        if request.method == "POST"
        else MatureMinorForm(data={"decided_on": today.isoformat()})
    )
    if request.method == "POST":
        form.validate()  # an unreadable date is its field's error and reaches the service as None
        act = mature_minor_decisions.end if ending else mature_minor_decisions.record
        try:
            act(current_user, case, form.reason.data, form.decided_on.date, today)
        except mature_minor_decisions.InvalidDecision as invalid:
            add_errors(form, invalid.errors)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(url_for("staff_mature_minor.record_decision", public_id=public_id), 303)
        else:
            flash(
                _("Det är inskrivet. Vårdnadshavarna bestämmer igen. Alla har fått ett meddelande.")
                if ending
                else _("Det är inskrivet. Barnet och vårdnadshavarna har fått ett meddelande."),
                "success",
            )
            return redirect(_case_url(public_id), 303)
    return form_page(
        "staff_mature_minor/record_decision.html",
        form,
        page=mature_minor_decisions.page_for(current_user, case, today),
        ending=ending,
    )
