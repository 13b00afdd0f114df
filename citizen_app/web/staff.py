"""The staff side ("Personal"): the coordinator's start page. Requests, cases and plans come in later issues."""

from flask import Blueprint, render_template
from flask_login import current_user

from citizen_app.web.guards import staff

bp = Blueprint("staff", __name__, url_prefix="/personal")


@bp.route("/")
@staff
def show_start():
    return render_template("staff/show_start.html", staff_user=current_user)
