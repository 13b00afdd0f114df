"""The SIP meeting: the coordinator sets it and invites; units and relatives answer [SIP.md 3.4] [DA 4.4].

Rules kept here:
- Only the case's coordinator sets the meeting and invites.
- No invitation without consent in force; a unit only if the consent names it (consent.require_covering),
  checked again inside the transaction that sends. Relatives and a support person only if the person chose
  them (they are on the case as guests) and consent is in force.
- Invited units answer within one working day; later answers, and missing answers past it, are flagged.
- Relatives answer through their personal link (coming / not coming / by phone) and may suggest topics.
- A calendar file (.ics) for everyone who accepted, with no health details in it.
- When consent is withdrawn every invitation still open is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    AccessLink,
    EventKind,
    Invitation,
    InvitationStatus,
    LinkPurpose,
    Meeting,
    MeetingMode,
    MeetingStatus,
    NotificationKind,
    Participant,
    ParticipantRole,
    SipCase,
    StaffUser,
    Step,
    utcnow,
)
from citizen_app.services import (
    N_,
    InvalidInput,
    NotAllowed,
    NotFound,
    access_links,
    audit,
    consent,
    deadlines,
    feedback,
    meeting_consent,
    notifications,
    recipients,
    timeline,
)

ANSWER_WITHIN_WORKING_DAYS = 1
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")  # working days and their ends are Swedish
GUEST_ROLES = (ParticipantRole.RELATIVE, ParticipantRole.SUPPORT_PERSON)
OPEN = (InvitationStatus.SENT, InvitationStatus.ACCEPTED, InvitationStatus.BY_PHONE)
# Ended, or held at the 18th birthday until the young adult's consent covers the party [issue 15].
_SENDABLE_AGAIN = (InvitationStatus.CANCELLED, InvitationStatus.HELD)


# The usual answer at the start of a meeting: the person confirmed the consent as it is.
CONSENT_CONFIRMED = meeting_consent.AS_GIVEN


class InvalidMeeting(InvalidInput):
    pass


# --- Setting the meeting ----------------------------------------------------------------------------------


def _require(staff: StaffUser, action: Action, case: SipCase) -> None:
    if not access.can(staff, action, case) or case.is_closed:
        raise NotAllowed(N_("Du kan inte göra det i den här SIP:en."))


def current_meeting(case: SipCase) -> Meeting | None:
    """The planned meeting (or the last held one)."""
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.case_id == case.id, Meeting.status != MeetingStatus.CANCELLED)
        .options(selectinload(Meeting.invitations).selectinload(Invitation.participant))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    )


def set_meeting(
    staff: StaffUser,
    case: SipCase,
    *,
    starts_at: datetime | None,
    length_minutes: int | None,
    mode: str,
    place: str = "",
    video_link: str = "",
    phone: str = "",
    interpreter_language: str = "",
    interpreter_booked: bool = False,
    other_needs: str = "",
    now: datetime | None = None,
) -> Meeting:
    """Create the meeting, or change the planned one (the invited are told)."""
    _require(staff, Action.STAFF_INVITE, case)
    moment = now or utcnow()
    errors: dict[str, str] = {}
    if starts_at is None:
        errors["date"] = N_("Skriv datum och tid för mötet")
    elif starts_at <= moment:
        errors["date"] = N_("Mötet måste vara efter nu")
    if length_minutes is None or not 15 <= length_minutes <= 480:
        errors["length"] = N_("Skriv hur långt mötet är, mellan 15 och 480 minuter")
    if mode not in {m.value for m in MeetingMode}:
        errors["mode"] = N_("Välj hur ni ses")
    elif mode == MeetingMode.IN_PERSON and not place.strip():
        errors["place"] = N_("Skriv var mötet är")
    elif mode == MeetingMode.VIDEO and not video_link.strip().startswith("https://"):
        errors["video_link"] = N_("Skriv en länk till videomötet som börjar med https://")
    elif mode == MeetingMode.PHONE and not phone.strip():
        errors["phone"] = N_("Skriv vilket nummer man ringer")
    if any(len(v) > 500 for v in (place, video_link, phone, interpreter_language)) or len(other_needs) > 2000:
        errors.setdefault("other_needs", N_("Texten är för lång"))
    if errors or starts_at is None or length_minutes is None:  # a missing time or length has its error above
        raise InvalidMeeting(errors)
    meeting = current_meeting(case)
    if meeting is None or meeting.status != MeetingStatus.PLANNED:
        meeting = Meeting(case_id=case.id, created_by_staff_id=staff.id)
        db.session.add(meeting)
    changed = meeting.id is not None
    new_time = meeting.starts_at != starts_at
    meeting.starts_at = starts_at
    meeting.length_minutes = length_minutes
    meeting.mode = MeetingMode(mode)
    meeting.place = place.strip()
    meeting.video_link = video_link.strip()
    meeting.phone = phone.strip()
    meeting.interpreter_language = interpreter_language.strip()
    meeting.interpreter_booked = bool(interpreter_booked)
    meeting.other_needs = other_needs.strip()
    db.session.flush()
    audit.record(staff, "meeting.changed" if changed else "meeting.set", case, meeting=meeting.public_id)
    timeline.record(
        case,
        EventKind.MEETING_CHANGED if changed else EventKind.MEETING_BOOKED,
        staff,
        data={"starts_at": starts_at.isoformat(), "new_time": new_time},
    )
    if changed:
        for invitation in meeting.invitations:
            if invitation.status in OPEN:
                _tell_invited(invitation, NotificationKind.MEETING_CHANGED)
        for person in recipients.citizen_recipients(case):
            notifications.notify(person, NotificationKind.MEETING_CHANGED, case)
    return meeting


# --- Inviting ---------------------------------------------------------------------------------------------


def invitable(case: SipCase) -> list[Participant]:
    """The parties the coordinator may invite now: units the consent names, and the person's guests."""
    scope = consent.in_force(case)
    if scope is None:
        return []
    parties = db.session.scalars(
        select(Participant)
        .where(Participant.case_id == case.id, Participant.removed_at.is_(None))
        .options(selectinload(Participant.unit), selectinload(Participant.person))
        .order_by(Participant.id)
    )
    found = []
    for party in parties:
        if party.role == ParticipantRole.UNIT and party.unit and scope.covers_unit(party.unit.public_id):
            found.append(party)
        elif party.role in GUEST_ROLES:
            found.append(party)
    return found


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    link_secret: str | None  # a relative's personal link, shown once to the coordinator to send on


def invite(staff: StaffUser, meeting: Meeting, participant_ids: list[str]) -> list[SentInvitation]:
    """Send the invitation to the chosen parties. The consent is checked again here, under the case lock."""
    case = db.session.get_one(SipCase, meeting.case_id)
    _require(staff, Action.STAFF_INVITE, case)
    if meeting.status != MeetingStatus.PLANNED:
        raise NotAllowed(N_("Mötet är inte planerat."))
    if not participant_ids:
        raise InvalidMeeting({"parties": N_("Välj minst en att bjuda in")})
    parties = list(
        db.session.scalars(
            select(Participant)
            .where(Participant.case_id == case.id, Participant.public_id.in_(participant_ids))
            .options(selectinload(Participant.unit))
        )
    )
    if len(parties) != len(set(participant_ids)):
        raise InvalidMeeting({"parties": N_("Välj bland dem i listan")})
    consent.lock(case)
    if consent.in_force(case) is None:
        raise consent.NotCovered(N_("Det finns inget samtycke som gäller. Ingen inbjudan kan skickas."))
    already = {
        inv.participant_id: inv
        for inv in db.session.scalars(select(Invitation).where(Invitation.meeting_id == meeting.id))
    }
    sent: list[SentInvitation] = []
    for party in parties:
        # A unit's row always names its unit; one that did not could not be checked against the consent, and
        # is refused below like any party not in the list.
        if party.role == ParticipantRole.UNIT and party.unit is not None:
            consent.require_covering(case, party.unit.public_id)
        elif party.role not in GUEST_ROLES:
            raise InvalidMeeting({"parties": N_("Välj bland dem i listan")})
        invitation = already.get(party.id)
        if invitation is not None and invitation.status not in _SENDABLE_AGAIN:
            continue  # invited already: a second click sends nothing twice
        if invitation is None:
            invitation = Invitation(meeting_id=meeting.id, participant_id=party.id)
            db.session.add(invitation)
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = utcnow()
        db.session.flush()
        secret = None
        if party.role in GUEST_ROLES and party.person_id is None:
            access_links.revoke_all(case, LinkPurpose.RELATIVE_INVITATION, staff, invitation_id=invitation.id)
            secret = access_links.create(
                LinkPurpose.RELATIVE_INVITATION,
                case,
                staff,
                invitation_id=invitation.id,
                days=max(1, (meeting.starts_at - utcnow()).days + 14),
            ).secret
        _tell_invited(invitation, NotificationKind.MEETING_INVITATION)
        audit.record(staff, "invitation.sent", case, invitation=invitation.public_id)
        sent.append(SentInvitation(invitation, secret))
    if sent and case.step in (Step.CONSENT, Step.PREPARATION):
        case.step = Step.INVITED
        timeline.record(case, EventKind.STEP_CHANGED, staff, step=Step.INVITED)
    if sent:
        for person in recipients.citizen_recipients(case):
            notifications.notify(person, NotificationKind.MEETING_INVITATION, case)
    db.session.flush()
    return sent


def _tell_invited(invitation: Invitation, kind: NotificationKind) -> None:
    """An invited unit is told through every one of its staff, not only a coordinator it may not have."""
    party = invitation.participant
    case = db.session.get_one(SipCase, db.session.get_one(Meeting, invitation.meeting_id).case_id)
    if party.unit_id is not None:
        for staff in recipients.unit_staff(party.unit_id):
            notifications.notify(staff, kind, case)
    elif party.person is not None:
        notifications.notify(party.person, kind, case)


# --- Answers ------------------------------------------------------------------------------------------------


def answer_due(invitation: Invitation) -> datetime:
    """One working day after it was sent [VM] [DA 4.4]: by the end of that day, as the day is in Sweden."""
    sent_day = invitation.sent_at.astimezone(SWEDISH_TIME).date()
    due_day = deadlines.add_working_days(sent_day, ANSWER_WITHIN_WORKING_DAYS)
    return datetime(due_day.year, due_day.month, due_day.day, 23, 59, tzinfo=SWEDISH_TIME)


def is_late(invitation: Invitation, now: datetime | None = None) -> bool:
    """Answered after the deadline, or still unanswered past it."""
    due = answer_due(invitation)
    if invitation.answered_at is not None:
        return invitation.answered_at > due
    return invitation.status == InvitationStatus.SENT and (now or utcnow()) > due


def _invitation_for_staff(staff: StaffUser, public_id: str) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.public_id == public_id)
        .options(selectinload(Invitation.participant), selectinload(Invitation.meeting))
    )
    if invitation is None:
        raise NotFound(N_("Sidan finns inte."))
    return invitation


def answer_as_unit(
    staff: StaffUser, public_id: str, status: str, who_comes: str = "", replacement: str = "", note: str = ""
) -> Invitation:
    """A unit answers: coming (and who), or not coming and who comes instead."""
    invitation = _invitation_for_staff(staff, public_id)
    case = db.session.get_one(SipCase, invitation.meeting.case_id)
    party = invitation.participant
    if (
        party.unit_id is None
        or not access.can(staff, Action.STAFF_ANSWER_INVITATION, case)
        or party.unit_id not in {m.unit_id for m in staff.memberships}
    ):
        raise NotFound(N_("Sidan finns inte."))
    if invitation.status in _SENDABLE_AGAIN or case.is_closed:
        raise NotAllowed(N_("Inbjudan gäller inte längre."))
    errors: dict[str, str] = {}
    if status not in (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.BY_PHONE):
        errors["status"] = N_("Välj ett svar")
    elif status in (InvitationStatus.ACCEPTED, InvitationStatus.BY_PHONE) and not who_comes.strip():
        errors["who_comes"] = N_("Skriv vem som kommer")
    elif status == InvitationStatus.DECLINED and not replacement.strip():
        errors["replacement"] = N_("Skriv vem som kommer i stället")
    if max(len(who_comes), len(replacement)) > 300 or len(note) > 2000:
        errors.setdefault("note", N_("Texten är för lång"))
    if errors:
        raise InvalidMeeting(errors)
    invitation.status = InvitationStatus(status)
    invitation.who_comes = who_comes.strip()
    invitation.replacement = replacement.strip()
    invitation.answer_note = note.strip()
    invitation.answered_at = utcnow()
    invitation.answered_by_staff_id = staff.id
    db.session.flush()
    audit.record(staff, "invitation.answered", case, invitation=invitation.public_id, status=status)
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None and coordinator.id != staff.id:
        notifications.notify(coordinator, NotificationKind.INVITATION_ANSWERED, case)
    return invitation


def invitation_for_link(link_id: int) -> Invitation:
    """The relative's invitation behind a checked link (access_links.still_valid)."""
    link = db.session.get(AccessLink, link_id)
    if link is None or link.invitation_id is None:  # not a relative's invitation link
        raise access_links.LinkNotValid()
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.id == link.invitation_id)
        .options(
            selectinload(Invitation.participant),
            selectinload(Invitation.meeting)
            .selectinload(Meeting.invitations)
            .selectinload(Invitation.participant),
        )
    )
    if invitation is None:
        raise access_links.LinkNotValid()
    return invitation


def answer_as_guest(link_id: int, status: str) -> Invitation:
    """A relative answers through their link: coming, not coming, or by phone."""
    invitation = invitation_for_link(link_id)
    case = db.session.get_one(SipCase, invitation.meeting.case_id)
    if invitation.status in _SENDABLE_AGAIN or case.is_closed:
        raise NotAllowed(N_("Inbjudan gäller inte längre."))
    if status not in (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.BY_PHONE):
        raise InvalidMeeting({"status": N_("Välj ett svar")})
    invitation.status = InvitationStatus(status)
    invitation.answered_at = utcnow()
    db.session.flush()
    audit.record(None, "invitation.answered_by_guest", case, invitation=invitation.public_id, status=status)
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None:
        notifications.notify(coordinator, NotificationKind.INVITATION_ANSWERED, case)
    for person in recipients.citizen_recipients(case):
        notifications.notify(person, NotificationKind.INVITATION_ANSWERED, case)
    return invitation


# --- After consent is withdrawn, and when the meeting is held ----------------------------------------


def cancel_open_invitations(case: SipCase) -> int:
    """Every invitation still open is cancelled and the invited are told; relatives' links stop working."""
    count = 0
    for meeting in db.session.scalars(
        select(Meeting).where(Meeting.case_id == case.id, Meeting.status == MeetingStatus.PLANNED)
    ):
        for invitation in meeting.invitations:
            if invitation.status in OPEN:
                invitation.status = InvitationStatus.CANCELLED
                _tell_invited(invitation, NotificationKind.MEETING_CANCELLED)
                count += 1
        meeting.status = MeetingStatus.CANCELLED
    access_links.revoke_all(case, LinkPurpose.RELATIVE_INVITATION, None)
    db.session.flush()
    return count


def cancel_invitations_of(case: SipCase, party: Participant) -> None:
    """A guest the person took off: their open invitations end and their link stops working."""
    for invitation in db.session.scalars(select(Invitation).where(Invitation.participant_id == party.id)):
        if invitation.status in OPEN:
            invitation.status = InvitationStatus.CANCELLED
            access_links.revoke_all(case, LinkPurpose.RELATIVE_INVITATION, None, invitation_id=invitation.id)
    db.session.flush()


def mark_held(
    staff: StaffUser,
    case: SipCase,
    now: datetime | None = None,
    *,
    confirmation: meeting_consent.Confirmation,
) -> Meeting:
    """The coordinator marks the meeting held; the plan must then be documented within 2 working days.

    Not without saying what happened with the consent at the start of the meeting (``confirmation``): it is
    kept in the consent history [issue 15].
    """
    _require(staff, Action.STAFF_INVITE, case)
    meeting = current_meeting(case)
    if meeting is None or meeting.status != MeetingStatus.PLANNED:
        raise NotAllowed(N_("Det finns inget planerat möte."))
    moment = now or utcnow()
    if meeting.starts_at > moment:
        raise NotAllowed(N_("Mötet har inte börjat än."))
    day = moment.astimezone(SWEDISH_TIME).date()
    errors = meeting_consent.errors_in(case, confirmation, day)
    if errors:
        raise meeting_consent.InvalidConfirmation(errors)
    meeting_consent.record(staff, case, confirmation, day)
    meeting.status = MeetingStatus.HELD
    meeting.held_at = moment
    if case.step.position < Step.MEETING_HELD.position:
        case.step = Step.MEETING_HELD
        timeline.record(case, EventKind.STEP_CHANGED, staff, step=Step.MEETING_HELD)
    else:  # a later meeting, e.g. the follow-up: the step stays, the history still says it was held
        timeline.record(case, EventKind.MEETING_HELD, staff)
    audit.record(staff, "meeting.held", case, meeting=meeting.public_id)
    db.session.flush()
    # Everyone on the citizen side who took part is asked for short, anonymous feedback [issue 7].
    feedback.request_after_meeting(meeting)
    return meeting


# --- Calendar file ------------------------------------------------------------------------------------------


def ics(meeting: Meeting, title: str, where: str) -> str:
    """A calendar file with time and place only: no name of the person, no unit, nothing about health.

    ``title`` and ``where`` come translated from the view ("Möte i Min SIP", the place or "Videomöte").
    The icalendar package escapes and folds the lines (RFC 5545: at most 75 octets a line).
    """
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Min SIP//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.public_id}@min-sip")
    event.add("dtstamp", utcnow().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", (meeting.starts_at + timedelta(minutes=meeting.length_minutes)).astimezone(UTC))
    event.add("summary", title)
    event.add("location", where)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def may_download_calendar(invitation: Invitation) -> bool:
    return invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.BY_PHONE)
