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
PLAN_WITHIN_WORKING_DAYS = 2


@dataclass(frozen=True)
class Deadline:
    kind: str  # "first_meeting", "discharge_invitation", "plan" or "follow_up"
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
    return _before_meeting(case.step, case.requested_at.date(), case.discharge_date, today)


def _before_meeting(step: Step, requested: date, discharge_date: date | None, today: date) -> list[Deadline]:
    if step.position >= Step.MEETING_HELD.position:
        return []
    found = []
    meeting_due = requested + timedelta(days=MEETING_WITHIN_DAYS)
    found.append(Deadline("first_meeting", meeting_due, (meeting_due - today).days))
    if discharge_date is not None and step.position < Step.INVITED.position:
        invite_due = discharge_date + timedelta(days=DISCHARGE_INVITATION_WITHIN_DAYS)
        found.append(Deadline("discharge_invitation", invite_due, (invite_due - today).days))
    return sorted(found, key=lambda d: d.due)


def plan_due(meeting_held_on: date) -> date:
    """The plan is written at the latest 2 working days after the meeting [VM]."""
    return add_working_days(meeting_held_on, PLAN_WITHIN_WORKING_DAYS)


def next_deadline(
    step: Step,
    requested: date,
    today: date,
    discharge_date: date | None = None,
    meeting_held_on: date | None = None,
    follow_up_on: date | None = None,
) -> Deadline | None:
    """The one deadline the coordinator must meet next, for the workbench (issue 16).

    Before the meeting: the first meeting (30 days) or the discharge invitation (3 days), whichever comes
    first. After the meeting, until the plan is written: the plan, 2 working days after the meeting
    ("plan"). Once the plan is approved: its follow-up date ("follow_up"). Otherwise (plan written and waiting
    for approval, closed) none. Worked out from plain values, so a list of many SIPs needs no case objects.
    """
    if step == Step.CLOSED:
        return None
    before = _before_meeting(step, requested, discharge_date, today)
    if before:
        return before[0]
    if step == Step.MEETING_HELD and meeting_held_on is not None:
        due = plan_due(meeting_held_on)
        return Deadline("plan", due, (due - today).days)
    if step in (Step.PLAN_APPROVED, Step.FOLLOW_UP) and follow_up_on is not None:
        return Deadline("follow_up", follow_up_on, (follow_up_on - today).days)
    return None
