"""Every staff member of every unit taking part hears what concerns them [issue 13] [VM]: the invitation to
the meeting, its cancellation when consent is withdrawn, and the end of the SIP. The school here has no
coordinator in Min SIP, only its counsellor and a teacher, as many schools do; until now they heard nothing.
The messages carry no health details."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    Notification,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
)
from citizen_app.services import closing, consent, meetings, withdrawal
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
MEETING_AT = NOW + timedelta(days=7)
NEED = "Elsa har ångest och sover dåligt."


@pytest.fixture
def sip(app):
    """Elsa (14), both guardians; the social services own the SIP, the school and BUP take part."""
    with freeze_time(NOW):
        social, school, bup = factories.social_school_and_bup()
        coordinator = factories.staff(social, StaffRole.COORDINATOR, "Samordnare Kent")
        kid = factories.child("Elsa")
        mum = factories.guardian_of(kid, name="Mamma")
        dad = factories.guardian_of(kid, name="Pappa")
        case = factories.case(kid, social, coordinator=coordinator, step=Step.CONSENT, need_description=NEED)
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        bup_party = factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        return {
            "case": case,
            "mum": mum,
            "dad": dad,
            "coordinator": coordinator,
            "social": social,
            "school": school,
            "bup": bup,
            "school_party": school_party,
            "bup_party": bup_party,
            "counsellor": factories.staff(school, StaffRole.MEMBER, "Kurator Sofia"),
            "teacher": factories.staff(school, StaffRole.MEMBER, "Lärare Lo"),
            "bup_doctor": factories.staff(bup, StaffRole.MEMBER, "Läkare Bo"),
            "social_member": factories.staff(social, StaffRole.MEMBER, "Handläggare Hans"),
        }


def _both_guardians_consent(sip, units=("social", "school")):
    for guardian in (sip["mum"], sip["dad"]):
        consent.give(
            guardian,
            sip["case"],
            [sip[u].public_id for u in units],
            ["school"],
            date(2027, 6, 1),
            today=NOW.date(),
        )


def _invite_the_school(sip):
    meeting = meetings.set_meeting(
        sip["coordinator"],
        sip["case"],
        starts_at=MEETING_AT,
        length_minutes=60,
        mode="in_person",
        place="Björkskolan, rum 12",
        now=NOW,
    )
    meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
    return meeting


def _messages(staff, kind: NotificationKind) -> list[Notification]:
    return list(db.session.query(Notification).filter_by(recipient_staff_id=staff.id, kind=kind))


def _school_staff(sip):
    return [sip["counsellor"], sip["teacher"]]


def _no_health_details(messages: list[Notification]) -> None:
    for message in messages:
        assert set(message.data) <= {"reason"}, message.data
        assert NEED not in str(message.data)


@freeze_time(NOW)
def test_every_staff_member_of_an_invited_school_without_a_coordinator_gets_the_invitation(sip):
    _both_guardians_consent(sip)
    _invite_the_school(sip)
    for member in _school_staff(sip):
        received = _messages(member, NotificationKind.MEETING_INVITATION)
        assert len(received) == 1, member.display_name
        assert received[0].case_id == sip["case"].id
        _no_health_details(received)
    # BUP was not invited (and the consent does not name it): it hears nothing.
    assert _messages(sip["bup_doctor"], NotificationKind.MEETING_INVITATION) == []


@freeze_time(NOW)
def test_the_school_hears_when_the_time_of_the_meeting_changes(sip):
    _both_guardians_consent(sip)
    _invite_the_school(sip)
    meetings.set_meeting(
        sip["coordinator"],
        sip["case"],
        starts_at=MEETING_AT + timedelta(hours=2),
        length_minutes=60,
        mode="in_person",
        place="Björkskolan, rum 12",
        now=NOW,
    )
    for member in _school_staff(sip):
        assert len(_messages(member, NotificationKind.MEETING_CHANGED)) == 1, member.display_name


@freeze_time(NOW)
def test_when_a_guardian_withdraws_consent_the_schools_staff_hear_the_meeting_is_off(sip):
    _both_guardians_consent(sip)
    _invite_the_school(sip)
    withdrawal.withdraw(sip["dad"], sip["case"], today=NOW.date())
    assert sip["case"].closing_reason == ClosingReason.CONSENT_WITHDRAWN
    for member in _school_staff(sip):
        cancelled = _messages(member, NotificationKind.MEETING_CANCELLED)
        ended = _messages(member, NotificationKind.CONSENT_WITHDRAWN)
        assert len(cancelled) == 1, member.display_name
        assert len(ended) == 1, member.display_name
        _no_health_details(cancelled + ended)
    # A unit the guardians left out of the consent never knew of the SIP, and learns nothing now.
    assert _messages(sip["bup_doctor"], NotificationKind.CONSENT_WITHDRAWN) == []


@freeze_time(NOW)
def test_a_withdrawal_before_any_invitation_still_reaches_the_schools_staff(sip):
    _both_guardians_consent(sip)
    withdrawal.withdraw(sip["mum"], sip["case"], today=NOW.date())
    for member in _school_staff(sip):
        assert len(_messages(member, NotificationKind.CONSENT_WITHDRAWN)) == 1, member.display_name


@freeze_time(NOW)
def test_closing_the_sip_tells_every_staff_member_of_the_units_taking_part(sip):
    _both_guardians_consent(sip)
    _invite_the_school(sip)
    closing.close(sip["coordinator"], sip["case"], ClosingReason.GOALS_MET.value, agreement="agrees")
    for member in _school_staff(sip):
        closed = _messages(member, NotificationKind.PLAN_CLOSED)
        assert len(closed) == 1, member.display_name
        assert closed[0].data == {"reason": "goals_met"}
        _no_health_details(closed)
    # BUP takes part but the consent never named it: it was told nothing of the SIP, nor of its end.
    assert _messages(sip["bup_doctor"], NotificationKind.PLAN_CLOSED) == []
    # The coordinator closed it and needs no message about it.
    assert _messages(sip["coordinator"], NotificationKind.PLAN_CLOSED) == []


@freeze_time(NOW)
def test_a_staff_member_in_two_units_taking_part_gets_one_message_when_the_sip_closes(sip):
    db.session.add(
        factories.StaffMembership(staff_id=sip["counsellor"].id, unit_id=sip["bup"].id, role=StaffRole.MEMBER)
    )
    _both_guardians_consent(sip, units=("social", "school", "bup"))
    closing.close(sip["coordinator"], sip["case"], ClosingReason.NO_LONGER_NEEDED.value, agreement="agrees")
    assert len(_messages(sip["counsellor"], NotificationKind.PLAN_CLOSED)) == 1
    assert len(_messages(sip["bup_doctor"], NotificationKind.PLAN_CLOSED)) == 1
