""" "Mina uppgifter" [issue 18] [GDPR art. 15, 20]: download everything Min SIP holds about you, as a file
(JSON) or as a page to print; a guardian also for a child in their custody. What is in it:
services/my_data.py. Linked from the start page."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user

from citizen_app.pages import my_data as my_data_page
from citizen_app.web.guards import citizen

bp = Blueprint("my_data", __name__)

CHILD = "<string(length=22):child_id>"


@bp.route("/mina-uppgifter")
@citizen
def show_my_data():
    return render_template("my_data/show_my_data.html", page=my_data_page.page_for(current_user))


@bp.route("/mina-uppgifter/fil")
@citizen
def download_own():
    return _file(None)


@bp.route(f"/mina-uppgifter/barn/{CHILD}/fil")
@citizen
def download_for_child(child_id: str):
    return _file(child_id)


@bp.route("/mina-uppgifter/utskrift")
@citizen
def print_own():
    return _print(None)


@bp.route(f"/mina-uppgifter/barn/{CHILD}/utskrift")
@citizen
def print_for_child(child_id: str):
    return _print(child_id)


def _file(child_id: str | None) -> Response:
    found = my_data_page.file_for(current_user, child_id)
    response = Response(found.text, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _print(child_id: str | None):
    view = my_data_page.print_view_for(current_user, child_id)
    return render_template(
        "my_data/print_my_data.html", view=view, label=my_data_page.label, labels=my_data_page.labels
    )
