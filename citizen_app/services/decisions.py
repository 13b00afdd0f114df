"""Decisions the plan waits for [SIP.md 5] [issue 13]: the coordinator writes in what was decided, and the
person is told. The plan promises "Du får veta när ett beslut är klart"; this keeps that promise.

- Only the SIP's coordinator records a decision (the one who writes the plan), while the SIP is open.
- Only a decision of the version in force: a draft's decisions are still being written and can simply be
  changed there. The approved version stays locked; the outcome is a row of its own (DecisionOutcome).
- One outcome per decision. A second try (a double click, another tab) changes nothing and tells nobody again.
- The person (unless a child, who follows the plan through the guardians), every guardian with custody and
  valid representatives get a message. It says only that a decision is made, never what it is about: the
  decision may be about health, and messages can end up as pushes on a locked screen.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    DecisionOutcome,
    NotificationKind,
    PendingDecision,
    PlanVersion,
    SipCase,
    StaffUser,
)
from citizen_app.services import (
    N_,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    audit,
    notifications,
    plans,
    recipients,
)

MAX_TEXT = 2000


class InvalidDecision(InvalidInput):
    pass


class AlreadyDecided(DomainError):
    """The decision has an outcome already: nothing was saved and nobody was told again."""

    def __init__(self) -> None:
        super().__init__(N_("Beslutet är redan inskrivet."))


def may_record(staff: StaffUser, case: SipCase) -> bool:
    return access.can(staff, Action.STAFF_DOCUMENT_PLAN, case) and not case.is_closed


def of_version(plan: PlanVersion | None) -> list[PendingDecision]:
    """The decisions a plan version waits for, with their outcomes, in order; none without a version."""
    if plan is None:
        return []
    return list(
        db.session.scalars(
            select(PendingDecision)
            .where(PendingDecision.version_id == plan.id)
            .options(joinedload(PendingDecision.outcome))
            .order_by(PendingDecision.id)
        )
    )


def waiting_decision(staff: StaffUser, case: SipCase, decision_id: str) -> PendingDecision:
    """A decision of the version in force that the coordinator may record; NotFound for anything else."""
    if not may_record(staff, case):
        raise NotAllowed(N_("Du kan inte skriva in beslut i den här SIP:en."))
    decision = db.session.scalar(
        select(PendingDecision)
        .join(PlanVersion, PlanVersion.id == PendingDecision.version_id)
        .where(PendingDecision.public_id == decision_id, PlanVersion.case_id == case.id)
    )
    in_force = plans.in_force(case)
    if decision is None or in_force is None or decision.version_id != in_force.id:
        raise NotFound(N_("Sidan finns inte."))
    return decision


def record(staff: StaffUser, case: SipCase, decision_id: str, text: str) -> DecisionOutcome:
    """Write in what was decided, and tell the person and those acting for them."""
    decision = waiting_decision(staff, case, decision_id)
    if decision.outcome is not None:
        raise AlreadyDecided()
    text = (text or "").strip()
    if not text:
        raise InvalidDecision({"decision": N_("Skriv vad som blev bestämt")})
    if len(text) > MAX_TEXT:
        raise InvalidDecision({"decision": N_("Skriv högst 2000 tecken")})
    outcome = DecisionOutcome(pending_decision_id=decision.id, decision=text, recorded_by_staff_id=staff.id)
    try:
        with db.session.begin_nested():
            db.session.add(outcome)
    except IntegrityError:  # recorded in another request a moment ago
        raise AlreadyDecided() from None
    audit.record(staff, "decision.recorded", case, decision=decision.public_id)
    for person in recipients.citizen_recipients(case):
        notifications.notify(
            person,
            NotificationKind.DECISION_MADE,
            case,
            dedupe_key=f"decision_made:{decision.public_id}:{person.public_id}",
        )
    return outcome
