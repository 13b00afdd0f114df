"""Reading SIP cases: whose SIPs a person follows, a single case for someone allowed to see it, and what the
case page reads.

Who may see what is the access policy's; the pages (citizen_app/pages/) decide what a page shows and say it
in words to its reader (pages/overview.py, pages/case.py, pages/reader_words.py). What happened, event by
event, is told by services/history.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    CoordinatorAssignment,
    Meeting,
    MeetingStatus,
    Person,
    RelationKind,
    Relationship,
    RepresentativeType,
    SipCase,
    StaffUser,
    Step,
)
from citizen_app.services import N_, NotFound, history


@dataclass(frozen=True)
class Followed:
    """Someone whose SIPs a person may follow (the person themself, a child, someone represented), and how
    they are related."""

    subject: Person
    relation: str  # "self", "child", "child_no_custody", "represented"
    representative_type: RepresentativeType | None = None

    @property
    def sees_cases(self) -> bool:
        """A parent without custody sees that the child exists, but none of the child's SIPs [DA 4.2]."""
        return self.relation != "child_no_custody"


def followed_by(person: Person, today: date | None = None) -> list[Followed]:
    """The person, then each child they are guardian of (while a child) and each person they represent (while
    the representation is valid), in the order the ties were made. One query."""
    day = today or date.today()
    found = [Followed(subject=person, relation="self")]
    rels = db.session.scalars(
        select(Relationship)
        .where(
            Relationship.holder_id == person.id,
            Relationship.kind.in_([RelationKind.GUARDIAN, RelationKind.REPRESENTATIVE]),
        )
        .options(selectinload(Relationship.subject))
        .order_by(Relationship.id)
    ).all()
    for rel in rels:
        if rel.kind == RelationKind.GUARDIAN and rel.subject.is_child_on(day):
            relation = "child" if rel.has_custody else "child_no_custody"
            found.append(Followed(subject=rel.subject, relation=relation))
        elif rel.kind == RelationKind.REPRESENTATIVE and rel.is_valid_on(day):
            found.append(
                Followed(
                    subject=rel.subject, relation="represented", representative_type=rel.representative_type
                )
            )
    return found


def cases_about(subject_ids: list[int]) -> list[SipCase]:
    """Every SIP about these people, newest first. One query."""
    return list(
        db.session.scalars(
            select(SipCase).where(SipCase.subject_id.in_(subject_ids)).order_by(SipCase.requested_at.desc())
        ).all()
    )


def names_of(person_ids: set[int]) -> dict[int, str]:
    """Names of a few people (who asked for a SIP), in one query; none when there is nobody to look up."""
    if not person_ids:
        return {}
    return dict(
        db.session.execute(select(Person.id, Person.display_name).where(Person.id.in_(person_ids))).all()
    )


def find_case(public_id: str) -> SipCase | None:
    """The case with ``public_id`` and its person, whoever asks: the caller checks who may see it."""
    return db.session.scalar(
        select(SipCase).where(SipCase.public_id == public_id).options(joinedload(SipCase.subject))
    )


def case_with_id(case_id: int) -> SipCase | None:
    """The case with this database id (from a link or an invitation), whoever asks; the caller checks."""
    return db.session.get(SipCase, case_id)


def open_cases_about(person: Person) -> list[SipCase]:
    """The person's own SIPs that are not closed, newest first. One query."""
    return list(
        db.session.scalars(
            select(SipCase)
            .where(SipCase.subject_id == person.id, SipCase.step != Step.CLOSED)
            .order_by(SipCase.requested_at.desc())
        )
    )


def get_case_for(actor, public_id: str, action: Action) -> SipCase:
    """The case with ``public_id`` if ``actor`` may do ``action`` on it; otherwise NotFound.

    Citizens get "not found" rather than "forbidden" so a guessed id tells nothing about whether it exists.
    """
    case = find_case(public_id)
    if case is None or not access.can(actor, action, case):
        raise NotFound(N_("Sidan finns inte."))
    return case


@dataclass(frozen=True)
class TimelineStep:
    step: str
    state: str  # "done", "current" or "next"
    done_at: object | None  # the UTC datetime the step was reached, if it was


def timeline_of(case: SipCase, events: list | None = None) -> list[TimelineStep]:
    """The steps of SIP.md 3 in order, each done (with its date), current, or still to come.

    A closed case shows the steps it passed and then "closed" as current; steps it never reached are left out.
    ``events`` are the case's events when they are read already (each has ``step`` and ``at``).
    """
    reached: dict[str, object] = {}
    for event in case.events if events is None else events:
        if event.step is not None and event.step not in reached:
            reached[event.step] = event.at
    reached.setdefault(Step.REQUESTED, case.requested_at)
    current = case.step
    steps = []
    for step in Step:
        if step.position < current.position:
            if case.is_closed and step not in reached:
                continue
            steps.append(TimelineStep(step.value, "done", reached.get(step)))
        elif step == current:
            steps.append(TimelineStep(step.value, "current", reached.get(step)))
        elif not case.is_closed:
            steps.append(TimelineStep(step.value, "next", None))
    return steps


# --- The meeting, in brief ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingTime:
    """When the case's current meeting is, and whether it was held (the meeting page has the rest)."""

    starts_at: datetime
    held: bool


def _current_meeting_id():
    """The planned meeting, or the last held one (meetings.current_meeting's rule), for the case in the
    enclosing query: a correlated subquery, so the case page reads it with the case."""
    return (
        select(Meeting.id)
        .where(Meeting.case_id == SipCase.id, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
        .correlate(SipCase)
        .scalar_subquery()
    )


def meeting_time(case: SipCase) -> MeetingTime | None:
    """The current meeting's time, in one small query (for the child's pages)."""
    row = db.session.execute(
        select(Meeting.starts_at, Meeting.status)
        .select_from(SipCase)
        .join(Meeting, Meeting.id == _current_meeting_id())
        .where(SipCase.id == case.id)
    ).first()
    return MeetingTime(row.starts_at, row.status == MeetingStatus.HELD) if row else None


# --- What the case page reads (pages/case.py builds the page) ---------------------------------------------


@dataclass(frozen=True)
class LoadedCase:
    """A case with its current coordinator and current meeting's time, read for the case page."""

    case: SipCase
    coordinator: StaffUser | None
    meeting: MeetingTime | None


def load_case(public_id: str) -> LoadedCase | None:
    """The case with its person, unit, current coordinator and current meeting's time: one query."""
    row = db.session.execute(
        select(SipCase, StaffUser, Meeting.starts_at, Meeting.status)
        .outerjoin(
            CoordinatorAssignment,
            and_(CoordinatorAssignment.case_id == SipCase.id, CoordinatorAssignment.ended_at.is_(None)),
        )
        .outerjoin(StaffUser, StaffUser.id == CoordinatorAssignment.staff_id)
        .outerjoin(Meeting, Meeting.id == _current_meeting_id())
        .where(SipCase.public_id == public_id)
        .options(joinedload(SipCase.subject), joinedload(SipCase.owning_unit))
        .limit(1)
    ).first()
    if row is None:
        return None
    case, coordinator, starts_at, status = row
    meeting = MeetingTime(starts_at, status == MeetingStatus.HELD) if starts_at is not None else None
    return LoadedCase(case, coordinator, meeting)


def visible_events(case: SipCase) -> list[history.Event]:
    """The case's events with the names of the citizens who did them: one query."""
    rows = db.session.execute(
        select(CaseEvent, Person.display_name)
        .outerjoin(Person, Person.id == CaseEvent.actor_person_id)
        .where(CaseEvent.case_id == case.id, CaseEvent.visible_to_person.is_(True))
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    return [
        history.Event(
            at=e.at,
            kind=e.kind,
            step=e.step,
            data=e.data or {},
            actor_person_id=e.actor_person_id,
            actor_staff_id=e.actor_staff_id,
            actor_name=name,
        )
        for e, name in rows
    ]
