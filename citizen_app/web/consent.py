"""The citizen's consent pages ("Samtycke") [issue 4] [SIP.md 4].

An overview per case (what consent means, what is in force, each guardian's answer, the history, the child's
view); a step-by-step flow to give or change consent (parties, kinds of information, what must not be shared,
for how long), a summary "Det här samtycker du till", a receipt and a printable copy; withdrawal behind a
confirmation page; and the child's view. The rules and what each page shows live in services/consent.py and
services/child_view.py; this module parses forms into plain values, calls them and renders the answer.

The flow's answers are kept in the session (one draft per case) until the person confirms, so going back or
changing an answer from the summary loses nothing. The summary carries a token of the consent it was shown
for: a second click, or a change made in another tab, saves nothing twice.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import consent as consent_page
from citizen_app.services import N_, NotAllowed, cases, child_view, withdrawal
from citizen_app.services import consent as consent_service
from citizen_app.web import forms
from citizen_app.web.guards import citizen, creates

bp = Blueprint("consent", __name__)

DRAFTS = "consent_drafts"  # session key: {case public id: answers}
FIELDS = {
    "parties": ("units", "other_parties"),
    "categories": ("categories",),
    "exclusions": ("exclusions",),
    "period": ("period", "until"),
}
LIST_FIELDS = frozenset({"units", "categories"})
# The session is a signed cookie; browsers drop one over 4 KB, and the person would be signed out. The service
# allows long texts, so a draft that would not fit is refused with a message instead.
MAX_DRAFT_CHARS = 2500
RETURN_TO_CHECK = "kontrollera"
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
        _save_draft(public_id, consent_page.start_draft(current_user, case))
        return redirect(url_for("consent.answer_parties", public_id=public_id), 303)
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
    answers = _draft(public_id, case)
    step = consent_page.first_open_step(case, answers, today)
    if step is not None:
        return redirect(url_for("consent.answer_" + step, public_id=public_id), 303)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            consent_service.give_from_draft(
                current_user, case, answers, request.form.get("based_on", ""), today
            )
        except consent_service.AlreadyChanged as changed:
            _forget_draft(public_id)
            flash(_(changed.message), "info")
            return redirect(url_for("consent.show_consent", public_id=public_id), 303)
        except consent_service.InvalidScope as invalid:
            errors = {
                CHANGE_LINK.get(field, "change-parties"): _(msg) for field, msg in invalid.errors.items()
            }
        except NotAllowed as refused:
            _forget_draft(public_id)
            flash(_(refused.message), "info")
            return redirect(url_for("consent.show_consent", public_id=public_id), 303)
        if not errors:
            _forget_draft(public_id)
            flash(_("Tack. Ditt samtycke är sparat."), "success")
            return redirect(url_for("consent.show_receipt", public_id=public_id), 303)
    return forms.render_form(
        "consent/check_consent.html",
        errors,
        case=case,
        subject_name=forms.subject_name(case),
        summary=consent_page.draft_summary(case, answers, today),
        based_on=consent_service.based_on(current_user, case, today),
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
    try:
        consent_service.confirm_recorded(current_user, case, request.form.get("event", ""))
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
        _forget_draft(public_id)
        flash(_("Du har tagit tillbaka samtycket. SIP:en är avslutad."), "success")
        return redirect(url_for("cases.show_case", public_id=public_id), 303)
    return render_template("consent/withdraw_consent.html", case=case, subject_name=forms.subject_name(case))


@bp.route("/sip/<string(length=22):public_id>/samtycke/barnets-asikt", methods=["GET", "POST"])
@citizen
@creates
def record_child_view(public_id: str):
    """What the child thinks: written by a guardian with custody, or by the child themself [DA 4.2]."""
    case = cases.get_case_for(current_user, public_id, Action.VIEW_CASE)
    if not child_view.can_record(current_user, case):
        abort(404)
    errors: dict[str, str] = {}
    latest = child_view.latest(case)
    form = {"answer": latest.answer.value, "own_words": latest.own_words} if latest else {}
    if request.method == "POST":
        form = {"answer": forms.one("answer"), "own_words": forms.one("own_words")}
        try:
            child_view.record(current_user, case, form["answer"], form["own_words"])
        except child_view.InvalidChildView as invalid:
            errors = forms.translated(invalid.errors)
        if not errors:
            flash(_("Tack. Det är sparat."), "success")
            return redirect(url_for("consent.show_consent", public_id=public_id), 303)
    is_child_self = case.subject_id == current_user.id
    return forms.render_form(
        "consent/record_child_view.html",
        errors,
        case=case,
        form=form,
        is_child_self=is_child_self,
        first_name=(case.subject.display_name.split() or [""])[0],
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
    answers = _draft(public_id, case)
    returning = request.args.get("fran") == RETURN_TO_CHECK
    errors: dict[str, str] = {}
    form = answers
    if request.method == "POST":
        values = _parse(step)
        form = {**answers, **values}
        raw = consent_service.check_flow_step(case, step, values, today)
        if not raw and len(json.dumps(form)) > MAX_DRAFT_CHARS:
            raw = {FIELDS[step][-1]: N_("Texten är för lång. Skriv kortare.")}
        if not raw:
            form["_done"] = sorted(set(answers.get("_done", [])) | {step})
            _save_draft(public_id, form)
            return redirect(_after(public_id, step, returning), 303)
        errors = forms.translated(raw)
    action_args = {"fran": RETURN_TO_CHECK} if returning else {}
    return forms.render_form(
        f"consent/answer_{step}.html",
        errors,
        case=case,
        form=form,
        subject_name=forms.subject_name(case),
        groups=consent_page.grouped_parties(case) if step == "parties" else {},
        future_power=consent_service.only_future_power(current_user, case),
        today=today,
        last_day=consent_service.last_possible_day(today),
        action=url_for(request.endpoint, public_id=public_id, **action_args),
        back=_back(public_id, step, returning),
    )


def _parse(step: str) -> dict:
    values: dict = {}
    for name in FIELDS[step]:
        values[name] = sorted(set(forms.choices(name))) if name in LIST_FIELDS else forms.one(name)
    return values


def _draft(public_id: str, case) -> dict:
    drafts = session.get(DRAFTS) or {}
    if public_id not in drafts:
        return consent_page.start_draft(current_user, case)
    return dict(drafts[public_id])


def _save_draft(public_id: str, answers: dict) -> None:
    # One draft at a time: a draft for another case is dropped, so the cookie stays small.
    session[DRAFTS] = {public_id: answers}


def _forget_draft(public_id: str) -> None:
    drafts = session.get(DRAFTS) or {}
    if public_id in drafts:
        session[DRAFTS] = {k: v for k, v in drafts.items() if k != public_id}


def _after(public_id: str, step: str, returning: bool) -> str:
    steps = consent_page.FLOW_STEPS
    position = steps.index(step)
    if returning or position == len(steps) - 1:
        return url_for("consent.check_consent", public_id=public_id)
    return url_for("consent.answer_" + steps[position + 1], public_id=public_id)


def _back(public_id: str, step: str, returning: bool) -> str:
    steps = consent_page.FLOW_STEPS
    position = steps.index(step)
    if returning:
        return url_for("consent.check_consent", public_id=public_id)
    if position == 0:
        return url_for("consent.show_consent", public_id=public_id)
    return url_for("consent.answer_" + steps[position - 1], public_id=public_id)
