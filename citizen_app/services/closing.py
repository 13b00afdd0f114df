"""Closing a SIP together with the person [VM] [DA 4.7] [HA] [issue 16].

- The coordinator closes the SIP with a reason. It is decided together with the person: the coordinator
  records that the person was asked and agrees, or why they could not be asked (they cannot be reached, for
  example). When the person has died nobody is asked.
- At death no message goes to the person; guardians (of a child) and representatives are told in plain,
  gentle words; the history says it with care. A relative the plan was shared with is not sent an automatic
  message about a death.
- Every unit taking part (a participant of role UNIT) that the consent covers is told, through all its
  staff (a unit the consent never named heard nothing of the SIP, so nothing of its end); the citizens as
  before. A draft never approved is removed; approved versions stay.
- An open proposal to move the coordination is withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    CoordinationMove,
    EventKind,
    MoveStatus,
    NotificationKind,
    Person,
    SipCase,
    StaffUser,
    Step,
    Unit,
    VersionStatus,
    utcnow,
)
from citizen_app.services import (
    N_,
    InvalidInput,
    NotAllowed,
    audit,
    consent,
    notifications,
    plans,
    recipients,
    retention,
    timeline,
)

CLOSING_REASONS = (
    ClosingReason.GOALS_MET,
    ClosingReason.NO_LONGER_NEEDED,
    ClosingReason.CONSENT_WITHDRAWN,
    ClosingReason.PERSON_DIED,
    ClosingReason.OTHER,
)
# How the person took part in the decision.
AGREES = "agrees"  # asked, and agrees that the SIP ends
NOT_ASKED = "not_asked"  # could not be asked: the reason is written down
AGREEMENTS = (AGREES, NOT_ASKED)
MAX_NOTE = 1000


class InvalidClosing(InvalidInput):
    pass


def may_close(staff: StaffUser, case: SipCase) -> bool:
    return access.can(staff, Action.STAFF_CLOSE_CASE, case) and not case.is_closed


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\x00", "").strip() if isinstance(text, str) else ""


def units_told(case: SipCase) -> list[Unit]:
    """The units taking part besides the SIP's own that hear of the end: every unit of the SIP (participant
    of role UNIT) that the consent in force covers. A unit the consent never named was told nothing of the
    SIP, so it is not told of its end either (secrecy between principals) [issue 13]. Shown on the closing
    page ("De här får ett meddelande")."""
    scope = consent.in_force(case)
    if scope is None:
        return []
    return [
        unit
        for unit in consent.parties_of(case)
        if unit.id != case.owning_unit_id and scope.covers_unit(unit.public_id)
    ]


def citizens_told(case: SipCase, reason: str | None) -> list[Person]:
    """Who on the citizen side is told. At death, never the person themself."""
    people = recipients.citizen_recipients(case)
    if reason == ClosingReason.PERSON_DIED:
        people = [p for p in people if p.id != case.subject_id]
    return people


@dataclass(frozen=True)
class Closing:
    reason: str
    agreement: str
    why_not: str
    note: str


def errors_of(closing: Closing) -> dict[str, str]:
    errors: dict[str, str] = {}
    if closing.reason not in {r.value for r in CLOSING_REASONS}:
        errors["reason"] = N_("Välj varför SIP:en avslutas")
    if closing.reason != ClosingReason.PERSON_DIED:
        if closing.agreement not in AGREEMENTS:
            errors["agreement"] = N_("Välj om personen håller med om att SIP:en avslutas")
        elif closing.agreement == NOT_ASKED and not closing.why_not:
            errors["why_not"] = N_("Skriv varför personen inte kunde tillfrågas")
    if closing.reason == ClosingReason.OTHER and not closing.note:
        errors["note"] = N_("Skriv varför SIP:en avslutas")
    for field in ("why_not", "note"):
        if len(getattr(closing, field)) > MAX_NOTE:
            errors[field] = N_("Skriv högst 1000 tecken")
    return errors


def close(
    staff: StaffUser, case: SipCase, reason: str, note: str = "", agreement: str = "", why_not: str = ""
) -> None:
    """End the SIP and its plan, decided with the person; everyone is told. Nothing is deleted [VM]."""
    if not may_close(staff, case):
        raise NotAllowed(N_("Du kan inte avsluta den här SIP:en."))
    closing = Closing(reason or "", agreement or "", _clean(why_not), _clean(note))
    errors = errors_of(closing)
    if errors:
        raise InvalidClosing(errors)
    died = closing.reason == ClosingReason.PERSON_DIED
    units = units_told(case)  # read before closing: who took part while the SIP was open
    open_draft = plans.draft(case)
    if open_draft is not None and plans._lock(open_draft).status == VersionStatus.DRAFT:
        db.session.delete(open_draft)  # a draft never approved does not become part of the history
    db.session.execute(
        update(CoordinationMove)
        .where(CoordinationMove.case_id == case.id, CoordinationMove.status == MoveStatus.PENDING)
        .values(status=MoveStatus.WITHDRAWN, answered_by_id=staff.id, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    case.step = Step.CLOSED
    case.closing_reason = ClosingReason(closing.reason)
    case.closing_note = closing.note or None
    agreed = None if died else closing.agreement == AGREES
    case.details = {
        **(case.details or {}),
        "closing": {"agreement": None if died else closing.agreement, "why_not": closing.why_not or None},
    }
    data: dict = {"reason": closing.reason}
    if agreed is not None:
        data["agreed"] = agreed
    timeline.record(case, EventKind.CLOSED, staff, step=Step.CLOSED, data=data)
    db.session.flush()
    audit.record(staff, "case.closed", case, reason=closing.reason, agreed=agreed)
    # The person's side is told how long Min SIP keeps the SIP (services/retention.py) [issue 18].
    kept = {"reason": closing.reason, "kept_until": retention.kept_until(utcnow()).isoformat()}
    for person in citizens_told(case, closing.reason):
        notifications.notify(person, NotificationKind.PLAN_CLOSED, case, data=kept)
    if not died:  # a relative the plan was shared with is told of the end, but not by a machine of a death
        for share in plans._active_shares(case):
            if share.participant.person is not None:
                notifications.notify(share.participant.person, NotificationKind.PLAN_CLOSED, case)
    # Every staff member of each unit taking part hears that the plan no longer applies [issue 13, 16].
    seen = {staff.id}
    for unit in units:
        for member in recipients.unit_staff(unit.id):
            if member.id not in seen:
                seen.add(member.id)
                notifications.notify(
                    member, NotificationKind.PLAN_CLOSED, case, data={"reason": closing.reason}
                )
