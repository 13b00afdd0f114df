"""Demo people, units and cases: fictional, loaded by ``flask --app citizen_app demo``.

Identity numbers use birth numbers 980–999, the series Skatteverket's published test identities use, with a
correct check digit, so they can never belong to a real person. Loading twice changes nothing: each row is
found by its identity (or name) before it is created. Birth dates are fixed, not relative to today, so
loading again in a later year finds the same people (they are simply a year older).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    CoordinatorAssignment,
    EventKind,
    Initiator,
    Mandate,
    Participant,
    ParticipantRole,
    Person,
    Principal,
    PrincipalKind,
    RelationKind,
    Relationship,
    RepresentativeType,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    UnitKind,
    utcnow,
)
from citizen_app.services import N_, identity, people


def test_identity_number(birth: date, serial: int) -> str:
    """A 12-digit identity number in the test series (birth number 980–999) with a valid check digit."""
    if not 980 <= serial <= 999:
        raise ValueError("test identities use birth numbers 980–999")
    nine = birth.strftime("%y%m%d") + f"{serial:03d}"
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return birth.strftime("%Y%m%d") + f"{serial:03d}" + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    birth: date
    serial: int
    role: str  # shown on the test-identity page (a Swedish msgid)


@dataclass(frozen=True)
class DemoStaff:
    key: str
    name: str
    title: str
    birth: date
    serial: int
    unit: str
    role: StaffRole


def demo_people() -> list[DemoPerson]:
    return [
        DemoPerson("anna", "Anna Lind", date(1981, 3, 14), 982, N_("Vuxen som vill ha en SIP")),
        DemoPerson("bengt", "Bengt Lind", date(1979, 9, 2), 983, N_("Närstående till Anna")),
        DemoPerson("elsa", "Elsa Berg", date(2012, 2, 20), 984, N_("Barn med två vårdnadshavare")),
        DemoPerson("maria", "Maria Berg", date(1984, 6, 11), 985, N_("Vårdnadshavare till Elsa")),
        DemoPerson("johan", "Johan Berg", date(1982, 10, 5), 986, N_("Vårdnadshavare till Elsa")),
        DemoPerson(
            "karl", "Karl Nyström", date(1944, 1, 30), 987, N_("Äldre, ska snart skrivas ut från sjukhus")
        ),
        DemoPerson("lena", "Lena Ek", date(1968, 4, 22), 988, N_("God man för Karl")),
        DemoPerson("oskar", "Oskar Holm", date(2013, 8, 9), 989, N_("Barn, en förälder har inte vårdnad")),
        DemoPerson("peter", "Peter Holm", date(1986, 12, 1), 990, N_("Förälder utan vårdnad om Oskar")),
        DemoPerson("sara", "Sara Holm", date(1987, 5, 17), 991, N_("Vårdnadshavare till Oskar")),
    ]


_REGION = ("Region Exempel", PrincipalKind.REGION)
_MUNICIPALITY = ("Exempelstads kommun", PrincipalKind.MUNICIPALITY)
_STATE = ("Försäkringskassan", PrincipalKind.OTHER)
UNITS = [
    (*_REGION, "Vårdcentralen Norra", UnitKind.PRIMARY_CARE, "010-111 11 11"),
    (*_REGION, "Psykiatrin Centrum", UnitKind.PSYCHIATRY, "010-111 11 12"),
    (*_REGION, "BUP Exempelstad", UnitKind.CHILD_PSYCHIATRY, "010-111 11 13"),
    (*_REGION, "Sjukhuset Exempelstad, avdelning 4", UnitKind.HOSPITAL, "010-111 11 14"),
    (*_MUNICIPALITY, "Socialtjänsten Exempelstad", UnitKind.SOCIAL_SERVICES, "0123-222 22"),
    (*_MUNICIPALITY, "Hemtjänsten Exempelstad", UnitKind.HOME_CARE, "0123-222 23"),
    (*_MUNICIPALITY, "Björkskolan", UnitKind.SCHOOL, "0123-222 24"),
    (*_STATE, "Försäkringskassan", UnitKind.SOCIAL_INSURANCE, "0771-524 524"),
]


def demo_staff() -> list[DemoStaff]:
    return [
        DemoStaff(
            "rita",
            "Rita Samuelsson",
            N_("Samordnare, regionen"),
            date(1976, 7, 7),
            992,
            "Psykiatrin Centrum",
            StaffRole.COORDINATOR,
        ),
        DemoStaff(
            "kent",
            "Kent Olofsson",
            N_("Samordnare, kommunen"),
            date(1978, 11, 3),
            993,
            "Socialtjänsten Exempelstad",
            StaffRole.COORDINATOR,
        ),
        DemoStaff(
            "sofia",
            "Sofia Åberg",
            N_("Kurator, Björkskolan"),
            date(1990, 2, 28),
            994,
            "Björkskolan",
            StaffRole.MEMBER,
        ),
        DemoStaff(
            "vera",
            "Vera Nilsson",
            N_("Distriktssköterska, vårdcentralen"),
            date(1985, 9, 19),
            995,
            "Vårdcentralen Norra",
            StaffRole.MEMBER,
        ),
        DemoStaff(
            "hugo",
            "Hugo Ström",
            N_("Samordnare, sjukhuset"),
            date(1973, 5, 5),
            996,
            "Sjukhuset Exempelstad, avdelning 4",
            StaffRole.COORDINATOR,
        ),
    ]


def load_demo_data() -> None:
    """Create every demo row that does not exist yet. Safe to run again."""
    units = _ensure_units()
    persons = {p.key: _ensure_person(p) for p in demo_people()}
    staff = {s.key: _ensure_staff(s, units) for s in demo_staff()}
    _ensure_relationship(persons["bengt"], persons["anna"], RelationKind.RELATIVE)
    _ensure_relationship(persons["maria"], persons["elsa"], RelationKind.GUARDIAN, custody=True)
    _ensure_relationship(persons["johan"], persons["elsa"], RelationKind.GUARDIAN, custody=True)
    _ensure_relationship(persons["sara"], persons["oskar"], RelationKind.GUARDIAN, custody=True)
    _ensure_relationship(persons["peter"], persons["oskar"], RelationKind.GUARDIAN, custody=False)
    # Lena may see to Karl's care; Karl can consent himself, so his own word counts [issue 15].
    _ensure_relationship(
        persons["lena"],
        persons["karl"],
        RelationKind.REPRESENTATIVE,
        rep_type=RepresentativeType.GOD_MAN,
        mandate=[Mandate.BEVAKA_RATT.value, Mandate.SORJA_FOR_PERSON.value],
    )
    _ensure_cases(persons, staff, units)
    db.session.flush()


def _ensure_units() -> dict[str, Unit]:
    principals = {p.name: p for p in db.session.scalars(select(Principal))}
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    for principal_name, kind, unit_name, unit_kind, phone in UNITS:
        if principal_name not in principals:
            principals[principal_name] = Principal(name=principal_name, kind=kind)
            db.session.add(principals[principal_name])
        if unit_name not in units:
            units[unit_name] = Unit(
                principal=principals[principal_name], name=unit_name, kind=unit_kind, phone=phone
            )
            db.session.add(units[unit_name])
    db.session.flush()
    return units


def _ensure_person(spec: DemoPerson) -> Person:
    number = test_identity_number(spec.birth, spec.serial)
    person = db.session.scalar(select(Person).where(Person.identity_hash == identity.identity_hash(number)))
    return person or people.create_person(number, spec.name, birth_date=spec.birth)


def _ensure_staff(spec: DemoStaff, units: dict[str, Unit]) -> StaffUser:
    number = test_identity_number(spec.birth, spec.serial)
    staff = db.session.scalar(
        select(StaffUser).where(StaffUser.identity_hash == identity.identity_hash(number))
    )
    if staff is None:
        staff = people.create_staff(
            number,
            spec.name,
            title=spec.title,
            phone=units[spec.unit].phone,
            email=spec.key + "@exempel.se",
        )
        db.session.add(StaffMembership(staff_id=staff.id, unit_id=units[spec.unit].id, role=spec.role))
    return staff


def _ensure_relationship(holder, subject, kind, custody=False, rep_type=None, mandate=None) -> None:
    exists = db.session.scalar(
        select(Relationship).where(
            Relationship.holder_id == holder.id,
            Relationship.subject_id == subject.id,
            Relationship.kind == kind,
        )
    )
    if exists is not None and mandate and not exists.mandate:
        exists.mandate = mandate  # a demo loaded before mandates were recorded
    if exists is None:
        db.session.add(
            Relationship(
                holder_id=holder.id,
                subject_id=subject.id,
                kind=kind,
                has_custody=custody,
                representative_type=rep_type,
                valid_from=date.today() - timedelta(days=400) if rep_type else None,
                mandate=mandate,
            )
        )


def _ensure_cases(persons: dict[str, Person], staff: dict[str, StaffUser], units: dict[str, Unit]) -> None:
    if db.session.scalar(select(SipCase.id).where(SipCase.subject_id == persons["elsa"].id)) is not None:
        return
    now = utcnow()
    elsa_case = SipCase(
        subject_id=persons["elsa"].id,
        owning_unit_id=units["Socialtjänsten Exempelstad"].id,
        step=Step.CONSENT,
        initiated_by=Initiator.GUARDIAN,
        requested_at=now - timedelta(days=6),
        need_description="Elsa mår dåligt och går sällan till skolan.",
    )
    karl_case = SipCase(
        subject_id=persons["karl"].id,
        owning_unit_id=units["Sjukhuset Exempelstad, avdelning 4"].id,
        step=Step.REQUESTED,
        initiated_by=Initiator.STAFF,
        urgent=True,
        requested_at=now - timedelta(days=1),
        discharge_date=date.today() + timedelta(days=2),
        need_description="Karl ska skrivas ut och behöver hjälp hemma.",
    )
    db.session.add_all([elsa_case, karl_case])
    db.session.flush()
    db.session.add_all(
        [
            CoordinatorAssignment(
                case_id=elsa_case.id, staff_id=staff["kent"].id, assigned_at=now - timedelta(days=5)
            ),
            Participant(case_id=elsa_case.id, role=ParticipantRole.CHILD, person_id=persons["elsa"].id),
            Participant(case_id=elsa_case.id, role=ParticipantRole.GUARDIAN, person_id=persons["maria"].id),
            Participant(case_id=elsa_case.id, role=ParticipantRole.GUARDIAN, person_id=persons["johan"].id),
            Participant(case_id=elsa_case.id, role=ParticipantRole.UNIT, unit_id=units["Björkskolan"].id),
            Participant(case_id=elsa_case.id, role=ParticipantRole.UNIT, unit_id=units["BUP Exempelstad"].id),
            CaseEvent(
                case_id=elsa_case.id,
                kind=EventKind.REQUESTED,
                step=Step.REQUESTED,
                at=now - timedelta(days=6),
                actor_person_id=persons["maria"].id,
            ),
            CaseEvent(
                case_id=elsa_case.id,
                kind=EventKind.ACCEPTED,
                step=Step.CONSENT,
                at=now - timedelta(days=5),
                actor_staff_id=staff["kent"].id,
                data={"coordinator": staff["kent"].display_name},  # "Kent Olofsson blev samordnare."
            ),
            Participant(case_id=karl_case.id, role=ParticipantRole.PERSON, person_id=persons["karl"].id),
            Participant(
                case_id=karl_case.id, role=ParticipantRole.REPRESENTATIVE, person_id=persons["lena"].id
            ),
            CaseEvent(
                case_id=karl_case.id,
                kind=EventKind.STARTED_BY_STAFF,
                step=Step.REQUESTED,
                at=now - timedelta(days=1),
                actor_staff_id=staff["hugo"].id,
            ),
        ]
    )


@dataclass(frozen=True)
class TestIdentity:
    token: str  # what the form posts: "p:<public_id>" or "s:<public_id>"
    name: str
    role: str
    is_staff: bool


def list_test_identities() -> list[TestIdentity]:
    """The demo people by role, for the test-identity sign-in page (never in production). Two queries."""
    if not current_app.config["DEMO_LOGIN_ENABLED"]:
        return []
    person_specs = {identity.identity_hash(test_identity_number(p.birth, p.serial)): p for p in demo_people()}
    staff_specs = {identity.identity_hash(test_identity_number(s.birth, s.serial)): s for s in demo_staff()}
    persons = {
        p.identity_hash: p
        for p in db.session.scalars(select(Person).where(Person.identity_hash.in_(person_specs)))
    }
    staff = {
        s.identity_hash: s
        for s in db.session.scalars(select(StaffUser).where(StaffUser.identity_hash.in_(staff_specs)))
    }
    found = [
        TestIdentity(persons[h].get_id(), persons[h].display_name, spec.role, False)
        for h, spec in person_specs.items()
        if h in persons
    ]
    found += [
        TestIdentity(staff[h].get_id(), staff[h].display_name, spec.title, True)
        for h, spec in staff_specs.items()
        if h in staff
    ]
    return found


def actor_for_test_identity(token: str) -> Person | StaffUser | None:
    if not current_app.config["DEMO_LOGIN_ENABLED"]:
        return None
    if token not in {t.token for t in list_test_identities()}:
        return None
    return people.load_actor(token)
