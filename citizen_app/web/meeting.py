"""The meeting as the person (or a guardian or representative) sees it: when and where, who is invited and
who has answered, and the calendar file [issue 5]."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from citizen_app import access
from citizen_app.access import Action
from citizen_app.pages import meeting as meeting_pages
from citizen_app.services import cases, preparation
from citizen_app.web.guards import citizen
from citizen_app.web.invitations import calendar_response

bp = Blueprint("meeting", __name__)

CASE_ID = "<string(length=22):public_id>"


def _case(public_id: str):
    """Those who may see the case and its invitation; a relative with an account sees neither here."""
    case = cases.get_case_for(current_user, public_id, Action.VIEW_CASE)
    if not access.can(current_user, Action.VIEW_INVITATION, case):
        abort(404)
    return case


@bp.route(f"/sip/{CASE_ID}/motet")
@citizen
def show_meeting(public_id: str):
    case = _case(public_id)
    return render_template(
        "meeting/show_meeting.html",
        page=meeting_pages.citizen_meeting_page(case),
        may_prepare=preparation.can_prepare(current_user, case),
    )


@bp.route(f"/sip/{CASE_ID}/motet/kalender")
@citizen
def download_calendar(public_id: str):
    page = meeting_pages.citizen_meeting_page(_case(public_id))
    if page.meeting is None or page.meeting.status.value != "planned":
        abort(404)
    return calendar_response(page.meeting)
