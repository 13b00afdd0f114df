"""A citizen's view of one SIP ("Din SIP"): where it is, what happens next, cancel, answer a suggestion."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import case as case_page
from citizen_app.services import NotAllowed, cases, requests
from citizen_app.web.forms.cases import SuggestionAnswerForm
from citizen_app.web.guards import citizen, creates

bp = Blueprint("cases", __name__)


@bp.route("/sip/<string(length=22):public_id>")
@citizen
def show_case(public_id: str):
    return render_template("cases/show_case.html", page=case_page.case_page_for(current_user, public_id))


@bp.route("/sip/<string(length=22):public_id>/avbryt", methods=["GET", "POST"])
@citizen
@creates
def cancel_case(public_id: str):
    """Deleting needs a confirmation page and a POST [STYLE]."""
    case = cases.get_case_for(current_user, public_id, Action.VIEW_CASE)
    if not requests.can_cancel(current_user, case):
        abort(403)
    is_own = case.subject_id == current_user.id  # a guardian or a representative cancels "SIP:en"
    if request.method == "POST":
        requests.cancel(current_user, case)
        flash(_("Du har avbrutit din SIP.") if is_own else _("Du har avbrutit SIP:en."), "success")
        return redirect(url_for("cases.show_case", public_id=public_id), 303)
    return render_template("cases/cancel_case.html", case=case, is_own=is_own)


@bp.route("/sip/<string(length=22):public_id>/forslag", methods=["POST"])
@citizen
@creates
def answer_suggestion(public_id: str):
    case = cases.get_case_for(current_user, public_id, Action.VIEW_CASE)
    answer = SuggestionAnswerForm().answer.data
    try:
        if answer == "yes":
            requests.accept_suggestion(current_user, case)
            flash(_("Tack. Nu kan en samordnare börja arbeta med din SIP."), "success")
        elif answer == "no":
            requests.decline_suggestion(current_user, case)
            flash(_("Du har sagt nej. Inget mer händer."), "success")
        else:
            abort(400)
    except NotAllowed:
        abort(403)
    return redirect(url_for("cases.show_case", public_id=public_id), 303)
