"""Retention [issue 18]: a closed SIP is kept two years (MINSIP_RETENTION_CLOSED_SIP_DAYS) after the day it
closed, then removed with everything that belongs to it; nothing of another SIP goes; an open SIP is never
touched; audit entries follow their own period; the dry run changes nothing. On a frozen clock, on SQLite and
(with TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    Base,
    CaseEvent,
    ClosingReason,
    EventKind,
    FeedbackAnswer,
    ParticipantRole,
    Person,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.services import closing, consent, declining, requests, retention, withdrawal
from citizen_app.services.people import identity_number_of
from tests.support import factories, full_sip

MADE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CLOSED = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)  # 23:30 in Sweden: still 6 December
LAST_DAY = date(2028, 12, 5)  # 6 December 2026 + 730 days


@pytest.fixture
def county(app):
    with freeze_time(MADE):
        social = factories.unit("Socialtjänsten Ekby")
        school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Berg")
        elsa = factories.child("Elsa Ek", age=14)
        maria = factories.guardian_of(elsa, name="Maria Ek")
        eva = factories.person("Eva Ek", age=50)
        lone = factories.person("Olle Ensam", age=60)  # nothing ties him to Min SIP but one SIP
        closed = factories.case(elsa, social, kim, step=Step.CLOSED, closing_reason=ClosingReason.GOALS_MET)
        full_sip.fill(closed, elsa, maria, eva, kim, social, school, MADE)
        still_open = factories.case(elsa, social, kim, step=Step.PLAN_APPROVED, previous_case_id=closed.id)
        full_sip.fill(still_open, elsa, maria, maria, kim, social, school, MADE, words="Öppen")
        lonely = factories.case(
            lone, social, kim, step=Step.CLOSED, closing_reason=ClosingReason.NO_LONGER_NEEDED
        )
        for case in (closed, lonely):
            db.session.add(CaseEvent(case_id=case.id, at=CLOSED, kind=EventKind.CLOSED, step=Step.CLOSED))
        db.session.commit()
    rows = {"closed": closed, "open": still_open, "lonely": lonely, "elsa": elsa, "maria": maria, "eva": eva}
    rows["lone"] = lone
    # Plain values, read while the rows exist: the tests remove them.
    return {
        "ids": {name: row.id for name, row in rows.items()},
        "public": {name: row.public_id for name, row in rows.items()},
        "names": [row.display_name for row in (elsa, maria, eva, lone)],
        "number": identity_number_of(elsa),
    }


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def test_a_closed_sip_is_kept_until_its_last_day_and_is_gone_the_day_after(county):
    closed, still_open = county["ids"]["closed"], county["ids"]["open"]
    assert retention.kept_until(CLOSED) == LAST_DAY
    before = full_sip.rows_referring_to({closed})
    assert len(before) >= 25, before  # the SIP has rows in (nearly) every table that can belong to one
    open_before = full_sip.rows_referring_to({still_open})

    report = retention.run(LAST_DAY, apply=True)
    db.session.commit()
    assert report.sips == []
    assert full_sip.rows_referring_to({closed}) == before

    report = retention.run(LAST_DAY + timedelta(days=1), apply=True)
    db.session.commit()
    assert sorted(report.sips) == sorted([county["public"]["closed"], county["public"]["lonely"]])
    assert full_sip.rows_referring_to({closed}) == {}
    assert full_sip.dangling_references() == {}
    # Nothing of the other SIP of the same child went; it only lost its link to the removed one.
    assert full_sip.rows_referring_to({still_open}) == open_before
    assert db.session.get(SipCase, still_open).previous_case_id is None
    # The feedback statistics stay: the answers never pointed at a SIP.
    assert db.session.scalar(select(func.count()).select_from(FeedbackAnswer)) == 2
    # The audit entries stay for their own period, without the SIP.
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "case.read")) == 2


def test_every_way_a_sip_ends_starts_the_same_period(app):
    """Cancelled, a suggestion declined, "Jag vill inte ha en SIP nu", consent withdrawn, closed by staff:
    each leaves an event of the step "closed", which is the day counted from."""
    with freeze_time(MADE):
        social = factories.unit("Socialtjänsten Ekby")
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Berg")
        anna = factories.person("Anna Lind", age=45)
        cancelled = factories.case(anna, social, kim, step=Step.CONSENT, requested_by_person_id=anna.id)
        suggested = factories.case(anna, social, step=Step.REQUESTED, awaiting_person_agreement=True)
        declined = factories.case(anna, social, kim, step=Step.CONSENT)
        withdrawn = factories.case(anna, social, kim, step=Step.CONSENT)
        closed = factories.case(anna, social, kim, step=Step.CONSENT)
        for case in (declined, withdrawn, closed):
            factories.participant(case, ParticipantRole.PERSON, person_=anna)
        for case in (withdrawn, closed):
            consent.give(anna, case, [social.public_id], ["social"], date(2027, 6, 1))
        db.session.commit()
    with freeze_time(CLOSED):
        requests.cancel(anna, cancelled)
        requests.decline_suggestion(anna, suggested)
        declining.decline(anna, declined)
        withdrawal.withdraw(anna, withdrawn)
        closing.close(kim, closed, "no_longer_needed", agreement="agrees")
        db.session.commit()
    ids = {c.public_id for c in (cancelled, suggested, declined, withdrawn, closed)}
    assert set(retention.run(LAST_DAY).sips) == set()
    assert set(retention.run(LAST_DAY + timedelta(days=1)).sips) == ids


def test_an_open_sip_is_never_touched(county):
    still_open = county["ids"]["open"]
    before = {k: v for k, v in full_sip.rows_referring_to({still_open}).items() if k != "audit_entry"}
    retention.run(LAST_DAY + timedelta(days=3650), apply=True)
    db.session.commit()
    after = {k: v for k, v in full_sip.rows_referring_to({still_open}).items() if k != "audit_entry"}
    assert after == before
    assert db.session.get(Person, county["ids"]["elsa"]) is not None


def test_the_dry_run_changes_nothing_and_reports_what_apply_removes(county):
    counts = _counts()
    day = LAST_DAY + timedelta(days=1)
    dry = retention.run(day)
    db.session.commit()
    assert _counts() == counts
    assert not dry.applied and county["public"]["closed"] in dry.sips
    applied = retention.run(day, apply=True)
    db.session.commit()
    assert dict(dry.rows) == dict(applied.rows)
    assert dry.people == applied.people
    assert {name: counts[name] - _counts()[name] for name in counts if counts[name] != _counts()[name]} == {
        name: n for name, n in applied.rows.items() if n
    }


def test_people_with_nothing_left_go_and_people_with_a_tie_stay(county):
    retention.run(LAST_DAY + timedelta(days=1), apply=True)
    db.session.commit()
    # Eva only took part in the removed SIP; Olle only had the removed SIP.
    assert db.session.get(Person, county["ids"]["eva"]) is None
    assert db.session.get(Person, county["ids"]["lone"]) is None
    # Elsa has an open SIP; Maria is her guardian (and her audit entries are kept).
    assert db.session.get(Person, county["ids"]["elsa"]) is not None
    assert db.session.get(Person, county["ids"]["maria"]) is not None
    assert full_sip.dangling_references() == {}


def test_audit_entries_follow_their_own_period(county):
    last_day = date(2026, 11, 2) + timedelta(days=retention.DEFAULT_AUDIT_DAYS)
    count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert retention.run(last_day, apply=True).audit_entries == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == count
    assert retention.run(last_day + timedelta(days=1), apply=True).audit_entries == count
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_the_period_is_a_setting(app, county):
    app.config["RETENTION_CLOSED_SIP_DAYS"] = 30
    assert retention.kept_until(CLOSED) == date(2027, 1, 5)
    assert retention.run(date(2027, 1, 5)).sips == []
    assert county["public"]["closed"] in retention.run(date(2027, 1, 6)).sips


def test_flask_retention_prints_public_ids_and_counts_never_names_and_removes_only_with_apply(app, county):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "--today", "2028-12-06"])
    assert result.exit_code == 0, result.output
    assert county["public"]["closed"] in result.output
    assert "Dry run" in result.output
    for name in county["names"]:
        assert name not in result.output and name.split()[0] not in result.output
    number = county["number"]
    assert number not in result.output and number[2:] not in result.output
    assert db.session.get(SipCase, county["ids"]["closed"]) is not None

    result = runner.invoke(args=["retention", "--apply", "--today", "2028-12-06"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(SipCase).where(SipCase.id == county["ids"]["closed"])) is None


def test_run_jobs_removes_what_is_due_every_day(app, county):
    runner = app.test_cli_runner()
    with freeze_time(datetime(2028, 12, 5, 12, 0, tzinfo=UTC)):
        result = runner.invoke(args=["run-jobs"])
    assert "Closed SIPs past their period removed: 0." in result.output, result.output
    with freeze_time(datetime(2028, 12, 6, 12, 0, tzinfo=UTC)):
        result = runner.invoke(args=["run-jobs"])
        again = runner.invoke(args=["run-jobs"])
    assert "Closed SIPs past their period removed: 2." in result.output, result.output
    assert "Closed SIPs past their period removed: 0." in again.output
    db.session.remove()
    assert db.session.scalar(select(SipCase).where(SipCase.id == county["ids"]["closed"])) is None
