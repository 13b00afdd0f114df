"""Custody follows the population register at once [issue 18] [DA 4.2]: who sees the child's SIP and whose yes
the consent needs. The register is a real extract file or the real register server in tests/support."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import Result
from sqlalchemy import select

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CoordinatorAssignment,
    Notification,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    StaffRole,
    StaffUser,
    Step,
)
from citizen_app.services import consent, people
from citizen_app.services.population_register.file_source import FileSource
from citizen_app.services.population_register.reconcile import (
    refresh_child,
    refresh_open_sips,
    refresh_person,
)
from tests.support import factories
from tests.support.register_server import RegisterServer

TODAY = date.today()
YEAR = TODAY + timedelta(days=300)
HEADER = "child_identity_number,child_name,guardian_identity_number,guardian_name\n"


@pytest.fixture
def units(app):
    social, school, bup = factories.social_school_and_bup()
    return {"social": social, "school": school, "bup": bup}


@pytest.fixture
def family(units):
    """Elsa (14) with a SIP waiting for consent; Mamma and Pappa both have custody."""
    elsa = factories.child("Elsa")
    mum = factories.guardian_of(elsa, name="Mamma")
    dad = factories.guardian_of(elsa, name="Pappa")
    sip = factories.case(elsa, units["social"], step=Step.CONSENT)
    factories.participant(sip, ParticipantRole.GUARDIAN, mum)
    factories.participant(sip, ParticipantRole.GUARDIAN, dad)
    return {"elsa": elsa, "mum": mum, "dad": dad, "sip": sip}


def _number(person: Person) -> str:
    return people.identity_number_of(person)


def _extract(tmp_path, child: Person, *guardians: Person | tuple[str, str]) -> FileSource:
    """A register extract naming ``guardians`` (people, or (number, name) of people Min SIP does not know)."""
    lines = [HEADER]
    for guardian in guardians or (None,):
        if guardian is None:
            lines.append(f"{_number(child)},{child.display_name},,\n")
        elif isinstance(guardian, tuple):
            lines.append(f"{_number(child)},{child.display_name},{guardian[0]},{guardian[1]}\n")
        else:
            lines.append(
                f"{_number(child)},{child.display_name},{_number(guardian)},{guardian.display_name}\n"
            )
    path = tmp_path / "extract.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return FileSource(str(path))


def _say_yes(actor: Person, sip, units) -> None:
    consent.give(actor, sip, [u.public_id for u in units.values()], ["health", "school"], YEAR, today=TODAY)


# --- Losing custody -----------------------------------------------------------------------------------------


def test_a_guardian_who_loses_custody_no_longer_sees_the_childs_sip(family, tmp_path):
    assert access.can(family["dad"], Action.VIEW_CASE, family["sip"])
    refresh_child(_extract(tmp_path, family["elsa"], family["mum"]), family["elsa"], TODAY)
    assert not access.can(family["dad"], Action.VIEW_CASE, family["sip"])
    assert access.roles_of(family["dad"], family["sip"]) == {Role.GUARDIAN_WITHOUT_CUSTODY}
    assert access.can(family["mum"], Action.VIEW_CASE, family["sip"])


def test_a_guardian_who_loses_custody_is_no_longer_a_consent_voice(family, units, tmp_path):
    _say_yes(family["mum"], family["sip"], units)
    assert consent.in_force(family["sip"], TODAY) is None  # waiting for Pappa
    refresh_child(_extract(tmp_path, family["elsa"], family["mum"]), family["elsa"], TODAY)
    assert consent.required_voices(family["sip"], TODAY) == [family["mum"]]
    assert consent.in_force(family["sip"], TODAY) is not None  # Mamma's yes is enough now


def test_a_guardian_who_loses_custody_no_longer_takes_part_in_the_open_sip(family, tmp_path):
    refresh_child(_extract(tmp_path, family["elsa"], family["mum"]), family["elsa"], TODAY)
    taking_part = db.session.scalars(
        select(Participant.person_id).where(
            Participant.case_id == family["sip"].id,
            Participant.role == ParticipantRole.GUARDIAN,
            Participant.removed_at.is_(None),
        )
    ).all()
    assert taking_part == [family["mum"].id]


# --- Gaining custody ----------------------------------------------------------------------------------------


def test_the_new_custodians_yes_is_needed(family, units, tmp_path):
    _say_yes(family["mum"], family["sip"], units)
    _say_yes(family["dad"], family["sip"], units)
    assert consent.in_force(family["sip"], TODAY) is not None
    stepmum_number = factories._next_number(date(1982, 2, 2))
    source = _extract(tmp_path, family["elsa"], family["mum"], family["dad"], (stepmum_number, "Eva Berg"))

    refresh_child(source, family["elsa"], TODAY)

    eva = people.find_person_by_identity(stepmum_number)
    assert eva is not None and eva.display_name == "Eva Berg"  # created from the register
    assert access.can(eva, Action.VIEW_CASE, family["sip"])
    assert eva in consent.required_voices(family["sip"], TODAY)
    assert consent.in_force(family["sip"], TODAY) is None  # the new custodian's yes is needed
    _say_yes(eva, family["sip"], units)
    assert consent.in_force(family["sip"], TODAY) is not None


def test_a_parent_without_custody_who_gains_it_sees_the_sip(units, tmp_path):
    oskar = factories.child("Oskar", age=13)
    sara = factories.guardian_of(oskar, name="Sara")
    peter = factories.guardian_of(oskar, custody=False, name="Peter")
    sip = factories.case(oskar, units["social"], step=Step.CONSENT)
    assert not access.can(peter, Action.VIEW_CASE, sip)
    refresh_child(_extract(tmp_path, oskar, sara, peter), oskar, TODAY)
    assert access.can(peter, Action.VIEW_CASE, sip)
    assert peter in consent.required_voices(sip, TODAY)


def test_a_guardian_signing_in_brings_the_children_the_register_names(units, tmp_path):
    """A parent Min SIP knew nothing about: the register names their child, who has a SIP."""
    kid = factories.child("Ida", age=10)
    sip = factories.case(kid, units["social"], step=Step.CONSENT)
    parent = factories.person("Nils", age=38)
    refresh_person(_extract(tmp_path, kid, parent), parent, TODAY)
    assert access.can(parent, Action.VIEW_CASE, sip)


def test_custody_changes_are_audited_without_identity_numbers(family, tmp_path):
    refresh_child(_extract(tmp_path, family["elsa"], family["mum"]), family["elsa"], TODAY)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("register.%"))).one()
    assert entry.action == "register.custody_lost" and entry.actor_kind == "system"
    assert entry.detail == {
        "child": family["elsa"].public_id,
        "guardian": family["dad"].public_id,
        "source": "file",
    }


def test_asking_again_changes_nothing_more(family, tmp_path):
    source = _extract(tmp_path, family["elsa"], family["mum"])
    assert len(refresh_child(source, family["elsa"], TODAY)) == 1
    assert refresh_child(source, family["elsa"], TODAY) == []


# --- What the register does not decide ----------------------------------------------------------------------


def test_a_child_the_register_does_not_know_keeps_its_guardians(family, tmp_path):
    someone_else = factories.child("Annan")
    source = _extract(tmp_path, someone_else)
    assert refresh_child(source, family["elsa"], TODAY) == []
    assert access.can(family["dad"], Action.VIEW_CASE, family["sip"])


def test_an_adults_guardians_are_not_the_registers_business(units, tmp_path):
    adult = factories.person("Vuxen", age=20)
    parent = factories.guardian_of(adult, name="Förälder")
    assert refresh_child(_extract(tmp_path, adult), adult, TODAY) == []
    assert db.session.scalars(select(Person).where(Person.id == parent.id)).one()


# --- Every day, for the children with an open SIP -----------------------------------------------------------


@pytest.fixture
def register(app):
    server = RegisterServer(token="register-token-for-tests")
    server.start()
    app.config.update(REGISTER_URL=server.url, REGISTER_TOKEN="register-token-for-tests", REGISTER_TIMEOUT=2)
    yield server
    server.stop()


def _entry(person: Person) -> tuple[str, str, str]:
    return (_number(person), person.display_name, person.birth_date.isoformat())


def test_every_day_each_child_with_an_open_sip_is_asked_about_once(family, units, register):
    closed_kid = factories.child("Stängd")
    factories.guardian_of(closed_kid, name="Kvar")
    factories.case(closed_kid, units["social"], step=Step.CLOSED)
    register.set_custodians(_entry(family["elsa"]), [_entry(family["mum"])])

    assert refresh_open_sips(TODAY) == 1  # Pappa lost custody
    assert [body for _, body, _ in register.requests] == [{"identity_number": _number(family["elsa"])}]
    assert not access.can(family["dad"], Action.VIEW_CASE, family["sip"])

    assert refresh_open_sips(TODAY) == 0  # `flask run-jobs` runs often; the register is asked once a day
    assert len(register.requests) == 1


def test_the_daily_refresh_keeps_what_it_knew_while_the_register_is_away_and_asks_at_the_next_run(
    family, register
):
    register.set_custodians(_entry(family["elsa"]), [_entry(family["mum"])])
    register.failing = 503
    assert refresh_open_sips(TODAY) == 0
    assert access.can(family["dad"], Action.VIEW_CASE, family["sip"])
    register.failing = None
    assert refresh_open_sips(TODAY) == 1
    assert not access.can(family["dad"], Action.VIEW_CASE, family["sip"])


def test_flask_run_jobs_follows_the_register(app, family, register):
    register.set_custodians(_entry(family["elsa"]), [_entry(family["mum"])])
    db.session.commit()
    result: Result = app.test_cli_runner().invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    assert "Custody changes from the population register: 1." in result.output
    db.session.expire_all()
    assert not access.can(family["dad"], Action.VIEW_CASE, family["sip"])


# --- By hand: flask register refresh ------------------------------------------------------------------------


def test_flask_register_refresh_imports_a_file_and_reports_what_changed(app, family, tmp_path):
    stepmum_number = factories._next_number(date(1982, 2, 2))
    source = _extract(tmp_path, family["elsa"], family["mum"], (stepmum_number, "Eva Berg"))
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["register", "refresh", "--file", source.path, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Pappa" in dry.output and "lost custody of Elsa" in dry.output
    assert "Eva Berg" in dry.output and "gained custody of Elsa" in dry.output
    assert "Dry run: nothing was changed." in dry.output
    assert _number(family["elsa"]) not in dry.output
    db.session.expire_all()
    assert people.find_person_by_identity(stepmum_number) is None
    assert access.can(family["dad"], Action.VIEW_CASE, family["sip"])

    done = runner.invoke(args=["register", "refresh", "--file", source.path])
    assert "Custody changes: 2." in done.output and "People added to Min SIP: 1." in done.output
    db.session.expire_all()
    assert not access.can(family["dad"], Action.VIEW_CASE, family["sip"])

    again = runner.invoke(args=["register", "refresh", "--file", source.path])
    assert "Custody changes: 0." in again.output


def test_flask_register_refresh_for_one_person(app, family, tmp_path):
    source = _extract(tmp_path, family["elsa"], family["mum"])
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["register", "refresh", "--file", source.path, "--person", _number(family["dad"])]
    )
    assert result.exit_code == 0, result.output
    assert "Pappa" in result.output and "lost custody" in result.output


def test_flask_register_refresh_without_a_register_says_what_to_set(app):
    result = app.test_cli_runner().invoke(args=["register", "refresh"])
    assert result.exit_code != 0 and "MINSIP_REGISTER_FILE" in result.output


# --- Who is told --------------------------------------------------------------------------------------------


def _coordinated_by_kent(sip, units) -> StaffUser:
    kent = factories.staff(units["social"], StaffRole.COORDINATOR, "Kent Samordnare")
    db.session.add(CoordinatorAssignment(case_id=sip.id, staff_id=kent.id))
    db.session.flush()
    return kent


def _messages(kind: NotificationKind, recipient) -> list[Notification]:
    column = (
        Notification.recipient_staff_id
        if isinstance(recipient, StaffUser)
        else Notification.recipient_person_id
    )
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == kind, column == recipient.id))
    )


def test_the_new_custodian_is_told_their_answer_is_needed_and_the_coordinator_that_custody_changed(
    family, units, tmp_path
):
    kent = _coordinated_by_kent(family["sip"], units)
    _say_yes(family["mum"], family["sip"], units)
    _say_yes(family["dad"], family["sip"], units)
    stepmum_number = factories._next_number(date(1982, 2, 2))

    refresh_child(
        _extract(tmp_path, family["elsa"], family["mum"], family["dad"], (stepmum_number, "Eva Berg")),
        family["elsa"],
        TODAY,
    )

    eva = people.find_person_by_identity(stepmum_number)
    told = _messages(NotificationKind.CUSTODY_GAINED, eva)
    assert [(m.case_id, m.data) for m in told] == [(family["sip"].id, {"consent_needed": True})]
    staff_told = _messages(NotificationKind.STAFF_CUSTODY_CHANGED, kent)
    assert [(m.case_id, m.data) for m in staff_told] == [(family["sip"].id, {"gained": True})]
    # The guardians who already had custody are not told anything new.
    assert _messages(NotificationKind.CUSTODY_GAINED, family["mum"]) == []


def test_a_lost_custody_tells_the_coordinator_and_not_the_parent(family, units, tmp_path):
    kent = _coordinated_by_kent(family["sip"], units)

    refresh_child(_extract(tmp_path, family["elsa"], family["mum"]), family["elsa"], TODAY)

    assert [m.data for m in _messages(NotificationKind.STAFF_CUSTODY_CHANGED, kent)] == [{"gained": False}]
    assert (
        db.session.scalars(
            select(Notification).where(Notification.recipient_person_id == family["dad"].id)
        ).all()
        == []
    )


def test_nothing_changed_tells_nobody(family, units, tmp_path):
    _coordinated_by_kent(family["sip"], units)
    refresh_child(_extract(tmp_path, family["elsa"], family["mum"], family["dad"]), family["elsa"], TODAY)
    assert db.session.scalars(select(Notification)).all() == []


def test_a_child_without_an_open_sip_tells_nobody(units, tmp_path):
    oskar = factories.child("Oskar", age=13)
    sara = factories.guardian_of(oskar, name="Sara")
    factories.case(oskar, units["social"], step=Step.CLOSED)
    peter = factories.guardian_of(oskar, custody=False, name="Peter")
    refresh_child(_extract(tmp_path, oskar, sara, peter), oskar, TODAY)
    assert db.session.scalars(select(Notification)).all() == []


def test_the_same_change_found_twice_at_once_tells_once(family, units, tmp_path):
    """A sign-in and the daily refresh can both find the new custodian before either has committed: the
    messages have a key per SIP, guardian and day, so the second finding tells nobody again."""
    from citizen_app.services.population_register.reconcile import CustodyChange, _tell

    kent = _coordinated_by_kent(family["sip"], units)
    change = [CustodyChange(True, family["dad"], family["elsa"])]
    _tell([family["sip"]], change)
    _tell([family["sip"]], change)
    assert len(_messages(NotificationKind.CUSTODY_GAINED, family["dad"])) == 1
    assert len(_messages(NotificationKind.STAFF_CUSTODY_CHANGED, kent)) == 1
