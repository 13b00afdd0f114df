"""The meeting and its invitations [issue 5] [SIP.md 3.4]: only with covering consent, answers within one
working day, relatives through their own link, a calendar file without health details."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    InvitationStatus,
    LinkPurpose,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
)
from citizen_app.services import (
    NotAllowed,
    NotFound,
    access_links,
    consent,
    meetings,
    notifications,
    preparation,
    withdrawal,
)
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
LATER = NOW + timedelta(days=7)


@pytest.fixture
def sip(app):
    with freeze_time(NOW):
        social, school, bup = factories.social_school_and_bup()
        person = factories.person("Anna")
        coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
        teacher = factories.staff(school, StaffRole.COORDINATOR, name="Lärare")
        doctor = factories.staff(bup, StaffRole.COORDINATOR, name="Läkare")
        case = factories.case(person, social, coordinator=coordinator, step=Step.CONSENT)
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        bup_party = factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        db.session.flush()
        return {
            "case": case,
            "person": person,
            "coordinator": coordinator,
            "teacher": teacher,
            "doctor": doctor,
            "social": social,
            "school": school,
            "school_party": school_party,
            "bup_party": bup_party,
        }


def _consent(sip, units=("social", "school")):
    consent.give(
        sip["person"],
        sip["case"],
        [sip[u].public_id for u in units],
        ["social"],
        date(2027, 6, 1),
        today=NOW.date(),
    )


def _meeting(sip):
    return meetings.set_meeting(
        sip["coordinator"],
        sip["case"],
        starts_at=LATER,
        length_minutes=60,
        mode="in_person",
        place="Storgatan 1",
        now=NOW,
    )


@freeze_time(NOW)
def test_no_invitation_at_all_without_consent(sip):
    meeting = _meeting(sip)
    with pytest.raises(consent.NotCovered):
        meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
    assert meetings.invitable(sip["case"]) == []


@freeze_time(NOW)
def test_no_invitation_to_a_unit_the_consent_does_not_name(sip):
    _consent(sip)
    meeting = _meeting(sip)
    with pytest.raises(consent.NotCovered):
        meetings.invite(sip["coordinator"], meeting, [sip["bup_party"].public_id])
    assert [p.public_id for p in meetings.invitable(sip["case"])] == [sip["school_party"].public_id]
    sent = meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
    assert [s.invitation.status for s in sent] == [InvitationStatus.SENT]
    assert sip["case"].step == Step.INVITED


@freeze_time(NOW)
def test_inviting_twice_sends_nothing_twice(sip):
    _consent(sip)
    meeting = _meeting(sip)
    meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
    assert meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id]) == []


@freeze_time(NOW)
def test_only_the_coordinator_sets_the_meeting(sip):
    with pytest.raises(NotAllowed):
        meetings.set_meeting(
            sip["teacher"],
            sip["case"],
            starts_at=LATER,
            length_minutes=60,
            mode="phone",
            phone="123",
            now=NOW,
        )


@freeze_time(NOW)
def test_a_meeting_needs_a_time_in_the_future_and_a_place_for_its_kind(sip):
    with pytest.raises(meetings.InvalidMeeting) as refused:
        meetings.set_meeting(
            sip["coordinator"],
            sip["case"],
            starts_at=NOW - timedelta(hours=1),
            length_minutes=5,
            mode="video",
            video_link="http://x",
            now=NOW,
        )
    assert set(refused.value.errors) == {"date", "length", "video_link"}


def test_a_unit_answers_within_one_working_day_or_is_flagged(sip):
    with freeze_time(datetime(2026, 11, 27, 9, 0, tzinfo=UTC)):  # a Friday: due on Monday
        _consent(sip)
        meeting = _meeting(sip)
        (sent,) = meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
        invitation = sent.invitation
        assert meetings.answer_due(invitation).date() == date(2026, 11, 30)
        assert not meetings.is_late(invitation)
    with freeze_time(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)):
        assert meetings.is_late(invitation)  # nothing yet, past Monday
        with pytest.raises(meetings.InvalidMeeting):
            meetings.answer_as_unit(sip["teacher"], invitation.public_id, "declined")  # no replacement named
        meetings.answer_as_unit(sip["teacher"], invitation.public_id, "accepted", who_comes="Lärare Li")
        assert invitation.status == InvitationStatus.ACCEPTED
        assert meetings.is_late(invitation)  # answered, but too late


@freeze_time(NOW)
def test_only_staff_of_the_invited_unit_answer(sip):
    _consent(sip)
    meeting = _meeting(sip)
    (sent,) = meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
    with pytest.raises(NotFound):
        meetings.answer_as_unit(sip["doctor"], sent.invitation.public_id, "accepted", who_comes="X")


@freeze_time(NOW)
def test_a_relative_gets_a_personal_link_answers_and_suggests_a_topic(sip):
    _consent(sip)
    guest = preparation.add_guest(sip["person"], sip["case"], "Bengt", "070-123 45 67", support_person=False)
    meeting = _meeting(sip)
    (sent,) = meetings.invite(sip["coordinator"], meeting, [guest.public_id])
    assert sent.link_secret
    link = access_links.open_link(sent.link_secret, LinkPurpose.RELATIVE_INVITATION)
    meetings.answer_as_guest(link.id, "by_phone")
    assert sent.invitation.status == InvitationStatus.BY_PHONE
    assert meetings.may_download_calendar(sent.invitation)
    preparation.suggest_topic(sip["case"], sent.invitation.id, "Annas ekonomi")
    with pytest.raises(access_links.LinkNotValid):  # the link opens the invitation only
        access_links.open_link(sent.link_secret, LinkPurpose.CHILD_PAGES)


@freeze_time(NOW)
def test_removing_a_guest_cancels_their_invitation_and_link(sip):
    _consent(sip)
    guest = preparation.add_guest(
        sip["person"], sip["case"], "Bengt", "bengt@example.se", support_person=True
    )
    meeting = _meeting(sip)
    (sent,) = meetings.invite(sip["coordinator"], meeting, [guest.public_id])
    preparation.remove_guest(sip["person"], sip["case"], guest.public_id)
    assert sent.invitation.status == InvitationStatus.CANCELLED
    with pytest.raises(access_links.LinkNotValid):
        access_links.open_link(sent.link_secret, LinkPurpose.RELATIVE_INVITATION)


def test_a_guest_needs_a_name_and_a_way_to_reach_them(sip):
    with pytest.raises(preparation.InvalidAnswer) as refused:
        preparation.add_guest(sip["person"], sip["case"], "", "hej", support_person=False)
    assert set(refused.value.errors) == {"name", "contact"}


@freeze_time(NOW)
def test_the_calendar_file_has_time_and_place_but_no_health_details(sip):
    meeting = _meeting(sip)
    text = meetings.ics(meeting, "Möte i Min SIP", "Storgatan 1")
    assert "DTSTART:20261130T090000Z" in text
    assert "DTEND:20261130T100000Z" in text
    assert "Anna" not in text and "Socialtjänsten" not in text and "Skolan" not in text
    assert text.startswith("BEGIN:VCALENDAR\r\n")


def test_the_answer_is_due_at_the_end_of_the_swedish_working_day(sip):
    """Sent late on a Monday evening in Sweden (still Monday in UTC): due Tuesday 23:59 Swedish time, and an
    answer at half past midnight Swedish time on Wednesday is late, although it is still Tuesday in UTC."""
    with freeze_time(datetime(2026, 11, 23, 21, 30, tzinfo=UTC)):  # Monday 22:30 in Sweden
        _consent(sip)
        meeting = _meeting(sip)
        (sent,) = meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id])
    due = meetings.answer_due(sent.invitation)
    assert due == datetime(2026, 11, 24, 22, 59, tzinfo=UTC)
    assert meetings.is_late(sent.invitation, now=datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    assert not meetings.is_late(sent.invitation, now=datetime(2026, 11, 24, 22, 0, tzinfo=UTC))


@freeze_time(NOW)
def test_a_suggested_topic_waits_for_the_person_who_is_told(sip):
    from citizen_app.models import AgendaList, Notification, NotificationKind, SuggestionStatus

    _consent(sip)
    guest = preparation.add_guest(sip["person"], sip["case"], "Bengt", "070-123 45 67", support_person=False)
    (sent,) = meetings.invite(sip["coordinator"], _meeting(sip), [guest.public_id])
    preparation.suggest_topic(sip["case"], sent.invitation.id, "Annas ekonomi")
    pending = preparation.agenda(sip["case"], AgendaList.TALK_ABOUT, SuggestionStatus.PENDING)
    assert [item.text for item in pending] == ["Annas ekonomi"]
    assert preparation.agenda(sip["case"], AgendaList.TALK_ABOUT) == []  # not on the agenda until accepted
    told = db.session.query(Notification).filter_by(
        recipient_person_id=sip["person"].id, kind=NotificationKind.TOPIC_SUGGESTED
    )
    assert told.count() == 1


@freeze_time(NOW)
def test_withdrawing_consent_cancels_every_open_invitation_and_stops_relatives_links(sip):
    _consent(sip)
    guest = preparation.add_guest(sip["person"], sip["case"], "Bengt", "070-123 45 67", support_person=False)
    meeting = _meeting(sip)
    sent = meetings.invite(sip["coordinator"], meeting, [sip["school_party"].public_id, guest.public_id])
    withdrawal.withdraw(sip["person"], sip["case"], today=NOW.date())
    assert {s.invitation.status for s in sent} == {InvitationStatus.CANCELLED}
    secret = next(s.link_secret for s in sent if s.link_secret)
    with pytest.raises(access_links.LinkNotValid):
        access_links.open_link(secret, LinkPurpose.RELATIVE_INVITATION)
    teacher_messages = notifications.list_for(sip["teacher"])
    assert NotificationKind.MEETING_CANCELLED in {m.kind for m in teacher_messages}
