"""What the citizen's plan pages read (pages/plan.py decides what each reader sees of it) [issue 6].

The plan page stays within 8 SQL statements however big the plan is: one for every version with its pending
decisions, one for the goals of the versions shown with their actions and units, and one for the comments on
a draft. The goals and comments are handed to the versions' relationships as loaded, so templates and
plans.compare read them without a query. The plan's rules are in plans.py.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import inspect, select
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


# --- What a rendered plan body depends on [issue 17] -------------------------------------------------------


_COLUMN_KEYS: dict[type, tuple[str, ...]] = {}


def _columns(obj) -> tuple | None:
    """Every mapped column of ``obj`` as loaded, in the mapper's order; None when one is not loaded (expired
    or deferred): then the digest cannot vouch for it and nothing is cached."""
    kind = type(obj)
    keys = _COLUMN_KEYS.get(kind)
    if keys is None:
        keys = _COLUMN_KEYS[kind] = tuple(attr.key for attr in inspect(kind).column_attrs)
    loaded = obj.__dict__  # the instance's loaded state (SQLAlchemy keeps it there)
    try:
        return (kind.__name__, *[loaded[key] for key in keys])
    except KeyError:
        return None


def content_digest(plan: PlanVersion) -> str | None:
    """A digest of everything the plan body (templates/plan/_plan.html, ``plan_body``) shows of ``plan``:
    every column of the version, of its goals in order, their actions in order with each responsible unit,
    and of its pending decisions with their outcomes. Two versions with the same digest render the same body
    for the same reader and language, so a cached body keyed by it can never be out of date: any change (a
    unit's new name, a decision's outcome, a text erased) gives a new digest. None when something is not
    loaded (the goals must be, see load_goals): the caller then renders without the cache."""
    loaded = plan.__dict__
    if "goals" not in loaded or "pending_decisions" not in loaded:
        return None
    rows: list[tuple | None] = [_columns(plan)]
    for goal in plan.goals:
        rows.append(_columns(goal))
        if "actions" not in goal.__dict__:
            return None
        for action in goal.actions:
            rows.append(_columns(action))
            if action.responsible_unit_id is not None:
                if "responsible_unit" not in action.__dict__:
                    return None
                rows.append(_columns(action.responsible_unit) if action.responsible_unit else ("no unit",))
    for decision in plan.pending_decisions:
        rows.append(_columns(decision))
        if "outcome" not in decision.__dict__:
            return None
        rows.append(_columns(decision.outcome) if decision.outcome else ("no outcome",))
    if any(row is None for row in rows):
        return None
    return hashlib.sha256(repr(rows).encode()).hexdigest()
