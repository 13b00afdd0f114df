"""'Vem får se din SIP?': from the 18th birthday the young adult chooses whether a former guardian takes
part, like a relative, and can take it back [issue 15]. The rules are in services/coming_of_age.py."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.services import NotAllowed, cases, coming_of_age
from citizen_app.web.forms.sharing import SharingForm
from citizen_app.web.guards import citizen

bp = Blueprint("sharing", __name__)


def _case(public_id: str):
    case = cases.get_case_for(current_user, public_id, Action.VIEW_CASE)
    if not coming_of_age.may_choose_who_takes_part(current_user, case, date.today()):
        abort(404)  # a guardian or a child never sees this page: nothing to tell them about it
    return case


@bp.route("/sip/<string(length=22):public_id>/vem-far-se")
@citizen
def show_sharing(public_id: str):
    case = _case(public_id)
    guardians = coming_of_age.former_guardians(current_user, case, date.today())
    return render_template("sharing/show_sharing.html", case=case, guardians=guardians)


@bp.route("/sip/<string(length=22):public_id>/vem-far-se", methods=["POST"])
@citizen
def change_sharing(public_id: str):
    case = _case(public_id)
    form = SharingForm()
    if not form.validate():
        abort(400)  # the page only sends its own buttons
    today = date.today()
    try:
        if form.choice.data == "take_part":
            coming_of_age.let_take_part(current_user, case, form.guardian.data, today)
            flash(_("Klart. Hen får vara med som närstående."), "success")
        else:
            coming_of_age.stop_taking_part(current_user, case, form.guardian.data, today)
            flash(_("Klart. Hen är inte med längre."), "success")
    except NotAllowed:
        abort(404)
    return redirect(url_for("sharing.show_sharing", public_id=public_id), 303)
