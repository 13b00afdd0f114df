"""The consent rules [SIP.md 4] [DA 4.2] [VM] [ST]. Every rule about samtycke lives here.

- Consent is never general: named parties, information categories, exclusions and a period.
- At most one year; after that it has expired and must be given again.
- For a child, every guardian with custody consents; the narrowest scope of theirs applies. A guardian
  without custody cannot consent.
- A representative with a valid mandate may consent for the person; a framtidsfullmakt cannot cover health
  care, so it cannot name health-care units or the health category.
- For an adult, who speaks for the person (the person first; a god man or förvaltare within their mandate and
  only when the person cannot consent; a menprövning when nobody can) is decided in ``representation``.
- Either voice withdrawing ends the consent at once, and the SIP with it.
- No invitation without consent in force that covers the party (``require_covering``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeGuard
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    EventKind,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    PrincipalKind,
    RelationKind,
    Relationship,
    SipCase,
    StaffUser,
    Step,
    Unit,
)
from citizen_app.services import (
    N_,
    DomainError,
    InvalidInput,
    NotAllowed,
    audit,
    cases,
    consent_spread,
    mature_minor,
    notifications,
    recipients,
    relations,
    representation,
    timeline,
)
from citizen_app.services.consent_scope import Scope

MAX_DAYS = 365
# Plain-language categories of information; the labels live in the templates.
CATEGORIES = ("health", "social", "school", "insurance_work", "other")
HEALTH_CATEGORY = "health"
MAX_EXCLUSIONS = 2000
SWEDEN = ZoneInfo("Europe/Stockholm")
# What the coordinator saw at the meeting carries no scope: never a voice's latest answer (meeting_consent).
NOT_AN_ANSWER = frozenset(
    {
        ConsentEventKind.CONFIRMED_AT_MEETING,
        ConsentEventKind.CHANGED_AT_MEETING,
        ConsentEventKind.NOT_CONFIRMED_AT_MEETING,
        ConsentEventKind.ENDED_AT_18,  # a guardian's consent stopped counting at 18: history only
    }
)


class NotCovered(DomainError):
    """No consent in force, or it does not name this party: no invitation may be sent."""


def _events(case: SipCase) -> list[ConsentEvent]:
    return list(
        db.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.case_id == case.id)
            .order_by(ConsentEvent.at, ConsentEvent.id)
        )
    )


def lock(case: SipCase) -> None:
    """Serialize every consent change (and every invitation check) of one case, and re-read it.

    Two guardians saying yes at the same moment must not both decide "the other has not answered yet".
    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite; the second transaction
    waits, then reads what the first committed.
    """
    db.session.execute(
        update(SipCase)
        .where(SipCase.id == case.id)
        .values(version=SipCase.version)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(case)


def history(case: SipCase) -> list[ConsentEvent]:
    """Every consent event of the case, oldest first: what was agreed, when, by whom."""
    return _events(case)


def required_voices(case: SipCase, today: date, guardians: list[Relationship] | None = None) -> list[Person]:
    """Who must consent: every guardian with custody of a child; for an adult, the person themself (whose
    voice a god man, förvaltare or menprövning may speak while the person cannot: see ``representation``).
    ``guardians``: the child's guardian relationships (oldest first) when the caller has read them."""
    if case.subject is None:
        return []
    if not case.subject.is_child_on(today):
        return [case.subject]
    if mature_minor.consents_themself(case, today):
        return [case.subject]  # a child with the age and maturity consents themself [DA 4.2]
    if guardians is None:
        guardians = relations.subject_guardians(case.subject_id or 0)  # read with the ties (access): no query
    if guardians is None:
        guardians = list(
            db.session.scalars(
                select(Relationship)
                .where(Relationship.subject_id == case.subject_id, Relationship.kind == RelationKind.GUARDIAN)
                .options(joinedload(Relationship.holder))
                .order_by(Relationship.id)
            )
        )
    return [rel.holder for rel in guardians if rel.has_custody]


def voice_of(actor: Person, case: SipCase, today: date) -> int:
    """The voice an actor's consent counts as: their own for a guardian; the person's for a representative."""
    if case.subject is not None and not case.subject.is_child_on(today):
        return case.subject.id  # the person, or a representative speaking for them
    return actor.id


def latest_by_voice(
    case: SipCase, today: date, events: list[ConsentEvent] | None = None
) -> dict[int, ConsentEvent]:
    """Each voice's latest consent event. For an adult every event counts as the person's voice, except what
    guardians said before the 18th birthday: from that day their consent no longer counts [DA 4.2]."""
    latest: dict[int, ConsentEvent] = {}
    subject = case.subject
    adult = subject is not None and not subject.is_child_on(today)
    # ``events``: the case's events, oldest first, when the caller has read them already (a page).
    events = _events(case) if events is None else events
    speaks = representation.adult_voice(case, today, events) if adult else None
    again_from = None if adult else mature_minor.guardians_again_from(case)
    for event in events:
        if event.kind in NOT_AN_ANSWER:
            continue  # history only (a confirmation at a meeting, the end at 18): nobody's answer
        if adult and subject is not None:
            if event.consenter_id != subject.id and _said_on(event) < subject.adult_from():
                continue  # a guardian's consent, from when the person was a child
            if speaks is not None and not speaks.counts(event):
                continue  # not a voice that may speak for the person now [issue 15]
            latest[subject.id] = event
        elif again_from is not None and event.consenter_id != case.subject_id and event.at < again_from:
            continue  # said before a mature minor's decision ended: the guardians decide again [DA 4.2]
        else:
            latest[event.consenter_id] = event
    return latest


def _said_on(event: ConsentEvent) -> date:
    """The Swedish day an event happened."""
    return event.at.astimezone(SWEDEN).date()


def is_active(event: ConsentEvent | None, today: date) -> TypeGuard[ConsentEvent]:
    return (
        event is not None
        and event.kind != ConsentEventKind.WITHDRAWN
        and event.kind != ConsentEventKind.EXPIRED
        and event.valid_until is not None
        and event.valid_until >= today
    )


def in_force(case: SipCase, today: date | None = None) -> Scope | None:
    """The scope that applies now, or None. For two guardians: both must agree; the narrowest scope wins."""
    day = today or date.today()
    if case.is_closed:
        return None
    voices = required_voices(case, day)
    if not voices:
        return None
    return in_force_from(voices, latest_by_voice(case, day), day)


def in_force_from(voices: list[Person], latest: dict[int, ConsentEvent], day: date) -> Scope | None:
    """in_force on what is already read: the voices that must agree and each voice's latest event."""
    if any(e.kind in (ConsentEventKind.WITHDRAWN, ConsentEventKind.DECLINED) for e in latest.values()):
        return None
    events: list[ConsentEvent] = []
    ends: list[date] = []
    for voice in voices:
        event = latest.get(voice.id)
        if event is None or event.valid_until is None or not is_active(event, day):
            return None  # a voice has not said yes, or their yes has ended: nothing is in force
        events.append(event)
        ends.append(event.valid_until)
    return Scope(
        unit_ids=frozenset.intersection(*(frozenset(e.unit_ids) for e in events)),
        other_parties=frozenset.intersection(*(frozenset(e.other_parties) for e in events)),
        categories=frozenset.intersection(*(frozenset(e.categories) for e in events)),
        exclusions=tuple(e.exclusions for e in events if e.exclusions),
        valid_until=min(ends),
    )


def cannot_consent_reason(actor: Person, case: SipCase) -> str | None:
    """Why this actor may not consent, in plain Swedish (a msgid), or None when they may."""
    roles = access.roles_of(actor, case)
    if Role.GUARDIAN_WITHOUT_CUSTODY in roles and not access.can(actor, Action.GIVE_CONSENT, case):
        return N_("Du har inte vårdnaden om barnet. Bara den som har vårdnaden kan säga ja.")
    if Role.GUARDIAN_WITH_CUSTODY in roles and mature_minor.consents_themself(case):
        return N_("Barnet bestämmer själv om samtycket. Samordnaren har skrivit in det.")
    if not access.can(actor, Action.GIVE_CONSENT, case):
        return N_("Du kan inte lämna samtycke för den här SIP:en.")
    if case.is_closed:
        return N_("SIP:en är avslutad.")
    return representation.cannot_consent_reason(actor, case, date.today())


def give(
    actor: Person,
    case: SipCase,
    unit_ids: list[str],
    categories: list[str],
    valid_until: date,
    other_parties: list[str] | None = None,
    exclusions: str = "",
    today: date | None = None,
) -> ConsentEvent:
    """Give or change consent with a scope. A change is a new event; the history stays."""
    day = today or date.today()
    lock(case)
    reason = cannot_consent_reason(actor, case)
    if reason:
        raise NotAllowed(reason)
    scope_errors = _check_scope(actor, case, unit_ids, categories, valid_until, exclusions, day)
    if scope_errors:
        raise InvalidScope(scope_errors)
    before = in_force(case, day)
    previous = latest_by_voice(case, day).get(voice_of(actor, case, day))
    event = ConsentEvent(
        case_id=case.id,
        kind=ConsentEventKind.CHANGED if is_active(previous, day) else ConsentEventKind.GIVEN,
        consenter_id=actor.id,
        method=ConsentMethod.DIGITAL,
        unit_ids=sorted(set(unit_ids)),
        other_parties=sorted({p.strip()[:200] for p in (other_parties or []) if p.strip()}),
        categories=sorted(set(categories)),
        exclusions=exclusions.strip(),
        valid_from=day,
        valid_until=valid_until,
    )
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "consent." + event.kind.value, case, event=event.public_id)
    _after_change(actor, case, day, before)
    return event


class InvalidScope(InvalidInput):
    pass


def _check_scope(actor, case, unit_ids, categories, valid_until, exclusions, day) -> dict[str, str]:
    errors: dict[str, str] = {}
    units = (
        list(
            db.session.scalars(
                select(Unit).where(Unit.public_id.in_(unit_ids)).options(selectinload(Unit.principal))
            )
        )
        if unit_ids
        else []
    )
    if not units:
        errors["units"] = N_("Välj minst en verksamhet som får vara med")
    elif len(units) != len(set(unit_ids)):
        errors["units"] = N_("Välj bland verksamheterna i listan")
    if not categories:
        errors["categories"] = N_("Välj minst en sorts uppgifter som får delas")
    elif set(categories) - set(CATEGORIES):
        errors["categories"] = N_("Välj bland sorterna i listan")
    if valid_until <= day:
        errors["valid_until"] = N_("Välj ett datum efter i dag")
    elif valid_until > day + timedelta(days=MAX_DAYS):
        errors["valid_until"] = N_("Ett samtycke gäller högst ett år")
    if len(exclusions) > MAX_EXCLUSIONS:
        errors["exclusions"] = N_("Skriv högst 2000 tecken")
    if Role.REPRESENTATIVE_FUTURE_POWER in access.roles_of(actor, case) and not (
        access.roles_of(actor, case) - {Role.REPRESENTATIVE_FUTURE_POWER}
    ):
        # A framtidsfullmakt does not cover health care [SIP.md 2].
        if HEALTH_CATEGORY in categories or any(u.principal.kind == PrincipalKind.REGION for u in units):
            errors["units"] = N_(
                "En framtidsfullmakt gäller inte vård. Du kan inte säga ja till vården för någon annan."
            )
    # A god man or förvaltare reaches care only with "sörja för person" in the mandate [issue 15].
    health_refusal = representation.health_refusal(actor, case, day)
    if health_refusal and (
        HEALTH_CATEGORY in categories or any(u.principal.kind == PrincipalKind.REGION for u in units)
    ):
        errors["units"] = health_refusal
    return errors


def _after_change(actor: Person | StaffUser, case: SipCase, day: date, before: Scope | None = None) -> None:
    """Consent now in force moves the SIP on to preparation; a guardian still missing is told. The units
    taking part are told what they may share now (``before``: the scope in force before the change)."""
    now = in_force(case, day)
    consent_spread.tell_units(case, before, now)
    if now is not None:
        if case.step == Step.CONSENT:
            case.step = Step.PREPARATION
            timeline.record(case, EventKind.STEP_CHANGED, actor, step=Step.PREPARATION)
            for person in recipients.citizen_recipients(case):
                notifications.notify(person, NotificationKind.CONSENT_IN_FORCE, case)
            coordinator = recipients.current_coordinator(case)
            if coordinator is not None:
                notifications.notify(coordinator, NotificationKind.CONSENT_IN_FORCE, case)
        return
    latest = latest_by_voice(case, day)
    # The one who just answered is not asked; staff writing a consent down are nobody's voice (their id
    # counts staff, not people, so it must not be compared with a person's).
    answered = actor.id if isinstance(actor, Person) else None
    for voice in required_voices(case, day):
        if voice.id != answered and not is_active(latest.get(voice.id), day):
            notifications.notify(voice, NotificationKind.CONSENT_NEEDED, case)


def record_withdrawal(
    actor: Person, case: SipCase, today: date | None = None
) -> tuple[ConsentEvent, Scope | None]:
    """The withdrawal itself [DA 4.2]: the SIP closes with reason "samtycke återkallat". Returns the event and
    the parties the consent covered until now. services/withdrawal.py cancels the invitations and tells
    everyone; call that, not this."""
    day = today or date.today()
    lock(case)
    if not access.can(actor, Action.WITHDRAW_CONSENT, case) or case.is_closed:
        raise NotAllowed(N_("Du kan inte återkalla samtycket för den här SIP:en."))
    shared_with = in_force(case, day)  # the parties that knew of the SIP until now
    event = ConsentEvent(
        case_id=case.id,
        kind=ConsentEventKind.WITHDRAWN,
        consenter_id=actor.id,
        method=ConsentMethod.DIGITAL,
        valid_from=day,
    )
    db.session.add(event)
    case.step = Step.CLOSED
    case.closing_reason = ClosingReason.CONSENT_WITHDRAWN
    timeline.record(
        case,
        EventKind.CLOSED,
        actor,
        step=Step.CLOSED,
        data={"reason": ClosingReason.CONSENT_WITHDRAWN.value},
    )
    db.session.flush()
    audit.record(actor, "consent.withdrawn", case, event=event.public_id)
    return event, shared_with


def tell_of_withdrawal(case: SipCase, shared_with: Scope | None) -> None:
    """Everyone is told the consent was withdrawn: the citizens, the coordinator, and every staff member of
    the parties the consent covered (``shared_with``)."""
    for person in recipients.citizen_recipients(case):
        notifications.notify(person, NotificationKind.CONSENT_WITHDRAWN, case)
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None:
        notifications.notify(coordinator, NotificationKind.CONSENT_WITHDRAWN, case)
    for staff in staff_of_parties(case, shared_with, told=coordinator):
        notifications.notify(staff, NotificationKind.CONSENT_WITHDRAWN, case)


def staff_of_parties(case: SipCase, scope: Scope | None, told: StaffUser | None) -> list[StaffUser]:
    """Every staff member of the units taking part that the consent covered: they must stop and void [VM].

    All of them, not only coordinators: a school often has none in Min SIP [issue 13]. A unit the consent
    never named was told nothing about the SIP, so it is not told about its end either.
    """
    if scope is None:
        return []
    seen = {told.id} if told is not None else set()
    staff: list[StaffUser] = []
    for unit in parties_of(case):
        if unit.id == case.owning_unit_id or not scope.covers_unit(unit.public_id):
            continue
        for person in recipients.unit_staff(unit.id):
            if person.id not in seen:
                seen.add(person.id)
                staff.append(person)
    return staff


def require_covering(case: SipCase, unit_public_id: str, today: date | None = None) -> Scope:
    """The invitation rule: consent in force that names this unit, or NotCovered [ST] [DA 4.2].

    Call it inside the transaction that sends the invitation, so a withdrawal that landed in between is seen.
    """
    lock(case)
    scope = in_force(case, today)
    if scope is None:
        raise NotCovered(N_("Det finns inget samtycke som gäller. Ingen inbjudan kan skickas."))
    if not scope.covers_unit(unit_public_id):
        raise NotCovered(N_("Samtycket omfattar inte den här verksamheten."))
    return scope


def record_by_staff(
    staff: StaffUser,
    case: SipCase,
    consenter: Person,
    method: ConsentMethod,
    given_on: date,
    unit_ids: list[str],
    categories: list[str],
    valid_until: date,
    other_parties: list[str] | None = None,
    exclusions: str = "",
    today: date | None = None,
) -> ConsentEvent:
    """The coordinator writes down a consent given orally or on paper [DA 4.2].

    It counts like a digital one; the consenter is told and can confirm, change or withdraw it in the app.
    """
    day = today or date.today()
    lock(case)
    if not access.can(staff, Action.STAFF_RECORD_CONSENT, case) or case.is_closed:
        raise NotAllowed(N_("Du kan inte skriva in samtycke för den här SIP:en."))
    errors: dict[str, str] = {}
    if method not in (ConsentMethod.ORAL, ConsentMethod.PAPER):
        errors["method"] = N_("Välj om samtycket lämnades muntligt eller på papper")
    voices = required_voices(case, day)
    if consenter.id not in {v.id for v in voices} and not _represents(consenter, case, day):
        errors["consenter"] = N_("Välj vem som lämnade samtycket")
    elif not_counted := representation.recorded_consenter_error(consenter, case, day):
        errors["consenter"] = not_counted
    if given_on > day:
        errors["given_on"] = N_("Datumet kan inte vara senare än i dag")
    elif given_on < day - timedelta(days=MAX_DAYS):
        errors["given_on"] = N_("Datumet är för länge sedan")
    scope_errors = _check_scope(consenter, case, unit_ids, categories, valid_until, exclusions, day)
    if valid_until > given_on + timedelta(days=MAX_DAYS):
        scope_errors["valid_until"] = N_("Ett samtycke gäller högst ett år")
    errors.update(scope_errors)
    if errors:
        raise InvalidScope(errors)
    before = in_force(case, day)
    event = ConsentEvent(
        case_id=case.id,
        kind=ConsentEventKind.RECORDED_BY_STAFF,
        consenter_id=consenter.id,
        recorded_by_staff_id=staff.id,
        method=method,
        unit_ids=sorted(set(unit_ids)),
        other_parties=sorted({p.strip()[:200] for p in (other_parties or []) if p.strip()}),
        categories=sorted(set(categories)),
        exclusions=exclusions.strip(),
        valid_from=given_on,
        valid_until=valid_until,
    )
    db.session.add(event)
    db.session.flush()
    audit.record(staff, "consent.recorded_by_staff", case, event=event.public_id, method=method.value)
    notifications.notify(consenter, NotificationKind.CONSENT_RECORDED, case)
    _after_change(staff, case, day, before)
    return event


MAX_ASSESSMENT_REASON = 500  # kept in ConsentEvent.note


def record_harm_assessment(
    staff: StaffUser,
    case: SipCase,
    reason: str,
    unit_ids: list[str],
    categories: list[str],
    valid_until: date | None,
    other_parties: list[str] | None = None,
    exclusions: str = "",
    today: date | None = None,
) -> ConsentEvent:
    """A menprövning [DA 4.2] [issue 15]: where nobody can consent, the coordinator writes down that sharing
    does not harm the person, why, and with a scope like a consent's. It counts as the consent in force only
    while nobody can consent (``representation``); the person and the representatives can read it."""
    day = today or date.today()
    lock(case)
    if not access.can(staff, Action.STAFF_RECORD_CONSENT, case) or case.is_closed:
        raise NotAllowed(N_("Du kan inte skriva in samtycke för den här SIP:en."))
    if not representation.nobody_can_consent(case, day):
        raise NotAllowed(N_("Någon kan lämna samtycke. Då gör du ingen menprövning."))
    errors: dict[str, str] = {}
    text = reason.strip()
    if not text:
        errors["reason"] = N_("Skriv varför det inte skadar personen att uppgifter delas")
    elif len(text) > MAX_ASSESSMENT_REASON:
        errors["reason"] = N_("Skriv högst 500 tecken")
    if valid_until is None:
        errors["valid_until"] = N_("Skriv till vilket datum menprövningen gäller")
        valid_until = day + timedelta(days=1)  # so the other answers are still checked
    errors = _check_scope(staff, case, unit_ids, categories, valid_until, exclusions, day) | errors
    if errors:
        raise InvalidScope(errors)
    subject = case.subject
    assert subject is not None  # nobody_can_consent is only true for a person
    event = ConsentEvent(
        case_id=case.id,
        kind=ConsentEventKind.HARM_ASSESSED,
        consenter_id=subject.id,  # whose information it is: the person's voice, spoken by no one
        recorded_by_staff_id=staff.id,
        method=ConsentMethod.ASSESSMENT,
        unit_ids=sorted(set(unit_ids)),
        other_parties=sorted({p.strip()[:200] for p in (other_parties or []) if p.strip()}),
        categories=sorted(set(categories)),
        exclusions=exclusions.strip(),
        valid_from=day,
        valid_until=valid_until,
        note=text,
    )
    db.session.add(event)
    db.session.flush()
    audit.record(staff, "consent.harm_assessed", case, event=event.public_id)
    _after_change(staff, case, day)
    return event


def _represents(person: Person, case: SipCase, day: date) -> bool:
    roles = access.roles_of(person, case, day)
    return bool(roles & {Role.REPRESENTATIVE, Role.REPRESENTATIVE_FUTURE_POWER})


def parties_of(case: SipCase) -> list[Unit]:
    """The units a consent for this case can name: the unit that owns it and every unit taking part."""
    unit_ids = {case.owning_unit_id} | set(
        db.session.scalars(
            select(Participant.unit_id).where(
                Participant.case_id == case.id,
                Participant.role == ParticipantRole.UNIT,
                Participant.unit_id.is_not(None),
                Participant.removed_at.is_(None),
            )
        )
    )
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.id.in_(unit_ids))
            .options(selectinload(Unit.principal))
            .order_by(Unit.name)
        )
    )


# --- What the consent pages rely on -------------------------------------------------------------------------
# The rules of the step-by-step flow (each question's checks, the period, giving from the answers once) and
# what the pages read. What the pages show, and the flow's steps, are in pages/consent.py.

PERIODS = {"year": MAX_DAYS, "half": 182, "quarter": 91}  # "date": a date of their own, at most a year on
MAX_OTHER_PARTIES = 10


class AlreadyChanged(DomainError):
    """The consent changed since the page was shown (a double click, another tab): nothing was saved."""


def events_with_people(case: SipCase) -> list[ConsentEvent]:
    return list(
        db.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.case_id == case.id)
            .options(joinedload(ConsentEvent.consenter), joinedload(ConsentEvent.recorded_by_staff))
            .order_by(ConsentEvent.at, ConsentEvent.id)
        )
    )


def unit_names(unit_ids) -> dict[str, str]:
    ids = set(unit_ids)
    if not ids:
        return {}
    return {u.public_id: u.name for u in db.session.scalars(select(Unit).where(Unit.public_id.in_(ids)))}


def only_future_power(actor: Person, case: SipCase) -> bool:
    roles = access.roles_of(actor, case)
    return Role.REPRESENTATIVE_FUTURE_POWER in roles and not (roles - {Role.REPRESENTATIVE_FUTURE_POWER})


def case_for_giving(actor: Person, public_id: str) -> SipCase:
    """The case, if ``actor`` may consent for it now; NotFound or NotAllowed (with the reason) otherwise."""
    case = cases.get_case_for(actor, public_id, Action.GIVE_CONSENT)
    reason = cannot_consent_reason(actor, case)
    if reason:
        raise NotAllowed(reason)
    return case


def based_on(actor: Person, case: SipCase, today: date | None = None) -> str:
    """A token for the voice's consent as the summary page shows it; a changed token means "already done"."""
    day = today or date.today()
    event = latest_by_voice(case, day).get(voice_of(actor, case, day))
    return event.public_id if event is not None else "none"


def last_possible_day(today: date) -> date:
    """The latest end a consent given today may have: one year [DA 4.2]."""
    return today + timedelta(days=MAX_DAYS)


def period_end(period: str, until: str, today: date) -> tuple[date | None, dict[str, str]]:
    """The last day of the consent from the period question: one year, six or three months, or a date."""
    if period in PERIODS:
        return today + timedelta(days=PERIODS[period]), {}
    if period != "date":
        return None, {"period": N_("Välj hur länge samtycket ska gälla")}
    try:
        chosen = date.fromisoformat(until.strip())
    except ValueError:
        return None, {"until": N_("Skriv datumet som år-månad-dag, till exempel 2026-12-01")}
    if chosen <= today:
        return None, {"until": N_("Välj ett datum efter i dag")}
    if chosen > today + timedelta(days=MAX_DAYS):
        return None, {"until": N_("Ett samtycke gäller högst ett år")}
    return chosen, {}


def other_party_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_flow_step(case: SipCase, step: str, answers: dict, today: date) -> dict[str, str]:
    """The errors of one question of the flow (field id → msgid); the same rules ``give`` checks again."""
    errors: dict[str, str] = {}
    if step == "parties":
        allowed = {u.public_id for u in parties_of(case)}
        if not answers.get("units"):
            errors["units"] = N_("Välj minst en verksamhet som får vara med")
        elif set(answers["units"]) - allowed:
            errors["units"] = N_("Välj bland verksamheterna i listan")
        lines = other_party_lines(answers.get("other_parties", ""))
        if len(lines) > MAX_OTHER_PARTIES or any(len(line) > 200 for line in lines):
            errors["other_parties"] = N_("Skriv högst 10 namn, ett på varje rad")
    elif step == "categories":
        if not answers.get("categories"):
            errors["categories"] = N_("Välj minst en sorts uppgifter som får delas")
        elif set(answers["categories"]) - set(CATEGORIES):
            errors["categories"] = N_("Välj bland sorterna i listan")
    elif step == "exclusions":
        if len(answers.get("exclusions", "")) > MAX_EXCLUSIONS:
            errors["exclusions"] = N_("Skriv högst 2000 tecken")
    elif step == "period":
        errors.update(period_end(answers.get("period", ""), answers.get("until", ""), today)[1])
    return errors


def give_from_draft(
    actor: Person, case: SipCase, answers: dict, token: str, today: date | None = None
) -> ConsentEvent:
    """Give the consent the flow's answers describe, once: if the voice's consent changed since the summary
    was shown (``token``), nothing is saved and AlreadyChanged says so. The rules are ``give``'s."""
    day = today or date.today()
    lock(case)
    if based_on(actor, case, day) != token:
        raise AlreadyChanged(N_("Samtycket har redan ändrats. Här ser du vad som gäller nu."))
    until, errors = period_end(answers.get("period", ""), answers.get("until", ""), day)
    if errors or until is None:  # period_end gives no day only together with the error that says why
        raise InvalidScope(errors)
    return give(
        actor,
        case,
        list(answers.get("units", [])),
        list(answers.get("categories", [])),
        until,
        other_parties=other_party_lines(answers.get("other_parties", "")),
        exclusions=answers.get("exclusions", ""),
        today=day,
    )


def confirm_recorded(actor: Person, case: SipCase, event_id: str, today: date | None = None) -> ConsentEvent:
    """The person confirms in the app a consent staff wrote down: the same scope, now given digitally."""
    day = today or date.today()
    lock(case)
    event = latest_by_voice(case, day).get(voice_of(actor, case, day))
    if (
        event is None
        or event.public_id != event_id
        or event.kind != ConsentEventKind.RECORDED_BY_STAFF
        or event.valid_until is None
        or not is_active(event, day)
        or event.valid_until is None
    ):
        raise AlreadyChanged(N_("Samtycket har redan ändrats. Här ser du vad som gäller nu."))
    return give(
        actor,
        case,
        list(event.unit_ids),
        list(event.categories),
        event.valid_until,
        other_parties=list(event.other_parties),
        exclusions=event.exclusions,
        today=day,
    )


def _names_one_of(unit_public_ids: frozenset[str], case: SipCase, day: date) -> bool:
    """Whether the consent in force names one of these units (for access: a taking-part unit's staff)."""
    scope = in_force(case, day)
    return scope is not None and any(scope.covers_unit(u) for u in unit_public_ids)


@dataclass(frozen=True)
class ConsentState:
    """Where a SIP's consent stands: the scope in force (or None), and the voices that have not said yes."""

    scope: Scope | None
    voices: tuple[Person, ...]
    missing: tuple[Person, ...]


def states_for_many(cases: list[SipCase], day: date) -> dict[int, ConsentState]:
    """``in_force`` for many SIPs at once (the workbench, a unit's list): the cases' consent events and the
    children's guardians are read in two queries, then each case goes through the same rules as ``in_force``
    (``required_voices``, ``latest_by_voice``, ``in_force_from``). ``case.subject`` should be loaded."""
    open_cases = [case for case in cases if not case.is_closed and case.subject is not None]
    if not open_cases:
        return {case.id: ConsentState(None, (), ()) for case in cases}
    events: dict[int, list[ConsentEvent]] = {case.id: [] for case in open_cases}
    for event in db.session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.case_id.in_(list(events)))
        .order_by(ConsentEvent.at, ConsentEvent.id)
    ):
        events[event.case_id].append(event)
    child_ids = {case.subject_id for case in open_cases if case.subject and case.subject.is_child_on(day)}
    guardians: dict[int, list[Relationship]] = {subject_id: [] for subject_id in child_ids if subject_id}
    if guardians:
        for rel in db.session.scalars(
            select(Relationship)
            .where(Relationship.subject_id.in_(list(guardians)), Relationship.kind == RelationKind.GUARDIAN)
            .options(joinedload(Relationship.holder))
            .order_by(Relationship.id)
        ):
            guardians[rel.subject_id].append(rel)
    states = {case.id: ConsentState(None, (), ()) for case in cases}
    for case in open_cases:
        voices = required_voices(case, day, guardians.get(case.subject_id or 0, []))
        latest = latest_by_voice(case, day, events[case.id])
        missing = tuple(voice for voice in voices if not is_active(latest.get(voice.id), day))
        scope = in_force_from(voices, latest, day) if voices else None
        states[case.id] = ConsentState(scope, tuple(voices), missing)
    return states


def _cases_naming_one_of(
    unit_public_ids: dict[int, frozenset[str]], cases: list[SipCase], day: date
) -> set[int]:
    """``_names_one_of`` for many cases at once: the ids of those whose consent names one of their units."""
    states = states_for_many(cases, day)
    return {
        case.id
        for case in cases
        if (scope := states[case.id].scope) is not None
        and any(scope.covers_unit(u) for u in unit_public_ids.get(case.id, frozenset()))
    }


access.answer_consent_coverage_with(_names_one_of, _cases_naming_one_of)
