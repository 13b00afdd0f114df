"""Whose pages "Min röst" are: the child a case is about, through their own code or signed in [issue 5].

A child's code opens the child's pages of ONE case and nothing else: any other case id is "not found", as is
a closed case. A signed-in person uses the pages only as the child of the case (Role.CHILD_SELF): a guardian
answers their own questions on the preparation pages, never as the child. What the child may answer and who
reads it is decided in services/preparation.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.models import AccessLink, Person, SipCase, Step
from citizen_app.services import N_, NotFound, cases, people

SWEDISH_TIME = ZoneInfo("Europe/Stockholm")  # "i dag" is the child's day, in Sweden

# The child's timeline has four steps, in few words (the texts are in templates/child/). Each SIP step is
# shown as one of them: before the meeting the child answers questions; then the meeting, the plan, and
# the follow-up ("vi ses igen").
CHILD_STEPS = ("questions", "meeting", "plan", "again")
_CHILD_STEP_OF = {
    Step.REQUESTED: "questions",
    Step.CONSENT: "questions",
    Step.PREPARATION: "questions",
    Step.INVITED: "meeting",
    Step.MEETING_HELD: "plan",
    Step.PLAN_DOCUMENTED: "plan",
    Step.PLAN_APPROVED: "again",
    Step.FOLLOW_UP: "again",
}


@dataclass(frozen=True)
class ChildPages:
    child: Person
    case: SipCase
    by_code: bool  # opened with a code in this browser session (not signed in as the child)

    @property
    def current_step(self) -> str:
        return _CHILD_STEP_OF.get(self.case.step, "questions")


def _not_found() -> NotFound:
    return NotFound(N_("Sidan finns inte."))


def case_of_link(link: AccessLink) -> SipCase:
    """The case a child's code opens, to send the child to its pages (by the case's public id)."""
    case = cases.case_with_id(link.case_id)
    if case is None or case.is_closed:
        raise _not_found()
    return case


def open_pages(actor, link: AccessLink | None, public_id: str) -> ChildPages:
    """The child's pages of the case ``public_id``, for an opened code or a signed-in child; NotFound else."""
    if link is not None:
        case = cases.find_case(public_id)
        if case is None or case.id != link.case_id or case.is_closed:
            raise _not_found()
        child = people.person_with_id(link.person_id) if link.person_id else case.subject
        if child is None or child.id != case.subject_id:
            raise _not_found()
        return ChildPages(child=child, case=case, by_code=True)
    # Only the child the case is about holds GIVE_OWN_CHILD_VIEW; guardians and others get "not found".
    case = cases.get_case_for(actor, public_id, Action.GIVE_OWN_CHILD_VIEW)
    if case.is_closed:
        raise _not_found()
    return ChildPages(child=actor, case=case, by_code=False)


def open_cases_of_child(person: Person, today: date | None = None) -> list[SipCase]:
    """A signed-in child's own open SIPs, to find their pages without a code."""
    day = today or date.today()
    if not person.is_child_on(day):
        return []
    return [
        case
        for case in cases.open_cases_about(person)
        if Role.CHILD_SELF in access.roles_of(person, case, day)
    ]


@dataclass(frozen=True)
class MeetingMoment:
    """Where the child is in time to the meeting, so the pages say what is true [issue 13]: "soon" (no
    day set yet), "before" (on ``day``), "today", or "after" (it has been held, or its day is past)."""

    when: str
    day: date | None = None


def meeting_moment(case: SipCase, today: date | None = None) -> MeetingMoment:
    """From the current meeting (one small query, cases.meeting_time): a planned one is ahead, today or
    past its day; a held one is past. Without a meeting, a SIP past the meeting step is "after" too."""
    day = today or date.today()
    meeting = cases.meeting_time(case)
    if meeting is None:
        return MeetingMoment("after" if case.step.position >= Step.MEETING_HELD.position else "soon")
    meeting_day = meeting.starts_at.astimezone(SWEDISH_TIME).date()
    if meeting.held or meeting_day < day:
        return MeetingMoment("after", meeting_day)
    if meeting_day == day:
        return MeetingMoment("today", meeting_day)
    return MeetingMoment("before", meeting_day)
