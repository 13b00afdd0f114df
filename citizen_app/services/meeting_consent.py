"""The consent is confirmed at the start of the meeting [issue 15] [discharge guide, source 003].

When the coordinator marks the meeting held, they say what happened with the consent at its start: the person
(or the guardians) confirmed it as it is, asked for a change (the coordinator then writes down the new consent
on its own page), or did not confirm it, and then why. It is kept as its own consent event, shown in the
history. It has no scope: it never counts as anyone's consent (consent.NOT_AN_ANSWER).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citizen_app.extensions import db
from citizen_app.models import ConsentEvent, ConsentEventKind, ConsentMethod, SipCase, StaffUser
from citizen_app.services import N_, InvalidInput, audit, consent

CONFIRMED = "confirmed"
CHANGED = "changed"
NOT_CONFIRMED = "not_confirmed"
KINDS = {
    CONFIRMED: ConsentEventKind.CONFIRMED_AT_MEETING,
    CHANGED: ConsentEventKind.CHANGED_AT_MEETING,
    NOT_CONFIRMED: ConsentEventKind.NOT_CONFIRMED_AT_MEETING,
}
MAX_REASON = 500


@dataclass(frozen=True)
class Confirmation:
    """The coordinator's answer: one of CONFIRMED, CHANGED, NOT_CONFIRMED; a reason with NOT_CONFIRMED."""

    outcome: str
    reason: str = ""


AS_GIVEN = Confirmation(CONFIRMED)


class InvalidConfirmation(InvalidInput):
    pass


def errors_in(case: SipCase, confirmation: Confirmation, today: date) -> dict[str, str]:
    """What is missing or wrong (field id → msgid); nothing is saved while there is something."""
    errors: dict[str, str] = {}
    reason = confirmation.reason.strip()
    if confirmation.outcome not in KINDS:
        errors["consent_outcome"] = N_("Välj vad som hände med samtycket i början av mötet")
    elif confirmation.outcome == CONFIRMED and consent.in_force(case, today) is None:
        errors["consent_outcome"] = N_("Inget samtycke gäller nu. Välj ändrat eller inte bekräftat.")
    elif confirmation.outcome == NOT_CONFIRMED and not reason:
        errors["consent_reason"] = N_("Skriv varför samtycket inte bekräftades")
    if len(reason) > MAX_REASON:
        errors["consent_reason"] = N_("Skriv högst 500 tecken")
    return errors


def record(staff: StaffUser, case: SipCase, confirmation: Confirmation, today: date) -> ConsentEvent:
    """Keep the confirmation as a consent event. Call ``errors_in`` first (meetings.mark_held does)."""
    event = ConsentEvent(
        case_id=case.id,
        kind=KINDS[confirmation.outcome],
        # Whose consent it was about: the SIP's person (for a child, the guardians confirmed it for them).
        consenter_id=case.subject_id,
        recorded_by_staff_id=staff.id,
        method=ConsentMethod.ORAL,
        valid_from=today,
        note=confirmation.reason.strip() if confirmation.outcome == NOT_CONFIRMED else None,
    )
    db.session.add(event)
    db.session.flush()
    audit.record(staff, "consent." + event.kind.value, case, event=event.public_id)
    return event
