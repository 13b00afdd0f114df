"""The 18th birthday [issue 15] [DA 4.2]: the parents' consent becomes the young adult's own.

Alva turns 18 on 10 March 2027. A month before, both her parents said yes to the school and child psychiatry,
and the coordinator invited the school and Alva's aunt to a meeting on 20 March. The job runs each day
(``reminders.run_all``); the clock is frozen on the day before, the day of and the day after the birthday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    EventKind,
    Invitation,
    InvitationStatus,
    Notification,
    NotificationKind,
    Participant,
    ParticipantRole,
    StaffRole,
    Step,
)
from citizen_app.services import NotAllowed, coming_of_age, consent, meetings, reminders
from tests.support import factories

BIRTHDAY = date(2027, 3, 10)
A_MONTH_BEFORE = BIRTHDAY - timedelta(days=30)
MEETING_AT = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
DAY_BEFORE, DAY_OF, DAY_AFTER = BIRTHDAY - timedelta(days=1), BIRTHDAY, BIRTHDAY + timedelta(days=1)


@pytest.fixture
def alva(app):
    social, school, bup = factories.social_school_and_bup()
    coordinator = factories.staff(social, StaffRole.COORDINATOR, "Samordnare Sam")
    teacher = factories.staff(school, StaffRole.MEMBER, "Lärare Lo")
    with freeze_time(A_MONTH_BEFORE):
        kid = factories.person("Alva", birth_date=date(2009, 3, 10))
        mum = factories.guardian_of(kid, name="Mamma")
        dad = factories.guardian_of(kid, name="Pappa")
        case = factories.case(kid, social, coordinator=coordinator, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.PERSON, person_=kid)
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        aunt = Participant(
            case_id=case.id, role=ParticipantRole.RELATIVE, name="Moster Mia", contact="070-1234567"
        )
        db.session.add(aunt)
        for parent in (mum, dad):
            consent.give(
                parent,
                case,
                [school.public_id, bup.public_id],
                ["school", "health"],
                BIRTHDAY + timedelta(days=200),
            )
        meeting = meetings.set_meeting(
            coordinator, case, starts_at=MEETING_AT, length_minutes=60, mode="in_person", place="Skolan"
        )
        meetings.invite(coordinator, meeting, [school_party.public_id, aunt.public_id])
    db.session.flush()
    assert case.step == Step.INVITED
    return {
        "case": case,
        "kid": kid,
        "mum": mum,
        "dad": dad,
        "coordinator": coordinator,
        "teacher": teacher,
        "school": school,
        "bup": bup,
        "meeting": meeting,
    }


def _run(day: date) -> dict[str, int]:
    with freeze_time(day):
        return reminders.run_all(day)


def _messages(kind: NotificationKind) -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id))
    )


def _events(case, kind: EventKind) -> list[CaseEvent]:
    return list(
        db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind))
    )


def _invitation_statuses(meeting) -> list[InvitationStatus]:
    return [
        i.status
        for i in db.session.scalars(
            select(Invitation).where(Invitation.meeting_id == meeting.id).order_by(Invitation.id)
        )
    ]


# --- 30 days before -----------------------------------------------------------------------------------------


def test_the_young_person_is_told_30_days_before_and_only_once(alva):
    _run(BIRTHDAY - timedelta(days=31))
    assert _messages(NotificationKind.COMING_OF_AGE_SOON) == []
    _run(BIRTHDAY - timedelta(days=30))
    _run(BIRTHDAY - timedelta(days=29))
    told = _messages(NotificationKind.COMING_OF_AGE_SOON)
    assert [m.recipient_person_id for m in told] == [alva["kid"].id]
    assert told[0].data["birthday"] == "2027-03-10"


def test_a_job_that_missed_the_30th_day_still_reminds_before_the_birthday(alva):
    _run(DAY_BEFORE)
    assert len(_messages(NotificationKind.COMING_OF_AGE_SOON)) == 1


def test_two_sips_give_one_reminder_per_birthday(alva):
    factories.case(alva["kid"], alva["school"], step=Step.CONSENT)
    _run(BIRTHDAY - timedelta(days=10))
    assert len(_messages(NotificationKind.COMING_OF_AGE_SOON)) == 1


# --- The day before, of and after ---------------------------------------------------------------------------


def test_the_day_before_the_birthday_nothing_changes(alva):
    _run(DAY_BEFORE)
    case = alva["case"]
    assert case.step == Step.INVITED
    assert _events(case, EventKind.CAME_OF_AGE) == []
    assert _invitation_statuses(alva["meeting"]) == [InvitationStatus.SENT, InvitationStatus.SENT]
    assert _messages(NotificationKind.COMING_OF_AGE) == []


@pytest.mark.parametrize("day", [DAY_OF, DAY_AFTER], ids=["on the birthday", "the day after (a missed run)"])
def test_on_the_birthday_the_sip_waits_for_the_young_adults_own_consent(alva, day):
    _run(day)
    case = alva["case"]
    assert case.step == Step.CONSENT
    came = _events(case, EventKind.CAME_OF_AGE)
    assert len(came) == 1 and came[0].data["birthday"] == "2027-03-10"
    back = [e for e in _events(case, EventKind.STEP_CHANGED) if e.data.get("reason") == "came_of_age"]
    assert [(e.step, e.data["step_before"]) for e in back] == [(Step.CONSENT, "invited")]
    assert consent.in_force(case, day) is None


def test_each_parents_consent_ends_in_the_history_and_is_nobodys_answer(alva):
    _run(DAY_OF)
    ended = list(
        db.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.kind == ConsentEventKind.ENDED_AT_18)
            .order_by(ConsentEvent.id)
        )
    )
    assert [e.consenter_id for e in ended] == [alva["mum"].id, alva["dad"].id]
    assert all(e.valid_from == BIRTHDAY for e in ended)
    assert consent.latest_by_voice(alva["case"], DAY_OF) == {}


def test_invitations_the_young_adult_has_not_consented_to_are_held_and_the_invited_told(alva):
    _run(DAY_OF)
    assert _invitation_statuses(alva["meeting"]) == [InvitationStatus.HELD, InvitationStatus.HELD]
    held = _messages(NotificationKind.INVITATION_HELD)
    assert [m.recipient_staff_id for m in held] == [alva["teacher"].id]  # the aunt has no account to tell


def test_the_young_adult_and_the_coordinator_are_told_on_the_day(alva):
    _run(DAY_OF)
    (to_her,) = _messages(NotificationKind.COMING_OF_AGE)
    assert to_her.recipient_person_id == alva["kid"].id and to_her.data["own_consent"] is False
    (to_staff,) = _messages(NotificationKind.STAFF_COMING_OF_AGE)
    assert to_staff.recipient_staff_id == alva["coordinator"].id
    # The parents are no longer told anything about her SIP.
    parents = {alva["mum"].id, alva["dad"].id}
    assert not [m for m in _messages(NotificationKind.COMING_OF_AGE) if m.recipient_person_id in parents]


def test_running_the_job_again_changes_nothing(alva):
    _run(DAY_OF)
    # Not the 30-day first-meeting goal of issue 16, which has its own days.
    ours = select(db.func.count(Notification.id)).where(
        Notification.kind != NotificationKind.STAFF_FIRST_MEETING_DUE
    )
    before = db.session.scalar(ours)
    assert _run(DAY_OF)["coming_of_age"] == 0
    assert _run(DAY_AFTER)["coming_of_age"] == 0
    assert db.session.scalar(ours) == before
    assert len(_events(alva["case"], EventKind.CAME_OF_AGE)) == 1
    assert (
        len(
            list(
                db.session.scalars(
                    select(ConsentEvent).where(ConsentEvent.kind == ConsentEventKind.ENDED_AT_18)
                )
            )
        )
        == 2
    )


def test_no_new_invitation_without_her_own_consent_and_the_held_one_is_sent_again_once_she_consents(alva):
    _run(DAY_OF)
    case, school = alva["case"], alva["school"]
    school_party = db.session.scalar(
        select(Participant).where(Participant.case_id == case.id, Participant.unit_id == school.id)
    )
    with freeze_time(DAY_AFTER):
        with pytest.raises(consent.NotCovered):
            meetings.invite(alva["coordinator"], alva["meeting"], [school_party.public_id])
        consent.give(alva["kid"], case, [school.public_id], ["school"], DAY_AFTER + timedelta(days=100))
        assert case.step == Step.PREPARATION
        sent = meetings.invite(alva["coordinator"], alva["meeting"], [school_party.public_id])
    assert [s.invitation.status for s in sent] == [InvitationStatus.SENT]


def test_a_held_invitation_cannot_be_answered(alva):
    _run(DAY_OF)
    invitation = db.session.scalar(
        select(Invitation)
        .join(Participant, Participant.id == Invitation.participant_id)
        .where(Invitation.meeting_id == alva["meeting"].id, Participant.unit_id == alva["school"].id)
    )
    assert invitation.status == InvitationStatus.HELD
    with pytest.raises(NotAllowed):
        meetings.answer_as_unit(alva["teacher"], invitation.public_id, "accepted", who_comes="Lo")


def test_her_own_consent_from_before_18_keeps_the_sip_where_it_is(alva):
    """A young person who consented themself as a minor (a mature minor): their own yes goes on counting."""
    case, school = alva["case"], alva["school"]
    own = ConsentEvent(
        case_id=case.id,
        kind=ConsentEventKind.RECORDED_BY_STAFF,
        consenter_id=alva["kid"].id,
        method=ConsentMethod.ORAL,
        unit_ids=[school.public_id],
        categories=["school"],
        valid_from=A_MONTH_BEFORE,
        valid_until=BIRTHDAY + timedelta(days=100),
        at=datetime(2027, 2, 20, 10, tzinfo=UTC),
    )
    db.session.add(own)
    db.session.flush()
    _run(DAY_OF)
    assert case.step == Step.INVITED
    assert consent.in_force(case, DAY_OF).unit_ids == {school.public_id}
    # The school is covered; the aunt is a guest, whom any consent in force covers.
    assert _invitation_statuses(alva["meeting"]) == [InvitationStatus.SENT, InvitationStatus.SENT]
    (to_her,) = _messages(NotificationKind.COMING_OF_AGE)
    assert to_her.data["own_consent"] is True


def test_a_closed_sip_is_left_alone(alva):
    alva["case"].step = Step.CLOSED
    db.session.flush()
    _run(DAY_OF)
    assert _events(alva["case"], EventKind.CAME_OF_AGE) == []
    assert _messages(NotificationKind.COMING_OF_AGE) == []


# --- Sharing with a former guardian ------------------------------------------------------------------------


def test_the_young_adult_lets_her_mother_take_part_as_a_relative_and_takes_it_back(alva):
    case, kid, mum = alva["case"], alva["kid"], alva["mum"]
    _run(DAY_OF)
    with freeze_time(DAY_AFTER):
        coming_of_age.let_take_part(kid, case, mum.public_id, DAY_AFTER)
        coming_of_age.let_take_part(kid, case, mum.public_id, DAY_AFTER)  # twice: still one place
        shown = coming_of_age.former_guardians(kid, case, DAY_AFTER)
        assert [(g.person.display_name, g.takes_part) for g in shown] == [("Mamma", True), ("Pappa", False)]
        coming_of_age.stop_taking_part(kid, case, mum.public_id, DAY_AFTER)
        shown = coming_of_age.former_guardians(kid, case, DAY_AFTER)
    assert [g.takes_part for g in shown] == [False, False]
    places = db.session.scalars(select(Participant).where(Participant.person_id == mum.id)).all()
    assert len(places) == 1 and places[0].removed_at is not None


@pytest.mark.parametrize("day", [DAY_BEFORE], ids=["the day before the birthday"])
def test_before_18_nobody_chooses_who_takes_part(alva, day):
    with pytest.raises(NotAllowed):
        coming_of_age.let_take_part(alva["kid"], alva["case"], alva["mum"].public_id, day)


def test_a_parent_cannot_choose_for_the_young_adult(alva):
    with pytest.raises(NotAllowed):
        coming_of_age.let_take_part(alva["mum"], alva["case"], alva["mum"].public_id, DAY_AFTER)


# --- What the pages say -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (BIRTHDAY - timedelta(days=31), None),
        (BIRTHDAY - timedelta(days=30), "soon"),
        (DAY_BEFORE, "soon"),
        (DAY_OF, "decide_now"),
        (DAY_AFTER, "decide_now"),
    ],
)
def test_the_notice_the_young_person_reads(alva, day, kind):
    notice = coming_of_age.notice_for(alva["kid"], alva["case"], day)
    assert (notice.kind if notice else None) == kind
    assert coming_of_age.notice_for(alva["mum"], alva["case"], day) is None


def test_once_she_has_said_yes_herself_the_notice_says_she_decides(alva):
    with freeze_time(DAY_AFTER):
        consent.give(
            alva["kid"], alva["case"], [alva["school"].public_id], ["school"], DAY_AFTER + timedelta(days=300)
        )
    notice = coming_of_age.notice_for(alva["kid"], alva["case"], DAY_AFTER)
    assert notice.kind == "decided" and notice.has_former_guardians
    later = DAY_AFTER + timedelta(days=coming_of_age.NOTICE_DAYS_AFTER + 1)
    assert coming_of_age.notice_for(alva["kid"], alva["case"], later).kind == "sharing"


def test_audit_says_the_calendar_did_it(alva):
    from citizen_app.models import AuditEntry

    _run(DAY_OF)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "consent.came_of_age"))
    assert entry.actor_kind == "system" and entry.detail["guardians_ended"] == 2


def test_her_parents_are_told_once_that_she_decides_now_without_a_link_to_her_sip(alva, client):
    _run(DAY_OF)
    _run(DAY_AFTER)
    told = _messages(NotificationKind.GUARDIAN_COMING_OF_AGE)
    assert sorted(m.recipient_person_id for m in told) == sorted([alva["mum"].id, alva["dad"].id])
    assert all(m.case_id is None and m.data == {"name": "Alva"} for m in told)

    with freeze_time(DAY_OF):
        client.sign_in_as(alva["mum"])
        page = client.get("/meddelanden").get_data(as_text=True)
    (item,) = [
        li
        for li in BeautifulSoup(page, "html.parser").select("li.message")
        if "bestämmer nu själv om sin SIP. Du kan vara med på mötena om Alva vill det." in li.get_text(" ")
    ]
    assert item.find("a") is None  # no link to a SIP her mother no longer opens


def test_her_parents_old_messages_no_longer_link_to_the_sip_they_lost(alva, client):
    """Before the birthday the mother's messages about Alva's SIP link to it; after it, the same messages stay
    but without "Gå till SIP:en", which would lead to "Sidan finns inte"."""

    def links_to_the_sip() -> int:
        page = client.get("/meddelanden").get_data(as_text=True)
        return page.count(f'href="/sip/{alva["case"].public_id}"')

    with freeze_time(DAY_OF - timedelta(days=1)):
        client.sign_in_as(alva["mum"])
        assert links_to_the_sip() > 0
    _run(DAY_OF)
    with freeze_time(DAY_OF):
        client.sign_in_as(alva["mum"])
        assert links_to_the_sip() == 0
        client.sign_in_as(alva["kid"])
        assert links_to_the_sip() > 0  # Alva's own messages still take her to her SIP
