"""Recording that a child consents themself, ending it, and the child's choice of what the guardians see
[DA 4.2] [issue 15]. The rules that read these rows are in services/mature_minor.py.

The coordinator records the decision with a reason and the day it was made; the child and the guardians are
told in plain words, and the case's history shows it. The child then chooses what the guardians see. Every
change is a new row: nothing is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from citizen_app import access
from citizen_app.access import Action
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
    StaffUser,
    Step,
)
from citizen_app.services import (
    N_,
    InvalidInput,
    NotAllowed,
    audit,
    consent,
    mature_minor,
    notifications,
    timeline,
)

MAX_REASON = 2000
# A decision is written in soon after it is made; one from long ago belongs in the journal, not here.
MAX_DAYS_BACK = 365


class InvalidDecision(InvalidInput):
    pass


@dataclass(frozen=True)
class DecisionPage:
    """What the coordinator's page shows: the child, the county's hint, what holds now and what happened."""

    case: SipCase
    child: Person
    age: int
    age_hint: int
    below_hint: bool
    rule_used: bool
    in_force: MatureMinorDecision | None
    history: list[MatureMinorDecision]  # oldest first


def can_record(staff: StaffUser, case: SipCase, today: date | None = None) -> bool:
    """The case's coordinator, for an open SIP about a child: the same right as writing in a consent."""
    day = today or date.today()
    return (
        not case.is_closed
        and case.step != Step.REQUESTED
        and case.subject is not None
        and case.subject.is_child_on(day)
        and access.can(staff, Action.STAFF_RECORD_CONSENT, case)
    )


def page_for(staff: StaffUser, case: SipCase, today: date | None = None) -> DecisionPage:
    day = today or date.today()
    if not can_record(staff, case, day) or case.subject is None:
        raise NotAllowed(N_("Du kan inte skriva in det här för den här SIP:en."))
    child = case.subject
    return DecisionPage(
        case=case,
        child=child,
        age=child.age_on(day),
        age_hint=mature_minor.age_hint(),
        below_hint=mature_minor.below_hint(child, day),
        rule_used=mature_minor.allowed(),
        in_force=mature_minor.decision_in_force(case, day),
        history=list(
            db.session.scalars(
                select(MatureMinorDecision)
                .where(MatureMinorDecision.case_id == case.id)
                .options(selectinload(MatureMinorDecision.recorded_by_staff))
                .order_by(MatureMinorDecision.at, MatureMinorDecision.id)
            )
        ),
    )


def _check(reason: str, decided_on: date | None, day: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = N_("Skriv varför")
    elif len(reason) > MAX_REASON:
        errors["reason"] = N_("Skriv högst 2000 tecken")
    if decided_on is None:
        errors["decided_on"] = N_("Skriv vilken dag det bestämdes")
    elif decided_on > day:
        errors["decided_on"] = N_("Datumet kan inte vara senare än i dag")
    elif decided_on < day - timedelta(days=MAX_DAYS_BACK):
        errors["decided_on"] = N_("Datumet är för länge sedan")
    return errors


def record(
    staff: StaffUser, case: SipCase, reason: str, decided_on: date | None, today: date | None = None
) -> MatureMinorDecision:
    """The coordinator records that the child has the age and maturity to consent themself [DA 4.2].

    From now on the child's consent is the one in force; the guardians' consent no longer counts, and they
    see only what the child lets them see. A child under the county's usual age may still be recorded: the
    law names no age, and the page has warned.
    """
    day = today or date.today()
    consent.lock(case)
    if not can_record(staff, case, day) or case.subject is None:
        raise NotAllowed(N_("Du kan inte skriva in det här för den här SIP:en."))
    if not mature_minor.allowed():
        raise NotAllowed(N_("Länet använder inte den här regeln."))
    if mature_minor.consents_themself(case, day):
        raise NotAllowed(N_("Det är redan inskrivet att barnet bestämmer själv."))
    errors = _check(reason, decided_on, day)
    if errors or decided_on is None:
        raise InvalidDecision(errors)
    decision = _add(staff, case, True, reason.strip(), decided_on)
    timeline.record(case, EventKind.MATURE_MINOR_DECIDED, staff)
    audit.record(staff, "mature_minor.decided", case, decision=decision.public_id)
    _tell(case, NotificationKind.MATURE_MINOR_DECIDED)
    return decision


def end(
    staff: StaffUser, case: SipCase, reason: str, decided_on: date | None, today: date | None = None
) -> MatureMinorDecision:
    """The decision ends, with a reason: the guardians decide again, and must say yes again."""
    day = today or date.today()
    consent.lock(case)
    if not can_record(staff, case, day) or case.subject is None:
        raise NotAllowed(N_("Du kan inte skriva in det här för den här SIP:en."))
    if not mature_minor.consents_themself(case, day):
        raise NotAllowed(N_("Det finns inget beslut som gäller nu."))
    errors = _check(reason, decided_on, day)
    if errors or decided_on is None:
        raise InvalidDecision(errors)
    decision = _add(staff, case, False, reason.strip(), decided_on)
    timeline.record(case, EventKind.MATURE_MINOR_ENDED, staff)
    audit.record(staff, "mature_minor.ended", case, decision=decision.public_id)
    _tell(case, NotificationKind.MATURE_MINOR_ENDED)
    return decision


def _add(
    staff: StaffUser, case: SipCase, themself: bool, reason: str, decided_on: date
) -> MatureMinorDecision:
    assert case.subject_id is not None
    decision = MatureMinorDecision(
        case_id=case.id,
        child_id=case.subject_id,
        consents_themself=themself,
        reason=reason,
        decided_on=decided_on,
        recorded_by_staff_id=staff.id,
    )
    db.session.add(decision)
    case.details = {**(case.details or {}), mature_minor.HAS_DECISIONS: True}
    db.session.flush()
    mature_minor.forget()
    access.forget_roles()
    return decision


def _tell(case: SipCase, kind: NotificationKind) -> None:
    """The child and every guardian with custody are told, in plain words (the texts are in
    templates/components/messages.html). Never the reason: that is between the child and the coordinator."""
    assert case.subject is not None
    notifications.notify(case.subject, kind, case, data={"for": "child"})
    for rel in db.session.scalars(
        select(Relationship)
        .where(Relationship.subject_id == case.subject_id, Relationship.kind == RelationKind.GUARDIAN)
        .options(selectinload(Relationship.holder))
        .order_by(Relationship.id)
    ):
        if rel.has_custody:
            notifications.notify(rel.holder, kind, case, data={"for": "guardian"})


# --- The child's choice -------------------------------------------------------------------------------------


def choose_guardian_view(
    child: Person, case: SipCase, topics: list[str], today: date | None = None
) -> GuardianViewChoice:
    """The child chooses what the guardians see: any of the plan, the meetings, the consent."""
    day = today or date.today()
    consent.lock(case)
    decision = mature_minor.decision_in_force(case, day)
    if decision is None or not access.can(child, Action.CHOOSE_GUARDIAN_VIEW, case):
        raise NotAllowed(N_("Du kan inte välja det här nu."))
    if set(topics) - set(mature_minor.TOPICS):
        raise InvalidDecision({"shown": N_("Välj bland det som finns i listan")})
    choice = GuardianViewChoice(
        case_id=case.id,
        decision_id=decision.id,
        child_id=child.id,
        shows_plan=mature_minor.PLAN in topics,
        shows_meetings=mature_minor.MEETINGS in topics,
        shows_consent=mature_minor.CONSENT in topics,
    )
    db.session.add(choice)
    db.session.flush()
    audit.record(child, "mature_minor.guardian_view_chosen", case, choice=choice.public_id)
    mature_minor.forget()
    return choice
