"""The access policy as a matrix: every kind of actor against every action on a SIP [QUALITY 4].

The tables below are the policy written out by hand, so they can disagree with ``access.POLICY``; each cell
is one test. For each column the test builds the real situation in the database (custody, mandates,
participation, unit membership, the coordinator) and asks ``access.can``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from citizen_app import access, create_app
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    CoordinatorAssignment,
    EventKind,
    Initiator,
    Participant,
    ParticipantRole,
    RelationKind,
    Relationship,
    RepresentativeType,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
    utcnow,
)
from citizen_app.services import NotAllowed, consent, representation
from tests.support import factories

# Columns: who is asking. Y = allowed, . = denied.
#   pers  the adult the SIP is about            coor  the case's coordinator
#   chld  the child it is about, signed in      ucoo  another coordinator of the owning unit
#   cust  a guardian with custody               umem  other staff of the owning unit
#   nocu  a guardian without custody            part  staff of a unit taking part in the case
#   godm  god man with a valid mandate          oth   staff with no tie to the case
#   forv  förvaltare with a valid mandate       citz  a citizen with no tie to the case
#   ffm   framtidsfullmakt in force             anon  nobody signed in (None)
#   expr  a representative whose mandate ended  anou  flask-login's anonymous user
#   rel   a relative taking part in the case
MATRIX = """
                          pers chld cust nocu godm forv ffm  expr rel  coor ucoo umem part oth  citz anon anou
view_case                  Y    Y    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
view_consent                Y    Y    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
cancel_request             Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
accept_suggestion          Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
give_consent               Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
withdraw_consent           Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
record_child_view          .    .    Y    .    .    .    .    .    .    .    .    .    .    .    .    .    .
give_own_child_view        .    Y    .    .    .    .    .    .    .    .    .    .    .    .    .    .    .
choose_guardian_view       .    .    .    .    .    .    .    .    .    .    .    .    .    .    .    .    .
give_child_access          .    .    Y    .    .    .    .    .    .    Y    .    .    .    .    .    .    .
prepare_meeting            Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
view_plan                  Y    Y    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
approve_plan               Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
comment_plan               Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
share_plan                 Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
give_feedback              Y    Y    Y    .    Y    Y    Y    .    Y    .    .    .    .    .    .    .    .
report_problem             Y    Y    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
view_access_log            Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
view_invitation            Y    Y    Y    .    Y    Y    Y    .    Y    .    .    .    .    .    .    .    .
answer_invitation          .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .    .
suggest_topic              .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .    .
staff_view_case            .    .    .    .    .    .    .    .    .    Y    Y    Y    Y    .    .    .    .
staff_accept_case          .    .    .    .    .    .    .    .    .    Y    Y    .    .    .    .    .    .
staff_forward_case         .    .    .    .    .    .    .    .    .    Y    Y    .    .    .    .    .    .
staff_change_coordinator   .    .    .    .    .    .    .    .    .    Y    Y    .    .    .    .    .    .
staff_record_consent       .    .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .
staff_invite               .    .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .
staff_answer_invitation    .    .    .    .    .    .    .    .    .    .    .    .    Y    .    .    .    .
staff_document_plan        .    .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .
staff_close_case           .    .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .
staff_handle_problem       .    .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .
staff_record_compulsory_care .  .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .
staff_move_coordination    .    .    .    .    .    .    .    .    .    Y    .    .    .    .    .    .    .
staff_follow_action        .    .    .    .    .    .    .    .    .    Y    Y    Y    Y    .    .    .    .
"""

# A relative's suggestion (awaiting_person_agreement): until the person agrees, only they (and those who act
# for them) may look at it and say yes or no. The owning unit may read it to reach the person, and its
# coordinators may take it on or send it to the right unit. The relative who suggested it, and the units the
# relative named, see nothing [issue 3]. An action not listed here: nobody.
SUGGESTION_MATRIX = """
                          pers chld cust nocu godm forv ffm  expr rel  coor ucoo umem part oth  citz anon anou
view_case                  Y    Y    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
view_consent                Y    Y    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
cancel_request             Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
accept_suggestion          Y    .    Y    .    Y    Y    Y    .    .    .    .    .    .    .    .    .    .
staff_view_case            .    .    .    .    .    .    .    .    .    Y    Y    Y    .    .    .    .    .
staff_accept_case          .    .    .    .    .    .    .    .    .    Y    Y    .    .    .    .    .    .
staff_forward_case         .    .    .    .    .    .    .    .    .    Y    Y    .    .    .    .    .    .
"""

# The roles each column must be given: together they cover every Role of the policy.
EXPECTED_ROLES: dict[str, set[Role]] = {
    "pers": {Role.PERSON},
    "chld": {Role.CHILD_SELF},
    "cust": {Role.GUARDIAN_WITH_CUSTODY},
    "nocu": {Role.GUARDIAN_WITHOUT_CUSTODY},
    "godm": {Role.REPRESENTATIVE},
    "forv": {Role.REPRESENTATIVE},
    "ffm": {Role.REPRESENTATIVE_FUTURE_POWER},
    "expr": set(),
    "rel": {Role.RELATIVE},
    # The coordinator is a coordinator of the owning unit, as in real life.
    "coor": {Role.COORDINATOR, Role.UNIT_COORDINATOR},
    "ucoo": {Role.UNIT_COORDINATOR},
    "umem": {Role.UNIT_MEMBER},
    "part": {Role.PARTICIPATING_STAFF},
    "oth": {Role.OTHER_STAFF},
    "citz": set(),
    "anon": set(),
    "anou": set(),
}


def _parse(table: str) -> dict[str, dict[Action, bool]]:
    lines = [line for line in table.strip("\n").splitlines() if line.strip()]
    columns = lines[0].split()
    grid: dict[str, dict[Action, bool]] = {column: {} for column in columns}
    for line in lines[1:]:
        action, *cells = line.split()
        assert len(cells) == len(columns), f"row {action} has {len(cells)} cells, not {len(columns)}"
        for column, cell in zip(columns, cells, strict=True):
            assert cell in {"Y", "."}, f"row {action}: {cell!r}"
            grid[column][Action(action)] = cell == "Y"
    return grid


ALLOWED = _parse(MATRIX)
ALLOWED_WHILE_SUGGESTED = _parse(SUGGESTION_MATRIX)


# ---- the situations, built in the database


@dataclass
class Scene:
    """A case about ``subject``, owned by a social services unit with a coordinator, a school taking part."""

    case: SipCase
    owning_unit: object
    coordinator: object
    school: object


def _scene(subject, **case_fields) -> Scene:
    owning = factories.unit(kind=UnitKind.SOCIAL_SERVICES)
    coordinator = factories.staff(owning, StaffRole.COORDINATOR, "Samordnare Saga")
    school = factories.unit(kind=UnitKind.SCHOOL)
    case = factories.case(
        subject,
        owning_unit=owning,
        coordinator=coordinator,
        step=Step.PREPARATION,
        need_description="Behöver hjälp med skolan och hemmet.",
        **case_fields,
    )
    factories.participant(case, ParticipantRole.PERSON, person_=subject)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    return Scene(case, owning, coordinator, school)


def _adult():
    return factories.person("Vuxen Vera", age=45)


def _child():
    return factories.child("Barnet Bo", age=14)


def _pers(fields):
    subject = _adult()
    return subject, _scene(subject, **fields)


def _chld(fields):
    subject = _child()
    return subject, _scene(subject, **fields)


def _guardian(custody: bool):
    def build(fields):
        kid = _child()
        factories.guardian_of(kid, custody=True, name="Den andra föräldern")
        parent = factories.guardian_of(kid, custody=custody, name="Förälder Frida")
        return parent, _scene(kid, **fields)

    return build


def _representative(rep_type: RepresentativeType, valid_until: date | None = None):
    def build(fields):
        subject = factories.person("Äldre Elof", age=82)
        rep = factories.representative_of(subject, rep_type, valid_until=valid_until)
        scene = _scene(subject, **fields)
        factories.participant(scene.case, ParticipantRole.REPRESENTATIVE, person_=rep)
        return rep, scene

    return build


def _rel(fields):
    subject = _adult()
    relative = factories.person("Närstående Nils", age=50)
    db.session.add(Relationship(holder_id=relative.id, subject_id=subject.id, kind=RelationKind.RELATIVE))
    scene = _scene(subject, **fields)
    factories.participant(scene.case, ParticipantRole.RELATIVE, person_=relative)
    return relative, scene


def _coor(fields):
    scene = _scene(_adult(), **fields)
    return scene.coordinator, scene


def _ucoo(fields):
    scene = _scene(_adult(), **fields)
    return factories.staff(scene.owning_unit, StaffRole.COORDINATOR, "Annan samordnare"), scene


def _umem(fields):
    scene = _scene(_adult(), **fields)
    return factories.staff(scene.owning_unit, StaffRole.MEMBER, "Handläggare Hans"), scene


def _part(fields):
    scene = _scene(_adult(), **fields)
    # Staff of a unit taking part hold the role while the consent in force names their unit [issue 15].
    _consent_naming(scene.case, scene.school)
    return factories.staff(scene.school, StaffRole.MEMBER, "Kurator Karin"), scene


def _consent_naming(case, *units) -> None:
    db.session.add(
        ConsentEvent(
            case_id=case.id,
            kind=ConsentEventKind.GIVEN,
            consenter_id=case.subject_id,
            method=ConsentMethod.DIGITAL,
            unit_ids=[u.public_id for u in units],
            categories=["school"],
            valid_from=date.today(),
            valid_until=date.today() + timedelta(days=90),
        )
    )
    db.session.flush()


def _oth(fields):
    scene = _scene(_adult(), **fields)
    elsewhere = factories.unit(kind=UnitKind.PRIMARY_CARE)
    return factories.staff(elsewhere, StaffRole.COORDINATOR, "Okänd personal"), scene


def _citz(fields):
    scene = _scene(_adult(), **fields)
    stranger = factories.person("Främling Fia", age=45)
    _scene(stranger)  # a stranger with a SIP of their own
    return stranger, scene


def _anon(fields):
    return None, _scene(_adult(), **fields)


def _anou(fields):
    return AnonymousUserMixin(), _scene(_adult(), **fields)


SITUATIONS: dict[str, Callable] = {
    "pers": _pers,
    "chld": _chld,
    "cust": _guardian(custody=True),
    "nocu": _guardian(custody=False),
    "godm": _representative(RepresentativeType.GOD_MAN),
    "forv": _representative(RepresentativeType.FORVALTARE),
    "ffm": _representative(RepresentativeType.FRAMTIDSFULLMAKT),
    "expr": _representative(RepresentativeType.GOD_MAN, valid_until=date.today() - timedelta(days=1)),
    "rel": _rel,
    "coor": _coor,
    "ucoo": _ucoo,
    "umem": _umem,
    "part": _part,
    "oth": _oth,
    "citz": _citz,
    "anon": _anon,
    "anou": _anou,
}


def _build(column: str, **case_fields):
    actor, scene = SITUATIONS[column](case_fields)
    db.session.flush()
    return actor, scene.case


@pytest.fixture(scope="module")
def world(database_url):
    """Every situation built once, in one transaction that is rolled back at the end (nothing is committed).

    Building them per cell would cost a fresh app and empty tables for each of the ~1,000 cells.
    """
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        built = {column: _build(column) for column in SITUATIONS}
        suggested = {
            column: _build(column, initiated_by=Initiator.RELATIVE, awaiting_person_agreement=True)
            for column in SITUATIONS
        }
        yield {"ordinary": built, "suggestion": suggested}
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


# ---- the tables are complete


def test_the_tables_name_every_action_and_every_situation():
    assert set(ALLOWED) == set(SITUATIONS) == set(EXPECTED_ROLES)
    for column, row in ALLOWED.items():
        assert set(row) == set(Action), f"{column}: missing {set(Action) - set(row)}"
    assert set(ALLOWED_WHILE_SUGGESTED) == set(SITUATIONS)


def test_the_situations_cover_every_role():
    covered = set().union(*EXPECTED_ROLES.values())
    assert covered == set(Role)


@pytest.mark.parametrize("column", list(SITUATIONS))
def test_each_situation_gives_its_roles(world, column):
    actor, case = world["ordinary"][column]
    assert set(access.roles_of(actor, case)) == EXPECTED_ROLES[column]


# ---- the matrix


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("column", list(SITUATIONS))
def test_access_matrix(world, column, action):
    actor, case = world["ordinary"][column]
    assert access.can(actor, action, case) is ALLOWED[column][action]


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("column", list(SITUATIONS))
def test_access_matrix_for_a_relatives_suggestion(world, column, action):
    actor, case = world["suggestion"][column]
    expected = ALLOWED_WHILE_SUGGESTED[column].get(action, False)
    assert access.can(actor, action, case) is expected


def test_roles_worked_out_for_many_sips_at_once_are_the_same_as_one_by_one(world):
    """access.roles_for_many (two queries for a whole start page) gives every column the roles of roles_of,
    for ordinary SIPs and for suggestions, and can() then answers the matrix from what it worked out."""
    from flask import current_app

    for kind in ("ordinary", "suggestion"):
        for column, (actor, case) in world[kind].items():
            if actor is None or not getattr(actor, "is_authenticated", False) or actor.is_staff:
                continue
            one_by_one = access.roles_of(actor, case)  # outside a request: nothing is cached
            with current_app.test_request_context():
                access.roles_for_many(actor, [case])
                assert access.roles_of(actor, case) == one_by_one, (kind, column)
                expected = (ALLOWED if kind == "ordinary" else ALLOWED_WHILE_SUGGESTED)[column]
                assert access.can(actor, Action.VIEW_ACCESS_LOG, case) is expected.get(
                    Action.VIEW_ACCESS_LOG, False
                ), (kind, column)


def test_require_raises_for_a_denied_action_and_passes_an_allowed_one(world):
    parent, case = world["ordinary"]["nocu"]
    with pytest.raises(NotAllowed):
        access.require(parent, Action.VIEW_CASE, case)
    access.require(case.subject, Action.VIEW_CASE, case)


# ---- the rules behind some cells


def test_the_relative_who_suggested_a_sip_cannot_read_it(world):
    subject = _adult()
    relative = factories.person("Närstående Nils", age=50)
    scene = _scene(subject, initiated_by=Initiator.RELATIVE, awaiting_person_agreement=True)
    factories.participant(scene.case, ParticipantRole.RELATIVE, person_=relative)
    db.session.add(
        CaseEvent(
            case_id=scene.case.id, kind=EventKind.REQUESTED, step=Step.REQUESTED, actor_person_id=relative.id
        )
    )
    db.session.flush()

    assert access.allowed_actions(relative, scene.case) == frozenset()
    assert access.can(subject, Action.VIEW_CASE, scene.case)
    assert access.can(subject, Action.ACCEPT_SUGGESTION, scene.case)

    # Once the person agrees, the relative may take part like any relative (but still not read the case).
    scene.case.awaiting_person_agreement = False
    db.session.flush()
    assert access.can(relative, Action.VIEW_INVITATION, scene.case)
    assert not access.can(relative, Action.VIEW_CASE, scene.case)


def _born_years_ago(years: int, today: date, days_later: int = 0) -> date:
    return date(today.year - years, today.month, today.day) + timedelta(days=days_later)


def test_on_the_18th_birthday_the_child_becomes_the_person(world):
    today = date(2026, 11, 23)
    subject = factories.person("Artonåring Alva", birth_date=_born_years_ago(18, today))
    case = _scene(subject).case
    assert access.roles_of(subject, case, today=today) == {Role.PERSON}
    assert access.roles_of(subject, case, today=today - timedelta(days=1)) == {Role.CHILD_SELF}


def test_a_person_who_turned_18_may_consent_for_themself(world):
    subject = factories.person("Artonåring Alva", birth_date=_born_years_ago(18, date.today()))
    case = _scene(subject).case
    assert access.can(subject, Action.GIVE_CONSENT, case)
    assert not access.can(subject, Action.GIVE_OWN_CHILD_VIEW, case)


def test_a_guardian_of_a_child_who_turned_18_gets_nothing(world):
    grown_up = factories.person("Artonåring Alva", birth_date=_born_years_ago(18, date.today()))
    parent = factories.guardian_of(grown_up, custody=True)
    case = _scene(grown_up).case
    assert access.roles_of(parent, case) == frozenset()
    assert access.allowed_actions(parent, case) == frozenset()


def test_a_guardian_keeps_access_until_the_day_before_the_18th_birthday(world):
    kid = factories.person("Snart artonåring", birth_date=_born_years_ago(18, date.today(), days_later=1))
    parent = factories.guardian_of(kid, custody=True)
    case = _scene(kid).case
    assert access.can(parent, Action.GIVE_CONSENT, case)


def test_a_mandate_that_has_not_started_gives_nothing(world):
    subject = factories.person("Äldre Elof", age=82)
    rep = factories.person("Blivande god man", age=55)
    db.session.add(
        Relationship(
            holder_id=rep.id,
            subject_id=subject.id,
            kind=RelationKind.REPRESENTATIVE,
            representative_type=RepresentativeType.GOD_MAN,
            valid_from=date.today() + timedelta(days=3),
        )
    )
    case = _scene(subject).case
    assert access.allowed_actions(rep, case) == frozenset()


def test_a_former_coordinator_loses_the_coordinators_rights(world):
    scene = _scene(_adult())
    elsewhere = factories.unit()
    former = factories.staff(elsewhere, StaffRole.COORDINATOR, "Förra samordnaren")
    db.session.add(CoordinatorAssignment(case_id=scene.case.id, staff_id=former.id, ended_at=utcnow()))
    db.session.flush()
    assert access.roles_of(former, scene.case) == {Role.OTHER_STAFF}
    assert not access.can(former, Action.STAFF_VIEW_CASE, scene.case)


def test_a_unit_removed_from_the_case_loses_access(world):
    scene = _scene(_adult())
    _consent_naming(scene.case, scene.school)
    teacher = factories.staff(scene.school, StaffRole.MEMBER, "Lärare Lo")
    assert access.can(teacher, Action.STAFF_VIEW_CASE, scene.case)
    school_taking_part = db.session.scalars(
        select(Participant).where(
            Participant.case_id == scene.case.id, Participant.unit_id == scene.school.id
        )
    )
    for participant in school_taking_part:
        participant.removed_at = utcnow()
    db.session.flush()
    assert not access.can(teacher, Action.STAFF_VIEW_CASE, scene.case)


def test_a_suggestion_about_someone_not_yet_identified_is_for_the_owning_unit_only(world):
    owning = factories.unit(kind=UnitKind.SOCIAL_SERVICES)
    coordinator = factories.staff(owning, StaffRole.COORDINATOR, "Samordnare Saga")
    relative = factories.person("Närstående Nils", age=50)
    suggestion = SipCase(
        subject_id=None,
        owning_unit_id=owning.id,
        initiated_by=Initiator.RELATIVE,
        awaiting_person_agreement=True,
        need_description="Min granne klarar sig inte.",
    )
    db.session.add(suggestion)
    db.session.flush()
    factories.participant(suggestion, ParticipantRole.RELATIVE, person_=relative)

    assert access.allowed_actions(relative, suggestion) == frozenset()
    assert access.can(coordinator, Action.STAFF_VIEW_CASE, suggestion)


# ---- issue 15: the 18th birthday. Guardian roles need a child subject; a former guardian takes part only
# as a relative, if the young adult chooses it (services/coming_of_age.py).

BIRTHDAY_18 = date(2027, 3, 10)
# Rows: the day, read against the birthday. Columns: what the guardian with custody may do, and the subject.
COMING_OF_AGE_ROWS = {
    "day before": (-1, {Role.GUARDIAN_WITH_CUSTODY}, {Role.CHILD_SELF}),
    "birthday": (0, set(), {Role.PERSON}),
    "day after": (1, set(), {Role.PERSON}),
}


@pytest.mark.parametrize("row", list(COMING_OF_AGE_ROWS))
def test_guardians_lose_their_roles_on_the_18th_birthday(world, row):
    offset, guardian_roles, subject_roles = COMING_OF_AGE_ROWS[row]
    day = BIRTHDAY_18 + timedelta(days=offset)
    kid = factories.person("Alva", birth_date=date(2009, 3, 10))
    mum = factories.guardian_of(kid, custody=True, name="Mamma")
    case = _scene(kid).case
    assert access.roles_of(mum, case, today=day) == guardian_roles
    assert access.roles_of(kid, case, today=day) == subject_roles


@pytest.mark.parametrize("row", ["birthday", "day after"])
def test_a_former_guardian_the_young_adult_lets_in_has_a_relatives_rights_only(world, row):
    from freezegun import freeze_time

    from citizen_app.services import coming_of_age

    day = BIRTHDAY_18 + timedelta(days=COMING_OF_AGE_ROWS[row][0])
    kid = factories.person("Alva", birth_date=date(2009, 3, 10))
    mum = factories.guardian_of(kid, custody=True, name="Mamma")
    case = _scene(kid).case
    with freeze_time(day):
        coming_of_age.let_take_part(kid, case, mum.public_id, day)
        assert access.roles_of(mum, case) == {Role.RELATIVE}
        assert {a for a in Action if access.can(mum, a, case)} == {a for a in Action if ALLOWED["rel"][a]}
        coming_of_age.stop_taking_part(kid, case, mum.public_id, day)
        assert access.roles_of(mum, case) == frozenset()


# ---- issue 15: representatives
# Whether the person can consent, and a menprövning, are written down by the case's coordinator only. A god
# man keeps the roles of the table above; what his word counts for follows the person's ability and mandate.

RECORDS_ABILITY = {column: column == "coor" for column in SITUATIONS}


@pytest.mark.parametrize("column", list(SITUATIONS))
def test_only_the_coordinator_records_whether_the_person_can_consent(world, column):
    actor, case = world["ordinary"][column]
    if RECORDS_ABILITY[column]:
        assert representation.record_ability(actor, case, False, "Svår demens.", date.today()) is not None
    else:
        with pytest.raises(NotAllowed):
            representation.record_ability(actor, case, False, "Svår demens.", date.today())


@pytest.mark.parametrize(
    ("mandate", "person_can_consent", "counts", "may_open_health"),
    [
        (["sorja_for_person"], True, False, True),
        (["sorja_for_person"], False, True, True),
        (["bevaka_ratt", "forvalta_egendom"], False, True, False),
        (None, False, True, False),
    ],
    ids=["care, person can", "care, person cannot", "rights and property, person cannot", "no mandate"],
)
def test_a_god_mans_say_follows_the_persons_ability_and_the_mandate(
    world, mandate, person_can_consent, counts, may_open_health
):
    subject = factories.person("Äldre Elof", age=82)
    god_man = factories.person("God man Gun", age=55)
    db.session.add(
        Relationship(
            holder_id=god_man.id,
            subject_id=subject.id,
            kind=RelationKind.REPRESENTATIVE,
            representative_type=RepresentativeType.GOD_MAN,
            valid_from=date.today() - timedelta(days=30),
            mandate=mandate,
        )
    )
    scene = _scene(subject)
    if not person_can_consent:
        representation.record_ability(scene.coordinator, scene.case, False, "Svår demens.", date.today())
    assert access.roles_of(god_man, scene.case) == {Role.REPRESENTATIVE}
    assert access.can(god_man, Action.GIVE_CONSENT, scene.case)
    assert (consent.cannot_consent_reason(god_man, scene.case) is None) == counts
    refusal = representation.health_refusal(god_man, scene.case, date.today())
    assert (refusal is None) == may_open_health


# ---- issue 15: a mature minor ------------------------------------------------------------------------------
# The coordinator has recorded that the child (16) has the age and maturity to consent themself [DA 4.2].
# The child then consents and withdraws, and chooses what the guardians see; a guardian with custody keeps
# only the SIP itself and who coordinates it (and their own problem reports) until the child shows more.
#   chld  the child, signed in                    nocu  a guardian without custody
#   cust  a guardian with custody, shown nothing  coor  the case's coordinator
#   cusa  a guardian with custody, shown the plan, the meetings and the consent
MATURE_MINOR_MATRIX = """
                          chld cust cusa nocu coor
view_case                  Y    Y    Y    .    .
view_consent               Y    .    Y    .    .
cancel_request             .    .    .    .    .
accept_suggestion          .    .    .    .    .
give_consent               Y    .    .    .    .
withdraw_consent           Y    .    .    .    .
record_child_view          .    .    .    .    .
give_own_child_view        Y    .    .    .    .
choose_guardian_view       Y    .    .    .    .
give_child_access          .    .    .    .    Y
prepare_meeting            .    .    Y    .    .
view_plan                  Y    .    Y    .    .
approve_plan               .    .    .    .    .
comment_plan               .    .    .    .    .
share_plan                 .    .    .    .    .
give_feedback              Y    .    Y    .    .
report_problem             Y    Y    Y    .    .
view_access_log            .    .    .    .    .
view_invitation            Y    .    Y    .    .
answer_invitation          .    .    .    .    .
suggest_topic              .    .    .    .    .
staff_view_case            .    .    .    .    Y
staff_accept_case          .    .    .    .    Y
staff_forward_case         .    .    .    .    Y
staff_change_coordinator   .    .    .    .    Y
staff_record_consent       .    .    .    .    Y
staff_invite               .    .    .    .    Y
staff_answer_invitation    .    .    .    .    .
staff_document_plan        .    .    .    .    Y
staff_close_case           .    .    .    .    Y
staff_handle_problem       .    .    .    .    Y
staff_record_compulsory_care . .    .    .    Y
staff_move_coordination    .    .    .    .    Y
staff_follow_action        .    .    .    .    Y
"""
ALLOWED_FOR_A_MATURE_MINOR = _parse(MATURE_MINOR_MATRIX)


def _mature_minor_scene(shown: list[str]):
    from citizen_app.services import mature_minor_decisions

    kid = factories.child("Mogna Maja", age=16)
    with_custody = factories.guardian_of(kid, custody=True, name="Förälder Frida")
    without_custody = factories.guardian_of(kid, custody=False, name="Förälder utan vårdnad")
    scene = _scene(kid)
    mature_minor_decisions.record(scene.coordinator, scene.case, "Maja förstår och vill själv.", date.today())
    if shown:
        mature_minor_decisions.choose_guardian_view(kid, scene.case, shown)
    db.session.flush()
    return {"chld": kid, "cust": with_custody, "nocu": without_custody, "coor": scene.coordinator}, scene.case


@pytest.fixture(scope="module")
def mature_world(world):
    """Built inside ``world``'s transaction, rolled back with it."""
    nothing_shown, case = _mature_minor_scene([])
    everything_shown, case_all = _mature_minor_scene(["plan", "meetings", "consent"])
    actors = {column: (actor, case) for column, actor in nothing_shown.items()}
    actors["cusa"] = (everything_shown["cust"], case_all)
    return actors


def test_the_mature_minor_table_names_every_action():
    for column, row in ALLOWED_FOR_A_MATURE_MINOR.items():
        assert set(row) == set(Action), f"{column}: missing {set(Action) - set(row)}"


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("column", list(ALLOWED_FOR_A_MATURE_MINOR))
def test_access_matrix_for_a_mature_minor(mature_world, column, action):
    actor, case = mature_world[column]
    assert access.can(actor, action, case) is ALLOWED_FOR_A_MATURE_MINOR[column][action]


def test_a_mature_minors_roles_are_the_ordinary_ones(mature_world):
    """The decision changes what the roles may do, not who holds them: the table above is the only change."""
    assert access.roles_of(*mature_world["chld"]) == {Role.CHILD_SELF}
    assert access.roles_of(*mature_world["cust"]) == {Role.GUARDIAN_WITH_CUSTODY}
    assert access.roles_of(*mature_world["nocu"]) == {Role.GUARDIAN_WITHOUT_CUSTODY}


# ---- issue 15: decline — a unit taking part sees the SIP only while the consent in force names it
# Rows for staff of a unit taking part, by the state of the consent. Y = allowed, . = denied.
#   named    the consent in force names their unit       none     no consent yet
#   left     the consent names other units only          gone     the consent was withdrawn (SIP closed)
#   expired  the consent's last day has passed
CONSENT_STATE_MATRIX = """
                          named left none gone expired
staff_view_case            Y    .    .    .    .
staff_answer_invitation    Y    .    .    .    .
staff_invite               .    .    .    .    .
staff_record_consent       .    .    .    .    .
staff_follow_action        Y    .    .    .    .
"""
CONSENT_STATE_ROLES = {
    "named": {Role.PARTICIPATING_STAFF},
    "left": {Role.OTHER_STAFF},
    "none": {Role.OTHER_STAFF},
    "gone": {Role.OTHER_STAFF},
    "expired": {Role.OTHER_STAFF},
}


def _school_staff_when_the_consent_is(state: str):
    scene = _scene(_adult())
    if state == "named":
        _consent_naming(scene.case, scene.school)
    elif state == "left":
        _consent_naming(scene.case, scene.owning_unit)
    elif state == "gone":
        _consent_naming(scene.case, scene.school)
        db.session.add(
            ConsentEvent(
                case_id=scene.case.id,
                kind=ConsentEventKind.WITHDRAWN,
                consenter_id=scene.case.subject_id,
                method=ConsentMethod.DIGITAL,
            )
        )
        scene.case.step = Step.CLOSED
    elif state == "expired":
        _consent_naming(scene.case, scene.school)
        db.session.flush()
        for event in db.session.scalars(select(ConsentEvent).where(ConsentEvent.case_id == scene.case.id)):
            event.valid_until = date.today() - timedelta(days=1)
    db.session.flush()
    return factories.staff(scene.school, StaffRole.MEMBER, "Kurator Karin"), scene.case


@pytest.mark.parametrize("state", list(CONSENT_STATE_ROLES))
def test_staff_of_a_unit_taking_part_by_the_state_of_the_consent(world, state):
    staff_member, case = _school_staff_when_the_consent_is(state)
    assert set(access.roles_of(staff_member, case)) == CONSENT_STATE_ROLES[state]
    for action, allowed in _parse(CONSENT_STATE_MATRIX)[state].items():
        assert access.can(staff_member, action, case) is allowed, (state, action)
