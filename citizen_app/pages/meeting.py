"""What each reader sees of the meeting and its invitation [issue 5] [SIP.md 3.4].

The pages only show what these functions hand them, so who-sees-what is decided here, next to the rules:
- The coordinator: the person's preparation (answers, agenda, the private list "inte prata om", who should
  come, where and how), the child's answers, the meeting and every invitation with its answer.
- Other staff of the case: the meeting and the invitation's contents; never the private list, the child's
  answers or the person's own preparation answers.
- Staff of an invited unit: their unit's invitation and its contents, and answer it.
- A relative through their link: the meeting, who is invited, the agenda only if the person shares it, and
  the coordinator's contact. Nothing of the plan, the consent, the answers or the person's needs.
- The person (or guardian, representative): the meeting, who is invited and who has answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from citizen_app import access
from citizen_app.access import Action
from citizen_app.models import (
    AccessLink,
    AgendaItem,
    AgendaList,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingMode,
    MeetingStatus,
    Participant,
    ParticipantRole,
    PreparationAnswer,
    SipCase,
    StaffUser,
    SuggestionStatus,
    Voice,
    utcnow,
)
from citizen_app.services import (
    N_,
    NotFound,
    access_links,
    audit,
    cases,
    consent,
    meetings,
    preparation,
    recipients,
    unit_invitations,
)

# --- The invitation's contents, the same for everyone who may read it ---------------------------------------


@dataclass(frozen=True)
class Invited:
    """One invited party as the invitation names it: a unit by name, a guest by name and kind."""

    name: str
    kind: str  # "unit", "relative" or "support_person"
    status: str
    public_id: str
    answered_at: datetime | None = None  # shown as it was once the meeting is held [issue 16]


@dataclass(frozen=True)
class InvitationContents:
    """What SIP.md 3.4 says an invitation states."""

    meeting: Meeting
    about: str  # who the meeting is about
    agenda: list[AgendaItem]  # the person's "prata om", in their order ([] when not for this reader)
    invited: list[Invited]
    coordinator: StaffUser | None
    show_needs: bool  # interpreter and other needs: for staff and the person, not for relatives


def _invited(meeting: Meeting) -> list[Invited]:
    found = []
    for invitation in meeting.invitations:
        if invitation.status == InvitationStatus.CANCELLED:
            continue
        party = invitation.participant
        if party.role == ParticipantRole.UNIT:
            name = party.unit.name if party.unit else ""
        else:
            name = party.name or (party.person.display_name if party.person else "")
        found.append(
            Invited(
                name, party.role.value, invitation.status.value, invitation.public_id, invitation.answered_at
            )
        )
    return found


def contents(case: SipCase, meeting: Meeting, *, for_guest: bool = False) -> InvitationContents:
    """The invitation as an invited party reads it. A guest sees the agenda only if the person shares it."""
    share_agenda = not for_guest or preparation.relatives_see_agenda(case)
    return InvitationContents(
        meeting=meeting,
        about=case.subject.display_name if case.subject else "",
        agenda=preparation.agenda(case, AgendaList.TALK_ABOUT) if share_agenda else [],
        invited=_invited(meeting),
        coordinator=recipients.current_coordinator(case),
        show_needs=not for_guest,
    )


# --- The coordinator's page (and what other staff of the case see of it) ------------------------------------


@dataclass(frozen=True)
class InvitationRow:
    """One line of the coordinator's overview of the invitations."""

    invitation: Invitation
    name: str
    kind: str
    due: datetime
    late: bool


@dataclass
class StaffMeetingPage:
    case: SipCase
    meeting: Meeting | None
    is_coordinator: bool
    contents: InvitationContents | None
    # The coordinator only (empty for anyone else):
    person_answers: dict[str, PreparationAnswer] = field(default_factory=dict)
    guardian_themes: tuple[str, ...] = ()
    agenda: list[AgendaItem] = field(default_factory=list)
    from_relatives: set[int] = field(default_factory=set)  # agenda items a relative suggested
    private_list: list[AgendaItem] = field(default_factory=list)
    wished_units: list[str] = field(default_factory=list)
    guests: list[Participant] = field(default_factory=list)
    child_answers: dict[str, PreparationAnswer] = field(default_factory=dict)
    invitable: list[Participant] = field(default_factory=list)
    rows: list[InvitationRow] = field(default_factory=list)
    may_mark_held: bool = False
    may_give_child_code: bool = False
    # issue 16: a meeting that already happened; the school of a child [DA 3.3.1]; units that do not know
    # the person.
    may_record_past: bool = False
    started: bool = False  # the booked start has come: "held" is as booked, else with the real time
    school: meetings.SchoolCheck | None = None

    @property
    def held(self) -> bool:
        return self.meeting is not None and self.meeting.status == MeetingStatus.HELD

    @property
    def not_known(self) -> list[InvitationRow]:
        return [r for r in self.rows if r.invitation.status == InvitationStatus.NOT_KNOWN]

    @property
    def school_ids(self) -> list[str]:
        """The covered schools not invited yet: chosen beforehand on the invitation page."""
        if self.school is None:
            return []
        invited = self.invited_ids()
        return [p.public_id for p in self.school.schools if p.id not in invited]

    @property
    def who_comes(self) -> dict:
        row = self.person_answers.get(preparation.WHO_COMES)
        return row.choice if row else {}

    @property
    def where_how(self) -> dict:
        row = self.person_answers.get(preparation.WHERE_HOW)
        return row.choice if row else {}

    def invited_ids(self) -> set[int]:
        # A held invitation [issue 15] may be sent again once the consent covers the party.
        return {
            r.invitation.participant_id for r in self.rows if r.invitation.status != InvitationStatus.HELD
        }


# Cancelled, or held at the 18th birthday until the young adult's own consent covers the party [issue 15].
_NOT_ANSWERABLE = (InvitationStatus.CANCELLED, InvitationStatus.HELD)


def _party_name(party: Participant) -> str:
    if party.role == ParticipantRole.UNIT:
        return party.unit.name if party.unit else ""
    return party.name or (party.person.display_name if party.person else "")


def staff_meeting_page(staff: StaffUser, case: SipCase, now: datetime | None = None) -> StaffMeetingPage:
    """The staff side's meeting page. ``case`` comes from intake.get_case (access checked, audited)."""
    moment = now or utcnow()
    meeting = meetings.current_meeting(case)
    coordinator = preparation.is_coordinator(staff, case) and access.can(staff, Action.STAFF_INVITE, case)
    page = StaffMeetingPage(
        case=case,
        meeting=meeting,
        is_coordinator=coordinator,
        contents=contents(case, meeting) if meeting else None,
    )
    if not coordinator:
        return page
    page.may_give_child_code = preparation.can_give_child_code(staff, case)
    answers = preparation.answers(case, Voice.PERSON)
    page.person_answers = answers
    page.guardian_themes = preparation.GUARDIAN_THEMES
    page.agenda = preparation.agenda(case, AgendaList.TALK_ABOUT)
    page.from_relatives = {i.id for i in page.agenda if i.suggested_by_invitation_id is not None}
    page.private_list = preparation.private_list_for(staff, case)
    page.child_answers = preparation.child_answers_for(staff, case)
    page.guests = preparation.guests(case)
    wished = set(page.who_comes.get("units", []))
    if wished:
        page.wished_units = preparation.wished_unit_names(wished)
    if not case.is_closed:
        page.invitable = meetings.invitable(case)
        page.school = meetings.school_check(case)
    planned = meeting is not None and meeting.status == MeetingStatus.PLANNED
    page.may_record_past = not case.is_closed and not planned
    if meeting is not None:
        page.rows = [
            InvitationRow(
                invitation=inv,
                name=_party_name(inv.participant),
                kind=inv.participant.role.value,
                due=meetings.answer_due(inv),
                # No deadline for a meeting that is held: the answers are shown as they were [issue 16].
                late=planned and meetings.is_late(inv, moment),
            )
            for inv in meeting.invitations
            if inv.status != InvitationStatus.CANCELLED
        ]
        # From the booked start on; before it, with the real time if it in fact took place [issue 16].
        page.may_mark_held = planned
        page.started = meeting.starts_at <= moment
    return page


# --- Staff of an invited unit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitInvitation:
    invitation: Invitation
    case: SipCase
    unit_name: str
    contents: InvitationContents
    due: datetime
    late: bool

    @property
    def is_open(self) -> bool:
        return (
            self.invitation.status not in _NOT_ANSWERABLE
            and not self.case.is_closed
            and self.contents.meeting.status == MeetingStatus.PLANNED
        )

    @property
    def held(self) -> bool:
        return self.contents.meeting.status == MeetingStatus.HELD


def _unit_invitation(staff: StaffUser, invitation: Invitation, moment: datetime) -> UnitInvitation | None:
    case = cases.case_with_id(invitation.meeting.case_id)
    party = invitation.participant
    if (
        case is None
        or party.unit_id is None
        or party.unit_id not in {m.unit_id for m in staff.memberships}
        or not access.can(staff, Action.STAFF_ANSWER_INVITATION, case)
    ):
        return None
    unit = party.unit
    if unit is None:  # never, as unit_id is set; said for the type checker
        return None
    # Nothing is shared with a unit the consent no longer names [DA 4.2], not even the invitation.
    scope = consent.in_force(case)
    if scope is None or not scope.covers_unit(unit.public_id):
        return None
    return UnitInvitation(
        invitation=invitation,
        case=case,
        unit_name=unit.name,
        contents=contents(case, invitation.meeting),
        due=meetings.answer_due(invitation),
        late=invitation.meeting.status == MeetingStatus.PLANNED and meetings.is_late(invitation, moment),
    )


def unit_invitations_for(staff: StaffUser, now: datetime | None = None) -> list[UnitInvitation]:
    """ "Inbjudningar till er enhet": invitations to the staff user's units for meetings still planned."""
    moment = now or utcnow()
    found = unit_invitations.open_invitations_to_units_of(staff)
    pages = (_unit_invitation(staff, invitation, moment) for invitation in found)
    return [p for p in pages if p is not None]


def unit_invitation_for(staff: StaffUser, public_id: str, now: datetime | None = None) -> UnitInvitation:
    """One invitation to the staff user's unit, or NotFound (also for other units' invitations)."""
    invitation = unit_invitations.invitation_with_meeting(public_id)
    page = _unit_invitation(staff, invitation, now or utcnow()) if invitation else None
    if page is None:
        raise NotFound(N_("Sidan finns inte."))
    # The page shows what the meeting is about and who comes: a staff read of the SIP [QUALITY 4].
    audit.record(staff, "invitation.read", page.case, invitation=public_id)
    return page


# --- A relative through their personal link -----------------------------------------------------------------


@dataclass(frozen=True)
class GuestPage:
    invitation: Invitation
    contents: InvitationContents
    may_download_calendar: bool
    own_suggestions: list[AgendaItem]  # what this relative suggested, and whether the person took it

    @property
    def is_open(self) -> bool:
        return (
            self.invitation.status not in _NOT_ANSWERABLE
            and self.contents.meeting.status == MeetingStatus.PLANNED
        )


def guest_page(link: AccessLink) -> GuestPage:
    """The relative's page behind a link already checked (guards.invitation_link)."""
    invitation = meetings.invitation_for_link(link.id)
    case = cases.case_with_id(invitation.meeting.case_id)
    if case is None or case.id != link.case_id:
        raise access_links.LinkNotValid()
    return GuestPage(
        invitation=invitation,
        contents=contents(case, invitation.meeting, for_guest=True),
        may_download_calendar=meetings.may_download_calendar(invitation),
        own_suggestions=preparation.suggestions_through(invitation.id),
    )


def case_of_link(link: AccessLink) -> SipCase:
    """The case of a relative's link already checked (guards.invitation_link)."""
    case = cases.case_with_id(link.case_id)
    if case is None:  # a link belongs to its case; never without one
        raise access_links.LinkNotValid()
    return case


# --- The person, a guardian or a representative -------------------------------------------------------------


@dataclass(frozen=True)
class CitizenMeetingPage:
    case: SipCase
    meeting: Meeting | None
    contents: InvitationContents | None
    pending_topics: list[AgendaItem]  # relatives' suggestions waiting for the person's answer


def citizen_meeting_page(case: SipCase) -> CitizenMeetingPage:
    """``case`` was read with cases.get_case_for(actor, id, Action.VIEW_INVITATION)."""
    meeting = meetings.current_meeting(case)
    return CitizenMeetingPage(
        case=case,
        meeting=meeting,
        contents=contents(case, meeting) if meeting else None,
        pending_topics=preparation.agenda(case, AgendaList.TALK_ABOUT, SuggestionStatus.PENDING),
    )


def calendar_place(meeting: Meeting) -> tuple[str, str]:
    """The mode and the place for the calendar file: an address, a link or a number. No names."""
    if meeting.mode == MeetingMode.VIDEO:
        return "video", meeting.video_link
    if meeting.mode == MeetingMode.PHONE:
        return "phone", meeting.phone
    return "in_person", meeting.place
