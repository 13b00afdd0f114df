"""Deviations (avvikelser) [HA] [DA 5.2] [issue 16]: a person can report without an open SIP; a report goes to
the coordinators of both principals; staff of both handle it jointly, without lost updates; the person is
told of every status and of the answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    Notification,
    NotificationKind,
    ParticipantRole,
    PrincipalKind,
    ProblemStatus,
    StaffRole,
    StaffUser,
    Step,
    UnitKind,
)
from citizen_app.services import consent, intake_rules, problems
from tests.support import factories

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def county(app):
    with freeze_time(NOW):
        social = factories.unit("Socialtjänsten")
        home = factories.unit("Hemtjänsten", UnitKind.HOME_CARE)
        psychiatry = factories.unit("Psykiatrin", UnitKind.PSYCHIATRY, PrincipalKind.REGION)
        health = factories.unit("Vårdcentralen", UnitKind.PRIMARY_CARE, PrincipalKind.REGION)
        kent = factories.staff(social, StaffRole.COORDINATOR, name="Kent Olofsson")
        rita = factories.staff(psychiatry, StaffRole.COORDINATOR, name="Rita Samuelsson")
        vera = factories.staff(health, StaffRole.COORDINATOR, name="Vera Nilsson")
        anna = factories.person("Anna Lind", age=45)
        db.session.commit()
        return {
            "social": social,
            "home": home,
            "psychiatry": psychiatry,
            "health": health,
            "kent": kent,
            "rita": rita,
            "vera": vera,
            "anna": anna,
        }


def _told(recipient, kind) -> list[Notification]:
    column = (
        Notification.recipient_staff_id
        if isinstance(recipient, StaffUser)
        else Notification.recipient_person_id
    )
    return list(
        db.session.scalars(select(Notification).where(column == recipient.id, Notification.kind == kind))
    )


@freeze_time(NOW)
def test_a_person_reports_that_nobody_took_the_initiative_without_a_sip(county):
    with pytest.raises(problems.InvalidReport) as invalid:
        problems.report_without_sip(county["anna"], "bad_treatment", "")
    assert set(invalid.value.errors) == {"kind", "text"}  # only what fits without a SIP
    report = problems.report_without_sip(county["anna"], "no_initiative", "Ingen har ringt mig på ett år.")
    assert report.case_id is None and report.unit_id is None
    # The county's default unit of each principal: the first by name with a coordinator.
    assert sorted(r.unit.name for r in report.recipients) == ["Psykiatrin", "Socialtjänsten"]
    assert len(_told(county["kent"], NotificationKind.PROBLEM_RECEIVED)) == 1
    assert len(_told(county["rita"], NotificationKind.PROBLEM_RECEIVED)) == 1
    assert _told(county["vera"], NotificationKind.PROBLEM_RECEIVED) == []
    assert problems.own_reports(county["anna"]) == [report]
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "problem.reported")).one()
    assert audit.case_id is None and audit.detail["kind"] == "no_initiative"


@freeze_time(NOW)
def test_a_report_without_a_sip_goes_to_the_configured_default_intake_unit_of_each_principal(county):
    intake_rules.set_default(county["health"].name)  # the region's requests go to the health centre
    report = problems.report_without_sip(county["anna"], "no_initiative", "Ingen har ringt mig.")
    # the region's configured default, not the first region unit by name; the municipality has none
    # configured, so the old rule (the first of its units by name with a coordinator) still picks it
    assert sorted(r.unit.name for r in report.recipients) == ["Socialtjänsten", "Vårdcentralen"]
    assert len(_told(county["vera"], NotificationKind.PROBLEM_RECEIVED)) == 1
    assert _told(county["rita"], NotificationKind.PROBLEM_RECEIVED) == []


@freeze_time(NOW)
def test_a_configured_default_whose_unit_has_no_coordinator_is_passed_over(county):
    intake_rules.set_default(county["home"].name)  # Hemtjänsten: nobody there can take it
    report = problems.report_without_sip(county["anna"], "sip_stopped", "Det hände inget.")
    assert sorted(r.unit.name for r in report.recipients) == ["Psykiatrin", "Socialtjänsten"]


@freeze_time(NOW)
def test_a_report_about_a_sip_without_the_region_goes_to_the_regions_configured_default(county):
    intake_rules.set_default(county["health"].name)
    case = factories.case(county["anna"], county["social"], county["kent"], step=Step.MEETING_HELD)
    report = problems.report(county["anna"], case, "other", "Det blev fel.")
    assert sorted(r.unit.name for r in report.recipients) == ["Socialtjänsten", "Vårdcentralen"]


@freeze_time(NOW)
def test_my_sip_stopped_can_be_reported_about_a_closed_sip(county):
    case = factories.case(county["anna"], county["social"], county["kent"], step=Step.CLOSED)
    report = problems.report(county["anna"], case, "sip_stopped", "Det hände inget efter mötet.")
    assert report.case_id == case.id


@freeze_time(NOW)
def test_a_report_about_a_unit_goes_to_the_coordinators_of_both_principals_in_the_sip(county):
    case = factories.case(county["anna"], county["social"], county["kent"], step=Step.MEETING_HELD)
    factories.participant(case, ParticipantRole.UNIT, unit_=county["health"])
    consent.give(
        county["anna"],
        case,
        [county["social"].public_id, county["health"].public_id],
        ["social", "health"],
        date(2027, 6, 1),
    )
    report = problems.report(county["anna"], case, "invited_did_not_come", "Vårdcentralen kom inte.")
    # the region's unit in the SIP, not the county's default region unit
    assert sorted(r.unit.name for r in report.recipients) == ["Socialtjänsten", "Vårdcentralen"]
    assert len(_told(county["vera"], NotificationKind.PROBLEM_RECEIVED)) == 1
    assert _told(county["rita"], NotificationKind.PROBLEM_RECEIVED) == []


@freeze_time(NOW)
def test_a_region_unit_in_the_sip_without_consent_is_not_sent_the_report(county):
    case = factories.case(county["anna"], county["social"], county["kent"], step=Step.MEETING_HELD)
    factories.participant(case, ParticipantRole.UNIT, unit_=county["health"])  # no consent names it
    report = problems.report(county["anna"], case, "other", "Det blev fel.")
    assert sorted(r.unit.name for r in report.recipients) == ["Psykiatrin", "Socialtjänsten"]


@freeze_time(NOW)
def test_staff_of_both_principals_handle_it_jointly_and_the_person_is_told(county):
    report = problems.report_without_sip(county["anna"], "sip_stopped", "Min SIP stannade av.")
    found = problems.get_for_staff(county["rita"], report.public_id)
    assert problems.start_looking(county["rita"], found, found.version)
    assert [m.data["status"] for m in _told(county["anna"], NotificationKind.PROBLEM_STATUS_CHANGED)] == [
        "investigating"
    ]
    problems.answer(
        county["kent"], problems.get_for_staff(county["kent"], report.public_id), "Vi ringer dig."
    )
    problems.answer(county["rita"], found, "Vi ringer dig i morgon, både kommunen och regionen.")
    assert found.status == ProblemStatus.ANSWERED
    assert [(c.staff.display_name, c.status, c.answered) for c in found.changes] == [
        ("Rita Samuelsson", ProblemStatus.INVESTIGATING, False),
        ("Kent Olofsson", ProblemStatus.ANSWERED, True),
        ("Rita Samuelsson", ProblemStatus.ANSWERED, True),
    ]
    assert len(_told(county["anna"], NotificationKind.PROBLEM_ANSWERED)) == 2
    with pytest.raises(problems.NotFound):
        problems.get_for_staff(county["vera"], report.public_id)  # not a receiving unit


@freeze_time(NOW)
def test_no_lost_update_a_change_from_an_older_page_is_refused(county):
    report = problems.report_without_sip(county["anna"], "no_initiative", "Ingen tog initiativ.")
    seen = report.version
    problems.answer(county["kent"], report, "Svar från kommunen.", seen)
    with pytest.raises(problems.ChangedElsewhere):
        problems.answer(county["rita"], report, "Svar från regionen.", seen)
    assert report.answer == "Svar från kommunen."
    problems.answer(county["rita"], report, "Svar från regionen.", report.version)  # after reading it again
    assert report.answer == "Svar från regionen."
