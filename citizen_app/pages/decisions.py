"""The staff page of the decisions the plan in force waits for: those still waiting and those made.

The decisions and who may write them in are services/decisions.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

from citizen_app.models import PendingDecision, PlanVersion, SipCase, StaffUser
from citizen_app.services import decisions, plans


@dataclass(frozen=True)
class DecisionsPage:
    """The decisions of the version in force: those still waiting, and those already made."""

    case: SipCase
    plan: PlanVersion | None
    waiting: list[PendingDecision]
    made: list[PendingDecision]
    may_record: bool


def decisions_page(staff: StaffUser, case: SipCase) -> DecisionsPage:
    plan = plans.in_force(case) if not case.is_closed else None
    decisions_ = decisions.of_version(plan)
    return DecisionsPage(
        case=case,
        plan=plan,
        waiting=[d for d in decisions_ if d.outcome is None],
        made=[d for d in decisions_ if d.outcome is not None],
        may_record=decisions.may_record(staff, case),
    )
