"""Who speaks for an adult in consent [SIP.md 2, 4] [DA 4.2] [issue 15]. services/consent.py asks this module.

- A person who can consent consents themself, even with a god man or förvaltare. A representative's consent
  counts only while the coordinator has recorded that the person cannot consent (``ConsentAbility``, the
  latest row of the case), and only what they said after that record.
- A god man or förvaltare acts within the mandate recorded for them: only "sörja för person" reaches care, so
  without it they cannot name health-care units or the health category.
- Where nobody can consent (the person cannot, and no god man or förvaltare may see to their care), staff make
  a menprövning instead; it counts as the consent in force in that situation only.
- A framtidsfullmakt keeps its rules: it comes into force only when the person can no longer see to their
  affairs, so its holder's consent counts as before, and it never covers health care (consent._check_scope).

The voice is always the person's: a representative or a menprövning speaks for them (consent.voice_of).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    ConsentAbility,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    Mandate,
    NotificationKind,
    Person,
    RelationKind,
    Relationship,
    RepresentativeType,
    SipCase,
    StaffUser,
)
from citizen_app.services import (
    N_,
    InvalidInput,
    NotAllowed,
    audit,
    identity,
    notifications,
    people,
    relations,
)

# God man and förvaltare: the person first, then the mandate. A framtidsfullmakt is not one of them.
APPOINTED = (RepresentativeType.GOD_MAN, RepresentativeType.FORVALTARE)
MAX_REASON = 2000
# How long ago an assessment may have been made when it is written down.
MAX_DAYS_BACK = 365


class InvalidAbility(InvalidInput):
    pass


# Set in the case's ``details`` when its first ability record is written: almost no SIP has one, and the
# consent rules ask on every page about an adult, so the table is read only for a case with a record.
HAS_ABILITY_RECORDS = "consent_ability_records"


def latest_ability(case: SipCase) -> ConsentAbility | None:
    """What the coordinator last recorded about whether the person can consent; None when nothing is."""
    if not (case.details or {}).get(HAS_ABILITY_RECORDS):
        return None
    return db.session.scalars(
        select(ConsentAbility)
        .where(ConsentAbility.case_id == case.id)
        .options(selectinload(ConsentAbility.recorded_by_staff))
        .order_by(ConsentAbility.at.desc(), ConsentAbility.id.desc())
        .limit(1)
    ).first()


def standing_inability(case: SipCase) -> ConsentAbility | None:
    """The record that the person cannot consent, while it is the latest word; None otherwise."""
    record = latest_ability(case)
    return record if record is not None and not record.can_consent else None


def representatives(case: SipCase) -> list[Relationship]:
    """Every representative relationship of the person, valid or not, oldest first."""
    if case.subject_id is None:
        return []
    return list(
        db.session.scalars(
            select(Relationship)
            .where(
                Relationship.subject_id == case.subject_id, Relationship.kind == RelationKind.REPRESENTATIVE
            )
            .options(selectinload(Relationship.holder))
            .order_by(Relationship.id)
        )
    )


def may_see_to_care(rel: Relationship) -> bool:
    """A god man or förvaltare whose mandate is "sörja för person": the only one who may open health care."""
    return rel.representative_type in APPOINTED and rel.covers(Mandate.SORJA_FOR_PERSON)


def fitting_representatives(case: SipCase, day: date) -> list[Relationship]:
    """The valid god men and förvaltare who may see to the person's care."""
    return [rel for rel in representatives(case) if rel.is_valid_on(day) and may_see_to_care(rel)]


def nobody_can_consent(case: SipCase, day: date) -> bool:
    """The person cannot consent, and no god man or förvaltare may see to their care: a menprövning then."""
    subject = case.subject
    if subject is None or subject.is_child_on(day):
        return False
    return standing_inability(case) is not None and not fitting_representatives(case, day)


@dataclass(frozen=True)
class AdultVoice:
    """What decides, for an adult, whether a consent event counts as the person's voice."""

    subject_id: int
    appointed: frozenset[int]  # holders of a god man or förvaltare relationship (valid or not)
    inability: ConsentAbility | None
    nobody_can: bool

    def counts(self, event: ConsentEvent) -> bool:
        if event.kind == ConsentEventKind.WITHDRAWN:
            return True  # anyone's withdrawal ends it; the SIP is closed then
        after_inability = self.inability is not None and event.at >= self.inability.at
        if event.method == ConsentMethod.ASSESSMENT:  # a menprövning, or its expiry
            return self.nobody_can and after_inability
        if event.consenter_id == self.subject_id:
            # The person's own word, unless given after staff found they cannot consent.
            return not after_inability
        if event.consenter_id in self.appointed:
            return after_inability
        return True  # a framtidsfullmakt, unchanged


def adult_voice(case: SipCase, day: date, events: list[ConsentEvent] | None = None) -> AdultVoice:
    """``events``: the case's consent events when the caller has them. If only the person has spoken and
    nothing says they cannot consent, their representatives do not matter, and are not read."""
    inability = standing_inability(case)
    others_spoke = events is None or any(e.consenter_id != case.subject_id for e in events)
    rels = representatives(case) if inability is not None or others_spoke else []
    appointed = frozenset(r.holder_id for r in rels if r.representative_type in APPOINTED)
    fitting = any(r.is_valid_on(day) and may_see_to_care(r) for r in rels)
    return AdultVoice(
        subject_id=case.subject_id or 0,
        appointed=appointed,
        inability=inability,
        nobody_can=inability is not None and not fitting,
    )


def _appointed_role(actor: Person, case: SipCase) -> bool:
    """A god man or förvaltare acting for someone else (a framtidsfullmakt keeps its own rules)."""
    return actor.id != case.subject_id and Role.REPRESENTATIVE in access.roles_of(actor, case)


def cannot_consent_reason(actor: Person | StaffUser, case: SipCase, day: date) -> str | None:
    """Why an adult's own word or a representative's would not count now (a msgid), or None."""
    subject = case.subject
    if isinstance(actor, StaffUser) or subject is None or subject.is_child_on(day):
        return None
    inability = standing_inability(case)
    if actor.id == case.subject_id:
        if inability is not None:
            return N_(
                "Personalen har bedömt att du inte kan lämna samtycke just nu. "
                "Prata med din samordnare om du inte håller med."
            )
        return None
    if _appointed_role(actor, case) and inability is None:
        return N_(
            "Personen kan själv säga ja eller nej. Därför räknas bara personens eget samtycke. "
            "Du kan läsa vad som gäller."
        )
    return None


def recorded_consenter_error(consenter: Person, case: SipCase, day: date) -> str | None:
    """Why staff may not write down this person's consent now (a msgid), or None."""
    subject = case.subject
    if subject is None or subject.is_child_on(day):
        return None
    inability = standing_inability(case)
    if consenter.id == case.subject_id and inability is not None:
        return N_("Personen kan inte lämna samtycke enligt det du skrev in. Välj ställföreträdaren.")
    if consenter.id != case.subject_id and inability is None and _appointed_role(consenter, case):
        return N_("Personen kan själv lämna samtycke. Då räknas bara personens eget ja.")
    return None


def health_refusal(actor: Person | StaffUser, case: SipCase, day: date) -> str | None:
    """A msgid when ``actor`` is a god man or förvaltare without "sörja för person": no health care then."""
    if isinstance(actor, StaffUser) or not _appointed_role(actor, case):
        return None
    mine = [
        r
        for r in representatives(case)
        if r.holder_id == actor.id and r.representative_type in APPOINTED and r.is_valid_on(day)
    ]
    if any(may_see_to_care(r) for r in mine):
        return None
    return N_(
        "Ditt uppdrag gäller inte att sörja för person. Då kan du inte säga ja till att vården är med "
        "eller att uppgifter om hälsa delas."
    )


def who_may_consent(case: SipCase, day: date) -> list[Person]:
    """Whose oral or paper consent staff may write down for an adult: the person, or, while they cannot
    consent, a valid god man, förvaltare or framtidsfullmakt. A framtidsfullmakt is listed as before."""
    subject = case.subject
    if subject is None:
        return []
    inability = standing_inability(case)
    people = [] if inability is not None else [subject]
    for rel in representatives(case):
        if not rel.is_valid_on(day) or rel.holder in people:
            continue
        if rel.representative_type in APPOINTED and inability is None:
            continue
        people.append(rel.holder)
    return people


def record_ability(
    staff: StaffUser,
    case: SipCase,
    can_consent: bool | None,
    reason: str,
    assessed_on: date | None,
    today: date | None = None,
) -> ConsentAbility:
    """The coordinator writes down whether the person can consent themself, why, and when it was judged.

    A new row each time; the latest holds. Raises InvalidAbility (field → msgid) or NotAllowed.
    """
    day = today or date.today()
    if (
        not access.can(staff, Action.STAFF_RECORD_CONSENT, case)
        or case.is_closed
        or case.subject is None
        or case.subject.is_child_on(day)
    ):
        raise NotAllowed(N_("Du kan inte skriva in det här för den här SIP:en."))
    errors: dict[str, str] = {}
    if can_consent is None:
        errors["can_consent"] = N_("Välj om personen kan lämna samtycke själv")
    text = reason.strip()
    if not text:
        errors["reason"] = N_("Skriv varför")
    elif len(text) > MAX_REASON:
        errors["reason"] = N_("Skriv högst 2000 tecken")
    if assessed_on is None:
        errors["assessed_on"] = N_("Skriv vilken dag det bedömdes")
    elif assessed_on > day:
        errors["assessed_on"] = N_("Datumet kan inte vara senare än i dag")
    elif assessed_on < day - timedelta(days=MAX_DAYS_BACK):
        errors["assessed_on"] = N_("Datumet är för länge sedan")
    if errors or can_consent is None or assessed_on is None:
        raise InvalidAbility(errors)
    record = ConsentAbility(
        case_id=case.id,
        person_id=case.subject_id,
        can_consent=can_consent,
        reason=text,
        assessed_on=assessed_on,
        recorded_by_staff_id=staff.id,
    )
    db.session.add(record)
    case.details = {**(case.details or {}), HAS_ABILITY_RECORDS: True}
    db.session.flush()
    audit.record(staff, "consent.ability_recorded", case, can_consent=can_consent, record=record.public_id)
    return record


# --- Registering a representative from the decision [issue 18] ----------------------------------------------

MAX_REFERENCE = 60
MAX_NAME = 200
# What a god man or förvaltare may be appointed for (föräldrabalken 11 kap. 4 §), in the order shown.
MANDATE_AREAS = (Mandate.BEVAKA_RATT, Mandate.FORVALTA_EGENDOM, Mandate.SORJA_FOR_PERSON)


class InvalidRepresentative(InvalidInput):
    pass


def may_register_representative(staff: StaffUser, case: SipCase, day: date) -> bool:
    """The coordinator (who writes down consent) of an open SIP about an adult."""
    return (
        not case.is_closed
        and case.subject is not None
        and not case.subject.is_child_on(day)
        and access.can(staff, Action.STAFF_RECORD_CONSENT, case)
    )


def register_representative(
    staff: StaffUser,
    case: SipCase,
    kind: str,
    identity_number: str,
    name: str,
    mandate: list[str],
    valid_from: date | None,
    valid_until: date | None,
    reference: str,
    today: date | None = None,
) -> Relationship:
    """Staff write down a god man, förvaltare or framtidsfullmakt from the decision: who, what kind, the
    areas of the mandate (god man, förvaltare), from and until when, and the decision's reference number.

    The person sees it on their SIP page; the representative then acts within it (access.py, consent rules
    above). Raises InvalidRepresentative (field → msgid) or NotAllowed.
    """
    day = today or date.today()
    if not may_register_representative(staff, case, day):
        raise NotAllowed(N_("Du kan inte skriva in det här för den här SIP:en."))
    errors: dict[str, str] = {}
    rep_type = next((t for t in RepresentativeType if t.value == kind), None)
    if rep_type is None:
        errors["kind"] = N_("Välj vilken sorts ställföreträdare det är")
    number = ""
    try:
        number = identity.normalise(identity_number or "")
    except identity.InvalidIdentityNumber:
        errors["identity_number"] = N_("Skriv ett personnummer med 12 siffror, till exempel 19121212-1212")
    holder_name = (name or "").strip()
    if not holder_name:
        errors["name"] = N_("Skriv ställföreträdarens namn")
    elif len(holder_name) > MAX_NAME:
        errors["name"] = N_("Skriv högst 200 tecken")
    areas = [area.value for area in MANDATE_AREAS if area.value in set(mandate)]
    if rep_type in APPOINTED and not areas:
        errors["mandate"] = N_("Välj vad uppdraget gäller, som det står i beslutet")
    if valid_from is None:
        errors["valid_from"] = N_("Skriv från vilken dag beslutet gäller")
    if valid_until is not None and valid_from is not None and valid_until < valid_from:
        errors["valid_until"] = N_("Slutdagen kan inte vara före första dagen")
    elif valid_until is not None and valid_until < day:
        errors["valid_until"] = N_("Slutdagen har redan varit")
    text = (reference or "").strip()
    if not text:
        errors["reference"] = N_("Skriv beslutets diarienummer eller annan beteckning")
    elif len(text) > MAX_REFERENCE:
        errors["reference"] = N_("Skriv högst 60 tecken")
    subject = case.subject
    if not errors and subject is not None and identity.identity_hash(number) == subject.identity_hash:
        errors["identity_number"] = N_("Personen kan inte vara sin egen ställföreträdare")
    if errors or rep_type is None or subject is None:
        raise InvalidRepresentative(errors)
    holder = people.get_or_create_person(number, holder_name)
    rel = Relationship(
        kind=RelationKind.REPRESENTATIVE,
        holder_id=holder.id,
        subject_id=subject.id,
        representative_type=rep_type,
        mandate=areas if rep_type in APPOINTED else None,
        valid_from=valid_from,
        valid_until=valid_until,
        decision_reference=text,
    )
    db.session.add(rel)
    db.session.flush()
    audit.record(
        staff,
        "representation.registered",
        case,
        type=rep_type.value,
        representative=holder.public_id,
        reference=text,
    )
    access.forget_roles()
    relations.forget_subject_ties()
    return rel


def still_holding(case: SipCase, day: date) -> list[Relationship]:
    """The person's representatives whose decision holds on ``day`` or is still to come: the ones staff can
    write down as ended."""
    return [rel for rel in representatives(case) if rel.valid_until is None or rel.valid_until >= day]


def end_representative(
    staff: StaffUser,
    case: SipCase,
    relationship_id: int,
    last_day: date | None,
    today: date | None = None,
) -> Relationship:
    """Staff write down that a representative's decision has ended, or ends on a known day: the tingsrätt
    or överförmyndaren ended the god man or förvaltare, or the framtidsfullmakt was revoked [issue 18].

    ``last_day`` is the last day the decision holds (it may have passed: staff often hear of it later). From
    the day after, the representative no longer acts for the person (access.py, the consent rules above) and
    the person no longer sees them on their SIP page. The row is kept, with its new end, for the history.
    Raises InvalidRepresentative (field → msgid), or NotAllowed (also for a representative not of this SIP's
    person, or whose decision has already ended).
    """
    day = today or date.today()
    if not may_register_representative(staff, case, day):
        raise NotAllowed(N_("Du kan inte skriva in det här för den här SIP:en."))
    rel = next((r for r in still_holding(case, day) if r.id == relationship_id), None)
    if rel is None:
        raise NotAllowed(N_("Beslutet har redan upphört."))
    error = None
    if last_day is None:
        error = N_("Skriv den sista dagen som beslutet gäller")
    elif rel.valid_from is not None and last_day < rel.valid_from:
        error = N_("Den sista dagen kan inte vara före första dagen")
    elif rel.valid_until is not None and last_day > rel.valid_until:
        error = N_("Beslutet gäller redan bara till och med ett tidigare datum")
    elif last_day < day - timedelta(days=MAX_DAYS_BACK):
        error = N_("Datumet är för länge sedan")
    if error is not None or last_day is None:
        raise InvalidRepresentative({"last_day": error or ""})
    rel.valid_until = last_day
    db.session.flush()
    audit.record(
        staff,
        "representation.ended",
        case,
        type=rel.representative_type.value if rel.representative_type else None,
        representative=rel.holder.public_id,
        last_day=last_day.isoformat(),
    )
    # The representative is told why the SIP leaves their page; no link, they are about to lose it.
    subject = rel.subject
    notifications.notify(
        rel.holder,
        NotificationKind.REPRESENTATION_ENDED,
        None,
        data={
            "name": (subject.display_name.split() or [""])[0] if subject else "",
            "last_day": last_day.isoformat(),
            "ended": last_day < day,
        },
        # A double click writes the same end twice: the representative is told once.
        dedupe_key=f"representation-ended:{rel.id}:{last_day.isoformat()}",
    )
    access.forget_roles()
    relations.forget_subject_ties()
    return rel


def representatives_shown_to(person: Person, today: date) -> list[Relationship]:
    """The person's representatives whose decision still holds or is to come, with their holders, oldest
    first: shown on their SIP page [issue 18]. Read with the access check's ties when it has run."""
    found = relations.subject_representatives(person.id)
    if found is None:
        found = list(
            db.session.scalars(
                select(Relationship)
                .where(Relationship.subject_id == person.id, Relationship.kind == RelationKind.REPRESENTATIVE)
                .options(selectinload(Relationship.holder))
                .order_by(Relationship.id)
            )
        )
    return [rel for rel in found if rel.valid_until is None or rel.valid_until >= today]
