"""Consent reaches every unit taking part, not only the coordinator [issue 15] [DA 4.2].

When the consent in force changes (given, changed, in force, withdrawn, expired), the staff of each unit that
takes part are told what their unit may share now: the names of the units it may share with, the kinds of
information, and until when. Never what must not be shared, nor other parties' names: those are free text the
person wrote and may hold health details. A unit the consent no longer covers is told it may share nothing
more; it loses access to the SIP at once (access.py gives the role only while the consent covers the unit).

A unit the consent covered neither before nor after was never told of the SIP, so it is not told now either.
This module takes the scopes as plain values and never imports the consent rules (consent.py calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import NotificationKind, Participant, ParticipantRole, SipCase, Unit
from citizen_app.services import notifications, recipients

if TYPE_CHECKING:
    from citizen_app.services.consent import Scope


def units_taking_part(case: SipCase) -> list[Unit]:
    """The units taking part in the case, other than the unit that owns it (whose coordinator is told)."""
    return list(
        db.session.scalars(
            select(Unit)
            .join(Participant, Participant.unit_id == Unit.id)
            .where(
                Participant.case_id == case.id,
                Participant.role == ParticipantRole.UNIT,
                Participant.removed_at.is_(None),
                Unit.id != (case.owning_unit_id or 0),
            )
            .distinct()
            .order_by(Unit.name)
        )
    )


def what_unit_may_share(unit: Unit, scope: Scope | None, names: dict[str, str]) -> dict:
    """The message data for one unit: only unit names, category keys and a date; nothing typed by anyone."""
    if scope is None or not scope.covers_unit(unit.public_id):
        return {"unit": unit.name, "may_share": False}
    return {
        "unit": unit.name,
        "may_share": True,
        "with_units": sorted(names[u] for u in scope.unit_ids if u in names and u != unit.public_id),
        "categories": sorted(scope.categories),
        "valid_until": scope.valid_until.isoformat(),
    }


def tell_units(
    case: SipCase, before: Scope | None, after: Scope | None, dedupe_key: str | None = None
) -> int:
    """Tell the staff of every unit taking part what it may share now. Returns how many messages were made.

    Nothing is sent when the scope did not change (a second guardian's yes that changes nothing, say).
    ``dedupe_key`` (for the scheduled expiry) makes a repeated call send nothing twice.
    """
    if before == after:
        return 0
    units = units_taking_part(case)
    told = [u for u in units if _covers(before, u) or _covers(after, u)]
    if not told:
        return 0
    names = {u.public_id: u.name for u in units}
    if case.owning_unit is not None:
        names[case.owning_unit.public_id] = case.owning_unit.name
    sent = 0
    for unit in told:
        data = what_unit_may_share(unit, after, names)
        for staff in recipients.unit_staff(unit.id):
            key = f"{dedupe_key}:{unit.public_id}:{staff.get_id()}" if dedupe_key else None
            sent += (
                notifications.notify(staff, NotificationKind.CONSENT_SHARING, case, data=data, dedupe_key=key)
                is not None
            )
    return sent


def _covers(scope: Scope | None, unit: Unit) -> bool:
    return scope is not None and scope.covers_unit(unit.public_id)
