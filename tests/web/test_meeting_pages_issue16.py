"""Issue 16 on the pages: the school of a child [DA 3.3.1], "Vi känner inte personen" [DA 3.6], and a held
meeting with the answers as they were (no deadline). What the coordinator, the unit and the person read, as
HTML. The clock is frozen wherever a deadline counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    Invitation,
    InvitationStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    PrincipalKind,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.services import consent, meetings
from tests.support import factories

REQUESTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Sweden
PROBLEM = "Det finns ett problem"
SCHOOL_MISSING = "Skolan saknas i samtycket."


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(response) -> str:
    return " ".join(BeautifulSoup(_html(response), "html.parser").get_text(" ").split())


def _post(client, url: str, data: dict):
    token = client.csrf_token("/om-min-sip")
    return client.post(url, data={"csrf_token": token, **data})


def _units():
    social = factories.unit("Socialtjänsten Norr")
    school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
    bup = factories.unit("BUP Norr", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION)
    return social, school, bup


# --- The school of a child [DA 3.3.1] -----------------------------------------------------------------------


def _child_sip(consented_to_school: bool):
    """Elsa, 12: Kim coordinates from the social services; Ekskolan and BUP take part. Her mother's consent
    covers the social services and BUP, and Ekskolan only when ``consented_to_school``."""
    with freeze_time(REQUESTED):
        social, school, bup = _units()
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        elsa = factories.child("Elsa Berg", age=12)
        mum = factories.guardian_of(elsa, name="Maria Berg")
        case = factories.case(elsa, social, kim, step=Step.CONSENT, requested_at=REQUESTED)
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        covered = [social.public_id, bup.public_id] + ([school.public_id] if consented_to_school else [])
        consent.give(mum, case, covered, ["social", "school"], date(2027, 6, 1))
        meetings.set_meeting(
            kim,
            case,
            starts_at=datetime(2026, 11, 30, 12, 30, tzinfo=UTC),
            length_minutes=60,
            mode="in_person",
            place="Storgatan 1",
        )
        db.session.commit()
        return case, kim, school_party


@freeze_time(NOW)
def test_the_coordinator_reads_that_the_school_is_missing_on_the_invite_and_case_pages(client, app):
    case, kim, school_party = _child_sip(consented_to_school=False)
    client.sign_in_as(kim)
    invite = client.get(f"/personal/sip/{case.public_id}/motet/bjud-in")
    assert invite.status_code == 200
    text = _text(invite)
    assert SCHOOL_MISSING in text
    assert "Den här skolan är med i SIP:en men inte i samtycket: Ekskolan." in text
    assert "fråga vårdnadshavarna om skolan får vara med" in text
    # The school cannot be invited, so it is not offered at all.
    assert not BeautifulSoup(_html(invite), "html.parser").find("input", value=school_party.public_id)

    case_page = client.get(f"/personal/sip/{case.public_id}")
    assert case_page.status_code == 200
    assert SCHOOL_MISSING in _text(case_page)


@freeze_time(NOW)
def test_with_the_school_in_the_consent_there_is_no_notice_and_the_school_is_ticked(client, app):
    case, kim, school_party = _child_sip(consented_to_school=True)
    client.sign_in_as(kim)
    invite = client.get(f"/personal/sip/{case.public_id}/motet/bjud-in")
    assert invite.status_code == 200
    assert SCHOOL_MISSING not in _text(invite)
    assert "Skolan som samtycket gäller bjuds in: Ekskolan." in _text(invite)
    box = BeautifulSoup(_html(invite), "html.parser").find("input", value=school_party.public_id)
    assert box is not None and box.has_attr("checked")
    assert SCHOOL_MISSING not in _text(client.get(f"/personal/sip/{case.public_id}"))


# --- "Vi känner inte personen" [DA 3.6] ---------------------------------------------------------------------


@pytest.fixture
def invited(app):
    """Anna's SIP: Kim has set the meeting and invited Ekskolan; Li works at the school, Bo at BUP."""
    with freeze_time(REQUESTED):
        social, school, bup = _units()
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        teacher = factories.staff(school, StaffRole.MEMBER, name="Li Lärare")
        doctor = factories.staff(bup, StaffRole.COORDINATOR, name="Bo Läkare")
        anna = factories.person("Anna Lind", age=45)
        case = factories.case(anna, social, kim, step=Step.CONSENT, requested_at=REQUESTED)
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        bup_party = factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        consent.give(
            anna,
            case,
            [social.public_id, school.public_id, bup.public_id],
            ["social", "school", "health"],
            date(2027, 6, 1),
        )
        db.session.commit()
    with freeze_time(NOW):
        meeting = meetings.set_meeting(
            kim,
            case,
            starts_at=datetime(2026, 11, 30, 12, 30, tzinfo=UTC),
            length_minutes=60,
            mode="in_person",
            place="Storgatan 1",
        )
        sent = meetings.invite(kim, meeting, [school_party.public_id, bup_party.public_id])
        db.session.commit()
    by_party = {s.invitation.participant_id: s.invitation for s in sent}
    school_invitation, bup_invitation = by_party[school_party.id], by_party[bup_party.id]
    return {
        "case": case,
        "kim": kim,
        "teacher": teacher,
        "doctor": doctor,
        "anna": anna,
        "school_invitation": school_invitation,
        "bup_invitation": bup_invitation,
    }


@freeze_time(NOW)
def test_a_unit_says_it_does_not_know_the_person_and_the_overview_shows_it(client, invited):
    url = f"/personal/inbjudningar/{invited['school_invitation'].public_id}"
    client.sign_in_as(invited["teacher"])
    form = BeautifulSoup(_html(client.get(url)), "html.parser")
    assert form.find("input", attrs={"name": "status", "value": "not_known"})
    assert form.find("label", string="Vi känner inte personen")

    too_long = _post(client, url, {"status": "not_known", "note": "x" * 2001})
    assert too_long.status_code == 422
    page = BeautifulSoup(_html(too_long), "html.parser")
    assert PROBLEM in page.get_text()
    assert page.select_one(".error-summary a[href='#note']") is not None
    assert "Texten är för lång" in page.get_text()
    assert db.session.get(Invitation, invited["school_invitation"].id).status == InvitationStatus.SENT

    answered = _post(client, url, {"status": "not_known", "note": "Vi har ingen elev med det namnet."})
    assert answered.status_code == 303
    invitation = db.session.get(Invitation, invited["school_invitation"].id)
    assert invitation.status == InvitationStatus.NOT_KNOWN

    told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.UNIT_DOES_NOT_KNOW_PERSON)
    ).all()
    assert [n.recipient_staff_id for n in told] == [invited["kim"].id]

    client.sign_in_as(invited["kim"])
    overview = _text(client.get(f"/personal/sip/{invited['case'].public_id}/motet"))
    assert "Ekskolan Känner inte personen" in overview
    assert "Enheten känner inte personen. Kontrollera att du har bjudit in rätt enhet." in overview
    assert "Att veta: Vi har ingen elev med det namnet." in overview
    messages = _text(client.get("/meddelanden"))
    assert "Ekskolan svarade på inbjudan att de inte känner personen." in messages


@freeze_time(NOW)
def test_another_units_staff_cannot_answer_that_they_do_not_know_the_person(client, invited):
    url = f"/personal/inbjudningar/{invited['school_invitation'].public_id}"
    client.sign_in_as(invited["doctor"])
    assert client.get(url).status_code == 404
    assert _post(client, url, {"status": "not_known"}).status_code == 404
    assert db.session.get(Invitation, invited["school_invitation"].id).status == InvitationStatus.SENT


# --- A held meeting: the answers as they were, no deadline --------------------------------------------------


def test_a_held_meeting_shows_the_answers_as_they_were_and_no_deadline(client, invited):
    with freeze_time(NOW):
        meetings.answer_as_unit(
            invited["teacher"], invited["school_invitation"].public_id, "accepted", who_comes="Li"
        )
        db.session.commit()
    # A week later: BUP never answered (its deadline has passed), and the meeting was held as booked.
    with freeze_time(datetime(2026, 11, 30, 14, 0, tzinfo=UTC)):
        meetings.mark_held(invited["kim"], invited["case"], confirmation=meetings.CONSENT_CONFIRMED)
        db.session.commit()
        case_id = invited["case"].public_id

        client.sign_in_as(invited["kim"])
        staff = _text(client.get(f"/personal/sip/{case_id}/motet"))
        assert "Ekskolan Svarade ja 23 nov." in staff
        assert "BUP Norr Svarade inte" in staff
        assert "Ska svara senast" not in staff and "skulle ha kommit" not in staff
        assert "Svarade för sent" not in staff

        client.sign_in_as(invited["doctor"])
        unit = _text(client.get(f"/personal/inbjudningar/{invited['bup_invitation'].public_id}"))
        assert "Mötet har varit. Svarade inte." in unit
        assert "senast" not in unit

        client.sign_in_as(invited["anna"])
        citizen = _text(client.get(f"/sip/{case_id}/motet"))
        assert "Mötet är hållet." in citizen
        assert "Svarade ja 23 nov." in citizen and "Svarade inte" in citizen
        assert "Ska svara senast" not in citizen and "senast" not in citizen


@freeze_time(NOW)
def test_a_meeting_written_down_afterwards_is_not_waiting_for_anyone_to_be_invited(client, app):
    """Nobody was invited through the app to a meeting written down afterwards: the pages say so, not
    "Ingen är inbjuden än" as if invitations were still to come."""
    with freeze_time(REQUESTED):
        social, school, bup = _units()
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        anna = factories.person("Anna Lind", age=45)
        case = factories.case(anna, social, kim, step=Step.CONSENT, requested_at=REQUESTED)
        consent.give(anna, case, [social.public_id], ["social"], date(2027, 6, 1))
        db.session.commit()
    client.sign_in_as(kim)
    recorded = _post(
        client,
        f"/personal/sip/{case.public_id}/motet/i-efterhand",
        {
            "date": "2026-11-20",
            "time": "13:30",
            "length": "60",
            "mode": "in_person",
            "place": "Storgatan 1",
            "consent_outcome": "confirmed",
        },
    )
    assert recorded.status_code == 303
    staff = _text(client.get(f"/personal/sip/{case.public_id}/motet"))
    assert "Mötet är hållet." in staff and "Ingen bjöds in genom Min SIP." in staff
    assert "Ingen är inbjuden än." not in staff
    client.sign_in_as(anna)
    case_page = BeautifulSoup(_html(client.get(f"/sip/{case.public_id}")), "html.parser")
    link = case_page.find("a", href=f"/sip/{case.public_id}/motet")
    assert link.get_text(strip=True) == "Mötet som har varit: tid, plats och vilka som var inbjudna"
    citizen = _text(client.get(f"/sip/{case.public_id}/motet"))
    assert "Här ser du när mötet var och vilka som var inbjudna." in citizen
    assert "Ingen bjöds in genom Min SIP." in citizen
    assert "Ingen är inbjuden än." not in citizen and "vem som kommer" not in citizen
