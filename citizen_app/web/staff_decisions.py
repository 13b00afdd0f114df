"""Decisions the plan waits for, on the staff side [issue 13] [SIP.md 5]: the coordinator writes in what was
decided, and the person (with guardians and representatives) gets a message.

The rules are in services/decisions.py. Staff of the case see the list; only the coordinator records. Reached
from the plan overview (templates/staff_decisions/_link.html).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import decisions as decisions_page
from citizen_app.services import NotAllowed, decisions, intake
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.staff_decisions import DecisionForm
from citizen_app.web.guards import staff

bp = Blueprint("staff_decisions", __name__, url_prefix="/personal/sip/<string(length=22):public_id>/beslut")


def _list_url(public_id: str) -> str:
    return url_for("staff_decisions.list_decisions", public_id=public_id)


@bp.route("")
@staff
def list_decisions(public_id: str):
    """The decisions of the plan in force: those still waiting, and what the others came to."""
    case = intake.get_case(current_user, public_id)
    return render_template(
        "staff_decisions/list_decisions.html", page=decisions_page.decisions_page(current_user, case)
    )


@bp.route("/<string(length=22):decision_id>", methods=["GET", "POST"])
@staff
def record_decision(public_id: str, decision_id: str):
    """What was decided. Saving tells the person; a second save of the same decision changes nothing."""
    case = intake.get_case(current_user, public_id, Action.STAFF_DOCUMENT_PLAN)
    try:
        decision = decisions.waiting_decision(current_user, case, decision_id)
    except NotAllowed as refused:
        flash(_(refused.message), "info")
        return redirect(_list_url(public_id), 303)
    if decision.outcome is not None:
        flash(_(decisions.AlreadyDecided().message), "info")
        return redirect(_list_url(public_id), 303)
    form = DecisionForm()
    if request.method == "POST":
        try:
            decisions.record(current_user, case, decision_id, form.decision.data)
        except decisions.InvalidDecision as invalid:
            add_errors(form, invalid.errors)
        except (decisions.AlreadyDecided, NotAllowed) as refused:
            flash(_(refused.message), "info")
            return redirect(_list_url(public_id), 303)
        else:
            flash(_("Beslutet är inskrivet. Personen har fått ett meddelande."), "success")
            return redirect(_list_url(public_id), 303)
    return form_page("staff_decisions/record_decision.html", form, case=case, decision=decision)
