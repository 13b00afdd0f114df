"""A SIP at discharge from hospital (lag 2017:612) [VM] [ST] [VN] [DA 3.3.2] [issue 16].

- The coordinator is the person's *fast vårdkontakt* in the region's outpatient care (a health centre, a
  psychiatric outpatient clinic), never the ward: "patientens fasta vårdkontakt i den
  landstingsfinansierade öppna vården [är] samordningsansvarig" [VM]; "Kallelse ... ska skickas av den
  fasta vårdkontakten i den öppna vården" [VN]. Which units are one is county configuration
  (``unit.is_fixed_care_contact``, set with ``flask intake fast-vardkontakt``); a discharge SIP started by
  staff must be owned by one.
- The "utskrivningsklar" day may lie up to 30 days back and a year ahead (``allowed_range``), for staff and
  citizens alike. The 3-day invitation deadline is services/deadlines.py's.
- A person admitted who already has an open SIP: that SIP is followed up and revised, not duplicated [DA
  3.3.2] ("Om det vid inskrivning redan finns en upprättad SIP ska den följas upp och revideras"); the fast
  vårdkontakt decides with the person whether it is updated [ST]. So ``link`` adds the day to the open SIP
  (the newest, if there are several), keeps its coordinator, writes it in the history and tells the
  coordinator (or, before anyone has taken the SIP, its unit's coordinators). Closing it and starting over
  when the long-term goal has changed is the coordinator's decision, made as any closing.
- At discharge to *open* compulsory psychiatric care, no SIP: services/compulsory_care.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import EventKind, NotificationKind, Person, SipCase, StaffUser, Step, Unit
from citizen_app.services import N_, audit, notifications, recipients, timeline

DAYS_BACK = 30
DAYS_AHEAD = 365

NOT_A_FIXED_CARE_CONTACT = N_(
    "Vid utskrivning är samordnaren personens fasta vårdkontakt i öppenvården, till exempel vårdcentralen. "
    "Välj en enhet som är fast vårdkontakt, inte avdelningen."
)


def allowed_range(today: date) -> tuple[date, date]:
    """The earliest and latest "utskrivningsklar" day that can be written in."""
    return today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)


def date_error(discharge_date: date | None, today: date) -> str | None:
    if discharge_date is None:
        return None
    earliest, latest = allowed_range(today)
    if not earliest <= discharge_date <= latest:
        return N_("Skriv ett datum inom ett år från i dag")
    return None


def unit_error(unit: Unit, discharge_date: date | None) -> str | None:
    """A discharge SIP is coordinated by a fast vårdkontakt [VM] [VN]; any unit otherwise."""
    if discharge_date is not None and not unit.is_fixed_care_contact:
        return NOT_A_FIXED_CARE_CONTACT
    return None


def open_case_of(person: Person) -> SipCase | None:
    """The person's open SIP, the newest when there are several (None when they have none)."""
    return db.session.scalar(
        select(SipCase)
        .where(SipCase.subject_id == person.id, SipCase.step != Step.CLOSED)
        .order_by(SipCase.requested_at.desc(), SipCase.public_id)
        .limit(1)
    )


def link(staff: StaffUser, case: SipCase, discharge_date: date) -> SipCase:
    """Add the "utskrivningsklar" day to the person's open SIP instead of making a second one [DA 3.3.2]."""
    earlier = case.discharge_date
    case.discharge_date = discharge_date
    timeline.record(
        case,
        EventKind.DISCHARGE_LINKED,
        staff,
        data={
            "discharge_date": discharge_date.isoformat(),
            "earlier": earlier.isoformat() if earlier else "",
        },
    )
    db.session.flush()
    audit.record(staff, "case.link_discharge", case)
    coordinator = recipients.current_coordinator(case)
    told = (
        [coordinator]
        if coordinator is not None
        else (recipients.unit_coordinators(case.owning_unit_id) if case.owning_unit_id else [])
    )
    for member in told:
        notifications.notify(
            member,
            NotificationKind.DISCHARGE_LINKED,
            case,
            data={"discharge_date": discharge_date.isoformat()},
        )
    return case
