"""What the staff pages about feedback and problem reports need, on top of services/feedback.py (the
5-answer rule) and services/problems.py (the reports and their audit log) [issue 7] [SIP.md 7, 8].

- Staff see the feedback of the units they work in (as coordinator or member), never of other units.
- A period is a range of whole months ("2026-01" … "2026-12"), as answers only know their meeting's month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import Person, ProblemReport, StaffMembership, StaffUser, Unit
from citizen_app.services import N_, NotFound, feedback

SET_NAMES = ("adult", "young", "relative")  # the question sets, one per audience (feedback.SET_FOR)
MONTHS_BACK = 24  # two years back: enough to compare a year with the one before
DEFAULT_MONTHS = 12
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def units_for(staff: StaffUser) -> list[Unit]:
    """The units the staff user works in, in one query, by name."""
    return list(
        db.session.scalars(
            select(Unit)
            .join(StaffMembership, StaffMembership.unit_id == Unit.id)
            .where(StaffMembership.staff_id == staff.id)
            .order_by(Unit.name)
            .distinct()
        )
    )


def unit_for(staff: StaffUser, public_id: str) -> Unit:
    """One of the staff user's units. Another unit is "not found", so nobody learns which units exist."""
    found = next((u for u in units_for(staff) if u.public_id == public_id), None)
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    return found


def _month_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def months(today: date) -> list[date]:
    """The months staff can choose from, newest first (the first day of each)."""
    this_month = today.replace(day=1)
    return [_month_before(this_month, n) for n in range(MONTHS_BACK)]


def key(month: date) -> str:
    return month.strftime("%Y-%m")


@dataclass(frozen=True)
class Period:
    month_from: str
    month_to: str


def default_period(today: date) -> Period:
    """The last 12 months, this month included."""
    this_month = today.replace(day=1)
    return Period(key(_month_before(this_month, DEFAULT_MONTHS - 1)), key(this_month))


def period_errors(period: Period) -> dict[str, str]:
    """Field → message when a month cannot be read or the period runs backwards."""
    errors: dict[str, str] = {}
    if not _MONTH.match(period.month_from):
        errors["fran"] = N_("Välj en månad")
    if not _MONTH.match(period.month_to):
        errors["till"] = N_("Välj en månad")
    if not errors and period.month_from > period.month_to:
        errors["till"] = N_("Den sista månaden kan inte komma före den första")
    return errors


def results_for(staff: StaffUser, unit_public_id: str, set_name: str, period: Period) -> feedback.Results:
    """The results of one of the staff user's units. The 5-answer rule is in feedback.results."""
    unit = unit_for(staff, unit_public_id)
    if set_name not in SET_NAMES:
        raise NotFound(N_("Sidan finns inte."))
    found = feedback.results(set_name, unit.id, period.month_from, period.month_to)
    # Stored order follows the order of answering; sorted by their words, the free texts hint at nobody.
    found.free_texts = sorted(found.free_texts, key=str.casefold)
    return found


def reporter_of(report: ProblemReport) -> Person:
    """Who sent a problem report: staff answer that person (problems.answer tells them)."""
    return db.session.get_one(Person, report.reported_by_person_id)
