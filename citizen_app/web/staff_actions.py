"""The page "Våra åtgärder" [issue 16]: the actions a staff member's units are responsible for, in the plans
in force of the SIPs whose consent covers the unit, each with a link to mark how it is going. The rules (who
may mark, the status, the coverage) are in services/action_follow_up.py; marking is staff_plans.mark_action.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user

from citizen_app.services import action_follow_up, audit
from citizen_app.web.guards import staff

bp = Blueprint("staff_actions", __name__, url_prefix="/personal/atgarder")


@bp.route("")
@staff
def ours():
    today = date.today()
    items = action_follow_up.our_actions(current_user, today)
    audit.record_each(current_user, "plan.actions_listed", list({i.case.id: i.case for i in items}.values()))
    return render_template("staff_actions/ours.html", items=items)
