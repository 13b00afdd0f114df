"""The citizen's consent pages ("Samtycke") [issue 4] [SIP.md 4].

An overview per case (what consent means, what is in force, each guardian's answer, the history, the child's
view); a step-by-step flow to give or change consent (parties, kinds of information, what must not be shared,
for how long), a summary "Det här samtycker du till", a receipt and a printable copy; withdrawal behind a
confirmation page; and the child's view. The rules live in services/consent.py and services/child_view.py,
what each page shows and the flow's draft in pages/consent.py, the order of the questions in pages/flow.py;
this module reads each form (web/forms/consent.py), calls them and renders the answer.

The flow's answers are kept on the server (one draft per person and case) until the person confirms, so going
back or changing an answer from the summary loses nothing, however long the answers. The summary carries a
token of the consent it was shown for: a second click, or a change made in another tab, saves nothing twice.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import consent as consent_page
from citizen_app.pages import flow
from citizen_app.services import NotAllowed, cases, child_view, withdrawal
from citizen_app.services import consent as consent_service
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.consent import QUESTIONS, ChildViewForm, ConfirmRecordedForm, GiveForm
from citizen_app.web.guards import citizen, creates

bp = Blueprint("consent", __name__)

FLOW = consent_page.FLOW  # parties, categories, exclusions, period: each has an endpoint answer_<step>
# Which change link the summary's error points to, for each field ``give`` may refuse.
CHANGE_LINK = {
    "units": "change-parties",
    "categories": "change-categories",
    "exclusions": "change-exclusions",
    "valid_until": "change-period",
    "period": "change-period",
    "until": "change-period",
}


@bp.route("/sip/<string(length=22):public_id>/samtycke")
@citizen
def show_consent(public_id: str):
    page = consent_page.consent_page_for(current_user, public_id)
    return render_template("consent/show_consent.html", page=page)


@bp.route("/sip/<string(length=22):public_id>/samtycke/borja", methods=["POST"])
@citizen
def start_consent(public_id: str):
    """Give or change: a fresh draft, filled in with what this voice agreed to before (a change)."""
    case = _case_for_giving(public_id)
    if not isinstance(case, str):
        consent_page.start_over(current_user, case)
        return redirect(_url(public_id, FLOW.steps[0]), 303)
    return redirect(case, 303)


@bp.route("/sip/<string(length=22):public_id>/samtycke/verksamheter", methods=["GET", "POST"])
@citizen
def answer_parties(public_id: str):
    return _question(public_id, "parties")


@bp.route("/sip/<string(length=22):public_id>/samtycke/uppgifter", methods=["GET", "POST"])
@citizen
def answer_categories(public_id: str):
    return _question(public_id, "categories")


@bp.route("/sip/<string(length=22):public_id>/samtycke/inte-delas", methods=["GET", "POST"])
@citizen
def answer_exclusions(public_id: str):
    return _question(public_id, "exclusions")


@bp.route("/sip/<string(length=22):public_id>/samtycke/hur-lange", methods=["GET", "POST"])
@citizen
def answer_period(public_id: str):
    return _question(public_id, "period")


@bp.route("/sip/<string(length=22):public_id>/samtycke/kontrollera", methods=["GET", "POST"])
@citizen
@creates
def check_consent(public_id: str):
    """ "Det här samtycker du till": every answer with a change link, then one button that gives it."""
    case = _case_for_giving(public_id)
    if isinstance(case, str):
        return redirect(case, 303)
    today = date.today()
    answers = consent_page.draft_answers(current_user, case, today)
    step = consent_page.first_open_step(case, answers, today)
    if step is not None:  # no skipping to the summary
        return redirect(_url(public_id, step), 303)
    form = GiveForm()
    if request.method == "POST":
        try:
            consent_service.give_from_draft(current_user, case, answers, form.based_on.data, today)
        except consent_service.AlreadyChanged as changed:
            consent_page.forget_draft(current_user, case)
            flash(_(changed.message), "info")
            return redirect(url_for("consent.show_consent", public_id=public_id), 303)
        except consent_service.InvalidScope as invalid:
            add_errors(
                form,
                {
                    CHANGE_LINK.get(field, "change-parties"): message
                    for field, message in invalid.errors.items()
                },
            )
        except NotAllowed as refused:
            consent_page.forget_draft(current_user, case)
            flash(_(refused.message), "info")
            return redirect(url_for("consent.show_consent", public_id=public_id), 303)
        else:
            consent_page.forget_draft(current_user, case)
            flash(_("Tack. Ditt samtycke är sparat."), "success")
            return redirect(url_for("consent.show_receipt", public_id=public_id), 303)
    return form_page(
        "consent/check_consent.html",
        form,
        case=case,
        subject_name=consent_page.subject_name(current_user, case),
        summary=consent_page.draft_summary(case, answers, today),
        based_on=consent_service.based_on(current_user, case, today),
        back=_url(public_id, FLOW.last),
    )


@bp.route("/sip/<string(length=22):public_id>/samtycke/kvitto")
@citizen
def show_receipt(public_id: str):
    receipt = consent_page.receipt_for(current_user, public_id)
    if receipt is None:
        return redirect(url_for("consent.show_consent", public_id=public_id), 303)
    return render_template("consent/show_receipt.html", receipt=receipt)


@bp.route("/sip/<string(length=22):public_id>/samtycke/kvitto/utskrift")
@citizen
def print_receipt(public_id: str):
    """The receipt alone, for printing or saving as PDF; no JavaScript needed to reach it."""
    receipt = consent_page.receipt_for(current_user, public_id)
    if receipt is None:
        return redirect(url_for("consent.show_consent", public_id=public_id), 303)
    return render_template("consent/print_receipt.html", receipt=receipt)


@bp.route("/sip/<string(length=22):public_id>/samtycke/bekrafta", methods=["POST"])
@citizen
@creates
def confirm_recorded(public_id: str):
    """Confirm, in the app, a consent staff wrote down: the same scope, given digitally."""
    case = _case_for_giving(public_id)
    if isinstance(case, str):
        return redirect(case, 303)
    form = ConfirmRecordedForm()
    try:
        consent_service.confirm_recorded(current_user, case, form.event.data)
    except consent_service.AlreadyChanged as changed:
        flash(_(changed.message), "info")
        return redirect(url_for("consent.show_consent", public_id=public_id), 303)
    flash(_("Tack. Du har bekräftat ditt samtycke."), "success")
    return redirect(url_for("consent.show_receipt", public_id=public_id), 303)


@bp.route("/sip/<string(length=22):public_id>/samtycke/aterkalla", methods=["GET", "POST"])
@citizen
@creates
def withdraw_consent(public_id: str):
    """Withdrawing ends the SIP at once [DA 4.2]: a page that says so first, then a POST [STYLE]."""
    case = cases.get_case_for(current_user, public_id, Action.WITHDRAW_CONSENT)
    if case.is_closed:
        return redirect(url_for("cases.show_case", public_id=public_id), 303)
    if request.method == "POST":
        try:
            withdrawal.withdraw(current_user, case)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(url_for("consent.show_consent", public_id=public_id), 303)
        consent_page.forget_draft(current_user, case)
        flash(_("Du har tagit tillbaka samtycket. SIP:en är avslutad."), "success")
        return redirect(url_for("cases.show_case", public_id=public_id), 303)
    return render_template(
        "consent/withdraw_consent.html", case=case, subject_name=consent_page.subject_name(current_user, case)
    )


@bp.route("/sip/<string(length=22):public_id>/samtycke/barnets-asikt", methods=["GET", "POST"])
@citizen
@creates
def record_child_view(public_id: str):
    """What the child thinks: written by a guardian with custody, or by the child themself [DA 4.2]."""
    case = cases.get_case_for(current_user, public_id, Action.VIEW_CASE)
    if not child_view.can_record(current_user, case):
        abort(404)
    latest = child_view.latest(case)
    if request.method == "POST":
        form = ChildViewForm()
        try:
            child_view.record(current_user, case, form.answer.data, form.own_words.data)
        except child_view.InvalidChildView as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Tack. Det är sparat."), "success")
            return redirect(url_for("consent.show_consent", public_id=public_id), 303)
    else:
        form = ChildViewForm(
            data={"answer": latest.answer.value, "own_words": latest.own_words} if latest else {}
        )
    is_child_self = case.subject_id == current_user.id
    return form_page(
        "consent/record_child_view.html",
        form,
        case=case,
        is_child_self=is_child_self,
        first_name=(case.subject.display_name.split() or [""])[0] if case.subject is not None else "",
    )


# ---- the flow's question pages -----------------------------------------------------------------------------


def _case_for_giving(public_id: str):
    """The case, or the URL to send the person to with a message when they may not consent (now)."""
    try:
        return consent_service.case_for_giving(current_user, public_id)
    except NotAllowed as refused:
        flash(_(refused.message), "info")
        return url_for("consent.show_consent", public_id=public_id)


def _question(public_id: str, step: str):
    case = _case_for_giving(public_id)
    if isinstance(case, str):
        return redirect(case, 303)
    today = date.today()
    returning = flow.returning(request.args.get("fran"))
    question = QUESTIONS[step]
    if request.method == "POST":
        form = question()
        form.validate()
        problems = consent_page.answer_step(current_user, case, step, form.values, today)
        if not problems:
            return redirect(_url(public_id, FLOW.after(step, returning=returning)), 303)
        add_errors(form, problems)
    else:
        form = question.of(consent_page.draft_answers(current_user, case, today))
    # A change link's page posts back to itself with ?fran=, so "Fortsätt" still returns to the check page.
    fran = flow.RETURN_TO_CHECK if returning else None
    return form_page(
        f"consent/answer_{step}.html",
        form,
        case=case,
        subject_name=consent_page.subject_name(current_user, case),
        groups=consent_page.grouped_parties(case) if step == "parties" else {},
        future_power=consent_service.only_future_power(current_user, case),
        today=today,
        last_day=consent_service.last_possible_day(today),
        action=url_for("consent.answer_" + step, public_id=public_id, fran=fran),
        back=_url(public_id, FLOW.back(step, returning=returning)),
    )


def _url(public_id: str, place: str) -> str:
    """The address of a place in the flow (pages/flow.py): a question, the summary, or the overview."""
    if place == flow.START:
        return url_for("consent.show_consent", public_id=public_id)
    if place == flow.CHECK:
        return url_for("consent.check_consent", public_id=public_id)
    return url_for("consent.answer_" + place, public_id=public_id)
