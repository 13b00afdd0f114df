""" "Vem har läst om mig": every staff read and change of a SIP, for the person and those acting for them
[QUALITY 4] [issue 13].

The About page promises "Du kan se vem som har läst". The audit log already holds every staff read and
change (services/audit.py); this module turns the staff entries of one SIP into plain sentences, newest
first, a page at a time. Who may read it is the access policy's ``VIEW_ACCESS_LOG``: the person, a guardian
with custody, a valid representative. Never a relative, a parent without custody, the child (whose guardians
decide), or staff; they get "not found" like for any page of a SIP they may not see.

Every action the code writes to the audit log has its own sentence in ``SENTENCES`` (a test reads the calls
of ``audit.record`` and fails on an action without one), so nobody is ever told only "something changed".
A sentence names the doer as ``%(who)s``: for staff "Kent Olofsson på Socialtjänsten".

A line names the staff member's unit the first time they appear on the page ("Kent Olofsson på
Socialtjänsten Exempelstad läste i SIP:en."), and after that only their name ("Kent Olofsson läste i
SIP:en."), as one writes about someone already introduced. Repeating the unit on each of 25 lines made the
page hard to read (LIX over 35 with the demo's unit names) and told the reader nothing new.

Which unit: the audit entry names the staff member, not the unit they acted for. The page names the staff
member's unit that has to do with the SIP (the unit that owns it first, then a unit taking part), else their
first unit by name. Two queries for a page of any length: the entries with the staff names, and the units of
the staff on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case as sql_case
from sqlalchemy import select

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    Participant,
    ParticipantRole,
    SipCase,
    StaffMembership,
    StaffUser,
    Unit,
)
from citizen_app.services import N_, NotFound, cases

PAGE_SIZE = 25
MAX_PAGE = 10_000  # far beyond any real log; a larger number is "not found", not a slow query
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")  # the days the page groups by are Swedish days

# One plain sentence per audit action. ``%(who)s`` is the doer. Actions that only citizens or the system do
# are here too, so the log reads right whoever it shows; the page lists only what staff did.
SENTENCES: dict[str, str] = {
    # The SIP itself
    "case.read": N_("%(who)s läste i SIP:en."),
    "case.start": N_("%(who)s startade SIP:en."),
    "case.accept": N_("%(who)s tog emot förfrågan och valde en samordnare."),
    "case.forward": N_("%(who)s skickade förfrågan till en annan enhet."),
    "case.change_coordinator": N_("%(who)s bytte samordnare."),
    "case.link_person": N_("%(who)s kopplade förslaget till rätt person."),
    "case.cancel": N_("%(who)s avbröt SIP:en."),
    "case.closed": N_("%(who)s avslutade SIP:en."),
    # Consent
    "consent.given": N_("%(who)s sa ja till att dela uppgifter."),
    "consent.changed": N_("%(who)s ändrade sitt ja till att dela uppgifter."),
    "consent.withdrawn": N_("%(who)s tog tillbaka sitt ja."),
    "consent.expired": N_("Ett ja till att dela uppgifter slutade gälla."),
    "consent.recorded_by_staff": N_("%(who)s skrev in ett ja som inte gavs i Min SIP."),
    "child_view.recorded": N_("%(who)s skrev in vad barnet tycker."),
    # The meeting
    "meeting.set": N_("%(who)s bokade en tid för mötet."),
    "meeting.changed": N_("%(who)s ändrade tid eller plats för mötet."),
    "meeting.held": N_("%(who)s skrev in att mötet är klart."),
    "invitation.sent": N_("%(who)s skickade en inbjudan till mötet."),
    "invitation.read": N_("%(who)s läste en inbjudan till mötet."),
    "invitation.answered": N_("%(who)s svarade på en inbjudan till mötet."),
    "invitation.answered_by_guest": N_("En närstående svarade på sin inbjudan till mötet."),
    "preparation.topic_suggested": N_("En närstående gav ett förslag på vad ni kan prata om."),
    "preparation.guest_added": N_("%(who)s lade till en närstående som kan bjudas in."),
    "preparation.guest_removed": N_("%(who)s tog bort en närstående från mötet."),
    # Codes and links for those who do not sign in with e-ID
    "access_link.created.child_pages": N_("%(who)s gjorde en kod så att barnet kan säga vad hen tycker."),
    "access_link.used.child_pages": N_("Barnet öppnade sina sidor med sin kod."),
    "access_link.revoked.child_pages": N_("%(who)s stängde barnets kod."),
    "access_link.created.relative_invitation": N_("%(who)s gjorde en länk till en närståendes inbjudan."),
    "access_link.used.relative_invitation": N_("En närstående öppnade sin inbjudan."),
    "access_link.revoked.relative_invitation": N_("%(who)s stängde en länk som en närstående hade fått."),
    # The plan
    "plan.draft_started": N_("%(who)s började skriva planen."),
    "plan.sent_for_reading": N_("%(who)s skickade planen så att den kan läsas."),
    "plan.approved": N_("%(who)s skrev in att planen är godkänd."),
    "plan.commented": N_("%(who)s skrev vad som ska ändras i planen."),
    "plan.shared": N_("%(who)s lät en närstående läsa planen."),
    "plan.share_revoked": N_("%(who)s slutade dela planen med en närstående."),
    "decision.recorded": N_("%(who)s skrev in ett beslut som planen väntade på."),
    # Problems the person reported
    "problem.reported": N_("%(who)s rapporterade ett problem."),
    "problem.read": N_("%(who)s läste om ett problem som har rapporterats."),
    "problem.investigating": N_("%(who)s började ta reda på mer om ett problem."),
    "problem.answered": N_("%(who)s svarade på ett problem som har rapporterats."),
    # Not about one SIP (never on the page, written for completeness)
    "push.subscribed": N_("%(who)s slog på notiser."),
    "push.unsubscribed": N_("%(who)s slog av notiser."),
}
# An action this table does not know yet still gets a true, if vague, sentence rather than an error page.
UNKNOWN_ACTION = N_("%(who)s gjorde något i SIP:en.")
WHO = N_("%(name)s på %(unit)s")  # the first time a staff member appears on the page
WHO_WITHOUT_UNIT = N_("%(name)s, som inte längre har någon enhet,")


def sentence_for(action: str) -> str:
    return SENTENCES.get(action, UNKNOWN_ACTION)


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


def may_see(actor, case: SipCase) -> bool:
    return access.can(actor, Action.VIEW_ACCESS_LOG, case)


def readable_among(person, sips: list[SipCase]) -> set[str]:
    """The public ids of the SIPs whose log ``person`` may read: for the start page, in two queries."""
    access.roles_for_many(person, sips)
    return {case.public_id for case in sips if may_see(person, case)}


def page_for(actor, public_id: str, page: int = 1) -> AccessLogPage:
    """One page of the log, newest first; NotFound for anyone the policy does not let read it."""
    case = cases.get_case_for(actor, public_id, Action.VIEW_ACCESS_LOG)
    if not 1 <= page <= MAX_PAGE:
        raise NotFound(N_("Sidan finns inte."))
    rows = db.session.execute(
        select(AuditEntry.at, AuditEntry.action, AuditEntry.actor_staff_id, StaffUser.display_name)
        .join(StaffUser, StaffUser.id == AuditEntry.actor_staff_id)
        .where(AuditEntry.case_id == case.id, AuditEntry.actor_kind == "staff")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)  # one more than shown tells whether there is an older page
    ).all()
    if not rows and page > 1:
        raise NotFound(N_("Sidan finns inte."))
    shown = rows[:PAGE_SIZE]
    units = _units_of(case, {row.actor_staff_id for row in shown})
    days: list[LogDay] = []
    introduced: set[int] = set()
    for row in shown:
        at = row.at.astimezone(SWEDISH_TIME)
        first = row.actor_staff_id not in introduced
        introduced.add(row.actor_staff_id)
        line = LogLine(at, row.display_name, units.get(row.actor_staff_id), sentence_for(row.action), first)
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
        has_older=len(rows) > PAGE_SIZE,
    )


def _units_of(case: SipCase, staff_ids: set[int]) -> dict[int, str]:
    """The name of the unit each staff member acted for, as well as the log can tell (see the docstring)."""
    if not staff_ids:
        return {}
    taking_part = select(Participant.unit_id).where(
        Participant.case_id == case.id, Participant.role == ParticipantRole.UNIT
    )
    rank = sql_case(
        (Unit.id == case.owning_unit_id, 0),
        (Unit.id.in_(taking_part), 1),
        else_=2,
    )
    rows = db.session.execute(
        select(StaffMembership.staff_id, Unit.name)
        .join(Unit, Unit.id == StaffMembership.unit_id)
        .where(StaffMembership.staff_id.in_(staff_ids))
        .order_by(StaffMembership.staff_id, rank, Unit.name)
    ).all()
    found: dict[int, str] = {}
    for staff_id, name in rows:
        found.setdefault(staff_id, name)
    return found
