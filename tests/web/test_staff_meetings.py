"""The meeting on the staff side [issue 5] [SIP.md 3.3–3.4]: the coordinator reads the preparation, sets the
meeting, invites only those the consent covers, and follows the answers; an invited unit answers.

Private things are checked on the HTML: the list "inte prata om" and the child's answers are for the
coordinator only. The clock is frozen where working days count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import (
    AgendaList,
    AuditEntry,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    PrincipalKind,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import consent, meetings, preparation
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Sweden
PROBLEM = "Det finns ett problem"
PRIVATE = "Pappas sjukdom"
PRIVATE_HEADING = "Det här vill personen inte prata om"
CHILD_SECRET = "Jag är rädd för matten"


@pytest.fixture
def sip(app):
    with freeze_time(NOW):
        social = factories.unit("Socialtjänsten Norr")
        school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
        bup = factories.unit("BUP Norr", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        kim.phone = "010-111 22 33"
        teacher = factories.staff(school, StaffRole.MEMBER, name="Li Lärare")
        doctor = factories.staff(bup, StaffRole.COORDINATOR, name="Bo Läkare")
        anna = factories.person("Anna Lind", age=45)
        case = factories.case(anna, social, kim, step=Step.CONSENT)
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        bup_party = factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        consent.give(anna, case, [social.public_id, school.public_id], ["social", "school"], date(2027, 6, 1))
        preparation.save_answer(anna, case, "important", "Att jag får bo kvar hemma")
        preparation.add_item(anna, case, AgendaList.TALK_ABOUT, "Skolan för min son")
        first = preparation.add_item(anna, case, AgendaList.TALK_ABOUT, "Pengar till hyran")
        preparation.mark_most_important(anna, case, first.public_id, True)
        preparation.add_item(anna, case, AgendaList.NOT_TALK_ABOUT, PRIVATE)
        guest = preparation.add_guest(anna, case, "Bengt Lind", "070-123 45 67", support_person=False)
        db.session.commit()
        return {
            "case": case,
            "anna": anna,
            "kim": kim,
            "teacher": teacher,
            "doctor": doctor,
            "school": school,
            "school_party": school_party,
            "bup_party": bup_party,
            "guest": guest,
        }


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(response) -> str:
    return " ".join(BeautifulSoup(_html(response), "html.parser").get_text(" ").split())


def _post(client, url: str, data: dict):
    token = client.csrf_token("/om-min-sip")
    return client.post(url, data={"csrf_token": token, **data})


def _meeting_url(sip, rest=""):
    return f"/personal/sip/{sip['case'].public_id}/motet{rest}"


def _set_meeting(client, sip, **changes):
    data = {
        "date": "2026-11-30",
        "time": "13:30",
        "length": "90",
        "mode": "in_person",
        "place": "Storgatan 1",
    }
    return _post(client, _meeting_url(sip, "/tid"), {**data, **changes})


def _invitations():
    return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def _lix_ok(response, limit=35):
    readability = measure(main_text_blocks(_html(response)))
    assert readability.lix <= limit, f"LIX {readability.lix:.1f} ({readability})"


# --- The coordinator reads the preparation ------------------------------------------------------------------


@freeze_time(NOW)
def test_the_coordinator_sees_the_preparation_with_the_private_list_marked_as_hers_only(client, sip):
    client.sign_in_as(sip["kim"])
    response = client.get(_meeting_url(sip))
    assert response.status_code == 200
    text = _text(response)
    assert "Att jag får bo kvar hemma" in text
    assert PRIVATE_HEADING in text and PRIVATE in text
    assert "Bara du som är samordnare ser det här" in text
    assert "Bengt Lind (närstående), 070-123 45 67" in text
    agenda = [
        li.get_text(" ", strip=True)
        for li in BeautifulSoup(_html(response), "html.parser").select("ol.meeting-agenda li")
    ]
    assert agenda[0].startswith("Skolan för min son") and "Viktigast" in agenda[1]
    _lix_ok(response)


@freeze_time(NOW)
def test_staff_of_a_unit_taking_part_never_see_the_private_list(client, sip):
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["school_party"].public_id]})
    client.sign_in_as(sip["teacher"])
    for url in (_meeting_url(sip), f"/personal/inbjudningar/{_invitations()[0].public_id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = _html(response)
        assert PRIVATE not in html and PRIVATE_HEADING not in html
        assert "Att jag får bo kvar hemma" not in html  # the person's own answers are the coordinator's
        assert "Pengar till hyran" in html  # the agenda is in the invitation
    # Setting the meeting and inviting are the coordinator's only.
    assert client.get(_meeting_url(sip, "/tid")).status_code == 404
    assert client.get(_meeting_url(sip, "/bjud-in")).status_code == 404


def test_the_childs_answers_are_for_the_coordinator_only(client, app):
    with freeze_time(NOW):
        social = factories.unit("Socialtjänsten Syd")
        school = factories.unit("Björkskolan", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        teacher = factories.staff(school, StaffRole.MEMBER, name="Li Lärare")
        elsa = factories.child("Elsa Berg", age=14)
        maria = factories.guardian_of(elsa, name="Maria Berg")
        case = factories.case(elsa, social, kim, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        consent.give(maria, case, [social.public_id, school.public_id], ["school"], date(2027, 6, 1))
        preparation.save_child_answer(elsa, case, "not_working", CHILD_SECRET, guardians_may_see=False)
        preparation.save_child_answer(elsa, case, "attend", "", guardians_may_see=True, choice="part")
        db.session.commit()
        client.sign_in_as(kim)
        text = _text(client.get(f"/personal/sip/{case.public_id}/motet"))
        assert CHILD_SECRET in text and "En del av mötet" in text
        assert "Barnet vill inte att föräldrarna ser det här" in text
        client.sign_in_as(teacher)
        html = _html(client.get(f"/personal/sip/{case.public_id}/motet"))
        assert CHILD_SECRET not in html and "Barnets egna svar" not in html


# --- Setting the meeting ------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_the_coordinator_sets_the_meeting_in_swedish_time(client, sip):
    client.sign_in_as(sip["kim"])
    assert client.get(_meeting_url(sip, "/tid")).status_code == 200
    response = _set_meeting(client, sip, interpreter_language="arabiska", interpreter_booked="yes")
    assert response.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert meeting.starts_at == datetime(2026, 11, 30, 12, 30, tzinfo=UTC)  # 13:30 in Stockholm (winter)
    assert meeting.length_minutes == 90 and meeting.interpreter_booked
    page = client.get(_meeting_url(sip))
    assert "30 november 2026 kl. 13.30" in _text(page)
    assert "Tolk är bokad" in _text(page)
    # The form shows the saved time again, in Swedish time.
    form = BeautifulSoup(_html(client.get(_meeting_url(sip, "/tid"))), "html.parser")
    assert form.find(id="time")["value"] == "13:30"


@freeze_time(NOW)
def test_a_meeting_with_bad_answers_is_not_saved(client, sip):
    client.sign_in_as(sip["kim"])
    response = _set_meeting(client, sip, date="30/11", length="5", mode="video", video_link="http://x")
    assert response.status_code == 422
    summary = BeautifulSoup(_html(response), "html.parser").select(".error-summary a")
    assert [a["href"] for a in summary] == ["#date", "#length", "#video_link"]
    assert "år-månad-dag" in summary[0].get_text()
    assert db.session.scalar(select(func.count(Meeting.id))) == 0
    _lix_ok(response)
    past = _set_meeting(client, sip, date="2026-11-20")
    assert past.status_code == 422 and "Mötet måste vara efter nu" in _text(past)


@freeze_time(NOW)
def test_changing_the_meeting_tells_those_invited(client, sip):
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["school_party"].public_id]})
    school_coordinator = factories.staff(sip["school"], StaffRole.COORDINATOR, name="Rektor")
    db.session.commit()
    assert _set_meeting(client, sip, time="15:00").status_code == 303
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_person_id == sip["anna"].id)
    ).all()
    assert NotificationKind.MEETING_CHANGED in kinds
    assert school_coordinator is not None


# --- Inviting ----------------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_the_coordinator_sets_the_meeting_and_invites_the_school_the_schools_staff_answer_who_comes(
    client, sip
):
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    page = client.get(_meeting_url(sip, "/bjud-in"))
    labels = [
        label.get_text(" ", strip=True)
        for label in BeautifulSoup(_html(page), "html.parser").select(".checkboxes label")
    ]
    assert labels == ["Ekskolan", "Bengt Lind (närstående)"]  # BUP is not covered by the consent
    _lix_ok(page)
    response = _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["school_party"].public_id]})
    assert response.status_code == 303
    (invitation,) = _invitations()
    assert invitation.status == InvitationStatus.SENT
    assert db.session.get(type(sip["case"]), sip["case"].id).step == Step.INVITED

    client.sign_in_as(sip["teacher"])
    listing = client.get("/personal/inbjudningar")
    assert "Möte för Anna Lind" in _text(listing)
    _lix_ok(listing)
    url = f"/personal/inbjudningar/{invitation.public_id}"
    shown = client.get(url)
    assert "Storgatan 1" in _text(shown) and "Kim Samordnare" in _text(shown)
    _lix_ok(shown)
    missing = _post(client, url, {"status": "accepted", "who_comes": ""})
    assert missing.status_code == 422 and PROBLEM in _html(missing)
    no_replacement = _post(client, url, {"status": "declined"})
    assert no_replacement.status_code == 422
    assert 'href="#replacement"' in _html(no_replacement)
    assert _post(client, url, {"status": "accepted", "who_comes": "Li Lärare, mentor"}).status_code == 303
    db.session.refresh(invitation)
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.who_comes == "Li Lärare, mentor"

    client.sign_in_as(sip["kim"])
    overview = _text(client.get(_meeting_url(sip)))
    assert "Ekskolan Kommer" in overview and "Kommer: Li Lärare, mentor" in overview


@freeze_time(NOW)
def test_a_unit_reading_its_invitation_is_in_the_audit_log(client, sip):
    """The invitation page shows what the SIP is about: a staff read, written down like any other."""
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["school_party"].public_id]})
    (invitation,) = _invitations()
    client.sign_in_as(sip["teacher"])
    assert client.get(f"/personal/inbjudningar/{invitation.public_id}").status_code == 200
    reads = db.session.execute(
        select(AuditEntry.actor_staff_id, AuditEntry.case_id, AuditEntry.detail).where(
            AuditEntry.action == "invitation.read"
        )
    ).all()
    assert reads == [(sip["teacher"].id, sip["case"].id, {"invitation": invitation.public_id})]


@freeze_time(NOW)
def test_no_invitation_to_a_unit_the_consent_does_not_cover(client, sip):
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    response = _post(
        client,
        _meeting_url(sip, "/bjud-in"),
        {"parties": [sip["school_party"].public_id, sip["bup_party"].public_id]},
    )
    assert response.status_code == 422
    assert PROBLEM in _html(response)
    assert "samtycke" in _text(response).lower()
    assert _invitations() == []
    assert db.session.get(type(sip["case"]), sip["case"].id).step == Step.PREPARATION
    nothing = _post(client, _meeting_url(sip, "/bjud-in"), {})
    assert nothing.status_code == 422 and "Välj minst en att bjuda in" in _text(nothing)


@freeze_time(NOW)
def test_a_relative_without_an_account_gets_a_link_the_coordinator_sends_on_shown_once(client, sip):
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    response = _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["guest"].public_id]})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(response)
    assert "Skicka länken till Bengt Lind (070-123 45 67)" in text
    assert "Den här Min SIP kan inte skicka sms eller e-post." in text  # no SMTP or SMS gateway here
    url = BeautifulSoup(_html(response), "html.parser").find(id="link-1")["value"]
    assert url.startswith("http://localhost/inbjudan/")
    _lix_ok(response)
    # The link is shown once: the meeting page and a second send do not show it again.
    assert url not in _html(client.get(_meeting_url(sip)))
    again = _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["guest"].public_id]})
    assert again.status_code == 303
    assert len(_invitations()) == 1


def test_an_answer_after_one_working_day_is_flagged(client, sip):
    with freeze_time(datetime(2026, 11, 27, 9, 0, tzinfo=UTC)):  # a Friday: the answer is due on Monday
        client.sign_in_as(sip["kim"])
        _set_meeting(client, sip, date="2026-12-07")
        sent = _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["school_party"].public_id]})
        assert sent.status_code == 303, _text(sent)
        assert "Ska svara senast 30 nov. 2026, 23:59" in _text(client.get(_meeting_url(sip)))
    with freeze_time(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)):  # Tuesday: one working day has passed
        client.sign_in_as(sip["kim"])
        text = _text(client.get(_meeting_url(sip)))
        assert "Har inte svarat. Svaret skulle ha kommit 30 nov. 2026, 23:59" in text
        client.sign_in_as(sip["teacher"])
        assert "Försenad" in _text(client.get("/personal/inbjudningar"))
        url = f"/personal/inbjudningar/{_invitations()[0].public_id}"
        _post(client, url, {"status": "by_phone", "who_comes": "Li Lärare"})
        client.sign_in_as(sip["kim"])
        assert "Svarade för sent" in _text(client.get(_meeting_url(sip)))


@freeze_time(NOW)
def test_other_units_staff_cannot_open_or_answer_the_schools_invitation(client, sip):
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["school_party"].public_id]})
    (invitation,) = _invitations()
    client.sign_in_as(sip["doctor"])
    assert client.get(f"/personal/inbjudningar/{invitation.public_id}").status_code == 404
    answer = _post(client, f"/personal/inbjudningar/{invitation.public_id}", {"status": "accepted"})
    assert answer.status_code == 404
    assert "Anna Lind" not in _html(client.get("/personal/inbjudningar"))


@freeze_time(NOW)
def test_the_meeting_is_marked_held_as_booked_only_after_it_started(client, sip):
    """Before the booked start, "held" needs the real time it took place [issue 16]."""
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    page = BeautifulSoup(_html(client.get(_meeting_url(sip))), "html.parser")
    assert not page.find("a", string="Mötet är hållet")
    assert page.find("a", string="Mötet har redan varit (tidigare än bokat)")
    early = _post(client, _meeting_url(sip, "/hallet"), {"consent_outcome": "confirmed"})
    assert early.status_code == 422
    assert "Mötet har inte börjat än" in _text(early)
    assert db.session.scalar(select(Meeting.status)) == MeetingStatus.PLANNED
    with freeze_time(datetime(2026, 11, 30, 13, 0, tzinfo=UTC)):
        client.sign_in_as(sip["kim"])
        page = client.get(_meeting_url(sip))
        assert BeautifulSoup(_html(page), "html.parser").find("a", string="Mötet är hållet")
        held = _post(client, _meeting_url(sip, "/hallet"), {"consent_outcome": "confirmed"})
        assert held.status_code == 303
    assert db.session.scalar(select(Meeting.status)) == MeetingStatus.HELD
    assert db.session.get(type(sip["case"]), sip["case"].id).step == Step.MEETING_HELD


@freeze_time(NOW)
def test_the_invitation_service_and_page_agree_on_who_is_invitable(sip):
    """The checkboxes come from meetings.invitable: units the consent names, and the person's guests."""
    names = [p.unit.name if p.unit else p.name for p in meetings.invitable(sip["case"])]
    assert names == ["Ekskolan", "Bengt Lind"]


@freeze_time(NOW)
def test_a_unit_the_consent_no_longer_names_cannot_read_its_invitation(client, sip):
    client.sign_in_as(sip["kim"])
    _set_meeting(client, sip)
    _post(client, _meeting_url(sip, "/bjud-in"), {"parties": [sip["school_party"].public_id]})
    (invitation,) = _invitations()
    social = db.session.get(type(sip["school"]), sip["case"].owning_unit_id)
    consent.give(sip["anna"], sip["case"], [social.public_id], ["social"], date(2027, 6, 1))
    db.session.commit()
    client.sign_in_as(sip["teacher"])
    assert client.get(f"/personal/inbjudningar/{invitation.public_id}").status_code == 404
    assert "Pengar till hyran" not in _html(client.get("/personal/inbjudningar"))


@freeze_time(NOW)
def test_the_case_page_and_the_start_page_lead_to_the_meeting_and_the_invitations(client, sip):
    client.sign_in_as(sip["kim"])
    case_page = BeautifulSoup(_html(client.get(f"/personal/sip/{sip['case'].public_id}")), "html.parser")
    assert case_page.find("a", href=_meeting_url(sip))
    client.sign_in_as(sip["teacher"])
    start = BeautifulSoup(_html(client.get("/personal/")), "html.parser")
    assert start.find("a", href="/personal/inbjudningar")


def test_the_coordinator_gives_a_child_a_code_that_opens_the_childs_pages(client, app):
    import re

    social = factories.unit("Socialtjänsten Syd")
    school = factories.unit("Björkskolan", kind=UnitKind.SCHOOL)
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    teacher = factories.staff(school, StaffRole.MEMBER, name="Li Lärare")
    elsa = factories.child("Elsa Berg", age=14)
    factories.guardian_of(elsa, name="Maria Berg")
    case = factories.case(elsa, social, kim, step=Step.PREPARATION)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    db.session.commit()
    client.sign_in_as(teacher)
    assert _post(client, f"/personal/sip/{case.public_id}/barnets-kod", {}).status_code == 404
    client.sign_in_as(kim)
    assert "Ge barnet en kod" in _text(client.get(f"/personal/sip/{case.public_id}/motet"))
    shown = _post(client, f"/personal/sip/{case.public_id}/barnets-kod", {})
    assert shown.status_code == 200 and "no-store" in shown.headers["Cache-Control"]
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", _text(shown)).group(0)
    client.post("/logga-ut", data={"csrf_token": client.csrf_token("/om-min-sip")})
    child_phone = app.test_client()
    opened = child_phone.post(
        "/min-rost", data={"csrf_token": child_phone.csrf_token("/min-rost"), "code": code}
    )
    assert opened.status_code == 303 and f"/min-rost/sip/{case.public_id}" in opened.headers["Location"]


def test_an_adults_coordinator_is_not_offered_a_child_code(client, sip):
    client.sign_in_as(sip["kim"])
    assert "Ge barnet en kod" not in _text(client.get(_meeting_url(sip)))
    assert _post(client, _meeting_url(sip).replace("/motet", "/barnets-kod"), {}).status_code == 303
