"""The deadlines of a SIP that the person is shown and staff are warned about [SIP.md 3, table].

- request received → first meeting held: within 30 days [HA]
- "utskrivningsklar" (ready for discharge) → invitation sent: at the latest 3 days [VM] [ST]
- invitation sent → each unit answers: 1 working day [VM] [DA 4.4]
- meeting held → plan documented: 2 working days [VM]
Working days skip Saturdays, Sundays and the Swedish public holidays listed below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from citizen_app.models import SipCase, Step

MEETING_WITHIN_DAYS = 30
DISCHARGE_INVITATION_WITHIN_DAYS = 3


@dataclass(frozen=True)
class Deadline:
    kind: str  # "first_meeting" or "discharge_invitation"
    due: date
    days_left: int  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = ((h + l_ - 7 * m + 114) % 31) + 1
    return date(year, month, day)


def swedish_public_holidays(year: int) -> set[date]:
    easter = _easter(year)
    midsummer_eve = next(date(year, 6, d) for d in range(19, 26) if date(year, 6, d).weekday() == 4)
    all_saints = next(
        date(year, 10, 31) + timedelta(days=n)
        for n in range(7)
        if (date(year, 10, 31) + timedelta(days=n)).weekday() == 5
    )
    return {
        date(year, 1, 1),
        date(year, 1, 6),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        date(year, 5, 1),
        easter + timedelta(days=39),
        date(year, 6, 6),
        midsummer_eve,
        all_saints,
        date(year, 12, 24),
        date(year, 12, 25),
        date(year, 12, 26),
        date(year, 12, 31),
    }


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in swedish_public_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if is_working_day(current):
            added += 1
    return current


def deadlines_for(case: SipCase, today: date) -> list[Deadline]:
    """The deadlines that still apply to the case (none once the meeting is held or the case is closed)."""
    if case.step.position >= Step.MEETING_HELD.position:
        return []
    found = []
    requested = case.requested_at.date()
    meeting_due = requested + timedelta(days=MEETING_WITHIN_DAYS)
    found.append(Deadline("first_meeting", meeting_due, (meeting_due - today).days))
    if case.discharge_date is not None and case.step.position < Step.INVITED.position:
        invite_due = case.discharge_date + timedelta(days=DISCHARGE_INVITATION_WITHIN_DAYS)
        found.append(Deadline("discharge_invitation", invite_due, (invite_due - today).days))
    return sorted(found, key=lambda d: d.due)
