"""Consent over a life, issue 15, the decline part [SIP.md 4] [DA 4.2] [discharge guide]:

- "Jag vill inte ha en SIP nu" is an answer of its own: the SIP closes with that reason, the coordinator is
  told, it shows in the history; the person can change their mind (a new request linked to the old one).
- At the meeting the coordinator confirms that the consent was confirmed at the start, or records a change,
  or says why not; never without it. The confirmation is in the history and is nobody's consent.
- When the consent changes, every unit taking part is told what it may share now (no health details), and a
  unit the consent no longer names loses the SIP at once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    ConsentEventKind,
    MeetingStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    SipCase,
    StaffRole,
    Step,
)
from citizen_app.services import (
    NotAllowed,
    consent,
    declining,
    meeting_consent,
    meetings,
    reminders,
)
from tests.support import factories

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def sip(app):
    with freeze_time(NOW):
        social, school, bup = factories.social_school_and_bup()
        coordinator = factories.staff(social, StaffRole.COORDINATOR, "Samordnare Sam")
        kid = factories.child("Elsa")
        mum = factories.guardian_of(kid, name="Mamma")
        dad = factories.guardian_of(kid, name="Pappa")
        case = factories.case(kid, social, coordinator=coordinator, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.CHILD, person_=kid)
        factories.participant(case, ParticipantRole.GUARDIAN, person_=mum)
        factories.participant(case, ParticipantRole.GUARDIAN, person_=dad)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        return {
            "case": case,
            "kid": kid,
            "mum": mum,
            "dad": dad,
            "social": social,
            "school": school,
            "bup": bup,
            "coordinator": coordinator,
            "teacher": factories.staff(school, StaffRole.MEMBER, "Lärare Lo"),
            "doctor": factories.staff(bup, StaffRole.MEMBER, "Doktor Dan"),
        }


def _give(sip, guardian, *units, exclusions="", until=TODAY + timedelta(days=90)):
    return consent.give(
        guardian,
        sip["case"],
        [sip[u].public_id for u in units],
        ["school", "health"],
        until,
        exclusions=exclusions,
        today=TODAY,
    )


def _messages(kind: NotificationKind, staff=None, person=None) -> list[Notification]:
    query = db.session.query(Notification).filter_by(kind=kind)
    if staff is not None:
        query = query.filter_by(recipient_staff_id=staff.id)
    if person is not None:
        query = query.filter_by(recipient_person_id=person.id)
    return query.order_by(Notification.id).all()


# --- Saying no ------------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_a_guardians_no_closes_the_sip_with_its_reason_and_tells_the_coordinator(sip):
    declining.decline(sip["mum"], sip["case"], today=TODAY)

    assert sip["case"].step == Step.CLOSED
    assert sip["case"].closing_reason == ClosingReason.DECLINED_BY_PERSON
    assert [e.kind for e in consent.history(sip["case"])] == [ConsentEventKind.DECLINED]
    assert _messages(NotificationKind.SIP_DECLINED, staff=sip["coordinator"])
    # Either guardian's no is enough, as with a withdrawal: the other one is told.
    assert _messages(NotificationKind.SIP_DECLINED, person=sip["dad"])
    assert not _messages(NotificationKind.SIP_DECLINED, person=sip["mum"])


@freeze_time(NOW)
def test_one_guardians_no_ends_it_even_when_the_other_has_said_yes(sip):
    _give(sip, sip["dad"], "school")
    declining.decline(sip["mum"], sip["case"], today=TODAY)
    assert sip["case"].is_closed
    assert consent.in_force(sip["case"], TODAY) is None


@freeze_time(NOW)
def test_with_consent_in_force_one_withdraws_instead_of_saying_no(sip):
    _give(sip, sip["mum"], "school")
    _give(sip, sip["dad"], "school")
    assert not declining.can_decline(sip["mum"], sip["case"], TODAY)
    with pytest.raises(NotAllowed):
        declining.decline(sip["mum"], sip["case"], today=TODAY)
    assert not sip["case"].is_closed


@freeze_time(NOW)
def test_the_child_and_a_parent_without_custody_cannot_say_no_for_the_family(sip):
    apart = factories.guardian_of(sip["kid"], custody=False, name="Pappa utan vårdnad")
    for someone in (sip["kid"], apart):
        assert not declining.can_decline(someone, sip["case"], TODAY)
        with pytest.raises(NotAllowed):
            declining.decline(someone, sip["case"], today=TODAY)


@freeze_time(NOW)
def test_changing_ones_mind_makes_a_new_request_linked_to_the_old_one(sip):
    declining.decline(sip["mum"], sip["case"], today=TODAY)
    assert declining.can_start_again(sip["dad"], sip["case"])

    new = declining.start_again(sip["dad"], sip["case"])

    assert new.id != sip["case"].id
    assert new.previous_case_id == sip["case"].id
    assert new.step == Step.REQUESTED and new.subject_id == sip["kid"].id
    assert new.owning_unit_id == sip["case"].owning_unit_id
    assert access.can(sip["mum"], Action.GIVE_CONSENT, new)
    assert _messages(NotificationKind.NEW_REQUEST_FOR_UNIT, staff=sip["coordinator"])
    # A double click asks once.
    assert declining.start_again(sip["dad"], sip["case"]).id == new.id
    assert db.session.query(SipCase).filter_by(previous_case_id=sip["case"].id).count() == 1
    assert not declining.can_start_again(sip["mum"], sip["case"])


@freeze_time(NOW)
def test_a_sip_that_ended_otherwise_cannot_be_started_again_from_here(sip):
    _give(sip, sip["mum"], "school")
    _give(sip, sip["dad"], "school")
    from citizen_app.services import withdrawal

    withdrawal.withdraw(sip["mum"], sip["case"], today=TODAY)
    assert not declining.can_start_again(sip["mum"], sip["case"])
    with pytest.raises(NotAllowed):
        declining.start_again(sip["mum"], sip["case"])


# --- Confirmed at the meeting -----------------------------------------------------------------------------


def _meeting_in_force(sip):
    _give(sip, sip["mum"], "school")
    _give(sip, sip["dad"], "school")
    return meetings.set_meeting(
        sip["coordinator"],
        sip["case"],
        starts_at=NOW + timedelta(days=2),
        length_minutes=60,
        mode="in_person",
        place="Storgatan 1",
        now=NOW,
    )


AFTER_START = NOW + timedelta(days=2, minutes=30)


@freeze_time(NOW)
def test_the_meeting_is_not_held_without_saying_what_happened_with_the_consent(sip):
    meeting = _meeting_in_force(sip)
    for answer, field in (
        (meeting_consent.Confirmation(""), "consent_outcome"),
        (meeting_consent.Confirmation("maybe"), "consent_outcome"),
        (meeting_consent.Confirmation("not_confirmed", "  "), "consent_reason"),
    ):
        with pytest.raises(meeting_consent.InvalidConfirmation) as refused:
            meetings.mark_held(sip["coordinator"], sip["case"], now=AFTER_START, confirmation=answer)
        assert field in refused.value.errors
    assert meeting.status == MeetingStatus.PLANNED
    assert sip["case"].step != Step.MEETING_HELD


@freeze_time(NOW)
def test_a_reconfirmation_is_in_the_history_and_is_nobodys_consent(sip):
    _meeting_in_force(sip)
    before = consent.latest_by_voice(sip["case"], TODAY)
    scope = consent.in_force(sip["case"], TODAY)

    meetings.mark_held(
        sip["coordinator"], sip["case"], now=AFTER_START, confirmation=meetings.CONSENT_CONFIRMED
    )

    kinds = [e.kind for e in consent.history(sip["case"])]
    assert kinds[-1] == ConsentEventKind.CONFIRMED_AT_MEETING
    assert consent.latest_by_voice(sip["case"], TODAY) == before
    assert consent.in_force(sip["case"], TODAY) == scope
    assert sip["case"].step == Step.MEETING_HELD


@freeze_time(NOW)
def test_not_confirmed_is_kept_with_its_reason(sip):
    _meeting_in_force(sip)
    meetings.mark_held(
        sip["coordinator"],
        sip["case"],
        now=AFTER_START,
        confirmation=meeting_consent.Confirmation("not_confirmed", "Pappa kom inte till mötet."),
    )
    last = consent.history(sip["case"])[-1]
    assert last.kind == ConsentEventKind.NOT_CONFIRMED_AT_MEETING
    assert last.note == "Pappa kom inte till mötet."
    assert last.recorded_by_staff_id == sip["coordinator"].id


@freeze_time(NOW)
def test_a_confirmation_at_the_meeting_does_not_stop_the_expiry_reminders(sip):
    """For an adult the confirmation is kept under the person's own name, as their consent is."""
    adult = factories.person("Vuxen Vera", age=45)
    case = factories.case(adult, sip["social"], coordinator=sip["coordinator"], step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=sip["school"])
    consent.give(adult, case, [sip["school"].public_id], ["school"], TODAY + timedelta(days=90), today=TODAY)
    meetings.set_meeting(
        sip["coordinator"],
        case,
        starts_at=NOW + timedelta(days=2),
        length_minutes=60,
        mode="phone",
        phone="010-123 45 67",
        now=NOW,
    )
    meetings.mark_held(sip["coordinator"], case, now=AFTER_START, confirmation=meetings.CONSENT_CONFIRMED)
    assert consent.history(case)[-1].consenter_id == adult.id
    last_day = TODAY + timedelta(days=90)
    assert reminders.send_consent_reminders(last_day - timedelta(days=7)) == 1


# --- Consent reaches the units ----------------------------------------------------------------------------


@freeze_time(NOW)
def test_consent_in_force_tells_every_unit_taking_part_what_it_may_share_without_health_details(sip):
    _give(sip, sip["mum"], "school", "bup", exclusions="Inget om diagnosen ADHD.")
    assert not _messages(NotificationKind.CONSENT_SHARING)  # one yes of two: nothing in force yet
    _give(sip, sip["dad"], "school", "bup", exclusions="Inget om diagnosen ADHD.")

    for staff, unit, other in ((sip["teacher"], "Skolan", "BUP"), (sip["doctor"], "BUP", "Skolan")):
        (told,) = _messages(NotificationKind.CONSENT_SHARING, staff=staff)
        assert told.data == {
            "unit": unit,
            "may_share": True,
            "with_units": [other],
            "categories": ["health", "school"],
            "valid_until": (TODAY + timedelta(days=90)).isoformat(),
        }
        assert "ADHD" not in str(told.data)


@freeze_time(NOW)
def test_a_unit_left_out_of_a_changed_consent_is_told_and_loses_the_sip_at_once(sip):
    for guardian in (sip["mum"], sip["dad"]):
        _give(sip, guardian, "school", "bup")
    assert Role.PARTICIPATING_STAFF in access.roles_of(sip["doctor"], sip["case"], TODAY)

    _give(sip, sip["mum"], "school")  # mum leaves BUP out

    last_to_bup = _messages(NotificationKind.CONSENT_SHARING, staff=sip["doctor"])[-1]
    assert last_to_bup.data == {"unit": "BUP", "may_share": False}
    assert access.roles_of(sip["doctor"], sip["case"], TODAY) == {Role.OTHER_STAFF}
    assert not access.can(sip["doctor"], Action.STAFF_VIEW_CASE, sip["case"])
    last_to_school = _messages(NotificationKind.CONSENT_SHARING, staff=sip["teacher"])[-1]
    assert last_to_school.data["may_share"] is True and last_to_school.data["with_units"] == []


@freeze_time(NOW)
def test_a_unit_never_named_is_never_told(sip):
    for guardian in (sip["mum"], sip["dad"]):
        _give(sip, guardian, "school")
    assert not _messages(NotificationKind.CONSENT_SHARING, staff=sip["doctor"])


@freeze_time(NOW)
def test_an_expired_consent_tells_the_units_once_that_they_may_share_nothing(sip):
    for guardian in (sip["mum"], sip["dad"]):
        _give(sip, guardian, "school")
    after_the_last_day = TODAY + timedelta(days=91)
    with freeze_time(after_the_last_day):
        reminders.send_consent_reminders(after_the_last_day)
        reminders.send_consent_reminders(after_the_last_day)
    told = _messages(NotificationKind.CONSENT_SHARING, staff=sip["teacher"])
    assert [m.data["may_share"] for m in told] == [True, False]
    assert not access.can(sip["teacher"], Action.STAFF_VIEW_CASE, sip["case"])
