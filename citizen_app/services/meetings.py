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
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, select
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
    Unit,
    UnitKind,
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
from citizen_app.services.consent_scope import Scope

ANSWER_WITHIN_WORKING_DAYS = 1
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")  # working days and their ends are Swedish
GUEST_ROLES = (ParticipantRole.RELATIVE, ParticipantRole.SUPPORT_PERSON)
OPEN = (InvitationStatus.SENT, InvitationStatus.ACCEPTED, InvitationStatus.BY_PHONE)
# What an invited unit can answer; "we do not know the person" only a unit [issue 16] [DA 3.6].
UNIT_ANSWERS = (
    InvitationStatus.ACCEPTED,
    InvitationStatus.BY_PHONE,
    InvitationStatus.DECLINED,
    InvitationStatus.NOT_KNOWN,
)
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
    errors.update(
        _place_errors(length_minutes, mode, place, video_link, phone, interpreter_language, other_needs)
    )
    if errors or starts_at is None or length_minutes is None:  # a missing time or length has its error above
        raise InvalidMeeting(errors)
    meeting = current_meeting(case)
    if meeting is None or meeting.status != MeetingStatus.PLANNED:
        meeting = Meeting(case_id=case.id, created_by_staff_id=staff.id)
        db.session.add(meeting)
    changed = meeting.id is not None
    new_time = meeting.starts_at != starts_at
    meeting.starts_at = starts_at
    _fill(
        meeting,
        length_minutes,
        mode,
        place,
        video_link,
        phone,
        interpreter_language,
        interpreter_booked,
        other_needs,
    )
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


def _place_errors(
    length_minutes: int | None,
    mode: str,
    place: str,
    video_link: str,
    phone: str,
    interpreter_language: str,
    other_needs: str,
) -> dict[str, str]:
    """Length, how you meet and where: the same for a planned meeting and one recorded after the fact."""
    errors: dict[str, str] = {}
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
    return errors


def _fill(
    meeting: Meeting,
    length_minutes: int,
    mode: str,
    place: str,
    video_link: str,
    phone: str,
    interpreter_language: str,
    interpreter_booked: bool,
    other_needs: str,
) -> None:
    meeting.length_minutes = length_minutes
    meeting.mode = MeetingMode(mode)
    meeting.place = place.strip()
    meeting.video_link = video_link.strip()
    meeting.phone = phone.strip()
    meeting.interpreter_language = interpreter_language.strip()
    meeting.interpreter_booked = bool(interpreter_booked)
    meeting.other_needs = other_needs.strip()


def took_place_errors(
    case: SipCase, took_place_at: datetime | None, now: datetime | None = None
) -> dict[str, str]:
    """A meeting that already happened: a time not in the future and not before the SIP was asked for."""
    if took_place_at is None:
        return {"date": N_("Skriv datum och tid när mötet var")}
    if took_place_at > (now or utcnow()):
        return {"date": N_("Mötet kan inte ha varit i framtiden. Skriv när det var.")}
    if took_place_at < case.requested_at:
        return {"date": N_("Mötet kan inte ha varit innan SIP:en började. Skriv när det var.")}
    return {}


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


def relative_invitation(staff: StaffUser, case: SipCase, invitation_id: str) -> Invitation:
    """A relative's (or support person's) invitation to the planned meeting, reached by a personal link: the
    ones the coordinator may send a new link for. NotFound for anything else."""
    _require(staff, Action.STAFF_INVITE, case)
    invitation = db.session.scalar(
        select(Invitation)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(Invitation.public_id == invitation_id, Meeting.case_id == case.id)
    )
    if (
        invitation is None
        or invitation.participant.role not in GUEST_ROLES
        or invitation.participant.person_id is not None
        or invitation.participant.removed_at is not None
        or invitation.status in _SENDABLE_AGAIN
    ):
        raise NotFound(N_("Sidan finns inte."))
    meeting = db.session.get_one(Meeting, invitation.meeting_id)
    if meeting.status != MeetingStatus.PLANNED:
        raise NotFound(N_("Sidan finns inte."))
    return invitation


def new_relative_link(staff: StaffUser, case: SipCase, invitation: Invitation) -> str:
    """A new personal link for the relative: the old one stops working (only a hash of each is stored, so the
    old one cannot be sent again). Returns the new secret, to be sent or shown once."""
    meeting = db.session.get_one(Meeting, invitation.meeting_id)
    access_links.revoke_all(case, LinkPurpose.RELATIVE_INVITATION, staff, invitation_id=invitation.id)
    return access_links.create(
        LinkPurpose.RELATIVE_INVITATION,
        case,
        staff,
        invitation_id=invitation.id,
        days=max(1, (meeting.starts_at - utcnow()).days + 14),
    ).secret


def _tell_invited(invitation: Invitation, kind: NotificationKind) -> None:
    """An invited unit is told through every one of its staff, not only a coordinator it may not have."""
    party = invitation.participant
    case = db.session.get_one(SipCase, db.session.get_one(Meeting, invitation.meeting_id).case_id)
    if party.unit_id is not None:
        for staff in recipients.unit_staff(party.unit_id):
            notifications.notify(staff, kind, case)
    elif party.person is not None:
        notifications.notify(party.person, kind, case)


# --- Children: the school [issue 16] [DA 3.3.1] -------------------------------------------------------------


@dataclass(frozen=True)
class SchoolCheck:
    """For a SIP about a child: the school parties the consent covers (invited with the others), and the names
    of schools taking part that the consent does not name. No covered school: the coordinator is told."""

    schools: list[Participant]
    not_covered: list[str]

    @property
    def missing(self) -> bool:
        return not self.schools


_NOT_READ = object()


def school_check(case: SipCase, today: date | None = None, scope: object = _NOT_READ) -> SchoolCheck | None:
    """None when there is nothing to say: the SIP is not about a child, it is closed, no consent is in force
    yet (the guardians are still answering), or the school itself coordinates it. ``scope``: the consent in
    force when the caller has read it already (the staff case page), so it is not read twice."""
    day = today or utcnow().astimezone(SWEDISH_TIME).date()
    subject = case.subject
    if subject is None or case.is_closed or not subject.is_child_on(day):
        return None
    owner = case.owning_unit
    if owner is not None and owner.kind == UnitKind.SCHOOL:
        return None
    if scope is _NOT_READ:
        scope = consent.in_force(case, day)
    if not isinstance(scope, Scope):
        return None
    if "participants" in inspect(case).unloaded:
        parties = list(
            db.session.scalars(
                select(Participant)
                .join(Unit, Unit.id == Participant.unit_id)
                .where(
                    Participant.case_id == case.id,
                    Participant.role == ParticipantRole.UNIT,
                    Participant.removed_at.is_(None),
                    Unit.kind == UnitKind.SCHOOL,
                )
                .options(selectinload(Participant.unit))
                .order_by(Participant.id)
            )
        )
    else:  # the staff case page has them, with their units, already
        parties = sorted(
            (
                p
                for p in case.participants
                if p.role == ParticipantRole.UNIT
                and p.removed_at is None
                and p.unit is not None
                and p.unit.kind == UnitKind.SCHOOL
            ),
            key=lambda p: p.id,
        )
    covered, not_covered = [], []
    for party in parties:
        assert party.unit is not None  # joined on its unit
        if scope.covers_unit(party.unit.public_id):
            covered.append(party)
        else:
            not_covered.append(party.unit.name)
    return SchoolCheck(covered, not_covered)


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
    """A unit answers: coming (and who), or not coming and who comes instead; or that it does not know the
    person [issue 16] [DA 3.6] (a note is optional), and then the coordinator is told so in plain words."""
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
    if invitation.meeting.status != MeetingStatus.PLANNED:
        raise NotAllowed(N_("Mötet har redan varit. Svaret kan inte ändras."))
    errors: dict[str, str] = {}
    if status not in UNIT_ANSWERS:
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
    if invitation.status == InvitationStatus.NOT_KNOWN:
        _tell_not_known(staff, case, invitation)
        return invitation
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None and coordinator.id != staff.id:
        notifications.notify(coordinator, NotificationKind.INVITATION_ANSWERED, case)
    return invitation


def _tell_not_known(staff: StaffUser, case: SipCase, invitation: Invitation) -> None:
    """The coordinator (or, with none yet, the owning unit's coordinators) is told which unit does not know
    the person: they may have invited the wrong unit, or the person's details may be wrong."""
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None:
        told = [coordinator]
    elif case.owning_unit_id is not None:
        told = recipients.unit_coordinators(case.owning_unit_id)
    else:
        told = []
    unit = invitation.participant.unit
    for someone in told:
        if someone.id == staff.id:
            continue
        notifications.notify(
            someone,
            NotificationKind.UNIT_DOES_NOT_KNOW_PERSON,
            case,
            data={"unit": unit.name if unit else "", "invitation": invitation.public_id},
        )


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
    took_place_at: datetime | None = None,
) -> Meeting:
    """The coordinator marks the meeting held; the plan must then be documented within 2 working days.

    Not without saying what happened with the consent at the start of the meeting (``confirmation``): it is
    kept in the consent history [issue 15].

    When [issue 16]: from the booked start on, as booked. A meeting that in fact took place earlier than
    booked (moved by phone, say) is marked held with the real time (``took_place_at``: not in the future, not
    before the SIP was asked for); the meeting then shows that time, and the plan is due 2 working days
    after it.
    """
    _require(staff, Action.STAFF_INVITE, case)
    meeting = current_meeting(case)
    if meeting is None or meeting.status != MeetingStatus.PLANNED:
        raise NotAllowed(N_("Det finns inget planerat möte."))
    moment = now or utcnow()
    errors: dict[str, str] = {}
    if took_place_at is not None:
        errors = took_place_errors(case, took_place_at, moment)
    elif meeting.starts_at > moment:
        errors["date"] = N_("Mötet har inte börjat än. Om det redan har varit: skriv när det var.")
    held_at = took_place_at if took_place_at is not None and not errors else moment
    errors.update(meeting_consent.errors_in(case, confirmation, held_at.astimezone(SWEDISH_TIME).date()))
    if "date" in errors:
        raise InvalidMeeting(errors)
    if errors:
        raise meeting_consent.InvalidConfirmation(errors)
    if took_place_at is not None:
        meeting.starts_at = took_place_at
    return _held(staff, case, meeting, confirmation, held_at, took_place_at is not None)


def _held(
    staff: StaffUser,
    case: SipCase,
    meeting: Meeting,
    confirmation: meeting_consent.Confirmation,
    held_at: datetime,
    after_the_fact: bool,
) -> Meeting:
    """The meeting is held: the consent confirmed at its start (as it was that day), the step, the history."""
    day = held_at.astimezone(SWEDISH_TIME).date()
    errors = meeting_consent.errors_in(case, confirmation, day)
    if errors:
        raise meeting_consent.InvalidConfirmation(errors)
    meeting_consent.record(staff, case, confirmation, day)
    meeting.status = MeetingStatus.HELD
    meeting.held_at = held_at
    if after_the_fact:
        audit.record(staff, "meeting.recorded_after", case, meeting=meeting.public_id)
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


def record_past_meeting(
    staff: StaffUser,
    case: SipCase,
    *,
    took_place_at: datetime | None,
    length_minutes: int | None,
    mode: str,
    place: str = "",
    video_link: str = "",
    phone: str = "",
    confirmation: meeting_consent.Confirmation,
    now: datetime | None = None,
) -> Meeting:
    """A meeting that already happened, written down afterwards and held at once [issue 16].

    When and where it was, and what happened with the consent at its start. Not while a meeting is planned:
    that one is marked held instead (``mark_held`` with the real time). Nobody is invited to it afterwards.
    """
    _require(staff, Action.STAFF_INVITE, case)
    planned = current_meeting(case)
    if planned is not None and planned.status == MeetingStatus.PLANNED:
        raise NotAllowed(N_("Det finns redan ett planerat möte. Markera det som hållet i stället."))
    moment = now or utcnow()
    errors = took_place_errors(case, took_place_at, moment)
    errors.update(_place_errors(length_minutes, mode, place, video_link, phone, "", ""))
    held_at = took_place_at if took_place_at is not None and "date" not in errors else moment
    errors.update(meeting_consent.errors_in(case, confirmation, held_at.astimezone(SWEDISH_TIME).date()))
    if errors or took_place_at is None or length_minutes is None:
        raise InvalidMeeting(errors)
    meeting = Meeting(case_id=case.id, created_by_staff_id=staff.id, starts_at=took_place_at)
    _fill(meeting, length_minutes, mode, place, video_link, phone, "", False, "")
    db.session.add(meeting)
    db.session.flush()
    return _held(staff, case, meeting, confirmation, took_place_at, True)


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
