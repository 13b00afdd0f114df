"""The meeting on the staff side [issue 5] [SIP.md 3.3–3.4]: the coordinator reads the preparation, sets the
meeting, invites and follows the answers; staff of an invited unit read their invitation and answer it.

Who sees what is decided in pages/meeting.py; the rules (only the coordinator, only with covering
consent, one working day to answer) in services/meetings.py. Views parse forms and translate messages.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import meeting as meeting_pages
from citizen_app.services import (
    DomainError,
    NotAllowed,
    access_links,
    intake,
    meeting_consent,
    meetings,
    outreach,
    preparation,
)
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.staff_meetings import (
    AnswerInvitationForm,
    HeldForm,
    InviteForm,
    MeetingForm,
    PastMeetingForm,
    SendToForm,
)
from citizen_app.web.guards import creates, staff

bp = Blueprint("staff_meetings", __name__, url_prefix="/personal")

CASE_ID = "<string(length=22):public_id>"
INVITATION_ID = "<string(length=22):invitation_id>"


def _meeting_url(public_id: str) -> str:
    return url_for("staff_meetings.show_meeting", public_id=public_id)


# --- The coordinator's meeting page ---------------------------------------------------------------------


@bp.route(f"/sip/{CASE_ID}/motet")
@staff
def show_meeting(public_id: str):
    """The preparation, the meeting and the invitations. Other staff of the case see the meeting only."""
    case = intake.get_case(current_user, public_id)
    page = meeting_pages.staff_meeting_page(current_user, case)
    code_form = None
    if page.may_give_child_code and outreach.any_on():
        code_form = SendToForm(data={"address": outreach.known_contact(case.subject)})
    return render_template("staff_meetings/show_meeting.html", page=page, code_form=code_form)


@bp.route(f"/sip/{CASE_ID}/motet/tid", methods=["GET", "POST"])
@staff
@creates
def set_meeting(public_id: str):
    """Date, time, length, how you meet, interpreter and other needs. A change tells everyone invited."""
    case = intake.get_case(current_user, public_id, Action.STAFF_INVITE)
    meeting = meetings.current_meeting(case)
    planned = meeting if meeting is not None and meeting.status.value == "planned" else None
    form = MeetingForm() if request.method == "POST" else MeetingForm.of(planned)
    if request.method == "POST":
        form.validate()
        try:
            meetings.set_meeting(
                current_user,
                case,
                starts_at=form.starts_at,
                length_minutes=form.length_minutes,
                mode=form.mode.data,
                place=form.place.data,
                video_link=form.video_link.data,
                phone=form.phone.data,
                interpreter_language=form.interpreter_language.data,
                interpreter_booked=form.interpreter_booked.data == "yes",
                other_needs=form.other_needs.data,
            )
        except meetings.InvalidMeeting as invalid:
            found = dict(invalid.errors)
            if form.unreadable:  # say what is wrong with what was typed, not only that it is missing
                found.pop("date", None)
            add_errors(form, found)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(_meeting_url(public_id), 303)
        else:
            if planned is None:
                flash(_("Mötet är sparat. Nu kan du bjuda in."), "success")
            else:
                flash(_("Mötet är ändrat. De som är inbjudna får ett meddelande."), "success")
            return redirect(_meeting_url(public_id), 303)
    return form_page("staff_meetings/set_meeting.html", form, case=case, changing=planned)


@bp.route(f"/sip/{CASE_ID}/motet/bjud-in", methods=["GET", "POST"])
@staff
@creates
def invite(public_id: str):
    """Choose among the parties the consent covers and the person's guests, and send the invitation.

    A relative without an account gets a personal link. Min SIP sends it by SMS or e-mail to the phone or
    address the relative was added with, when it can (services/outreach.py) [issue 18]. When it cannot (no
    usable number or address, or e-mail/SMS is not set up, as in the demo) the link is shown once, in the
    answer to the POST itself, for the coordinator to send on: the secret is never stored anywhere, not even
    in the session cookie. A reload posts again and sends nothing twice.
    """
    case = intake.get_case(current_user, public_id, Action.STAFF_INVITE)
    page = meeting_pages.staff_meeting_page(current_user, case)
    if page.meeting is None or page.meeting.status.value != "planned":
        flash(_("Bestäm tid och plats för mötet först."), "info")
        return redirect(url_for("staff_meetings.set_meeting", public_id=public_id), 303)
    # A child's school that the consent covers is chosen beforehand [issue 16] [DA 3.3.1].
    form = InviteForm() if request.method == "POST" else InviteForm(data={"parties": page.school_ids})
    if request.method == "POST":
        try:
            sent = meetings.invite(current_user, page.meeting, form.parties.data)
        except meetings.InvalidMeeting as invalid:
            add_errors(form, invalid.errors)
        except DomainError as refused:  # NotCovered, or the meeting is no longer planned
            add_errors(form, {"parties": refused.message})
        else:
            links = []
            for s in sent:
                if not s.link_secret:
                    continue
                party = s.invitation.participant
                url = url_for("invitations.open_invitation", secret=s.link_secret, _external=True)
                address = outreach.usable_address(party.contact)
                if address is not None:
                    outreach.send_relative_link(current_user, s.invitation, case, address, url)
                    flash(
                        _(
                            "Länken till %(name)s är skickad till %(address)s.",
                            name=party.name,
                            address=address.shown,
                        ),
                        "success",
                    )
                else:
                    links.append({"name": party.name or "", "contact": party.contact or "", "url": url})
            if not sent:
                flash(_("De du valde var redan inbjudna. Inget nytt skickades."), "info")
            if not links:
                if sent:
                    flash(_("Inbjudan är skickad."), "success")
                return redirect(_meeting_url(public_id), 303)
            response = render_template(
                "staff_meetings/links.html", case=case, links=links, sent=sent, any_on=outreach.any_on()
            )
            return response, 200, {"Cache-Control": "no-store"}
    return form_page("staff_meetings/invite.html", form, case=case, page=page, chosen=form.parties.data)


@bp.route(f"/sip/{CASE_ID}/motet/inbjudan/{INVITATION_ID}/ny-lank", methods=["GET", "POST"])
@staff
@creates
def new_relative_link(public_id: str, invitation_id: str):
    """Send a relative a new personal link [issue 18]. Only a hash of a link is kept, so the old one cannot be
    sent again: a new one is made and the old one stops working (the page says so). Min SIP sends it to the
    number or address the coordinator types; when it cannot send at all (the demo), the new link is shown
    once, in this answer only."""
    case = intake.get_case(current_user, public_id, Action.STAFF_INVITE)
    invitation = meetings.relative_invitation(current_user, case, invitation_id)  # NotFound → 404
    party = invitation.participant
    can_send = outreach.any_on()
    form = SendToForm() if request.method == "POST" else SendToForm(data={"address": party.contact or ""})
    if request.method == "POST":
        try:
            address = outreach.parse_for_sending(form.address.data, "address") if can_send else None
        except outreach.InvalidContact as invalid:
            add_errors(form, invalid.errors)
        else:
            secret = meetings.new_relative_link(current_user, case, invitation)
            url = url_for("invitations.open_invitation", secret=secret, _external=True)
            if address is None:
                links = [{"name": party.name or "", "contact": party.contact or "", "url": url}]
                response = render_template(
                    "staff_meetings/links.html", case=case, links=links, sent=[], any_on=False, again=True
                )
                return response, 200, {"Cache-Control": "no-store"}
            outreach.send_relative_link(current_user, invitation, case, address, url)
            flash(
                _(
                    "En ny länk är skickad till %(address)s. Den gamla länken fungerar inte längre.",
                    address=address.shown,
                ),
                "success",
            )
            return redirect(_meeting_url(public_id), 303)
    return form_page(
        "staff_meetings/new_link.html", form, case=case, name=party.name or "", can_send=can_send
    )


@bp.route(f"/sip/{CASE_ID}/motet/hallet", methods=["GET", "POST"])
@staff
@creates
def mark_held(public_id: str):
    """The coordinator marks the meeting held, and says what happened with the consent at its start
    (confirmed, changed, or not confirmed and why) [issue 15]. The plan is then due within 2 working days."""
    case = intake.get_case(current_user, public_id, Action.STAFF_INVITE)
    page = meeting_pages.staff_meeting_page(current_user, case)
    if not page.may_mark_held:
        flash(_("Det finns inget planerat möte."), "info")
        return redirect(_meeting_url(public_id), 303)
    form = HeldForm()
    if request.method == "POST":
        form.validate()
        confirmation = meeting_consent.Confirmation(form.consent_outcome.data, form.consent_reason.data)
        try:
            meetings.mark_held(
                current_user,
                case,
                confirmation=confirmation,
                # Typed only when it was not as booked (before the booked start it must be) [issue 16].
                took_place_at=form.starts_at,
            )
        except (meetings.InvalidMeeting, meeting_consent.InvalidConfirmation) as invalid:
            found = dict(invalid.errors)
            if form.unreadable:
                found.pop("date", None)
            add_errors(form, found)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(_meeting_url(public_id), 303)
        else:
            return _after_held(public_id, confirmation)
    return form_page("staff_meetings/mark_held.html", form, case=case, page=page)


def _after_held(public_id: str, confirmation: meeting_consent.Confirmation):
    flash(_("Mötet är markerat som hållet. Skriv planen inom 2 arbetsdagar."), "success")
    if confirmation.outcome == meeting_consent.CHANGED:
        flash(_("Skriv nu in det ändrade samtycket."), "info")
        return redirect(url_for("staff.record_consent", public_id=public_id), 303)
    return redirect(_meeting_url(public_id), 303)


@bp.route(f"/sip/{CASE_ID}/motet/i-efterhand", methods=["GET", "POST"])
@staff
@creates
def record_past_meeting(public_id: str):
    """A meeting that already happened, written down afterwards and held at once [issue 16]: when (not in
    the future, not before the SIP was asked for), how and where, and the consent at its start."""
    case = intake.get_case(current_user, public_id, Action.STAFF_INVITE)
    page = meeting_pages.staff_meeting_page(current_user, case)
    if not page.may_record_past:
        flash(_("Det finns redan ett planerat möte. Markera det som hållet i stället."), "info")
        return redirect(_meeting_url(public_id), 303)
    form = PastMeetingForm() if request.method == "POST" else PastMeetingForm(data={"length": "60"})
    if request.method == "POST":
        form.validate()
        confirmation = meeting_consent.Confirmation(form.consent_outcome.data, form.consent_reason.data)
        try:
            meetings.record_past_meeting(
                current_user,
                case,
                took_place_at=form.starts_at,
                length_minutes=form.length_minutes,
                mode=form.mode.data,
                place=form.place.data,
                video_link=form.video_link.data,
                phone=form.phone.data,
                confirmation=confirmation,
            )
        except (meetings.InvalidMeeting, meeting_consent.InvalidConfirmation) as invalid:
            found = dict(invalid.errors)
            if form.unreadable:
                found.pop("date", None)
            add_errors(form, found)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(_meeting_url(public_id), 303)
        else:
            return _after_held(public_id, confirmation)
    return form_page("staff_meetings/record_past.html", form, case=case)


@bp.route(f"/sip/{CASE_ID}/barnets-kod", methods=["POST"])
@staff
def give_child_code(public_id: str):
    """The coordinator gives the child their own code for "Min röst" [issue 18]. Min SIP sends it by SMS or
    e-mail to the number or address typed on the meeting page, when it can send at all; when it cannot (the
    demo) the code is shown once, in this answer only, and the page says so."""
    case = intake.get_case(current_user, public_id, Action.GIVE_CHILD_ACCESS)
    form = SendToForm()
    where = url_for("child.enter_code", _external=True)
    try:
        send_to = outreach.parse_for_sending(form.address.data, "address") if outreach.any_on() else None
    except outreach.InvalidContact as invalid:
        add_errors(form, invalid.errors)
        html, status = form_page("staff_meetings/child_code.html", form, case=case, code=None)
        return html, status
    try:
        made = preparation.give_child_code(current_user, case)
    except NotAllowed as refused:
        flash(_(refused.message), "info")
        return redirect(_meeting_url(public_id), 303)
    code = access_links.show_code(made.secret)
    if send_to is not None:
        outreach.send_child_code(current_user, case, send_to, code, where)
        flash(
            _(
                "Koden är skickad till %(address)s. En gammal kod fungerar inte längre.",
                address=send_to.shown,
            ),
            "success",
        )
        return redirect(_meeting_url(public_id), 303)
    response = render_template(
        "staff_meetings/child_code.html",
        case=case,
        code=code,
        expires_at=made.link.expires_at,
        address=where,
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
    """Coming (and who), by phone, or not coming and who comes instead [DA 4.4]; or "Vi känner inte personen"
    with an optional note [issue 16] [DA 3.6]."""
    page = meeting_pages.unit_invitation_for(current_user, invitation_id)
    if request.method == "POST":
        form = AnswerInvitationForm()
    else:
        invitation = page.invitation
        answered = "" if invitation.status.value == "sent" else invitation.status.value
        form = AnswerInvitationForm(
            data={
                "status": answered,
                "who_comes": invitation.who_comes,
                "replacement": invitation.replacement,
                "note": invitation.answer_note,
            }
        )
    if request.method == "POST":
        status = form.status.data
        try:
            meetings.answer_as_unit(
                current_user,
                invitation_id,
                status,
                who_comes=form.who_comes.data if status in ("accepted", "by_phone") else "",
                replacement=form.replacement.data if status == "declined" else "",
                note=form.note.data,
            )
        except meetings.InvalidMeeting as invalid:
            add_errors(form, invalid.errors)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(url_for("staff_meetings.list_invitations"), 303)
        else:
            if status == "not_known":
                flash(_("Samordnaren får veta att ni inte känner personen."), "success")
            else:
                flash(_("Ert svar är skickat till samordnaren."), "success")
            return redirect(url_for("staff_meetings.list_invitations"), 303)
    return form_page("staff_meetings/answer_invitation.html", form, page=page)
