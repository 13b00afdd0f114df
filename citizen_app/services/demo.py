"""Demo people, units and cases: fictional, loaded by ``flask --app citizen_app demo``.

Identity numbers use birth numbers 980–999, the series Skatteverket's published test identities use, with a
correct check digit, so they can never belong to a real person. Loading twice changes nothing: each row is
found by its identity (or name) before it is created. Birth dates are fixed, not relative to today, so
loading again in a later year finds the same people (they are simply a year older). One exception: Ida Sund
turns 18 a few weeks after the day the demo is loaded (``young_persons_birth``), so the demo always shows the
18th birthday coming [issue 15]. Loading again on a later day finds her through her guardian, not her number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from citizen_app.extensions import db
from citizen_app.models import (
    ActionMark,
    ActionProgress,
    CaseEvent,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    CoordinatorAssignment,
    EventKind,
    GoalTerm,
    Initiator,
    IntakeDefault,
    IntakeNeed,
    IntakeRule,
    Invitation,
    InvitationStatus,
    Mandate,
    Meeting,
    MeetingMode,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Person,
    PlanAction,
    PlanComment,
    PlanGoal,
    PlanVersion,
    Principal,
    PrincipalKind,
    ProblemKind,
    ProblemReport,
    RelationKind,
    Relationship,
    RepresentativeType,
    Responsible,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    UnitKind,
    VersionStatus,
    utcnow,
)
from citizen_app.services import N_, consent, identity, people


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
    found_by_name: bool = False  # her birth date, and so her number, follows the day the demo was loaded


@dataclass(frozen=True)
class DemoStaff:
    key: str
    name: str
    title: str
    birth: date
    serial: int
    unit: str | None  # None: no unit (the administrator)
    role: StaffRole
    hsa_id: str | None = None
    is_admin: bool = False


WEEKS_TO_EIGHTEEN = 3  # Ida turns 18 this long after the demo is loaded: within the 30 days' notice


def young_persons_birth(today: date) -> date:
    """Ida's birth date: her 18th birthday is ``WEEKS_TO_EIGHTEEN`` weeks after ``today``."""
    birthday = today + timedelta(weeks=WEEKS_TO_EIGHTEEN)
    if birthday.month == 2 and birthday.day == 29:
        birthday = birthday - timedelta(days=1)  # no 29 February 18 years before
    return birthday.replace(year=birthday.year - 18)


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
        DemoPerson(
            "ida",
            "Ida Sund",
            young_persons_birth(date.today()),
            997,
            N_("Fyller snart 18, två vårdnadshavare"),
            found_by_name=True,
        ),
        DemoPerson("eva", "Eva Sund", date(1980, 8, 24), 998, N_("Vårdnadshavare till Ida")),
        DemoPerson("nils", "Nils Sund", date(1977, 3, 3), 999, N_("Vårdnadshavare till Ida")),
    ]


_REGION = ("Region Exempel", PrincipalKind.REGION)
_MUNICIPALITY = ("Exempelstads kommun", PrincipalKind.MUNICIPALITY)
_STATE = ("Försäkringskassan", PrincipalKind.OTHER)
# Made-up HSA-ids in the catalogue's form [issue 18]: SE, the organisation number, a dash, a serial.
PRINCIPAL_HSA_IDS = {
    "Region Exempel": "SE2321000032-0001",
    "Exempelstads kommun": "SE2120000001-0001",
    "Försäkringskassan": "SE2021005521-0001",
}
UNITS = [
    (*_REGION, "Vårdcentralen Norra", UnitKind.PRIMARY_CARE, "010-111 11 11", "SE2321000032-1001"),
    (*_REGION, "Psykiatrin Centrum", UnitKind.PSYCHIATRY, "010-111 11 12", "SE2321000032-1002"),
    (*_REGION, "BUP Exempelstad", UnitKind.CHILD_PSYCHIATRY, "010-111 11 13", "SE2321000032-1003"),
    (*_REGION, "Sjukhuset Exempelstad, avdelning 4", UnitKind.HOSPITAL, "010-111 11 14", "SE2321000032-1004"),
    (
        *_MUNICIPALITY,
        "Socialtjänsten Exempelstad",
        UnitKind.SOCIAL_SERVICES,
        "0123-222 22",
        "SE2120000001-1001",
    ),
    (*_MUNICIPALITY, "Hemtjänsten Exempelstad", UnitKind.HOME_CARE, "0123-222 23", "SE2120000001-1002"),
    (*_MUNICIPALITY, "Björkskolan", UnitKind.SCHOOL, "0123-222 24", "SE2120000001-1003"),
    (*_STATE, "Försäkringskassan", UnitKind.SOCIAL_INSURANCE, "0771-524 524", "SE2021005521-1001"),
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
            hsa_id="SE2321000032-2001",
        ),
        DemoStaff(
            "kent",
            "Kent Olofsson",
            N_("Samordnare, kommunen"),
            date(1978, 11, 3),
            993,
            "Socialtjänsten Exempelstad",
            StaffRole.COORDINATOR,
            hsa_id="SE2120000001-2001",
        ),
        DemoStaff(
            "sofia",
            "Sofia Åberg",
            N_("Kurator, Björkskolan"),
            date(1990, 2, 28),
            994,
            "Björkskolan",
            StaffRole.MEMBER,
            hsa_id="SE2120000001-2002",
        ),
        DemoStaff(
            "vera",
            "Vera Nilsson",
            N_("Distriktssköterska, vårdcentralen"),
            date(1985, 9, 19),
            995,
            "Vårdcentralen Norra",
            StaffRole.MEMBER,
            hsa_id="SE2321000032-2002",
        ),
        DemoStaff(
            "hugo",
            "Hugo Ström",
            N_("Samordnare, sjukhuset"),
            date(1973, 5, 5),
            996,
            "Sjukhuset Exempelstad, avdelning 4",
            StaffRole.COORDINATOR,
            hsa_id="SE2321000032-2003",
        ),
        # The county's administrator [issue 18]: keeps principals, units and staff; no unit of her own.
        DemoStaff(
            "anna_ek",
            "Anna Ek",
            N_("Administratör, Region Exempel"),
            date(1971, 10, 12),
            981,
            None,
            StaffRole.MEMBER,
            hsa_id="SE2321000032-2000",
            is_admin=True,
        ),
    ]


def load_demo_data() -> None:
    """Create every demo row that does not exist yet. Safe to run again."""
    units = _ensure_units()
    specs = demo_people()
    persons = {p.key: _ensure_person(p) for p in specs if not p.found_by_name}
    staff = {s.key: _ensure_staff(s, units) for s in demo_staff()}
    _ensure_relationship(persons["bengt"], persons["anna"], RelationKind.RELATIVE)
    _ensure_relationship(persons["maria"], persons["elsa"], RelationKind.GUARDIAN, custody=True)
    _ensure_relationship(persons["johan"], persons["elsa"], RelationKind.GUARDIAN, custody=True)
    _ensure_relationship(persons["sara"], persons["oskar"], RelationKind.GUARDIAN, custody=True)
    _ensure_relationship(persons["peter"], persons["oskar"], RelationKind.GUARDIAN, custody=False)
    persons["ida"] = _ensure_child_of(persons["eva"], next(p for p in specs if p.key == "ida"))
    _ensure_relationship(persons["eva"], persons["ida"], RelationKind.GUARDIAN, custody=True)
    _ensure_relationship(persons["nils"], persons["ida"], RelationKind.GUARDIAN, custody=True)
    # Lena may see to Karl's care; Karl can consent himself, so his own word counts [issue 15].
    _ensure_relationship(
        persons["lena"],
        persons["karl"],
        RelationKind.REPRESENTATIVE,
        rep_type=RepresentativeType.GOD_MAN,
        mandate=[Mandate.BEVAKA_RATT.value, Mandate.SORJA_FOR_PERSON.value],
    )
    _ensure_cases(persons, staff, units)
    _ensure_case_turning_eighteen(persons, staff, units)
    _ensure_intake_configuration(units)
    _ensure_workbench(staff, units)
    db.session.flush()


def _ensure_intake_configuration(units: dict[str, Unit]) -> None:
    """The demo county's intake [issue 16] (services/intake_rules.py), made once: a change made later with
    ``flask intake`` is kept. The health centre and the psychiatric outpatient clinic are fast vårdkontakt;
    at discharge requests go to Psykiatrin Centrum (the demo's health centre has no coordinator), a child's
    to social services; otherwise the municipality's requests to social services and the region's to
    Psykiatrin Centrum."""
    if db.session.scalar(select(IntakeDefault.id).limit(1)) is not None:
        return
    for name in ("Vårdcentralen Norra", "Psykiatrin Centrum"):
        units[name].is_fixed_care_contact = True
    db.session.add_all(
        [
            IntakeRule(need=IntakeNeed.DISCHARGE, unit_id=units["Psykiatrin Centrum"].id),
            IntakeRule(need=IntakeNeed.CHILD, unit_id=units["Socialtjänsten Exempelstad"].id),
            IntakeDefault(
                principal_id=units["Socialtjänsten Exempelstad"].principal_id,
                unit_id=units["Socialtjänsten Exempelstad"].id,
            ),
            IntakeDefault(
                principal_id=units["Psykiatrin Centrum"].principal_id, unit_id=units["Psykiatrin Centrum"].id
            ),
        ]
    )


def _ensure_units() -> dict[str, Unit]:
    principals = {p.name: p for p in db.session.scalars(select(Principal))}
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    for principal_name, kind, unit_name, unit_kind, phone, hsa_id in UNITS:
        if principal_name not in principals:
            principals[principal_name] = Principal(name=principal_name, kind=kind)
            db.session.add(principals[principal_name])
        if unit_name not in units:
            units[unit_name] = Unit(
                principal=principals[principal_name], name=unit_name, kind=unit_kind, phone=phone
            )
            db.session.add(units[unit_name])
        # A demo loaded before HSA-ids existed gets them; one an administrator has changed is kept.
        if principals[principal_name].hsa_id is None:
            principals[principal_name].hsa_id = PRINCIPAL_HSA_IDS[principal_name]
        if units[unit_name].hsa_id is None:
            units[unit_name].hsa_id = hsa_id
    db.session.flush()
    return units


def _ensure_person(spec: DemoPerson) -> Person:
    number = test_identity_number(spec.birth, spec.serial)
    person = db.session.scalar(select(Person).where(Person.identity_hash == identity.identity_hash(number)))
    return person or people.create_person(number, spec.name, birth_date=spec.birth)


def _ensure_child_of(guardian: Person, spec: DemoPerson) -> Person:
    """A person whose birth date follows the day of loading: found again through their guardian."""
    known = db.session.scalar(
        select(Person)
        .join(Relationship, Relationship.subject_id == Person.id)
        .where(
            Relationship.holder_id == guardian.id,
            Relationship.kind == RelationKind.GUARDIAN,
            Person.display_name == spec.name,
        )
    )
    return known or _ensure_person(spec)


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
            phone=units[spec.unit].phone if spec.unit else "010-111 10 00",
            email=spec.key.replace("_", ".") + "@exempel.se",
            is_admin=spec.is_admin,
        )
        if spec.unit:
            db.session.add(StaffMembership(staff_id=staff.id, unit_id=units[spec.unit].id, role=spec.role))
    if staff.hsa_id is None and spec.hsa_id is not None:
        staff.hsa_id = spec.hsa_id
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
    # Hugo at the ward started Karl's SIP; at discharge it is coordinated by the person's fast vårdkontakt in
    # outpatient care, never the ward [issue 16] [VM] [ST]: it waits in Psykiatrin Centrum's queue (the
    # demo's health centre has no coordinator).
    karl_case = SipCase(
        subject_id=persons["karl"].id,
        owning_unit_id=units["Psykiatrin Centrum"].id,
        step=Step.REQUESTED,
        initiated_by=Initiator.STAFF,
        requested_by_staff_id=staff["hugo"].id,
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
                data={"unit": units["Sjukhuset Exempelstad, avdelning 4"].name},  # the starter's unit
            ),
        ]
    )


def _ensure_case_turning_eighteen(
    persons: dict[str, Person], staff: dict[str, StaffUser], units: dict[str, Unit]
) -> None:
    """Ida's SIP: both guardians have said yes, Kent coordinates. On her 18th birthday their yes ends and
    she decides herself (coming_of_age)."""
    ida, eva, nils = persons["ida"], persons["eva"], persons["nils"]
    if db.session.scalar(select(SipCase.id).where(SipCase.subject_id == ida.id)) is not None:
        return
    now = utcnow()
    social, school = units["Socialtjänsten Exempelstad"], units["Björkskolan"]
    case = SipCase(
        subject_id=ida.id,
        owning_unit_id=social.id,
        step=Step.CONSENT,
        initiated_by=Initiator.GUARDIAN,
        requested_at=now - timedelta(days=20),
        need_description="Ida behöver stöd i skolan och hemma.",
    )
    db.session.add(case)
    db.session.flush()
    db.session.add_all(
        [
            CoordinatorAssignment(
                case_id=case.id, staff_id=staff["kent"].id, assigned_at=now - timedelta(days=19)
            ),
            Participant(case_id=case.id, role=ParticipantRole.CHILD, person_id=ida.id),
            Participant(case_id=case.id, role=ParticipantRole.GUARDIAN, person_id=eva.id),
            Participant(case_id=case.id, role=ParticipantRole.GUARDIAN, person_id=nils.id),
            Participant(case_id=case.id, role=ParticipantRole.UNIT, unit_id=school.id),
            CaseEvent(
                case_id=case.id,
                kind=EventKind.REQUESTED,
                step=Step.REQUESTED,
                at=now - timedelta(days=20),
                actor_person_id=eva.id,
            ),
            CaseEvent(
                case_id=case.id,
                kind=EventKind.ACCEPTED,
                step=Step.CONSENT,
                at=now - timedelta(days=19),
                actor_staff_id=staff["kent"].id,
                data={"coordinator": staff["kent"].display_name},
            ),
        ]
    )
    db.session.flush()
    # Through the consent rules, so the case moves on exactly as when guardians say yes in the app.
    for guardian in (eva, nils):
        consent.give(
            guardian,
            case,
            [social.public_id, school.public_id],
            ["school", "social"],
            date.today() + timedelta(days=300),
        )


# --- Rita's workbench (issue 16): about twelve SIPs in different steps, some late ---

# (name, years old, step, requested days ago, what else): made-up people, not for signing in.
_WORKBENCH = (
    ("Alva Sjöberg", 34, Step.REQUESTED, 2, "new"),
    ("Melvin Strand", 12, Step.CONSENT, 8, "one_guardian"),
    ("Greta Lundin", 58, Step.CONSENT, 4, ""),
    ("Tove Hedlund", 41, Step.INVITED, 15, "invitations"),
    ("Axel Forsberg", 29, Step.MEETING_HELD, 26, "held_long_ago"),
    ("Ingrid Wallin", 67, Step.MEETING_HELD, 20, "held_yesterday"),
    ("Nora Engström", 45, Step.PLAN_APPROVED, 90, "follow_up_soon"),
    ("Sixten Berglund", 72, Step.PLAN_APPROVED, 120, "follow_up_later"),
    ("Wilma Norberg", 23, Step.PREPARATION, 35, ""),
    ("Leo Söderberg", 38, Step.PLAN_DOCUMENTED, 30, "comment"),
    ("Stina Holmgren", 52, Step.PREPARATION, 12, "problem"),
    ("Harald Dahl", 79, Step.REQUESTED, 1, "discharge"),
)


def _ensure_workbench(staff: dict[str, StaffUser], units: dict[str, Unit]) -> None:
    """Rita Samuelsson coordinates about twelve SIPs at Psykiatrin Centrum, so her start page shows each kind
    of deadline and of waiting; Vårdcentralen Norra takes part in two of them (Vera sees them). Once only."""
    rita = staff["rita"]
    if db.session.scalar(select(CoordinatorAssignment.id).where(CoordinatorAssignment.staff_id == rita.id)):
        return
    now, today = utcnow(), date.today()
    psychiatry, primary = units["Psykiatrin Centrum"], units["Vårdcentralen Norra"]
    for n, (name, age, step, days_ago, extra) in enumerate(_WORKBENCH):
        born = date(today.year - age - 1, 1 + n % 12, 3 + n)
        person = people.create_person(test_identity_number(born, 981), name, birth_date=born)
        case = SipCase(
            subject_id=person.id,
            owning_unit_id=psychiatry.id,
            step=step,
            initiated_by=Initiator.STAFF if extra == "discharge" else Initiator.PERSON,
            requested_at=now - timedelta(days=days_ago),
            urgent=extra == "discharge",
            discharge_date=today + timedelta(days=1) if extra == "discharge" else None,
        )
        db.session.add(case)
        db.session.flush()
        db.session.add(
            CaseEvent(case_id=case.id, kind=EventKind.REQUESTED, step=Step.REQUESTED, at=case.requested_at)
        )
        if extra != "new":
            db.session.add(
                CoordinatorAssignment(case_id=case.id, staff_id=rita.id, assigned_at=case.requested_at)
            )
        role = ParticipantRole.CHILD if age < 18 else ParticipantRole.PERSON
        db.session.add(Participant(case_id=case.id, role=role, person_id=person.id))
        if step.position >= Step.PREPARATION.position and age >= 18:
            _demo_consent(case, person, [psychiatry, primary], today)
        _workbench_story(case, person, extra, rita, [psychiatry, primary], now)
    db.session.flush()


def _demo_consent(case: SipCase, consenter: Person, named: list[Unit], today: date) -> None:
    db.session.add(
        ConsentEvent(
            case_id=case.id,
            kind=ConsentEventKind.GIVEN,
            consenter_id=consenter.id,
            method=ConsentMethod.DIGITAL,
            unit_ids=[u.public_id for u in named],
            categories=["health", "social"],
            valid_from=today - timedelta(days=5),
            valid_until=today + timedelta(days=300),
        )
    )


def _workbench_story(
    case: SipCase, person: Person, extra: str, rita: StaffUser, named: list[Unit], now: datetime
) -> None:
    """What makes each of Rita's SIPs wait: a guardian, invited units, a late plan, a comment, a report."""
    today = now.date()
    if extra == "one_guardian":
        guardians = [
            people.create_person(test_identity_number(date(today.year - 40, 4, 4 + i), 982), name)
            for i, name in enumerate(("Linda Strand", "Mats Strand"))
        ]
        for guardian in guardians:
            db.session.add(
                Relationship(
                    holder_id=guardian.id, subject_id=person.id, kind=RelationKind.GUARDIAN, has_custody=True
                )
            )
        _demo_consent(case, guardians[0], named, today)
    elif extra == "invitations":
        meeting = Meeting(case_id=case.id, starts_at=now + timedelta(days=6), mode=MeetingMode.IN_PERSON)
        db.session.add(meeting)
        db.session.flush()
        for unit, status in zip(named, (InvitationStatus.SENT, InvitationStatus.SENT), strict=True):
            part = Participant(case_id=case.id, role=ParticipantRole.UNIT, unit_id=unit.id)
            db.session.add(part)
            db.session.flush()
            db.session.add(Invitation(meeting_id=meeting.id, participant_id=part.id, status=status))
    elif extra in ("held_long_ago", "held_yesterday"):
        held = now - timedelta(days=6 if extra == "held_long_ago" else 1)
        db.session.add(
            Meeting(
                case_id=case.id,
                starts_at=held,
                held_at=held,
                mode=MeetingMode.IN_PERSON,
                status=MeetingStatus.HELD,
            )
        )
    elif extra in ("follow_up_soon", "follow_up_later"):
        if extra == "follow_up_soon":
            db.session.add(Participant(case_id=case.id, role=ParticipantRole.UNIT, unit_id=named[1].id))
        plan = PlanVersion(
            case_id=case.id,
            number=1,
            status=VersionStatus.APPROVED,
            approved_at=now - timedelta(days=30),
            follow_up_on=today + timedelta(days=9 if extra == "follow_up_soon" else 24),
            coordinator_name=rita.display_name,
            principal_in_charge="Region Exempel",
        )
        db.session.add(plan)
        if extra == "follow_up_soon":
            _followed_actions(case, plan, rita, named, today)
    elif extra == "comment":
        draft = PlanVersion(
            case_id=case.id, number=1, status=VersionStatus.DRAFT, coordinator_name=rita.display_name
        )
        db.session.add(draft)
        db.session.flush()
        db.session.add(
            PlanComment(version_id=draft.id, person_id=person.id, text="Kan mötena vara på eftermiddagen?")
        )
    elif extra == "problem":
        db.session.add(
            ProblemReport(
                case_id=case.id,
                unit_id=case.owning_unit_id,
                reported_by_person_id=person.id,
                kind=ProblemKind.NO_INITIATIVE,
                text="Ingen har ringt mig om mötet.",
            )
        )


def _followed_actions(
    case: SipCase, plan: PlanVersion, rita: StaffUser, named: list[Unit], today: date
) -> None:
    """Nora's plan shows how its actions go ("Min plan", "Våra åtgärder", services/action_follow_up.py):
    Psykiatrin Centrum's is done, Vårdcentralen Norra's day has passed with no mark (late: Vera Nilsson sees
    it first under "Våra åtgärder"), and one is still to come."""
    psychiatry, primary = named
    done = PlanAction(
        what="Psykiatrin Centrum går igenom medicinerna med Nora.",
        responsible=Responsible.REGION,
        responsible_unit_id=psychiatry.id,
        starts_on=today - timedelta(days=25),
        position=1,
    )
    late = PlanAction(
        what="Vårdcentralen Norra ringer Nora och bokar en tid för hälsokontroll.",
        responsible=Responsible.REGION,
        responsible_unit_id=primary.id,
        starts_on=today - timedelta(days=4),
        position=2,
    )
    coming = PlanAction(
        what="Nora och Psykiatrin Centrum pratar om hur det går med sömnen.",
        responsible=Responsible.REGION,
        responsible_unit_id=psychiatry.id,
        starts_on=today + timedelta(days=5),
        position=3,
    )
    plan.goals.append(
        PlanGoal(term=GoalTerm.SHORT, text="Jag vill sova bättre och orka mer.", actions=[done, late, coming])
    )
    db.session.flush()
    db.session.add(
        ActionMark(
            case_id=case.id,
            action_key=done.action_key,
            progress=ActionProgress.DONE,
            marked_on=today - timedelta(days=20),
            unit_id=psychiatry.id,
            marked_by_staff_id=rita.id,
        )
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
    specs = demo_people()
    person_specs = {identity.identity_hash(test_identity_number(p.birth, p.serial)): p for p in specs}
    staff_specs = {identity.identity_hash(test_identity_number(s.birth, s.serial)): s for s in demo_staff()}
    by_name = {p.name: h for h, p in person_specs.items() if p.found_by_name}
    persons: dict[str, Person] = {}
    for p in db.session.scalars(
        select(Person)
        .where(or_(Person.identity_hash.in_(person_specs), Person.display_name.in_(by_name)))
        .order_by(Person.id)
    ):
        # A person loaded on an earlier day has the number of that day: they are known by their name.
        if p.identity_hash in person_specs:
            persons[p.identity_hash] = p
        elif (key := by_name.get(p.display_name)) is not None:
            persons.setdefault(key, p)
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
