"""A SIP during compulsory psychiatric care [DA 3.6.1] [issue 16].

What the source says, and what the system does with it:

- During compulsory care (psykiatrisk tvångsvård, LPT; rättspsykiatrisk vård, LRV; and their open forms,
  öppen psykiatrisk tvångsvård and öppen rättspsykiatrisk vård) a SIP is made as any other, with the person's
  consent. The coordinator records the kind on the case (``record``, or when starting the SIP): staff see it
  on the case page, so everyone planning knows the conditions the care has. It is not shown to the person in
  the history (they know their own care; a message or a relative's screen is not the place for it).
- The exception: a patient who at discharge from hospital needs help *in connection with* open compulsory
  care (öppen psykiatrisk tvångsvård, öppen rättspsykiatrisk vård) is planned for "i stället ... enligt
  bestämmelserna om en samordnad vårdplan" in LPT 7 a § and LRV 12 a § [DA 3.6.1]. That plan is the chief
  physician's (chefsöverläkaren) and is not a SIP. So a SIP with an "utskrivningsklar" day and an open kind
  is refused (``refusal``), whichever comes first: starting a discharge SIP with an open kind, recording an
  open kind on a discharge SIP, or adding a discharge day to a SIP with an open kind.
- LPT and LRV in hospital, without a discharge day, and the open kinds outside a discharge: no other rule.
"""

from __future__ import annotations

from datetime import date

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import CompulsoryCare, EventKind, SipCase, StaffUser
from citizen_app.services import N_, DomainError, InvalidInput, audit, timeline

OPEN_KINDS = frozenset({CompulsoryCare.OPEN_LPT, CompulsoryCare.OPEN_LRV})

COORDINATED_CARE_PLAN_INSTEAD = N_(
    "Vid utskrivning till öppen psykiatrisk tvångsvård eller öppen rättspsykiatrisk vård görs ingen SIP. "
    "Då gör chefsöverläkaren en samordnad vårdplan enligt LPT eller LRV."
)


class InvalidCompulsoryCare(InvalidInput):
    pass


def parse(value: str | None) -> CompulsoryCare | None:
    """The kind chosen in a form: "" is none; anything else not offered is an error on the field."""
    if not value:
        return None
    try:
        return CompulsoryCare(value)
    except ValueError:
        raise InvalidCompulsoryCare({"compulsory_care": N_("Välj bland alternativen")}) from None


def refusal(kind: CompulsoryCare | None, discharge_date: date | None) -> str | None:
    """Why a SIP cannot be made with this kind and discharge day [DA 3.6.1], or None."""
    if discharge_date is not None and kind in OPEN_KINDS:
        return COORDINATED_CARE_PLAN_INSTEAD
    return None


def record(staff: StaffUser, case: SipCase, kind: CompulsoryCare | None) -> SipCase:
    """The coordinator records the kind of compulsory care (None: there is none, or it has ended)."""
    access.require(staff, Action.STAFF_RECORD_COMPULSORY_CARE, case)
    if case.is_closed:
        raise DomainError(N_("SIP:en är avslutad."))
    refused = refusal(kind, case.discharge_date)
    if refused:
        raise InvalidCompulsoryCare({"compulsory_care": refused})
    if case.compulsory_care == kind:
        return case
    case.compulsory_care = kind
    event = timeline.record(
        case, EventKind.COMPULSORY_CARE_RECORDED, staff, data={"kind": kind.value if kind else ""}
    )
    event.visible_to_person = False
    db.session.flush()
    audit.record(staff, "case.record_compulsory_care", case, kind=kind.value if kind else "")
    return case
