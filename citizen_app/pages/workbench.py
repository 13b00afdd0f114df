"""The staff start page's workbench in words (issue 16): the next deadline ("Möte senast 29 dec – 4 dagar
kvar", "Planen ska skrivas senast i morgon", "Uppföljning om 2 veckor") and what waits on whom.

What each SIP's deadline is and what it waits for are decided in services (deadlines.next_deadline,
workbench.waits_for); this module only says it, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, gettext, ngettext

from citizen_app.models import StaffRole, StaffUser, Step
from citizen_app.services import N_, workbench
from citizen_app.services.deadlines import Deadline
from citizen_app.services.workbench import Filters, Listing, Wait, WaitKind


@dataclass(frozen=True)
class RowWords:
    public_id: str
    name: str  # the person's name, or the name a relative suggested
    step: str
    deadline: str  # "" when nothing is due
    overdue: bool
    waits: list[str]


@dataclass(frozen=True)
class ListWords:
    rows: list[RowWords]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class StartPage:
    is_coordinator: bool
    mine: ListWords
    theirs: ListWords
    filters: Filters
    steps: list[tuple[str, str]]  # (value, words) for the step filter


def start_page_for(
    staff: StaffUser, unit_roles: dict[int, StaffRole], filters: Filters, today: date | None = None
) -> StartPage:
    day = today or date.today()
    bench = workbench.workbench_for(staff, unit_roles, filters, day)
    return StartPage(
        is_coordinator=StaffRole.COORDINATOR in unit_roles.values(),
        mine=_words(bench.mine),
        theirs=_words(bench.theirs),
        filters=filters,
        steps=[(step.value, step_words(step)) for step in workbench.STEPS],
    )


def _words(listing: Listing) -> ListWords:
    rows = [
        RowWords(
            public_id=row.case.public_id,
            name=row.case.subject.display_name
            if row.case.subject
            else gettext("Förslag från närstående:")
            + " "
            + ((row.case.details or {}).get("close_name") or ""),
            step=step_words(row.case.step),
            deadline=deadline_words(row.deadline) if row.deadline else "",
            overdue=bool(row.deadline and row.deadline.overdue),
            waits=[wait_words(w) for w in row.waits],
        )
        for row in listing.rows
    ]
    return ListWords(rows, listing.total, listing.page, listing.pages)


_STEP_WORDS = {
    Step.REQUESTED: N_("Ny förfrågan"),
    Step.CONSENT: N_("Väntar på samtycke"),
    Step.PREPARATION: N_("Förberedelse"),
    Step.INVITED: N_("Kallelse skickad"),
    Step.MEETING_HELD: N_("Mötet är hållet"),
    Step.PLAN_DOCUMENTED: N_("Planen är skriven"),
    Step.PLAN_APPROVED: N_("Planen är godkänd"),
    Step.FOLLOW_UP: N_("Uppföljning"),
    Step.CLOSED: N_("Avslutad"),
}


def step_words(step: Step) -> str:
    """Only the step asked for is translated (a row of the workbench asks once; all nine were translated
    for every row before) [issue 17]."""
    return gettext(_STEP_WORDS[step])


def _short(day: date) -> str:
    return format_date(day, "d MMM")


def _left(days_left: int) -> str:
    """ "4 dagar kvar", "3 dagar sen"."""
    if days_left < 0:
        return ngettext("%(num)s dag sen", "%(num)s dagar sen", -days_left)
    return ngettext("%(num)s dag kvar", "%(num)s dagar kvar", days_left)


def _when(days_left: int) -> str:
    """ "i dag", "i morgon", "om 5 dagar", "om 2 veckor"."""
    if days_left == 0:
        return gettext("i dag")
    if days_left == 1:
        return gettext("i morgon")
    if days_left < 14:
        return ngettext("om %(num)s dag", "om %(num)s dagar", days_left)
    return ngettext("om %(num)s vecka", "om %(num)s veckor", days_left // 7)


def deadline_words(deadline: Deadline) -> str:
    """The next deadline as a coordinator says it."""
    left = deadline.days_left
    due = _short(deadline.due)
    if deadline.kind == "follow_up":
        if left < 0:
            return gettext("Uppföljning %(day)s – %(late)s", day=due, late=_left(left))
        return gettext("Uppföljning %(when)s", when=_when(left))
    if deadline.kind == "plan":
        if left in (0, 1):
            return gettext("Planen ska skrivas senast %(when)s", when=_when(left))
        return gettext("Planen ska skrivas senast %(day)s – %(left)s", day=due, left=_left(left))
    if deadline.kind == "discharge_invitation":
        if left in (0, 1):
            return gettext("Kallelse senast %(when)s", when=_when(left))
        return gettext("Kallelse senast %(day)s – %(left)s", day=due, left=_left(left))
    if left in (0, 1):
        return gettext("Möte senast %(when)s", when=_when(left))
    return gettext("Möte senast %(day)s – %(left)s", day=due, left=_left(left))


def wait_words(wait: Wait) -> str:
    """What the SIP waits for, and on whom."""
    if wait.kind == WaitKind.COORDINATOR_GONE:
        return gettext("Samordnaren kan inte logga in längre – välj en ny samordnare")
    if wait.kind == WaitKind.GUARDIAN_CONSENT:
        return ngettext(
            "Väntar på samtycke från %(num)s vårdnadshavare",
            "Väntar på samtycke från %(num)s vårdnadshavare",
            wait.count,
        )
    if wait.kind == WaitKind.PERSON_CONSENT:
        return gettext("Väntar på samtycke från personen")
    if wait.kind == WaitKind.UNIT_INVITATIONS:
        return ngettext(
            "%(num)s enhet har inte svarat på kallelsen",
            "%(num)s enheter har inte svarat på kallelsen",
            wait.count,
        )
    if wait.kind == WaitKind.PLAN_COMMENTS:
        return ngettext(
            "%(num)s kommentar på utkastet till plan", "%(num)s kommentarer på utkastet till plan", wait.count
        )
    return ngettext("%(num)s problem är inte besvarat", "%(num)s problem är inte besvarade", wait.count)
