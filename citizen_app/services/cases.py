"""Reading SIP cases: a person's overview and a single case for someone allowed to see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import Person, RelationKind, Relationship, RepresentativeType, SipCase, Step
from citizen_app.services import N_, NotFound


@dataclass
class OverviewGroup:
    """One person whose SIPs the signed-in person may follow, and how they are related."""

    subject: Person
    relation: str  # "self", "child", "child_no_custody", "represented"
    representative_type: RepresentativeType | None = None
    cases: list[SipCase] = field(default_factory=list)


def overview_for(person: Person, today: date | None = None) -> list[OverviewGroup]:
    """The person's own SIPs, then each child's (guardians) and each represented person's. Two queries."""
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
    for group in groups:
        if group.relation != "child_no_custody":
            group.cases = by_subject.get(group.subject.id, [])
    return groups


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


def timeline_of(case: SipCase) -> list[TimelineStep]:
    """The steps of SIP.md 3 in order, each done (with its date), current, or still to come.

    A closed case shows the steps it passed and then "closed" as current; steps it never reached are left out.
    """
    reached: dict[str, object] = {}
    for event in case.events:
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


@dataclass
class CasePage:
    """Everything the citizen's case page shows, decided here so the template only displays it."""

    case: SipCase
    timeline: list[TimelineStep]
    deadlines: list
    coordinator: object | None
    events: list
    can_cancel: bool
    must_answer_suggestion: bool
    is_own: bool
    can_prepare: bool = False  # "Inför mötet" [issue 5]
    meeting: object | None = None  # the planned or held meeting, for the person and those acting for them
    child_voice: bool = False  # the child themself, signed in: "Min röst"
    has_plan: bool = False  # a plan version exists: "Min plan" [issue 6]


def case_page_for(actor, public_id: str, today: date | None = None) -> CasePage:
    from citizen_app.services import deadlines, meetings, plan_pages, preparation, recipients, requests

    case = get_case_for(actor, public_id, Action.VIEW_CASE)
    day = today or date.today()
    allowed = access.allowed_actions(actor, case)
    return CasePage(
        case=case,
        timeline=timeline_of(case),
        deadlines=[] if case.is_closed else deadlines.deadlines_for(case, day),
        coordinator=recipients.current_coordinator(case),
        events=[e for e in case.events if e.visible_to_person],
        can_cancel=requests.can_cancel(actor, case) and not case.awaiting_person_agreement,
        must_answer_suggestion=(
            case.awaiting_person_agreement and access.can(actor, Action.ACCEPT_SUGGESTION, case)
        ),
        is_own=case.subject_id == actor.id,
        can_prepare=preparation.can_prepare(actor, case),
        meeting=(
            meetings.current_meeting(case)
            if Action.VIEW_INVITATION in allowed and Action.PREPARE_MEETING in allowed
            else None
        ),
        child_voice=not case.is_closed and Action.GIVE_OWN_CHILD_VIEW in allowed,
        # A plan is written after the meeting: before that no query is needed to know there is none.
        has_plan=(
            Action.VIEW_PLAN in allowed
            and case.step.position >= Step.MEETING_HELD.position
            and plan_pages.has_plan(case)
        ),
    )
