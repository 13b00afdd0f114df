""" "Vem har läst om mig" [issue 13] [QUALITY 4]: one page of the staff reads and changes of a SIP, newest
first, 25 a page, grouped by Swedish day. Who may read the log, which unit names a staff member and the
sentence for each action are services/access_log.py's.

A line names the staff member's unit the first time they appear on the page ("Kent Olofsson på
Socialtjänsten Exempelstad läste i SIP:en."), and after that only their name ("Kent Olofsson läste i
SIP:en."), as one writes about someone already introduced. Repeating the unit on each of 25 lines made the
page hard to read (LIX over 35 with the demo's unit names) and told the reader nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from citizen_app.access import Action
from citizen_app.models import SipCase
from citizen_app.services import N_, NotFound, access_log, cases

PAGE_SIZE = 25
MAX_PAGE = 10_000  # far beyond any real log; a larger number is "not found", not a slow query
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")  # the days the page groups by are Swedish days


@dataclass(frozen=True)
class LogLine:
    """One staff read or change: when (in Swedish time), who, where they work, and the sentence (a msgid)."""

    at: datetime
    staff_name: str
    unit_name: str | None
    sentence: str
    first_mention: bool  # the first line of this staff member on the page: it names their unit


@dataclass(frozen=True)
class LogDay:
    day: date
    lines: list[LogLine]


@dataclass(frozen=True)
class AccessLogPage:
    """What "Vem har läst" shows: one page of the log, grouped by day, and whether there is more."""

    case: SipCase
    is_own: bool  # the reader is the person the SIP is about
    days: list[LogDay]
    page: int
    has_newer: bool
    has_older: bool


def page_for(actor, public_id: str, page: int = 1) -> AccessLogPage:
    """One page of the log, newest first; NotFound for anyone the policy does not let read it."""
    case = cases.get_case_for(actor, public_id, Action.VIEW_ACCESS_LOG)
    if not 1 <= page <= MAX_PAGE:
        raise NotFound(N_("Sidan finns inte."))
    # One more than shown tells whether there is an older page.
    entries = access_log.staff_entries(case, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
    if not entries and page > 1:
        raise NotFound(N_("Sidan finns inte."))
    shown = entries[:PAGE_SIZE]
    units = access_log.units_of(case, {entry.actor_staff_id for entry in shown})
    days: list[LogDay] = []
    introduced: set[int] = set()
    for entry in shown:
        at = entry.at.astimezone(SWEDISH_TIME)
        first = entry.actor_staff_id not in introduced
        introduced.add(entry.actor_staff_id)
        sentence = access_log.sentence_for(entry.action)
        line = LogLine(at, entry.display_name, units.get(entry.actor_staff_id), sentence, first)
        day = at.date()
        if not days or days[-1].day != day:
            days.append(LogDay(day, []))
        days[-1].lines.append(line)
    return AccessLogPage(
        case=case,
        is_own=case.subject_id == actor.id,
        days=days,
        page=page,
        has_newer=page > 1,
        has_older=len(entries) > PAGE_SIZE,
    )
