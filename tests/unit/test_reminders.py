"""Consent reminders [issue 4]: 30 and 7 days before a consent ends, once each; an expired consent is recorded
once, blocks what consent blocks, and everyone concerned is told. Days count, so ``today`` is always given."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CaseEvent,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    EventKind,
    Notification,
    NotificationKind,
    RepresentativeType,
    SipCase,
    StaffRole,
    Step,
)
from citizen_app.services import consent, reminders, representation, withdrawal
from tests.support import factories

TODAY = date(2026, 11, 23)
LAST_DAY = TODAY + timedelta(days=100)  # the consents below end on this day


@pytest.fixture
def social(app):
    return factories.unit("Socialtjänsten")


@pytest.fixture
def coordinator(social):
    return factories.staff(social, StaffRole.COORDINATOR, "Samordnare Sam")


def _adult_sip(social, coordinator, name="Ada"):
    person = factories.person(name)
    case = factories.case(person, social, coordinator=coordinator, step=Step.CONSENT)
    consent.give(person, case, [social.public_id], ["social"], LAST_DAY, today=TODAY)
    return case, person


def _child_sip(social, coordinator, dads_last_day=LAST_DAY):
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    case = factories.case(kid, social, coordinator=coordinator, step=Step.CONSENT)
    consent.give(mum, case, [social.public_id], ["school"], LAST_DAY, today=TODAY)
    consent.give(dad, case, [social.public_id], ["school"], dads_last_day, today=TODAY)
    return case, mum, dad


def _messages(kind: NotificationKind) -> list[Notification]:
    return list(db.session.query(Notification).filter_by(kind=kind).order_by(Notification.id))


def _days_before_end(days: int) -> date:
    return LAST_DAY - timedelta(days=days)


def _run_every_day(first: date, last: date) -> None:
    day = first
    while day <= last:
        reminders.run_all(day)
        day += timedelta(days=1)


def test_reminders_go_out_30_and_7_days_before_expiry_once(social, coordinator):
    case, ada = _adult_sip(social, coordinator)
    _run_every_day(_days_before_end(40), _days_before_end(0))
    expiring = _messages(NotificationKind.CONSENT_EXPIRING)
    assert [(m.recipient_person_id, m.data["days_left"]) for m in expiring] == [(ada.id, 30), (ada.id, 7)]
    assert all(m.case_id == case.id for m in expiring)
    # Another run the same day (or a second worker) sends nothing more.
    assert reminders.run_all(_days_before_end(7))["consent"] == 0
    assert len(_messages(NotificationKind.CONSENT_EXPIRING)) == 2


def test_nothing_is_sent_while_the_end_is_far_away(social, coordinator):
    _adult_sip(social, coordinator)
    assert reminders.run_all(_days_before_end(31))["consent"] == 0
    assert _messages(NotificationKind.CONSENT_EXPIRING) == []


def test_a_job_that_missed_the_30th_day_still_reminds_once(social, coordinator):
    _adult_sip(social, coordinator)
    assert reminders.run_all(_days_before_end(26))["consent"] == 1
    assert reminders.run_all(_days_before_end(25))["consent"] == 0
    (message,) = _messages(NotificationKind.CONSENT_EXPIRING)
    assert message.data == {"days_left": 26, "reminder": 30, "valid_until": LAST_DAY.isoformat()}


def test_a_consent_first_seen_a_few_days_before_its_end_gets_only_the_7_day_reminder(social, coordinator):
    _adult_sip(social, coordinator)
    reminders.run_all(_days_before_end(5))
    reminders.run_all(_days_before_end(4))
    assert [m.data["reminder"] for m in _messages(NotificationKind.CONSENT_EXPIRING)] == [7]


def test_each_guardian_is_reminded_of_their_own_consent(social, coordinator):
    case, mum, dad = _child_sip(social, coordinator, dads_last_day=LAST_DAY - timedelta(days=20))
    reminders.run_all(_days_before_end(50))  # dad's consent ends 20 days before mum's
    assert [m.recipient_person_id for m in _messages(NotificationKind.CONSENT_EXPIRING)] == [dad.id]
    reminders.run_all(_days_before_end(30))
    got = [(m.recipient_person_id, m.data["reminder"]) for m in _messages(NotificationKind.CONSENT_EXPIRING)]
    assert got == [(dad.id, 30), (mum.id, 30)]


def test_a_representative_is_reminded_with_the_person(social, coordinator):
    karl = factories.person("Karl", age=82)
    god_man = factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena")
    case = factories.case(karl, social, coordinator=coordinator, step=Step.CONSENT)
    # Karl cannot consent himself, so the god man's word counts [issue 15].
    representation.record_ability(coordinator, case, False, "Karl har svår demens.", TODAY, today=TODAY)
    consent.give(god_man, case, [social.public_id], ["social"], LAST_DAY, today=TODAY)
    reminders.run_all(_days_before_end(30))
    assert {m.recipient_person_id for m in _messages(NotificationKind.CONSENT_EXPIRING)} == {
        karl.id,
        god_man.id,
    }


def test_a_renewed_consent_is_not_reminded_about_the_old_end(social, coordinator):
    case, ada = _adult_sip(social, coordinator)
    consent.give(ada, case, [social.public_id], ["social"], TODAY + timedelta(days=365), today=TODAY)
    _run_every_day(_days_before_end(31), _days_before_end(-2))
    assert _messages(NotificationKind.CONSENT_EXPIRING) == []
    assert _messages(NotificationKind.CONSENT_EXPIRED) == []
    assert consent.in_force(case, LAST_DAY + timedelta(days=2)) is not None


def test_a_withdrawn_or_closed_sip_gets_no_reminder(social, coordinator):
    case, ada = _adult_sip(social, coordinator)
    withdrawal.withdraw(ada, case, today=TODAY)
    _run_every_day(_days_before_end(31), _days_before_end(-2))
    assert _messages(NotificationKind.CONSENT_EXPIRING) == []
    assert _messages(NotificationKind.CONSENT_EXPIRED) == []


def test_an_expired_consent_is_recorded_once_and_blocks_invitations(social, coordinator):
    case, ada = _adult_sip(social, coordinator)
    assert case.step == Step.PREPARATION
    the_day_after = LAST_DAY + timedelta(days=1)
    assert reminders.run_all(LAST_DAY)["consent"] == 1  # the 7-day reminder, on the last day
    assert reminders.run_all(the_day_after)["consent"] == 2  # Ada and the coordinator
    assert reminders.run_all(the_day_after)["consent"] == 0
    reminders.run_all(the_day_after + timedelta(days=1))
    expired = db.session.query(ConsentEvent).filter_by(kind=ConsentEventKind.EXPIRED).all()
    assert len(expired) == 1
    assert (expired[0].consenter_id, expired[0].valid_from) == (ada.id, LAST_DAY)
    assert [e.kind for e in consent.history(case)][-1] == ConsentEventKind.EXPIRED
    # What consent blocks is blocked: no invitation, and the SIP waits for consent again.
    with pytest.raises(consent.NotCovered):
        consent.require_covering(case, social.public_id, the_day_after)
    assert case.step == Step.CONSENT
    back = db.session.query(CaseEvent).filter_by(case_id=case.id, kind=EventKind.STEP_CHANGED).all()[-1]
    assert (back.step, back.data) == (Step.CONSENT, {"reason": "consent_expired"})
    assert db.session.query(AuditEntry).filter_by(action="consent.expired", actor_kind="system").count() == 1


def test_everyone_is_told_when_consent_expires(social, coordinator):
    case, mum, dad = _child_sip(social, coordinator)
    reminders.run_all(LAST_DAY + timedelta(days=1))
    told = _messages(NotificationKind.CONSENT_EXPIRED)
    assert {m.recipient_person_id for m in told if m.recipient_person_id} == {mum.id, dad.id}
    assert [m.recipient_staff_id for m in told if m.recipient_staff_id] == [coordinator.id]
    # Both guardians' consents ended that day: each is recorded as expired, but each person is told once.
    assert db.session.query(ConsentEvent).filter_by(kind=ConsentEventKind.EXPIRED).count() == 2
    assert len(told) == 3


def test_giving_consent_again_after_expiry_moves_the_sip_on(social, coordinator):
    case, ada = _adult_sip(social, coordinator)
    later = LAST_DAY + timedelta(days=3)
    reminders.run_all(later)
    assert case.step == Step.CONSENT and consent.in_force(case, later) is None
    consent.give(ada, case, [social.public_id], ["social"], later + timedelta(days=200), today=later)
    assert case.step == Step.PREPARATION and consent.in_force(case, later) is not None
    assert consent.history(case)[-1].kind == ConsentEventKind.GIVEN  # a new consent, not a change


def test_a_sip_further_on_keeps_its_step_when_consent_expires(social, coordinator):
    case, ada = _adult_sip(social, coordinator)
    case.step = Step.MEETING_HELD
    reminders.run_all(LAST_DAY + timedelta(days=1))
    assert case.step == Step.MEETING_HELD
    assert consent.in_force(case, LAST_DAY + timedelta(days=1)) is None


def test_a_staff_recorded_consent_is_reminded_like_a_digital_one(social, coordinator):
    person = factories.person("Bo")
    case = factories.case(person, social, coordinator=coordinator, step=Step.CONSENT)
    consent.record_by_staff(
        coordinator,
        case,
        person,
        ConsentMethod.PAPER,
        TODAY,
        [social.public_id],
        ["social"],
        LAST_DAY,
        today=TODAY,
    )
    reminders.run_all(_days_before_end(30))
    assert [m.recipient_person_id for m in _messages(NotificationKind.CONSENT_EXPIRING)] == [person.id]


def test_the_reminder_query_stays_small_with_many_sips(social, coordinator, count_queries):
    """Finding what is due is one query per kind, whatever the number of SIPs; each due SIP adds a few."""
    for n in range(15):
        person = factories.person(f"Långt bort {n}")
        case = factories.case(person, social, coordinator=coordinator, step=Step.CONSENT)
        consent.give(person, case, [social.public_id], ["social"], TODAY + timedelta(days=300), today=TODAY)
    _adult_sip(social, coordinator)
    # Their first meetings are held: the 30-day goal [issue 16] is not due either.
    for case in db.session.scalars(select(SipCase)):
        case.step = Step.MEETING_HELD
    db.session.commit()
    with count_queries() as nothing_due:
        reminders.run_all(_days_before_end(60))
    assert nothing_due.count == len(reminders.KINDS), nothing_due.statements
    with count_queries() as one_due:
        assert reminders.run_all(_days_before_end(30))["consent"] == 1
    assert one_due.count <= nothing_due.count + 11, one_due.statements


def test_the_command_sends_and_commits(app, social, coordinator):
    _adult_sip(social, coordinator)
    db.session.commit()
    runner = app.test_cli_runner()
    day = _days_before_end(30).isoformat()
    result = runner.invoke(args=["send-reminders", "--today", day])
    assert result.exit_code == 0, result.output
    # The consent, and the 30-day first-meeting goal that has passed (70 days, no meeting) [issue 16].
    assert "consent: 1" in result.output and "first_meeting: 1" in result.output
    assert "Reminders sent: 2" in result.output
    db.session.remove()
    assert db.session.query(Notification).filter_by(kind=NotificationKind.CONSENT_EXPIRING).count() == 1
    again = runner.invoke(args=["send-reminders", "--today", day])
    assert "Reminders sent: 0" in again.output
