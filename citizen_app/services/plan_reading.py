"""What the citizen's plan pages read (pages/plan.py decides what each reader sees of it) [issue 6].

The plan page stays within 8 SQL statements however big the plan is: one for every version with its pending
decisions, one for the goals of the versions shown with their actions and units, and one for the comments on
a draft. The goals and comments are handed to the versions' relationships as loaded, so templates and
plans.compare read them without a query. The plan's rules are in plans.py.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from citizen_app.extensions import db
from citizen_app.models import (
    Participant,
    ParticipantRole,
    PendingDecision,
    PlanAction,
    PlanComment,
    PlanGoal,
    PlanVersion,
    SipCase,
    VersionStatus,
)


def versions_with_decisions(case: SipCase) -> list[PlanVersion]:
    """Every version of the case's plan, drafts too, newest first, each with its pending decisions (and what
    those came to, once decided). One query."""
    return list(
        db.session.scalars(
            select(PlanVersion)
            .where(PlanVersion.case_id == case.id)
            .options(joinedload(PlanVersion.pending_decisions).joinedload(PendingDecision.outcome))
            .order_by(PlanVersion.number.desc())
        ).unique()
    )


def load_goals(versions: list[PlanVersion]) -> None:
    """Load the goals of these versions with their actions and units in ONE query, whatever their number."""
    if not versions:
        return
    goals = db.session.scalars(
        select(PlanGoal)
        .where(PlanGoal.version_id.in_([v.id for v in versions]))
        .options(joinedload(PlanGoal.actions).joinedload(PlanAction.responsible_unit))
        .order_by(PlanGoal.version_id, PlanGoal.position, PlanGoal.id)
    ).unique()
    by_version: dict[int, list[PlanGoal]] = {v.id: [] for v in versions}
    for goal in goals:
        by_version[goal.version_id].append(goal)
    for plan in versions:
        # Handed to the relationship as loaded, so templates and plans.compare read it without a query.
        set_committed_value(plan, "goals", by_version[plan.id])


def load_comments(plan: PlanVersion) -> None:
    """Load the comments on a draft, oldest first, with who wrote them. One query."""
    comments = db.session.scalars(
        select(PlanComment)
        .where(PlanComment.version_id == plan.id)
        .options(joinedload(PlanComment.person))
        .order_by(PlanComment.id)
    ).all()
    set_committed_value(plan, "comments", list(comments))


def relatives_to_share_with(case: SipCase) -> list[Participant]:
    """The relatives and support persons taking part who have an account: those a plan can be shared with."""
    return list(
        db.session.scalars(
            select(Participant)
            .where(
                Participant.case_id == case.id,
                Participant.person_id.is_not(None),
                Participant.removed_at.is_(None),
                Participant.role.in_([ParticipantRole.RELATIVE, ParticipantRole.SUPPORT_PERSON]),
            )
            .options(joinedload(Participant.person))
            .order_by(Participant.id)
        )
    )


def has_version_to_read(case: SipCase) -> bool:
    """Whether the case has a plan version its person can read: one approved (in force or replaced), or a
    draft sent for reading (the case page then leads to "Min plan")."""
    return (
        db.session.scalar(
            select(PlanVersion.id)
            .where(
                PlanVersion.case_id == case.id,
                (PlanVersion.status != VersionStatus.DRAFT) | PlanVersion.sent_at.is_not(None),
            )
            .limit(1)
        )
        is not None
    )
