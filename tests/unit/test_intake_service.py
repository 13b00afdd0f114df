"""The coordinator's intake: queue order and deadlines, accepting, forwarding, changing coordinator, audit."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CaseEvent,
    EventKind,
    Initiator,
    Notification,
    NotificationKind,
    ParticipantRole,
    SipCase,
    StaffRole,
    Step,
)
from citizen_app.pages import overview, staff_case
from citizen_app.services import DomainError, NotFound, deadlines, intake, people
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def unit_and_coordinator(app):
    unit = factories.unit("Socialtjänsten")
    return unit, factories.staff(unit, StaffRole.COORDINATOR, name="Kim")


@freeze_time(NOW)
def test_the_queue_puts_urgent_first_then_the_newest(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    old = factories.case(factories.person("Gammal"), unit, requested_at=NOW - timedelta(days=20))
    new = factories.case(factories.person("Ny"), unit, requested_at=NOW - timedelta(days=1))
    urgent = factories.case(
        factories.person("Bråttom"), unit, urgent=True, requested_at=NOW - timedelta(days=10)
    )
    discharge = factories.case(
        factories.person("Utskrivning"),
        unit,
        requested_at=NOW - timedelta(days=2),
        discharge_date=date(2026, 11, 19),
    )
    factories.case(factories.person("Annan enhet"), factories.unit(), requested_at=NOW)
    factories.case(factories.person("Redan tagen"), unit, step=Step.CONSENT)
    queue = intake.queue_for(kim, NOW.date())
    assert [i.case.id for i in queue] == [discharge.id, urgent.id, new.id, old.id]
    by_id = {i.case.id: i for i in queue}
    assert by_id[old.id].deadlines[0].days_left == 10  # 30-day goal for the first meeting
    assert by_id[discharge.id].deadlines[0].kind == "discharge_invitation"
    assert by_id[discharge.id].deadlines[0].days_left == -1 and by_id[discharge.id].overdue


@freeze_time(NOW)
def test_an_old_request_is_flagged_overdue(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    factories.case(factories.person(), unit, requested_at=NOW - timedelta(days=31))
    (item,) = intake.queue_for(kim, NOW.date())
    assert item.overdue and item.deadlines[0].days_left == -1


def test_staff_outside_the_unit_see_an_empty_queue_and_cannot_open_the_case(app, unit_and_coordinator):
    unit, _ = unit_and_coordinator
    case = factories.case(factories.person(), unit)
    stranger = factories.staff(factories.unit(), StaffRole.COORDINATOR)
    assert intake.queue_for(stranger) == []
    with pytest.raises(NotFound):
        intake.get_case(stranger, case.public_id)


def test_reading_a_case_is_audited(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    case = factories.case(factories.person(), unit)
    intake.get_case(kim, case.public_id)
    entry = db.session.query(AuditEntry).one()
    assert (entry.action, entry.actor_staff_id, entry.case_id) == ("case.read", kim.id, case.id)


def test_accepting_makes_a_coordinator_and_tells_the_person(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    colleague = factories.staff(unit, StaffRole.COORDINATOR, name="Alex")
    person = factories.person("Ada")
    case = factories.case(person, unit)
    intake.accept(kim, case, coordinator_public_id=colleague.public_id)
    assert case.step == Step.CONSENT
    assert [a.staff_id for a in intake.coordinator_history(case)] == [colleague.id]
    message = db.session.query(Notification).filter_by(recipient_person_id=person.id).one()
    assert message.kind == NotificationKind.REQUEST_ACCEPTED and message.data["coordinator"] == "Alex"
    with pytest.raises(DomainError):
        intake.accept(kim, case)


def test_only_coordinators_of_the_unit_can_be_chosen(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    member = factories.staff(unit, StaffRole.MEMBER)
    case = factories.case(factories.person(), unit)
    with pytest.raises(DomainError):
        intake.accept(kim, case, coordinator_public_id=member.public_id)


def test_forwarding_moves_the_request_with_a_reason_the_person_sees(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    target = factories.unit("Psykiatrin")
    other_coordinator = factories.staff(target, StaffRole.COORDINATOR)
    person = factories.person()
    case = factories.case(person, unit)
    with pytest.raises(DomainError):
        intake.forward(kim, case, target.public_id, "  ")
    intake.forward(kim, case, target.public_id, "Psykiatrin har hand om det här.")
    assert case.owning_unit_id == target.id
    event = db.session.query(CaseEvent).filter_by(kind=EventKind.FORWARDED).one()
    assert event.data == {
        "from": "Socialtjänsten",
        "to": "Psykiatrin",
        "reason": "Psykiatrin har hand om det här.",
    }
    assert intake.queue_for(kim) == []
    assert [i.case.id for i in intake.queue_for(other_coordinator)] == [case.id]


def test_changing_coordinator_keeps_the_history(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    alex = factories.staff(unit, StaffRole.COORDINATOR, name="Alex")
    case = factories.case(factories.person(), unit)
    intake.accept(kim, case)
    intake.change_coordinator(kim, case, alex.public_id)
    history = intake.coordinator_history(case)
    assert [a.staff_id for a in history] == [kim.id, alex.id]
    assert history[0].ended_at is not None and history[1].ended_at is None
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["case.accept", "case.change_coordinator"]


def test_staff_can_start_a_sip_for_a_person_at_discharge(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    unit.is_fixed_care_contact = True  # the coordinator of a discharge SIP is a fast vårdkontakt [VM]
    person = factories.person("Karl", age=82)
    case = intake.start_case(
        kim,
        people.identity_number_of(person),
        "",
        "Hjälp hemma",
        discharge_date=date.today() + timedelta(days=2),
        unit_public_id=unit.public_id,
    ).case
    assert case.subject_id == person.id and case.step == Step.CONSENT
    groups = overview.overview_for(person)
    assert case.id in [c.id for c in groups[0].cases]
    with pytest.raises(DomainError):
        intake.start_case(kim, "19121212-1213", "X", "Y")


def test_working_days_skip_weekends_and_holidays():
    assert deadlines.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert deadlines.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)  # over Christmas
    assert deadlines.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # Easter 2026: 3–6 April
    assert date(2026, 6, 19) in deadlines.swedish_public_holidays(2026)  # midsummer eve


def test_the_staff_case_page_knows_what_can_be_done_now(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    named = factories.unit("Vårdcentralen")
    case = factories.case(factories.person("Ada"), unit)
    factories.participant(case, ParticipantRole.UNIT, unit_=named)
    page = staff_case.case_page_for(kim, case.public_id)
    assert (page.can_accept, page.can_forward, page.can_change_coordinator, page.can_link_person) == (
        True,
        True,
        False,
        False,
    )
    assert page.named_units == [named] and page.coordinator is None
    assert db.session.query(AuditEntry).one().action == "case.read"

    intake.accept(kim, case)
    page = staff_case.case_page_for(kim, case.public_id)
    assert (page.can_accept, page.can_forward, page.can_change_coordinator) == (False, False, True)
    assert page.coordinator.id == kim.id


def test_a_member_of_the_unit_may_read_the_case_but_not_act(app, unit_and_coordinator):
    unit, _kim = unit_and_coordinator
    member = factories.staff(unit, StaffRole.MEMBER)
    case = factories.case(factories.person(), unit)
    page = staff_case.case_page_for(member, case.public_id)
    assert not (page.can_accept or page.can_forward or page.can_change_coordinator)
    assert intake.waiting_count(member) == 0 and not intake.is_coordinator(member)


def test_the_waiting_count_matches_the_queue(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    for _ in range(3):
        factories.case(factories.person(), unit)
    factories.case(factories.person(), unit, step=Step.CONSENT)
    assert intake.waiting_count(kim) == len(intake.queue_for(kim)) == 3
    assert intake.memberships_of(kim) == [(unit, StaffRole.COORDINATOR)]


def test_forwarding_names_every_missing_answer(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    case = factories.case(factories.person(), unit)
    with pytest.raises(intake.InvalidAnswers) as caught:
        intake.forward(kim, case, "", "")
    assert set(caught.value.errors) == {"unit", "reason"}
    with pytest.raises(intake.InvalidAnswers) as caught:
        intake.forward(kim, case, unit.public_id, "x" * 1001)
    assert set(caught.value.errors) == {"unit", "reason"}
    assert case.owning_unit_id == unit.id


def test_a_staff_started_sip_needs_a_valid_person_and_a_need(app, unit_and_coordinator):
    from citizen_app.services import demo

    unit, kim = unit_and_coordinator
    new_number = demo.test_identity_number(date(1950, 1, 2), 985)
    ok = {"unit_public_id": unit.public_id}
    assert intake.new_case_errors("19121212-1213", "X", "Hjälp", **ok) == {
        "identity_number": "Skriv ett giltigt personnummer, 12 siffror"
    }
    assert set(intake.new_case_errors(new_number, "", "", **ok)) == {"name", "need"}
    assert set(intake.new_case_errors(new_number, "Nils", "Hjälp")) == {"unit"}
    too_late = date.today() + timedelta(days=400)
    assert set(intake.new_case_errors(new_number, "Nils", "Hjälp", too_late, **ok)) == {"discharge_date"}
    with pytest.raises(intake.InvalidAnswers):
        intake.start_case(kim, new_number, "Nils", "x" * 2001, **ok)
    assert db.session.query(SipCase).count() == 0


def test_linking_a_suggestion_needs_a_valid_identity_number(app, unit_and_coordinator):
    unit, kim = unit_and_coordinator
    case = SipCase(
        owning_unit_id=unit.id,
        step=Step.REQUESTED,
        initiated_by=Initiator.RELATIVE,
        awaiting_person_agreement=True,
        details={"close_name": "Sven"},
    )
    db.session.add(case)
    db.session.flush()
    with pytest.raises(intake.InvalidAnswers) as caught:
        intake.link_suggested_person(kim, case, "123", "Sven")
    assert set(caught.value.errors) == {"identity_number"}
    person = factories.person("Sven")
    intake.link_suggested_person(kim, case, people.identity_number_of(person), "")
    assert case.subject_id == person.id
