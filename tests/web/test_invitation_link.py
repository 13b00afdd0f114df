"""A relative's invitation through their personal link [issue 5]: the link opens one invitation only, expires,
is rate-limited and leaves no secret in the address; the page shows the meeting, never the plan, the consent
or the person's private topics; the calendar file has no names or health details. The person sees who has
answered and the relative's suggestion waiting for them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    AgendaList,
    InvitationStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
    SuggestionStatus,
    UnitKind,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import consent, meetings, preparation
from citizen_app.web import guards
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PRIVATE = "Pappas sjukdom"
ANSWER = "Att jag får bo kvar hemma"
NEEDS = "Anna blir trött efter en timme"
TOPIC = "Skolan för min son"


@pytest.fixture
def invited(app):
    """Anna's SIP with a meeting; her brother Bengt (no account) and the school are invited."""
    with freeze_time(NOW):
        social = factories.unit("Socialtjänsten Norr")
        school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        anna = factories.person("Anna Lind", age=45)
        case = factories.case(anna, social, kim, step=Step.CONSENT)
        school_party = factories.participant(case, ParticipantRole.UNIT, unit_=school)
        consent.give(anna, case, [social.public_id, school.public_id], ["social"], date(2027, 6, 1))
        preparation.save_answer(anna, case, "important", ANSWER)
        preparation.add_item(anna, case, AgendaList.TALK_ABOUT, TOPIC)
        preparation.add_item(anna, case, AgendaList.NOT_TALK_ABOUT, PRIVATE)
        bengt = preparation.add_guest(anna, case, "Bengt Lind", "070-123 45 67", support_person=False)
        meeting = meetings.set_meeting(
            kim,
            case,
            starts_at=NOW + timedelta(days=7, hours=4),
            length_minutes=60,
            mode="in_person",
            place="Storgatan 1, rum 3",
            interpreter_language="arabiska",
            other_needs=NEEDS,
            now=NOW,
        )
        sent = meetings.invite(kim, meeting, [bengt.public_id, school_party.public_id])
        (bengts,) = [s for s in sent if s.link_secret]
        db.session.commit()
        return {
            "case": case,
            "anna": anna,
            "kim": kim,
            "secret": bengts.link_secret,
            "invitation": bengts.invitation,
        }


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(response) -> str:
    return " ".join(BeautifulSoup(_html(response), "html.parser").get_text(" ").split())


def _post(client, url: str, data: dict):
    token = client.csrf_token("/om-min-sip")
    return client.post(url, data={"csrf_token": token, **data})


def _open(client, invited):
    return client.get(f"/inbjudan/{invited['secret']}")


def _lix(response) -> float:
    return measure(main_text_blocks(_html(response))).lix


@freeze_time(NOW)
def test_opening_the_link_keeps_the_id_in_the_session_and_drops_the_secret_from_the_address(client, invited):
    response = _open(client, invited)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/inbjudan")
    with client.session_transaction() as session:
        assert isinstance(session[guards.INVITATION_LINK_KEY], int)
        assert invited["secret"] not in str(dict(session))
    page = client.get("/inbjudan")
    assert page.status_code == 200
    text = _text(page)
    assert "Du är inbjuden till ett möte" in text
    assert "30 november 2026 kl. 14.00" in text  # 13:00 UTC is 14.00 in Sweden
    assert "Storgatan 1, rum 3" in text
    assert "Ekskolan" in text and "Bengt Lind (närstående)" in text
    assert "Kim Samordnare" in text
    assert _lix(page) <= 35


@freeze_time(NOW)
def test_the_relatives_page_shows_no_plan_consent_or_private_topic(client, invited):
    _open(client, invited)
    html = _html(client.get("/inbjudan"))
    for secret_thing in (
        PRIVATE,
        ANSWER,
        NEEDS,
        "arabiska",
        "Samtycke",
        "samtycke",
        "Planen",
        "plan för Anna",
    ):
        assert secret_thing not in html, secret_thing
    # The agenda too, until Anna chooses to share it.
    assert TOPIC not in html
    assert "Personen har inte delat listan med dig" in html
    preparation.set_relatives_see_agenda(invited["anna"], invited["case"], True)
    html = _html(client.get("/inbjudan"))
    assert TOPIC in html and PRIVATE not in html


@freeze_time(NOW)
def test_a_relative_opens_the_link_answers_by_phone_suggests_a_topic_and_the_person_sees_it(client, invited):
    _open(client, invited)
    assert "Lägg in i kalendern" not in _text(client.get("/inbjudan"))
    assert _post(client, "/inbjudan/svar", {"status": "by_phone"}).status_code == 303
    db.session.refresh(invited["invitation"])
    assert invited["invitation"].status == InvitationStatus.BY_PHONE
    page = client.get("/inbjudan")
    assert "Ditt svar: Är med på telefon" in _text(page)
    assert "Lägg in i kalendern" in _text(page)

    empty = _post(client, "/inbjudan/forslag", {"text": "  "})
    assert empty.status_code == 422 and "Det finns ett problem" in _html(empty)
    assert _post(client, "/inbjudan/forslag", {"text": "Annas ekonomi"}).status_code == 303
    assert "Annas ekonomi – Personen har inte svarat än" in _text(client.get("/inbjudan"))

    # Anna is told, sees the suggestion waiting, and who has answered.
    told = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_person_id == invited["anna"].id)
    ).all()
    assert NotificationKind.TOPIC_SUGGESTED in told and NotificationKind.INVITATION_ANSWERED in told
    pending = preparation.agenda(invited["case"], AgendaList.TALK_ABOUT, SuggestionStatus.PENDING)
    assert [item.text for item in pending] == ["Annas ekonomi"]
    person = factories_client(client, invited["anna"])
    mine = person.get(f"/sip/{invited['case'].public_id}/motet")
    assert mine.status_code == 200
    text = _text(mine)
    assert "Bengt Lind (närstående): Är med på telefon" in text
    assert "Ekskolan: Har inte svarat" in text
    assert "Annas ekonomi" in text
    assert _lix(mine) <= 35


def factories_client(client, person):
    """The same test client, now signed in as ``person`` (the relative's session is dropped)."""
    client.sign_in_as(person)
    return client


@freeze_time(NOW)
def test_a_wrong_answer_is_refused(client, invited):
    _open(client, invited)
    response = _post(client, "/inbjudan/svar", {"status": "maybe"})
    assert response.status_code == 422
    assert "Välj ett svar" in _text(response)


@freeze_time(NOW)
def test_the_link_works_only_for_its_invitation_and_expires(client, invited):
    bad = client.get("/inbjudan/" + "x" * 43)
    assert bad.status_code == 404
    assert "Länken eller koden fungerar inte" in _text(bad)
    assert client.get("/inbjudan").status_code == 404  # nothing opened in this session
    _open(client, invited)
    assert client.get("/inbjudan").status_code == 200
    # The link opens the invitation only: not the SIP, its meeting page or the consent.
    case_id = invited["case"].public_id
    for url in (f"/sip/{case_id}", f"/sip/{case_id}/motet", f"/sip/{case_id}/samtycke"):
        response = client.get(url)
        assert response.status_code == 303 and "/logga-in" in response.headers["Location"], url
    # Far past its end the link no longer works, not even in the session that opened it.
    with freeze_time(NOW + timedelta(days=60)):
        assert client.get("/inbjudan").status_code == 404
        assert _open(client, invited).status_code == 404


@freeze_time(NOW)
def test_removing_the_guest_stops_the_link_at_once(client, invited):
    _open(client, invited)
    guest = preparation.guests(invited["case"])[0]
    preparation.remove_guest(invited["anna"], invited["case"], guest.public_id)
    db.session.commit()
    assert client.get("/inbjudan").status_code == 404


def test_opening_links_is_rate_limited(client, invited):
    statuses = [client.get("/inbjudan/" + "y" * 43).status_code for _ in range(20)]
    assert statuses == [404] * 20
    refused = client.get(f"/inbjudan/{invited['secret']}")  # even the right link, from this address
    assert refused.status_code == 429
    assert "Du har försökt för många gånger" in _text(refused)


@freeze_time(NOW)
def test_the_calendar_file_has_no_health_details_or_names(client, invited):
    _open(client, invited)
    assert client.get("/inbjudan/kalender").status_code == 303  # not before saying yes
    _post(client, "/inbjudan/svar", {"status": "accepted"})
    response = client.get("/inbjudan/kalender")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment")
    body = response.get_data(as_text=True)
    assert "SUMMARY:Möte i Min SIP" in body and "LOCATION:Storgatan 1\\, rum 3" in body
    for name in ("Anna", "Bengt", "Lind", "Ekskolan", "Socialtjänsten", "Kim", NEEDS, "arabiska"):
        assert name not in body, name


@freeze_time(NOW)
def test_the_person_downloads_the_calendar_file_and_others_cannot(client, invited):
    client.sign_in_as(invited["anna"])
    response = client.get(f"/sip/{invited['case'].public_id}/motet/kalender")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    stranger = factories.person("Okänd Person")
    db.session.commit()
    client.sign_in_as(stranger)
    assert client.get(f"/sip/{invited['case'].public_id}/motet").status_code == 404
    assert client.get(f"/sip/{invited['case'].public_id}/motet/kalender").status_code == 404
