"""The consent as the coordinator sees it, and the coordinator writing down an oral or paper consent.

What the staff case page shows is decided here (the state, each guardian's answer, the child's view, the
history with unit names), so the template only displays it. The rules themselves stay in ``consent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    ChildView,
    ClosingReason,
    ConsentAbility,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    Person,
    SipCase,
    StaffUser,
    Step,
    Unit,
)
from citizen_app.services import N_, child_view, consent, mature_minor, representation

METHODS = {"oral": ConsentMethod.ORAL, "paper": ConsentMethod.PAPER}


@dataclass(frozen=True)
class VoiceAnswer:
    """One voice that must consent (a guardian with custody, or the adult person) and where it stands."""

    person: Person
    state: str  # "yes", "waiting", "expired" or "withdrawn"
    valid_until: date | None


@dataclass
class StaffConsent:
    """The consent part of the staff case page."""

    state: str  # "in_force", "waiting", "expired", "withdrawn" or "none"
    scope: consent.Scope | None
    party_names: list[str]  # the units the consent in force names, by name
    voices: list[VoiceAnswer]
    is_child: bool
    child_view: ChildView | None
    history: list[ConsentEvent]  # newest first, with consenter and recording staff loaded
    unit_names: dict[str, str]  # unit public id → name, for the history
    ended_on: date | None  # the last day of an expired consent
    can_record: bool
    ability: ConsentAbility | None = None  # an adult: what was last recorded about consenting themself
    nobody_can_consent: bool = False  # a menprövning may then stand in for consent [issue 15]
    mature_minor: bool = False  # the child consents themself [issue 15]: "Barnets svar", not the guardians'

    def names_of(self, unit_ids: list[str]) -> list[str]:
        return sorted(self.unit_names.get(u, "–") for u in unit_ids)


def _voice_state(event: ConsentEvent | None, today: date) -> str:
    if event is None:
        return "waiting"
    if event.kind == ConsentEventKind.WITHDRAWN:
        return "withdrawn"
    if event.kind == ConsentEventKind.EXPIRED or (event.valid_until and event.valid_until < today):
        return "expired"
    return "yes"


def _last_day(event: ConsentEvent | None) -> date | None:
    """The last day a consent held; a recorded expiry keeps it in ``valid_from`` (see reminders._expire)."""
    if event is None:
        return None
    return event.valid_from if event.kind == ConsentEventKind.EXPIRED else event.valid_until


def _history(case: SipCase) -> list[ConsentEvent]:
    return list(
        db.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.case_id == case.id)
            .options(selectinload(ConsentEvent.consenter), selectinload(ConsentEvent.recorded_by_staff))
            .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        )
    )


def _unit_names(history: list[ConsentEvent]) -> dict[str, str]:
    ids = {unit_id for event in history for unit_id in event.unit_ids or []}
    if not ids:
        return {}
    rows = db.session.execute(select(Unit.public_id, Unit.name).where(Unit.public_id.in_(ids)))
    return {public_id: name for public_id, name in rows}


def can_record(staff: StaffUser, case: SipCase) -> bool:
    """The case's coordinator may write down a consent while the SIP is open and past the request."""
    return (
        not case.is_closed
        and case.step != Step.REQUESTED
        and case.subject is not None
        and access.can(staff, Action.STAFF_RECORD_CONSENT, case)
    )


def consent_for_staff(staff: StaffUser, case: SipCase, today: date | None = None) -> StaffConsent | None:
    """The consent part of the staff case page; None for a request nobody has taken yet (no consent then)."""
    day = today or date.today()
    if case.subject is None or case.step == Step.REQUESTED:
        return None
    history = _history(case)
    names = _unit_names(history)
    scope = consent.in_force(case, day)
    latest = consent.latest_by_voice(case, day)
    voices = [
        VoiceAnswer(v, _voice_state(latest.get(v.id), day), _last_day(latest.get(v.id)))
        for v in consent.required_voices(case, day)
    ]
    ended_on = None
    if case.closing_reason == ClosingReason.CONSENT_WITHDRAWN:
        state = "withdrawn"
    elif scope is not None:
        state = "in_force"
    elif any(v.state == "expired" for v in voices):
        state = "expired"
        ended_on = min(
            (v.valid_until for v in voices if v.state == "expired" and v.valid_until), default=None
        )
    else:
        state = "waiting" if history else "none"
    return StaffConsent(
        state=state,
        scope=scope,
        party_names=sorted(names.get(u, "–") for u in scope.unit_ids) if scope else [],
        voices=voices,
        is_child=case.subject.is_child_on(day),
        child_view=child_view.latest(case) if case.subject.is_child_on(day) else None,
        history=history,
        unit_names=names,
        ended_on=ended_on,
        can_record=can_record(staff, case),
        ability=None if case.subject.is_child_on(day) else representation.latest_ability(case),
        nobody_can_consent=representation.nobody_can_consent(case, day),
        mature_minor=mature_minor.consents_themself(case, day),
    )


# --- writing down an oral or paper consent ------------------------------------------------------------------


def who_can_have_consented(case: SipCase, today: date | None = None) -> list[Person]:
    """Those whose oral or paper consent counts: the guardians with custody of a child; for an adult, the
    person, or while they cannot consent someone with a valid mandate to act for them [DA 4.2] [issue 15]."""
    day = today or date.today()
    if case.subject is not None and not case.subject.is_child_on(day):
        return representation.who_may_consent(case, day)  # the person first [issue 15]
    return list(consent.required_voices(case, day))


def latest_day_allowed(given_on: date) -> date:
    """A consent lasts at most a year from the day it was given [DA 4.2]."""
    return given_on + timedelta(days=consent.MAX_DAYS)


def record(
    staff: StaffUser,
    case: SipCase,
    consenter_id: str,
    method: str,
    given_on: date | None,
    valid_until: date | None,
    unit_ids: list[str],
    categories: list[str],
    other_parties: list[str],
    exclusions: str,
    today: date | None = None,
) -> ConsentEvent:
    """Write down a consent from the form's plain values; every missing or wrong answer is named at once.

    Raises ``consent.InvalidScope`` (field → msgid) or NotAllowed. The rules are those of
    ``consent.record_by_staff``; this turns the answers into what it takes and names those it cannot lack.
    """
    day = today or date.today()
    consenter = next((p for p in who_can_have_consented(case, day) if p.public_id == consenter_id), None)
    missing: dict[str, str] = {}
    if consenter is None:
        missing["consenter"] = N_("Välj vem som lämnade samtycket")
    if method not in METHODS:
        missing["method"] = N_("Välj om samtycket lämnades muntligt eller på papper")
    if given_on is None:
        missing["given_on"] = N_("Skriv när samtycket lämnades")
    if not unit_ids:
        missing["units"] = N_("Välj minst en verksamhet som får vara med")
    if not categories:
        missing["categories"] = N_("Välj minst en sorts uppgifter som får delas")
    if valid_until is None:
        missing["valid_until"] = N_("Skriv till vilket datum samtycket gäller")
    if consenter is None or method not in METHODS or given_on is None or valid_until is None:
        raise consent.InvalidScope(missing)
    return consent.record_by_staff(
        staff,
        case,
        consenter,
        METHODS[method],
        given_on,
        unit_ids,
        categories,
        valid_until,
        other_parties=other_parties,
        exclusions=exclusions,
        today=day,
    )
