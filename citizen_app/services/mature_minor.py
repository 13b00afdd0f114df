"""Mature minors: when a child consents themself, and what their guardians then see [DA 4.2] [issue 15].

Guardians consent for a child only "if the child does not have the age and maturity" (Dalarna 4.2). When the
coordinator has recorded that a child has it (``MatureMinorDecision``), the child's own consent is the one in
force, and the child decides what the guardians see (``GuardianViewChoice``): the plan, the meetings, the
consent. Without a choice they see only that there is a SIP and who coordinates it.

This module only reads. services/consent.py asks ``consents_themself`` (whose consent counts), access.py asks
it and ``guardian_view`` (what the guardians may do), services/notifications.py asks ``may_tell`` (what the
guardians are told). Recording the decision and the child's choice is services/mature_minor_decisions.py.

The county decides whether the rule is used and from which age it is usual (``MATURE_MINORS_ALLOWED``,
``MATURE_MINOR_AGE_HINT`` in config.py). The age is a hint to the coordinator, never a limit: the law names
no age, only maturity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    EventKind,
    GuardianViewChoice,
    MatureMinorDecision,
    NotificationKind,
    Person,
    RelationKind,
    Relationship,
    SipCase,
    Step,
)

DEFAULT_AGE_HINT = 15
PLAN, MEETINGS, CONSENT = "plan", "meetings", "consent"
TOPICS = (PLAN, MEETINGS, CONSENT)


def allowed() -> bool:
    """Whether the county lets the coordinator record that a child consents themself."""
    return bool(current_app.config.get("MATURE_MINORS_ALLOWED", True)) if has_app_context() else True


def age_hint() -> int:
    """The age from which a child usually consents themself in this county (a hint, not a limit)."""
    if not has_app_context():
        return DEFAULT_AGE_HINT
    return int(current_app.config.get("MATURE_MINOR_AGE_HINT", DEFAULT_AGE_HINT))


def below_hint(child: Person, today: date) -> bool:
    return child.age_on(today) < age_hint()


# --- The decision -------------------------------------------------------------------------------------------


# Set in the case's ``details`` when its first decision is recorded: almost no SIP has one, and access asks on
# every page about a child, so the table is read only for a case that has something in it.
HAS_DECISIONS = "mature_minor_decisions"


def latest(case: SipCase) -> MatureMinorDecision | None:
    """The case's latest decision row (a start or an end), kept for the request: access asks it often."""
    if not (case.details or {}).get(HAS_DECISIONS):
        return None
    cache = _cache()
    key = ("decision", case.id)
    if cache is not None and key in cache:
        return cache[key]
    found = db.session.scalar(
        select(MatureMinorDecision)
        .where(MatureMinorDecision.case_id == case.id)
        .order_by(MatureMinorDecision.at.desc(), MatureMinorDecision.id.desc())
        .limit(1)
    )
    if cache is not None:
        cache[key] = found
    return found


def decision_in_force(case: SipCase, today: date | None = None) -> MatureMinorDecision | None:
    """The decision that the child consents themself, while it holds: not ended, and the child still a child
    (from the 18th birthday the person consents as an adult anyway)."""
    subject = case.subject
    if subject is None or not subject.is_child_on(today or date.today()):
        return None
    found = latest(case)
    if found is None or not found.consents_themself or found.child_id != subject.id:
        return None
    return found


def consents_themself(case: SipCase, today: date | None = None) -> bool:
    """The rule consent.required_voices asks: does this child consent themself now?"""
    return decision_in_force(case, today) is not None


def guardians_again_from(case: SipCase) -> datetime | None:
    """When a decision ended: the guardians decide again, and what they said before then no longer counts."""
    found = latest(case)
    return found.at if found is not None and not found.consents_themself else None


def history(case: SipCase) -> list[MatureMinorDecision]:
    """Every decision row of the case, oldest first, with who recorded it."""
    return list(
        db.session.scalars(
            select(MatureMinorDecision)
            .where(MatureMinorDecision.case_id == case.id)
            .order_by(MatureMinorDecision.at, MatureMinorDecision.id)
        )
    )


# --- What the guardians see ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianView:
    """What a mature minor lets the guardians see. All False: only that there is a SIP and who coordinates."""

    plan: bool = False
    meetings: bool = False
    consent: bool = False

    def shows(self, topic: str | None) -> bool:
        return topic is not None and bool(getattr(self, topic, False))

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(t for t in TOPICS if self.shows(t))


NOTHING = GuardianView()


def guardian_view(case: SipCase, today: date | None = None) -> GuardianView | None:
    """The child's choice while a decision is in force; None when the guardians decide (no limits then)."""
    decision = decision_in_force(case, today)
    if decision is None:
        return None
    cache = _cache()
    key = ("choice", decision.id)
    if cache is not None and key in cache:
        return cache[key]
    choice = db.session.scalar(
        select(GuardianViewChoice)
        .where(GuardianViewChoice.decision_id == decision.id)
        .order_by(GuardianViewChoice.at.desc(), GuardianViewChoice.id.desc())
        .limit(1)
    )
    view = (
        NOTHING
        if choice is None
        else GuardianView(choice.shows_plan, choice.shows_meetings, choice.shows_consent)
    )
    if cache is not None:
        cache[key] = view
    return view


def _is_guardian(person: Person, case: SipCase) -> bool:
    return (
        db.session.scalar(
            select(Relationship.id).where(
                Relationship.holder_id == person.id,
                Relationship.subject_id == case.subject_id,
                Relationship.kind == RelationKind.GUARDIAN,
            )
        )
        is not None
    )


def limits_for(person: Person, case: SipCase, today: date | None = None) -> GuardianView | None:
    """What ``person`` may see of the case when they are a guardian of a mature minor; None otherwise."""
    if case.subject_id is None or person.id == case.subject_id:
        return None
    view = guardian_view(case, today)
    if view is None or not _is_guardian(person, case):
        return None
    return view


# Messages about each thing the child may show. A kind in none of these, and not in ``ALWAYS``, is not sent
# to the guardians of a mature minor: deny by default, as the access table does.
TOPIC_OF_MESSAGE: dict[NotificationKind, str] = {
    NotificationKind.MEETING_INVITATION: MEETINGS,
    NotificationKind.MEETING_CHANGED: MEETINGS,
    NotificationKind.MEETING_CANCELLED: MEETINGS,
    NotificationKind.MEETING_REMINDER: MEETINGS,
    NotificationKind.INVITATION_ANSWERED: MEETINGS,
    NotificationKind.TOPIC_SUGGESTED: MEETINGS,
    NotificationKind.FEEDBACK_REQUESTED: MEETINGS,
    NotificationKind.FOLLOW_UP_DUE: MEETINGS,
    NotificationKind.PLAN_READY: PLAN,
    NotificationKind.PLAN_APPROVED: PLAN,
    NotificationKind.PLAN_COMMENTED: PLAN,
    NotificationKind.PLAN_CLOSED: PLAN,
    NotificationKind.DECISION_MADE: PLAN,
    NotificationKind.CONSENT_NEEDED: CONSENT,
    NotificationKind.CONSENT_IN_FORCE: CONSENT,
    NotificationKind.CONSENT_WITHDRAWN: CONSENT,
    NotificationKind.CONSENT_RECORDED: CONSENT,
    NotificationKind.CONSENT_EXPIRING: CONSENT,
    NotificationKind.CONSENT_EXPIRED: CONSENT,
}
# That there is a SIP and who coordinates it; the guardian's own problem reports; the decision itself.
ALWAYS = frozenset(
    {
        NotificationKind.REQUEST_RECEIVED,
        NotificationKind.REQUEST_ACCEPTED,
        NotificationKind.REQUEST_FORWARDED,
        NotificationKind.COORDINATOR_CHANGED,
        NotificationKind.REQUEST_CANCELLED,
        NotificationKind.STARTED_BY_STAFF,
        NotificationKind.PROBLEM_ANSWERED,
        NotificationKind.MATURE_MINOR_DECIDED,
        NotificationKind.MATURE_MINOR_ENDED,
        NotificationKind.COORDINATION_MOVED,  # who coordinates now [issue 16]
        NotificationKind.PROBLEM_STATUS_CHANGED,  # the guardian's own problem report
        NotificationKind.CUSTODY_GAINED,  # that there is a SIP they now take part in [issue 18]
    }
)


def may_tell(person: Person, kind: NotificationKind, case: SipCase, today: date | None = None) -> bool:
    """Whether a message of ``kind`` about ``case`` may go to ``person``: a guardian of a mature minor is told
    only what the child lets them see [DA 4.2]; everyone else as before."""
    if kind in ALWAYS:
        return True
    limits = limits_for(person, case, today)
    return limits is None or limits.shows(TOPIC_OF_MESSAGE.get(kind))


# What each event of the case's history is about, for the guardians' "Det här har hänt".
_TOPIC_OF_STEP = {
    Step.CONSENT: CONSENT,
    Step.PREPARATION: CONSENT,  # "Nu gäller samtycket"
    Step.INVITED: MEETINGS,
    Step.MEETING_HELD: MEETINGS,
    Step.PLAN_DOCUMENTED: PLAN,
    Step.PLAN_APPROVED: PLAN,
    Step.FOLLOW_UP: PLAN,
}
_TOPIC_OF_EVENT = {
    EventKind.MEETING_BOOKED: MEETINGS,
    EventKind.MEETING_CHANGED: MEETINGS,
    EventKind.MEETING_HELD: MEETINGS,
}
_ALWAYS_EVENTS = frozenset(
    {
        EventKind.REQUESTED,
        EventKind.STARTED_BY_STAFF,
        EventKind.ACCEPTED,
        EventKind.FORWARDED,
        EventKind.COORDINATOR_CHANGED,
        EventKind.SUGGESTION_ACCEPTED,
        EventKind.CANCELLED,
        EventKind.CLOSED,
        EventKind.MATURE_MINOR_DECIDED,
        EventKind.MATURE_MINOR_ENDED,
        EventKind.COORDINATION_MOVED,
    }
)


def shows_event(limits: GuardianView, kind: EventKind, step: Step | None) -> bool:
    """Whether a guardian with these limits reads this event of the history. A staff note may say anything,
    so it is not shown; a step reached is shown when the child shows what it is about."""
    if kind in _ALWAYS_EVENTS:
        return True
    if kind == EventKind.STEP_CHANGED:
        return step == Step.CLOSED or limits.shows(_TOPIC_OF_STEP.get(step) if step else None)
    return limits.shows(_TOPIC_OF_EVENT.get(kind))


def forget() -> None:
    """Drop what the request has read: call after recording a decision or a choice."""
    if has_request_context():
        g.pop("mature_minor", None)


def _cache() -> dict | None:
    if not has_request_context():
        return None
    if "mature_minor" not in g:
        g.mature_minor = {}
    return g.mature_minor
