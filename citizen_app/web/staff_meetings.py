"""The meeting on the staff side [issue 5] [SIP.md 3.3–3.4]: the coordinator reads the preparation, sets the
meeting, invites and follows the answers; staff of an invited unit read their invitation and answer it.

Who sees what is decided in pages/meeting.py; the rules (only the coordinator, only with covering
consent, one working day to answer) in services/meetings.py. Views parse forms and translate messages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import meeting as meeting_pages
from citizen_app.services import (
    N_,
    DomainError,
    NotAllowed,
    access_links,
    intake,
    meetings,
    preparation,
)
from citizen_app.web.guards import creates, staff

bp = Blueprint("staff_meetings", __name__, url_prefix="/personal")

CASE_ID = "<string(length=22):public_id>"
INVITATION_ID = "<string(length=22):invitation_id>"
# Staff type the time as it is in Sweden; it is stored in UTC.
LOCAL = ZoneInfo("Europe/Stockholm")

MEETING_FIELDS = (
    "date",
    "time",
    "length",
    "mode",
    "place",
    "video_link",
    "phone",
    "interpreter_language",
    "other_needs",
)
ANSWER_FIELDS = ("status", "who_comes", "replacement", "note")


def _form_text(name: str) -> str:
    value = request.form.get(name, "")
    return value if isinstance(value, str) else ""


def _translated(errors: dict[str, str], order: tuple[str, ...]) -> dict[str, str]:
    """Service messages (Swedish msgids) translated, in the order the fields come on the page."""
    ranked = sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return {name: _(message) for name, message in ranked}


def _meeting_url(public_id: str) -> str:
    return url_for("staff_meetings.show_meeting", public_id=public_id)


def _render(template: str, errors: dict[str, str], **context):
    return render_template(template, errors=errors, **context), 422 if errors else 200


# --- The coordinator's meeting page ---------------------------------------------------------------------


@bp.route(f"/sip/{CASE_ID}/motet")
@staff
def show_meeting(public_id: str):
    """The preparation, the meeting and the invitations. Other staff of the case see the meeting only."""
    case = intake.get_case(current_user, public_id)
    return render_template(
        "staff_meetings/show_meeting.html", page=meeting_pages.staff_meeting_page(current_user, case)
    )


def _starts_at(form: dict[str, str], unreadable: dict[str, str]) -> datetime | None:
    """The date and time typed in Swedish local time, as UTC; None (and a message) if they cannot be read."""
    try:
        day = date.fromisoformat(form["date"].strip())
    except ValueError:
        if form["date"].strip():
            unreadable["date"] = N_("Skriv datumet som år-månad-dag, till exempel 2026-12-01")
        return None
    try:
        clock = time.fromisoformat(form["time"].strip())
    except ValueError:
        unreadable["time"] = N_("Skriv tiden som timmar och minuter, till exempel 13:30")
        return None
    return datetime.combine(day, clock, tzinfo=LOCAL).astimezone(UTC)


def _form_of(meeting) -> dict[str, str]:
    if meeting is None:
        return {name: "" for name in MEETING_FIELDS} | {"length": "60", "interpreter_booked": ""}
    local = meeting.starts_at.astimezone(LOCAL)
    return {
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "length": str(meeting.length_minutes),
        "mode": meeting.mode.value,
        "place": meeting.place,
        "video_link": meeting.video_link,
        "phone": meeting.phone,
        "interpreter_language": meeting.interpreter_language,
        "interpreter_booked": "yes" if meeting.interpreter_booked else "",
        "other_needs": meeting.other_needs,
    }


@bp.route(f"/sip/{CASE_ID}/motet/tid", methods=["GET", "POST"])
@staff
@creates
def set_meeting(public_id: str):
    """Date, time, length, how you meet, interpreter and other needs. A change tells everyone invited."""
    case = intake.get_case(current_user, public_id, Action.STAFF_INVITE)
    meeting = meetings.current_meeting(case)
    planned = meeting if meeting is not None and meeting.status.value == "planned" else None
    errors: dict[str, str] = {}
    form = _form_of(planned)
    if request.method == "POST":
        form = {name: _form_text(name) for name in MEETING_FIELDS}
        form["interpreter_booked"] = _form_text("interpreter_booked")
        unreadable: dict[str, str] = {}
        starts_at = _starts_at(form, unreadable)
        length = int(form["length"]) if form["length"].strip().isdigit() else None
        try:
            meetings.set_meeting(
                current_user,
                case,
                starts_at=starts_at,
                length_minutes=length,
                mode=form["mode"],
                place=form["place"],
                video_link=form["video_link"],
                phone=form["phone"],
                interpreter_language=form["interpreter_language"],
                interpreter_booked=form["interpreter_booked"] == "yes",
                other_needs=form["other_needs"],
            )
        except meetings.InvalidMeeting as invalid:
            found = dict(invalid.errors)
            if unreadable:  # say what is wrong with what was typed, not only that it is missing
                found.pop("date", None)
            errors = _translated({**found, **unreadable}, MEETING_FIELDS)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(_meeting_url(public_id), 303)
        else:
            if planned is None:
                flash(_("Mötet är sparat. Nu kan du bjuda in."), "success")
            else:
                flash(_("Mötet är ändrat. De som är inbjudna får ett meddelande."), "success")
            return redirect(_meeting_url(public_id), 303)
    return _render("staff_meetings/set_meeting.html", errors, case=case, form=form, changing=planned)


@bp.route(f"/sip/{CASE_ID}/motet/bjud-in", methods=["GET", "POST"])
@staff
@creates
def invite(public_id: str):
    """Choose among the parties the consent covers and the person's guests, and send the invitation.

    A relative without an account gets a personal link. We do not send it: the coordinator sends it by text
    or e-mail. It is shown once, in the answer to the POST itself, so the secret is never stored anywhere,
    not even in the session cookie. A reload posts again and sends nothing twice.
    """
    case = intake.get_case(current_user, public_id, Action.STAFF_INVITE)
    page = meeting_pages.staff_meeting_page(current_user, case)
    if page.meeting is None or page.meeting.status.value != "planned":
        flash(_("Bestäm tid och plats för mötet först."), "info")
        return redirect(url_for("staff_meetings.set_meeting", public_id=public_id), 303)
    errors: dict[str, str] = {}
    chosen: list[str] = []
    if request.method == "POST":
        chosen = request.form.getlist("parties")
        try:
            sent = meetings.invite(current_user, page.meeting, chosen)
        except meetings.InvalidMeeting as invalid:
            errors = _translated(invalid.errors, ("parties",))
        except DomainError as refused:  # NotCovered, or the meeting is no longer planned
            errors = {"parties": _(refused.message)}
        else:
            links = [
                {
                    "name": s.invitation.participant.name or "",
                    "contact": s.invitation.participant.contact or "",
                    "url": url_for("invitations.open_invitation", secret=s.link_secret, _external=True),
                }
                for s in sent
                if s.link_secret
            ]
            if not sent:
                flash(_("De du valde var redan inbjudna. Inget nytt skickades."), "info")
            if not links:
                if sent:
                    flash(_("Inbjudan är skickad."), "success")
                return redirect(_meeting_url(public_id), 303)
            response = render_template("staff_meetings/links.html", case=case, links=links, sent=sent)
            return response, 200, {"Cache-Control": "no-store"}
    return _render("staff_meetings/invite.html", errors, case=case, page=page, chosen=chosen)


@bp.route(f"/sip/{CASE_ID}/motet/hallet", methods=["POST"])
@staff
@creates
def mark_held(public_id: str):
    """The coordinator marks the meeting held; the plan is then due within 2 working days."""
    case = intake.get_case(current_user, public_id, Action.STAFF_INVITE)
    try:
        meetings.mark_held(current_user, case)
    except NotAllowed as refused:
        flash(_(refused.message), "info")
    else:
        flash(_("Mötet är markerat som hållet. Skriv planen inom 2 arbetsdagar."), "success")
    return redirect(_meeting_url(public_id), 303)


@bp.route(f"/sip/{CASE_ID}/barnets-kod", methods=["POST"])
@staff
def give_child_code(public_id: str):
    """The coordinator gives the child their own code for "Min röst". Shown once, in this answer only."""
    case = intake.get_case(current_user, public_id, Action.GIVE_CHILD_ACCESS)
    try:
        made = preparation.give_child_code(current_user, case)
    except NotAllowed as refused:
        flash(_(refused.message), "info")
        return redirect(_meeting_url(public_id), 303)
    response = render_template(
        "staff_meetings/child_code.html",
        case=case,
        code=access_links.show_code(made.secret),
        expires_at=made.link.expires_at,
        address=url_for("child.enter_code", _external=True),
    )
    return response, 200, {"Cache-Control": "no-store"}


# --- Staff of an invited unit ------------------------------------------------------------------------------


@bp.route("/inbjudningar")
@staff
def list_invitations():
    return render_template(
        "staff_meetings/list_invitations.html", invitations=meeting_pages.unit_invitations_for(current_user)
    )


@bp.route(f"/inbjudningar/{INVITATION_ID}", methods=["GET", "POST"])
@staff
@creates
def answer_invitation(invitation_id: str):
    """Coming (and who), by phone, or not coming and who comes instead [DA 4.4]."""
    page = meeting_pages.unit_invitation_for(current_user, invitation_id)
    errors: dict[str, str] = {}
    form = {
        "status": "" if page.invitation.status.value == "sent" else page.invitation.status.value,
        "who_comes": page.invitation.who_comes,
        "replacement": page.invitation.replacement,
        "note": page.invitation.answer_note,
    }
    if request.method == "POST":
        form = {name: _form_text(name) for name in ANSWER_FIELDS}
        try:
            meetings.answer_as_unit(
                current_user,
                invitation_id,
                form["status"],
                who_comes=form["who_comes"] if form["status"] != "declined" else "",
                replacement=form["replacement"] if form["status"] == "declined" else "",
                note=form["note"],
            )
        except meetings.InvalidMeeting as invalid:
            errors = _translated(invalid.errors, ANSWER_FIELDS)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(url_for("staff_meetings.list_invitations"), 303)
        else:
            flash(_("Ert svar är skickat till samordnaren."), "success")
            return redirect(url_for("staff_meetings.list_invitations"), 303)
    return _render("staff_meetings/answer_invitation.html", errors, page=page, form=form)
