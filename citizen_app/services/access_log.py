""" "Vem har läst om mig": every staff read and change of a SIP, for the person and those acting for them
[QUALITY 4] [issue 13]. The page itself (25 lines a page, grouped by day) is pages/access_log.py.

The About page promises "Du kan se vem som har läst". The audit log already holds every staff read and
change (services/audit.py); this module reads the staff entries of one SIP, newest first, and has a plain
sentence for each. Who may read it is the access policy's ``VIEW_ACCESS_LOG``: the person, a guardian with
custody, a valid representative. Never a relative, a parent without custody, the child (whose guardians
decide), or staff; they get "not found" like for any page of a SIP they may not see.

Every action the code writes to the audit log has its own sentence in ``SENTENCES`` (a test reads the calls
of ``audit.record`` and fails on an action without one), so nobody is ever told only "something changed".
A sentence names the doer as ``%(who)s``: for staff "Kent Olofsson på Socialtjänsten".

Which unit: the audit entry names the staff member, not the unit they acted for. The page names the staff
member's unit that has to do with the SIP (the unit that owns it first, then a unit taking part), else their
first unit by name (``units_of``). Two queries for a page of any length: the entries with the staff names,
and the units of the staff on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
from citizen_app.services import N_

# One plain sentence per audit action. ``%(who)s`` is the doer. Actions that only citizens or the system do
# are here too, so the log reads right whoever it shows; the page lists only what staff did.
SENTENCES: dict[str, str] = {
    # The SIP itself
    "case.read": N_("%(who)s läste i SIP:en."),
    "case.start": N_("%(who)s startade SIP:en."),
    "case.link_discharge": N_("%(who)s skrev in dagen då personen kan lämna sjukhuset."),
    "case.record_compulsory_care": N_("%(who)s skrev in om personen har psykiatrisk tvångsvård."),
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
    # Consent over a life [issue 15]
    "consent.declined": N_("%(who)s sa nej till en SIP."),
    "case.asked_again": N_("%(who)s ändrade sig och bad om en ny SIP."),
    "consent.confirmed_at_meeting": N_("%(who)s skrev in att samtycket bekräftades på mötet."),
    "consent.changed_at_meeting": N_("%(who)s skrev in att samtycket skulle ändras på mötet."),
    "consent.not_confirmed_at_meeting": N_("%(who)s skrev in att samtycket inte bekräftades på mötet."),
    "consent.came_of_age": N_("Personen fyllde 18 och bestämmer nu själv om samtycket."),
    "consent.ended_at_18": N_("Vårdnadshavarnas ja slutade gälla när personen fyllde 18."),
    "consent.ability_recorded": N_("%(who)s skrev in om personen kan lämna samtycke själv."),
    "consent.harm_assessed": N_("%(who)s gjorde en menprövning i stället för samtycke."),
    "mature_minor.decided": N_("%(who)s skrev in att barnet bestämmer själv om samtycket."),
    "mature_minor.ended": N_("%(who)s skrev in att vårdnadshavarna bestämmer om samtycket igen."),
    "mature_minor.guardian_view_chosen": N_("%(who)s valde vad vårdnadshavarna får se."),
    "sharing.former_guardian_added": N_("%(who)s lät en förälder vara med i SIP:en."),
    "sharing.former_guardian_removed": N_("%(who)s tog bort en förälder från SIP:en."),
    "child_view.recorded": N_("%(who)s skrev in vad barnet tycker."),
    # The meeting
    "meeting.set": N_("%(who)s bokade en tid för mötet."),
    "meeting.changed": N_("%(who)s ändrade tid eller plats för mötet."),
    "meeting.held": N_("%(who)s skrev in att mötet är klart."),
    "invitation.sent": N_("%(who)s skickade en inbjudan till mötet."),
    "invitation.link_sent": N_("%(who)s skickade en länk till en närståendes inbjudan med sms eller e-post."),
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
    "access_link.sent.child_pages": N_("%(who)s skickade barnets kod med sms eller e-post."),
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
    # issue 16: moving the coordination [VN]
    "coordination.move_proposed": N_("%(who)s föreslog att en annan enhet tar över samordningen."),
    "coordination.move_read": N_("%(who)s läste ett förslag om att flytta samordningen."),
    "coordination.move_accepted": N_("%(who)s tog över samordningen."),
    "coordination.move_declined": N_("%(who)s sa nej till att ta över samordningen."),
    "coordination.move_withdrawn": N_("%(who)s tog tillbaka förslaget om att flytta samordningen."),
    # Not about one SIP (never on the page, written for completeness)
    "my_data.downloaded": N_("%(who)s hämtade det Min SIP har sparat om en person."),
    "push.subscribed": N_("%(who)s slog på notiser."),
    "push.unsubscribed": N_("%(who)s slog av notiser."),
    "outreach.chosen": N_("%(who)s valde om hen vill ha e-post eller sms från Min SIP."),
    # issue 16 (meetings): a meeting written down after it happened
    "meeting.recorded_after": N_("%(who)s skrev in ett möte som redan hade varit."),
    # issue 16: the plan's actions
    "plan.action_changed": N_("%(who)s ändrade något som ska göras i planen."),
    "plan.action_marked": N_("%(who)s skrev in hur det går med något som ska göras i planen."),
    "plan.actions_listed": N_("%(who)s såg vad verksamheten ska göra i SIP:en."),
    # issue 18: the organisation import (not about one SIP)
    "organisation.imported": N_("%(who)s läste in enheter och personal från en fil."),
    # issue 18: the county's organisation, changed by an administrator (never about one SIP)
    "organisation.principal_added": N_("%(who)s lade till en huvudman."),
    "organisation.principal_changed": N_("%(who)s ändrade en huvudman."),
    "organisation.unit_added": N_("%(who)s lade till en enhet."),
    "organisation.unit_changed": N_("%(who)s ändrade en enhet."),
    "organisation.staff_added": N_("%(who)s lade till en person i personalen."),
    "organisation.staff_changed": N_("%(who)s ändrade uppgifter om en person i personalen."),
    "organisation.role_given": N_("%(who)s gav en person en roll på en enhet."),
    "organisation.role_removed": N_("%(who)s tog bort en persons roll på en enhet."),
    "organisation.admin_appointed": N_("%(who)s gjorde en person till administratör."),
    "organisation.admin_removed": N_("%(who)s tog bort en administratör."),
    "organisation.staff_deactivated": N_("%(who)s stängde av en persons konto."),
    "organisation.staff_reactivated": N_("%(who)s öppnade en persons konto igen."),
    "organisation.identity_linked": N_("%(who)s loggade in för första gången med sitt HSA-id."),
    "representation.registered": N_("%(who)s skrev in en ställföreträdare från beslutet."),
    "representation.ended": N_("%(who)s skrev in att ett beslut om ställföreträdare har upphört."),
    # issue 18: the population register (the system follows it; never a staff member or the citizen)
    "register.custody_gained": N_("Folkbokföringen visar att en förälder har fått vårdnaden om barnet."),
    "register.custody_lost": N_("Folkbokföringen visar att en förälder inte längre har vårdnaden om barnet."),
}
# An action this table does not know yet still gets a true, if vague, sentence rather than an error page.
UNKNOWN_ACTION = N_("%(who)s gjorde något i SIP:en.")
WHO = N_("%(name)s på %(unit)s")  # the first time a staff member appears on the page
WHO_WITHOUT_UNIT = N_("%(name)s, som inte längre har någon enhet,")


def sentence_for(action: str) -> str:
    return SENTENCES.get(action, UNKNOWN_ACTION)


def may_see(actor, case: SipCase) -> bool:
    return access.can(actor, Action.VIEW_ACCESS_LOG, case)


def readable_among(person, sips: list[SipCase]) -> set[str]:
    """The public ids of the SIPs whose log ``person`` may read: for the start page, in two queries."""
    access.roles_for_many(person, sips)
    return {case.public_id for case in sips if may_see(person, case)}


@dataclass(frozen=True)
class StaffEntry:
    """One staff read or change of a SIP, with the staff member's name."""

    at: datetime
    action: str
    actor_staff_id: int
    display_name: str


def staff_entries(case: SipCase, offset: int, limit: int) -> list[StaffEntry]:
    """The case's audit entries by staff, newest first: ``limit`` of them from ``offset``. One query."""
    rows = db.session.execute(
        select(AuditEntry.at, AuditEntry.action, AuditEntry.actor_staff_id, StaffUser.display_name)
        .join(StaffUser, StaffUser.id == AuditEntry.actor_staff_id)
        .where(AuditEntry.case_id == case.id, AuditEntry.actor_kind == "staff")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    # Every row has a staff id (the join is on it); the test only tells the type checker so.
    return [
        StaffEntry(at, action, staff_id, name) for at, action, staff_id, name in rows if staff_id is not None
    ]


def units_of(case: SipCase, staff_ids: set[int]) -> dict[int, str]:
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
