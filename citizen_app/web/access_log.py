""" "Vem har läst om mig" [issue 13] [QUALITY 4]: which staff read or changed the SIP, and when.

For the person and those acting for them (the access policy's VIEW_ACCESS_LOG); anyone else gets "not
found". The rules and the sentences are in services/access_log.py. Reached from the case page (a link in
templates/cases/_access_log_link.html) and from the start page.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from citizen_app.pages import access_log as access_log_page
from citizen_app.services import access_log
from citizen_app.web.guards import citizen

bp = Blueprint("access_log", __name__)


@bp.app_context_processor
def _access_log_link() -> dict:
    """The case page and the start page ask ``may_see_access_log(case)`` to show the link only to those who
    may read the log (no query of its own on the case page: the roles are cached for the request)."""

    def may_see_access_log(case) -> bool:
        return current_user.is_authenticated and access_log.may_see(current_user, case)

    return {"may_see_access_log": may_see_access_log}


@bp.route("/sip/<string(length=22):public_id>/vem-har-last")
@citizen
def show_access_log(public_id: str):
    """Newest first, 25 a page; "Äldre" and "Nyare" are plain links (?sida=2)."""
    page = request.args.get("sida", default=1, type=int)
    return render_template(
        "access_log/show_access_log.html", page=access_log_page.page_for(current_user, public_id, page)
    )
