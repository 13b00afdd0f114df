"""Reading SIP cases: a person's overview and a single case for someone allowed to see it.

Every citizen page about a SIP knows who reads it and whose SIP it is, and says so [issue 13]. ``reader_of``
decides it, from the access policy's roles: the person, the child themself, a guardian with custody, a legal
representative or a relative. The case page's words for that reader (who started the SIP, what happens now,
the day of discharge) are decided here as sentences; the template only shows them. What happened, event by
event, is told by services/history.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    CoordinatorAssignment,
    Initiator,
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
from citizen_app.services.history import Sentence, say
from citizen_app.services.readers import Reader, ReaderKind

# How the overview's groups read: a child's guardian, a represented person's representative.
_OVERVIEW_KIND = {"child": ReaderKind.GUARDIAN, "represented": ReaderKind.REPRESENTATIVE}


@dataclass
class OverviewGroup:
    """One person whose SIPs the signed-in person may follow, and how they are related."""

    subject: Person
    relation: str  # "self", "child", "child_no_custody", "represented"
    representative_type: RepresentativeType | None = None
    cases: list[SipCase] = field(default_factory=list)
    # Who started each SIP, in the words of the step "requested" for this reader (by case id).
    started: dict[int, Sentence] = field(default_factory=dict)
    # "Du svarar för Karl Nyström. Du är god man." (None for the person's own SIPs).
    role: Sentence | None = None


def overview_for(person: Person, today: date | None = None) -> list[OverviewGroup]:
    """The person's own SIPs, then each child's (guardians) and each represented person's. Two queries, and
    a third for the names of others who asked for one of these SIPs (another guardian, say)."""
    day = today or date.today()
    groups = [OverviewGroup(subject=person, relation="self")]
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
            groups.append(OverviewGroup(subject=rel.subject, relation=relation))
        elif rel.kind == RelationKind.REPRESENTATIVE and rel.is_valid_on(day):
            groups.append(
                OverviewGroup(
                    subject=rel.subject, relation="represented", representative_type=rel.representative_type
                )
            )
    # A parent without custody sees that the child exists here, but none of the child's SIPs [DA 4.2].
    visible_ids = [g.subject.id for g in groups if g.relation != "child_no_custody"]
    cases = db.session.scalars(
        select(SipCase).where(SipCase.subject_id.in_(visible_ids)).order_by(SipCase.requested_at.desc())
    ).all()
    by_subject: dict[int, list[SipCase]] = {}
    for case in cases:
        by_subject.setdefault(case.subject_id, []).append(case)
    names = _names_of(
        {c.requested_by_person_id for c in cases if c.requested_by_person_id}
        - {person.id}
        - {g.subject.id for g in groups}
    )
    names.update({g.subject.id: g.subject.display_name for g in groups})
    for group in groups:
        group.role = role_words(
            _OVERVIEW_KIND.get(group.relation), group.subject.display_name, group.representative_type
        )
        if group.relation != "child_no_custody":
            group.cases = by_subject.get(group.subject.id, [])
            for case in group.cases:
                requester = case.requested_by_person_id
                group.started[case.id] = origin_of(
                    case,
                    person.id,
                    group.subject.id,
                    group.subject.display_name,
                    requester,
                    names.get(requester),
                ).label
    return groups


def _names_of(person_ids: set[int]) -> dict[int, str]:
    """Names of a few people (who asked for a SIP), in one query; none when there is nobody to look up."""
    if not person_ids:
        return {}
    return dict(
        db.session.execute(select(Person.id, Person.display_name).where(Person.id.in_(person_ids))).all()
    )


def get_case_for(actor, public_id: str, action: Action) -> SipCase:
    """The case with ``public_id`` if ``actor`` may do ``action`` on it; otherwise NotFound.

    Citizens get "not found" rather than "forbidden" so a guessed id tells nothing about whether it exists.
    """
    case = db.session.scalar(
        select(SipCase).where(SipCase.public_id == public_id).options(joinedload(SipCase.subject))
    )
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


def role_words(kind: ReaderKind | None, name: str, rep_type: RepresentativeType | None) -> Sentence | None:
    """ "Du svarar för Karl Nyström. Du är god man." — who the reader is towards the SIP's person."""
    if kind == ReaderKind.GUARDIAN:
        return say(N_("Du svarar för %(name)s. Du är vårdnadshavare."), name=name)
    if kind == ReaderKind.REPRESENTATIVE:
        if rep_type == RepresentativeType.GOD_MAN:
            return say(N_("Du svarar för %(name)s. Du är god man."), name=name)
        if rep_type == RepresentativeType.FORVALTARE:
            return say(N_("Du svarar för %(name)s. Du är förvaltare."), name=name)
        if rep_type == RepresentativeType.FRAMTIDSFULLMAKT:
            return say(N_("Du svarar för %(name)s. Du har en framtidsfullmakt."), name=name)
        return say(N_("Du svarar för %(name)s. Du är ställföreträdare."), name=name)
    if kind == ReaderKind.CHILD:
        return say(N_("Det här är din SIP. Dina föräldrar säger ja till den. Du får säga vad du tycker."))
    if kind == ReaderKind.RELATIVE:
        return say(N_("Du är närstående till %(name)s."), name=name)
    return None


# --- Who started the SIP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    label: Sentence  # the step "requested" in the list of steps: "Du har bett om en SIP"
    about: Sentence  # a sentence on the case page: "Personalen på Sjukhuset startade SIP:en."


def origin_of(
    case: SipCase,
    reader_id: int,
    subject_id: int | None,
    subject_name: str,
    requester_id: int | None,
    requester_name: str | None,
    unit: str | None = None,
) -> Origin:
    """Who started the SIP, told to this reader: staff, the reader, someone named, or someone close."""
    if case.initiated_by == Initiator.STAFF:
        return Origin(
            say(N_("Personalen har startat SIP:en")),
            say(N_("Personalen på %(unit)s startade SIP:en."), unit=unit)
            if unit
            else say(N_("Personalen startade SIP:en.")),
        )
    if case.initiated_by == Initiator.RELATIVE:
        about = (
            say(N_("Någon som står dig nära föreslog SIP:en."))
            if reader_id == subject_id
            else say(N_("Någon som står %(name)s nära föreslog SIP:en."), name=subject_name)
        )
        return Origin(say(N_("Någon har föreslagit en SIP")), about)
    if case.initiated_by == Initiator.PERSON:
        requester_id, requester_name = subject_id, subject_name  # the person asked, by definition
    if requester_id is not None and requester_id == reader_id:
        return Origin(say(N_("Du har bett om en SIP")), say(N_("Du bad om SIP:en.")))
    if requester_name:
        return Origin(
            say(N_("%(name)s har bett om en SIP"), name=requester_name),
            say(N_("%(name)s bad om SIP:en."), name=requester_name),
        )
    if case.initiated_by == Initiator.GUARDIAN:
        return Origin(
            say(N_("En vårdnadshavare har bett om en SIP")), say(N_("En vårdnadshavare bad om SIP:en."))
        )
    return Origin(
        say(N_("En ställföreträdare har bett om en SIP")), say(N_("En ställföreträdare bad om SIP:en."))
    )


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


def preparation_words(reader: Reader) -> list[Sentence]:
    """The start of "Inför mötet": whose answers these are. The questions say "du"; someone who answers
    for another person is told that they are about that person [issue 13]."""
    name = reader.subject_name
    if reader.kind == ReaderKind.REPRESENTATIVE:
        return [
            say(N_("Här tänker du efter före mötet. Vad är viktigt för %(name)s?"), name=name),
            say(N_("Frågorna säger du, men de handlar om %(name)s."), name=name),
            say(N_("Skriv det %(name)s tycker, så gott du vet. Fråga %(name)s om det går."), name=name),
        ]
    if reader.kind == ReaderKind.GUARDIAN:
        return [
            say(
                N_("Här tänker du efter före mötet. Vad behöver %(name)s och familjen hjälp med?"), name=name
            ),
            say(N_("Svaren är dina, som vårdnadshavare. De handlar om hur %(name)s har det."), name=name),
        ]
    return [
        say(N_("Här kan du tänka efter före mötet. Vad vill du ha hjälp med? Vad är viktigt för dig?")),
        say(N_("Dina svar gör att mötet handlar om det du tycker är viktigt.")),
    ]
