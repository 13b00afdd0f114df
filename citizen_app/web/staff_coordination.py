"""Moving the coordination to another unit, and closing the SIP with the person [VN] [VM] [DA 4.7] [issue 16].

- "Flytta samordningen" (the SIP's coordinator, after the first meeting): choose a unit and write why; the
  proposal is shown on the SIP's page and, for the target unit, under "Förslag att ta över samordning",
  where a coordinator of that unit accepts or declines. The proposer may take it back.
- "Avsluta SIP:en": the page says what will happen (who is told, that the draft goes) before the POST.
The rules are in services/coordination_move.py and services/closing.py; these views only show and send.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app import access
from citizen_app.access import Action
from citizen_app.services import DomainError, NotAllowed, closing, coordination_move, intake, plans
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.coordination import CloseForm, DeclineMoveForm, ProposeMoveForm
from citizen_app.web.guards import creates, staff

bp = Blueprint("staff_coordination", __name__, url_prefix="/personal")

CASE = "/sip/<string(length=22):public_id>"
MOVE = "/samordning/<string(length=22):move_id>"


def _case_url(public_id: str) -> str:
    return url_for("staff.show_case", public_id=public_id)


@bp.app_context_processor
def _on_case_page() -> dict:
    """The staff case page asks ``coordination_on(case)``: an open proposal to move the coordination (read
    only once the first meeting is held: one query), and whether the user may propose a move or close."""

    def coordination_on(case) -> dict:
        if not current_user.is_authenticated or not current_user.is_staff:
            return {}
        held = coordination_move.first_meeting_held(case)
        return {
            "pending": coordination_move.pending(case) if held else None,
            "may_propose": held and access.can(current_user, Action.STAFF_MOVE_COORDINATION, case),
            "may_close": closing.may_close(current_user, case),
        }

    return {"coordination_on": coordination_on}


@bp.route(f"{CASE}/flytta-samordningen", methods=["GET", "POST"])
@staff
@creates
def propose_move(public_id: str):
    case = intake.get_case(current_user, public_id, Action.STAFF_MOVE_COORDINATION)
    open_move = coordination_move.pending(case)
    form = ProposeMoveForm()
    if request.method == "POST":
        try:
            coordination_move.propose(current_user, case, form.unit.data, form.reason.data)
        except coordination_move.InvalidMove as invalid:
            add_errors(form, invalid.errors)
        except DomainError as refused:
            flash(_(refused.message), "info")
            return redirect(_case_url(public_id), 303)
        else:
            flash(_("Förslaget är skickat. Enhetens samordnare får ett meddelande."), "success")
            return redirect(_case_url(public_id), 303)
    return form_page(
        "staff_coordination/propose.html",
        form,
        case=case,
        open_move=open_move,
        first_meeting_held=coordination_move.first_meeting_held(case),
        units=coordination_move.target_units(case),
    )


@bp.route("/samordning")
@staff
def list_moves():
    """Proposals to the staff user's units to take over the coordination of a SIP."""
    return render_template("staff_coordination/list.html", moves=coordination_move.incoming_for(current_user))


def _move_page(move, form: DeclineMoveForm):
    return form_page(
        "staff_coordination/show.html",
        form,
        move=move,
        may_answer=coordination_move.may_answer(current_user, move),
        may_withdraw=coordination_move.may_withdraw(current_user, move),
    )


@bp.route(MOVE)
@staff
def show_move(move_id: str):
    return _move_page(coordination_move.get_move(current_user, move_id), DeclineMoveForm())


@bp.route(f"{MOVE}/ta-over", methods=["POST"])
@staff
def accept_move(move_id: str):
    move = coordination_move.get_move(current_user, move_id)
    try:
        case = coordination_move.accept(current_user, move)
    except DomainError as refused:
        flash(_(refused.message), "info")
        return redirect(url_for("staff_coordination.show_move", move_id=move_id), 303)
    flash(_("Nu är du samordnare för SIP:en. Personen får veta det."), "success")
    return redirect(_case_url(case.public_id), 303)


@bp.route(f"{MOVE}/saga-nej", methods=["POST"])
@staff
def decline_move(move_id: str):
    move = coordination_move.get_move(current_user, move_id)
    form = DeclineMoveForm()
    try:
        coordination_move.decline(current_user, move, form.reason.data)
    except coordination_move.InvalidMove as invalid:
        add_errors(form, invalid.errors)
        return _move_page(move, form)
    except DomainError as refused:
        flash(_(refused.message), "info")
        return redirect(url_for("staff_coordination.show_move", move_id=move_id), 303)
    flash(_("Du har sagt nej. Den som föreslog det får ett meddelande."), "success")
    return redirect(url_for("staff_coordination.list_moves"), 303)


@bp.route(f"{MOVE}/ta-tillbaka", methods=["POST"])
@staff
def withdraw_move(move_id: str):
    move = coordination_move.get_move(current_user, move_id)
    try:
        coordination_move.withdraw(current_user, move)
    except (DomainError, NotAllowed) as refused:
        flash(_(refused.message), "info")
    else:
        flash(_("Förslaget är taget tillbaka."), "success")
    return redirect(_case_url(move.case.public_id), 303)


# --- Closing the SIP ----------------------------------------------------------------------------------------


@bp.route(f"{CASE}/avsluta", methods=["GET", "POST"])
@staff
def close(public_id: str):
    """End the SIP, decided with the person. This page is the confirmation: it says what happens first."""
    case = intake.get_case(current_user, public_id, Action.STAFF_CLOSE_CASE)
    if case.is_closed:
        flash(_("SIP:en är redan avslutad."), "info")
        return redirect(_case_url(public_id), 303)
    form = CloseForm()
    if request.method == "POST":
        try:
            closing.close(
                current_user, case, form.reason.data, form.note.data, form.agreement.data, form.why_not.data
            )
        except closing.InvalidClosing as invalid:
            add_errors(form, invalid.errors)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(_case_url(public_id), 303)
        else:
            flash(_("SIP:en är avslutad. Alla som ska veta det har fått ett meddelande."), "success")
            return redirect(_case_url(public_id), 303)
    return form_page(
        "staff_coordination/close.html",
        form,
        case=case,
        draft=plans.draft(case),
        units=closing.units_told(case),
        citizens=closing.citizens_told(case, None),
    )
