"""The child's page "Vad får dina vårdnadshavare se?" [issue 15] [DA 4.2].

A child who consents themself (the coordinator has recorded it) chooses what the guardians see: the plan, the
meetings, the consent. Nothing is ticked at first: then the guardians see only that there is a SIP and who
coordinates it. The rules are in services/mature_minor_decisions.py and services/mature_minor.py.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.services import NotAllowed, cases, mature_minor, mature_minor_decisions
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.mature_minor import GuardianViewForm
from citizen_app.web.guards import citizen, creates

bp = Blueprint("mature_minor", __name__)


@bp.route("/sip/<string(length=22):public_id>/vad-far-vardnadshavarna-se", methods=["GET", "POST"])
@citizen
@creates
def choose_guardian_view(public_id: str):
    case = cases.get_case_for(current_user, public_id, Action.CHOOSE_GUARDIAN_VIEW)
    view = mature_minor.guardian_view(case) or mature_minor.NOTHING
    form = (
        GuardianViewForm()
        if request.method == "POST"
        else GuardianViewForm(data={"shown": sorted(view.topics)})
    )
    if request.method == "POST":
        try:
            mature_minor_decisions.choose_guardian_view(current_user, case, form.shown.data)
        except mature_minor_decisions.InvalidDecision as invalid:
            add_errors(form, invalid.errors)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(url_for("cases.show_case", public_id=public_id), 303)
        else:
            flash(_("Tack. Det är sparat."), "success")
            return redirect(url_for("cases.show_case", public_id=public_id), 303)
    return form_page("mature_minor/choose_guardian_view.html", form, case=case)
