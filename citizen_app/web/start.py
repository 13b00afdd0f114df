"""The start page: an explanation when signed out, the person's overview when signed in."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from citizen_app.pages import overview
from citizen_app.services import access_log, feedback
from citizen_app.web.guards import public

bp = Blueprint("start", __name__)


@bp.route("/")
@public
def show_start():
    if current_user.is_authenticated:
        if current_user.is_staff:
            return redirect(url_for("staff.show_start"), 303)
        groups = overview.overview_for(current_user)
        return render_template(
            "start/overview.html",
            groups=groups,
            feedback_open=bool(feedback.open_requests_for(current_user)),  # "Tyck till om mötet" [issue 7]
            # "Se vem som har läst" on each SIP whose log the person may read [issue 13]
            access_log_cases=access_log.readable_among(current_user, [c for g in groups for c in g.cases]),
        )
    return render_template("start/show_start.html")
