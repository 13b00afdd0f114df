"""A citizen's view of one SIP ("Din SIP"): where it is and what the steps are."""

from flask import Blueprint, render_template
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.services import cases
from citizen_app.web.guards import citizen

bp = Blueprint("cases", __name__)


@bp.route("/sip/<string(length=22):public_id>")
@citizen
def show_case(public_id: str):
    case = cases.get_case_for(current_user, public_id, Action.VIEW_CASE)
    return render_template("cases/show_case.html", case=case, timeline=cases.timeline_of(case))
