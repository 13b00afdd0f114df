"""The coordinator's intake on the web [issue 3]: the queue with its deadlines, the case page (audited),
taking a request, forwarding it, changing coordinator, linking a relative's suggestion, starting a SIP.

Each form: the page renders, a wrong answer gives 422 with "Det finns ett problem", a right one 303 and a
change in the database. The clock is frozen where days are counted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CaseEvent,
    CoordinatorAssignment,
    EventKind,
    Initiator,
    Notification,
    NotificationKind,
    ParticipantRole,
    SipCase,
    StaffRole,
    Step,
)
from citizen_app.services import demo, people
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PROBLEM = "Det finns ett problem"


@pytest.fixture
def unit(app):
    return factories.unit("Socialtjänsten Norr")


@pytest.fixture
def kim(unit):
    return factories.staff(unit, StaffRole.COORDINATOR, name="Kim Samordnare")


@pytest.fixture
def alex(unit):
    return factories.staff(unit, StaffRole.COORDINATOR, name="Alex Kollega")


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def _queue_items(html: str) -> list[str]:
    return [_text(li) for li in BeautifulSoup(html, "html.parser").select("ol.queue > li")]


def _queue_names(html: str) -> list[str]:
    return [_text(h2) for h2 in BeautifulSoup(html, "html.parser").select("ol.queue > li h2")]


def _reload(case: SipCase) -> SipCase:
    return db.session.get(SipCase, case.id)


def _current_coordinator_ids(case: SipCase) -> list[int]:
    return [
        a.staff_id for a in db.session.query(CoordinatorAssignment).filter_by(case_id=case.id, ended_at=None)
    ]


# --- the start page and the queue ---------------------------------------------------------------------------


def test_the_start_page_shows_the_units_and_how_many_wait(client, unit, kim):
    factories.case(factories.person("Ada"), unit)
    factories.case(factories.person("Bo"), unit)
    factories.case(factories.person("Klar"), unit, step=Step.CONSENT)
    client.sign_in_as(kim)
    html = _html(client.get("/personal/"))
    assert "Socialtjänsten Norr" in html
    assert 'href="/personal/forfragningar"' in html and "2 väntar" in html
    assert 'href="/personal/ny-sip"' in html


@freeze_time(NOW)
def test_the_queue_puts_urgent_first_then_the_newest_with_the_days_left(client, unit, kim):
    factories.case(factories.person("Gammal Göran"), unit, requested_at=NOW - timedelta(days=20))
    factories.case(factories.person("Ny Nora"), unit, requested_at=NOW - timedelta(days=1))
    factories.case(
        factories.person("Bråttom Britt"), unit, urgent=True, requested_at=NOW - timedelta(days=10)
    )
    factories.case(
        factories.person("Utskriven Ulla"),
        unit,
        requested_at=NOW - timedelta(days=2),
        discharge_date=date(2026, 11, 19),
    )
    factories.case(factories.person("Annan Enhet"), factories.unit(), requested_at=NOW)
    factories.case(factories.person("Redan Tagen"), unit, step=Step.CONSENT)
    client.sign_in_as(kim)

    html = _html(client.get("/personal/forfragningar"))

    assert _queue_names(html) == ["Utskriven Ulla", "Bråttom Britt", "Ny Nora", "Gammal Göran"]
    items = _queue_items(html)
    ulla, britt, nora, goran = items
    # Ready for discharge on 19 November: the invitation was due on the 22nd, one day ago.
    assert "Klar för utskrivning 19 nov. 2026" in ulla and "Försenad 1 dag" in ulla
    assert "Bråttom" in britt and "20 dagar kvar" in britt
    assert "Kom in 22 nov. 2026" in nora and "29 dagar kvar" in nora
    assert "10 dagar kvar" in goran and "Försenad" not in goran and "Bråttom" not in goran


@freeze_time(NOW)
def test_a_request_older_than_30_days_is_flagged_late(client, unit, kim):
    factories.case(factories.person("Sen Sigrid"), unit, requested_at=NOW - timedelta(days=31))
    client.sign_in_as(kim)
    (item,) = _queue_items(_html(client.get("/personal/forfragningar")))
    assert item.startswith("Sen Sigrid Försenad") and "Försenad 1 dag" in item


def test_a_relatives_suggestion_without_a_person_shows_the_suggested_name(client, unit, kim):
    factories_case = SipCase(
        subject_id=None,
        owning_unit_id=unit.id,
        step=Step.REQUESTED,
        initiated_by=Initiator.RELATIVE,
        awaiting_person_agreement=True,
        details={"close_name": "Sven Bror", "close_contact": "070-111 22 33"},
    )
    db.session.add(factories_case)
    client.sign_in_as(kim)
    (item,) = _queue_items(_html(client.get("/personal/forfragningar")))
    assert "Förslag från närstående: Sven Bror" in item


def test_staff_of_another_unit_see_an_empty_queue_and_no_case(client, unit):
    case = factories.case(factories.person("Ada"), unit)
    stranger = factories.staff(factories.unit("Psykiatrin Syd"), StaffRole.COORDINATOR)
    client.sign_in_as(stranger)
    assert "Inga förfrågningar väntar" in _html(client.get("/personal/forfragningar"))
    assert client.get(f"/personal/sip/{case.public_id}").status_code == 404
    assert client.get(f"/personal/sip/{case.public_id}/ta-emot").status_code == 404
    assert db.session.query(AuditEntry).count() == 0


def test_a_citizen_is_refused_every_staff_page(client, unit):
    person = factories.person("Ada")
    case = factories.case(person, unit)
    client.sign_in_as(person)
    for path in (
        "/personal/",
        "/personal/forfragningar",
        f"/personal/sip/{case.public_id}",
        f"/personal/sip/{case.public_id}/skicka-vidare",
        "/personal/ny-sip",
    ):
        assert client.get(path).status_code == 403, path


def test_the_queue_and_the_case_page_stay_within_eight_queries(client, unit, kim, alex, count_queries):
    cases = [factories.case(factories.person(f"Person {n}"), unit) for n in range(20)]
    busy = cases[0]
    db.session.add(CoordinatorAssignment(case_id=busy.id, staff_id=kim.id, ended_at=datetime.now(UTC)))
    db.session.add(CoordinatorAssignment(case_id=busy.id, staff_id=alex.id))
    for kind in (EventKind.REQUESTED, EventKind.ACCEPTED, EventKind.COORDINATOR_CHANGED):
        db.session.add(CaseEvent(case_id=busy.id, kind=kind, data={"coordinator": "Alex Kollega"}))
    factories.participant(busy, ParticipantRole.UNIT, unit_=factories.unit("Vårdcentralen"))
    case_url = f"/personal/sip/{busy.public_id}"
    client.sign_in_as(kim)
    db.session.commit()

    with count_queries() as queue_page:
        response = client.get("/personal/forfragningar")
    assert response.status_code == 200 and len(_queue_items(_html(response))) == 20
    assert queue_page.count <= 8, queue_page.statements

    with count_queries() as case_page:
        html = _html(client.get(case_url))
    assert "Vårdcentralen" in html and "Alla samordnare" in html
    assert case_page.count <= 8, case_page.statements

    pages = ("/personal/", "/personal/ny-sip") + tuple(
        f"{case_url}/{action}" for action in ("ta-emot", "skicka-vidare", "byt-samordnare")
    )
    for path in pages:
        with count_queries() as page:
            assert client.get(path).status_code == 200
        assert page.count <= 8, (path, page.statements)


def test_the_queue_shows_25_a_page_within_eight_queries_with_500_requests(client, unit, kim, count_queries):
    """Like "Mina SIP:ar": 25 a page, the urgent ones first on page 1, links to the other pages [issue 17]."""
    for n in range(500):
        factories.case(factories.person(f"Person {n}"), unit, urgent=n == 499)
    client.sign_in_as(kim)
    db.session.commit()

    for url in ("/personal/forfragningar", "/personal/forfragningar?sida=20"):
        with count_queries() as page:
            response = client.get(url)
        assert response.status_code == 200
        assert len(_queue_items(_html(response))) == 25, url
        assert page.count <= 8, (url, page.count, page.statements)
    first = _html(client.get("/personal/forfragningar"))
    assert _queue_names(first)[0] == "Person 499"  # urgent first
    assert "500 förfrågningar väntar" in first and "Sida 1 av 20" in first
    assert 'href="/personal/forfragningar?sida=2"' in first
    last = _html(client.get("/personal/forfragningar?sida=99"))  # past the end: the last page
    assert "Sida 20 av 20" in last and len(_queue_items(last)) == 25


# --- the case page ------------------------------------------------------------------------------------------


def test_opening_the_case_writes_a_read_to_the_audit_log(client, unit, kim):
    case = factories.case(factories.person("Ada"), unit)
    client.sign_in_as(kim)
    assert client.get(f"/personal/sip/{case.public_id}").status_code == 200
    entry = db.session.query(AuditEntry).one()
    assert (entry.action, entry.actor_staff_id, entry.case_id) == ("case.read", kim.id, case.id)


def test_the_case_page_shows_the_request_and_its_answers(client, unit, kim):
    case = factories.case(
        factories.person("Ada Andersson"),
        unit,
        need_description="Hjälp med skola och BUP.",
        details={
            "contact_way": "phone",
            "phone": "070-123 45 67",
            "interpreter": True,
            "interpreter_language": "arabiska",
            "adaptations": "Möte på förmiddagen.",
            "other_services": "Fritids",
            "dont_know": False,
        },
    )
    factories.participant(case, ParticipantRole.UNIT, unit_=factories.unit("BUP Centrum"))
    db.session.add(CaseEvent(case_id=case.id, kind=EventKind.REQUESTED, step=Step.REQUESTED))
    client.sign_in_as(kim)
    html = _text(BeautifulSoup(_html(client.get(f"/personal/sip/{case.public_id}")), "html.parser"))
    for text in (
        "SIP för Ada Andersson",
        "Hjälp med skola och BUP.",
        "Telefon: 070-123 45 67",
        "Ja, språk: arabiska",
        "Möte på förmiddagen.",
        "BUP Centrum",
        "Annat: Fritids",
        "Förfrågan kom in.",
        "Första mötet inom 30 dagar",
        "Ingen samordnare än.",
    ):
        assert text in html, text


# --- accepting ----------------------------------------------------------------------------------------------


def test_accepting_makes_me_the_coordinator(client, unit, kim):
    person = factories.person("Ada")
    case = factories.case(person, unit)
    client.sign_in_as(kim)
    assert "Ta emot och bli samordnare" in _html(client.get(f"/personal/sip/{case.public_id}"))
    token = client.csrf_token("/personal/")

    response = client.post(
        f"/personal/sip/{case.public_id}/ta-emot", data={"csrf_token": token, "coordinator": "me"}
    )

    assert response.status_code == 303 and response.headers["Location"] == f"/personal/sip/{case.public_id}"
    assert _reload(case).step == Step.CONSENT and _current_coordinator_ids(case) == [kim.id]
    assert (
        db.session.query(Notification)
        .filter_by(recipient_person_id=person.id, kind=NotificationKind.REQUEST_ACCEPTED)
        .count()
        == 1
    )
    html = _html(client.get(response.headers["Location"]))
    assert "Förfrågan är mottagen." in html and "Kim Samordnare" in html
    assert "Ta emot och bli samordnare" not in html


def test_a_double_clicked_accept_shows_the_first_clicks_result(client, unit, kim):
    person = factories.person("Ada")
    case = factories.case(person, unit)
    client.sign_in_as(kim)
    token = client.csrf_token("/personal/")
    url = f"/personal/sip/{case.public_id}/ta-emot"
    first = client.post(url, data={"csrf_token": token, "coordinator": "me"})
    second = client.post(url, data={"csrf_token": token, "coordinator": "me"})
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert "Förfrågan var redan mottagen." in _html(client.get(second.headers["Location"]))
    assert _current_coordinator_ids(case) == [kim.id]
    assert (
        db.session.query(Notification)
        .filter_by(recipient_person_id=person.id, kind=NotificationKind.REQUEST_ACCEPTED)
        .count()
        == 1
    )


def test_accepting_for_a_colleague(client, unit, kim, alex):
    member = factories.staff(unit, StaffRole.MEMBER, name="Mo Medarbetare")
    case = factories.case(factories.person("Ada"), unit)
    client.sign_in_as(kim)
    url = f"/personal/sip/{case.public_id}/ta-emot"
    page = _html(client.get(url))
    assert "Alex Kollega" in page and "Mo Medarbetare" not in page
    token = client.csrf_token("/personal/")

    nothing = client.post(url, data={"csrf_token": token})
    assert nothing.status_code == 422 and PROBLEM in _html(nothing) and "<title>Fel:" in _html(nothing)
    not_a_coordinator = client.post(url, data={"csrf_token": token, "coordinator": member.public_id})
    assert not_a_coordinator.status_code == 422 and "Välj en samordnare i enheten" in _html(not_a_coordinator)
    assert _reload(case).step == Step.REQUESTED and _current_coordinator_ids(case) == []

    response = client.post(url, data={"csrf_token": token, "coordinator": alex.public_id})
    assert response.status_code == 303
    assert _current_coordinator_ids(case) == [alex.id]


# --- forwarding ---------------------------------------------------------------------------------------------


def test_forwarding_needs_a_unit_and_a_reason_then_the_request_leaves_the_queue(client, unit, kim):
    person = factories.person("Ada Andersson")
    case = factories.case(person, unit)
    target = factories.unit("Psykiatrin Syd")
    client.sign_in_as(kim)
    url = f"/personal/sip/{case.public_id}/skicka-vidare"
    assert "Psykiatrin Syd" in _html(client.get(url))
    token = client.csrf_token("/personal/")

    invalid = client.post(url, data={"csrf_token": token, "unit": target.public_id, "reason": "  "})
    assert invalid.status_code == 422
    assert PROBLEM in _html(invalid) and "Skriv varför förfrågan skickas vidare" in _html(invalid)
    assert _reload(case).owning_unit_id == unit.id

    response = client.post(
        url, data={"csrf_token": token, "unit": target.public_id, "reason": "Psykiatrin har hand om det här."}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/personal/forfragningar"
    assert _reload(case).owning_unit_id == target.id
    event = db.session.query(CaseEvent).filter_by(case_id=case.id, kind=EventKind.FORWARDED).one()
    assert event.data["reason"] == "Psykiatrin har hand om det här."
    assert "Ada Andersson" not in _html(client.get("/personal/forfragningar"))
    assert client.get(f"/personal/sip/{case.public_id}").status_code == 404


def test_forwarding_without_choosing_a_unit_names_both_problems(client, unit, kim):
    case = factories.case(factories.person("Ada"), unit)
    client.sign_in_as(kim)
    token = client.csrf_token("/personal/")
    response = client.post(f"/personal/sip/{case.public_id}/skicka-vidare", data={"csrf_token": token})
    html = _html(response)
    assert response.status_code == 422
    assert 'href="#unit"' in html and 'href="#reason"' in html


# --- changing coordinator -----------------------------------------------------------------------------------


def test_changing_coordinator_keeps_the_history(client, unit, kim, alex):
    case = factories.case(factories.person("Ada"), unit, coordinator=kim, step=Step.CONSENT)
    client.sign_in_as(kim)
    url = f"/personal/sip/{case.public_id}/byt-samordnare"
    assert "Byt samordnare" in _html(client.get(f"/personal/sip/{case.public_id}"))
    assert "Alex Kollega" in _html(client.get(url))
    token = client.csrf_token("/personal/")

    invalid = client.post(url, data={"csrf_token": token})
    assert invalid.status_code == 422 and PROBLEM in _html(invalid)
    assert _current_coordinator_ids(case) == [kim.id]

    response = client.post(url, data={"csrf_token": token, "coordinator": alex.public_id})
    assert response.status_code == 303
    history = (
        db.session.query(CoordinatorAssignment).filter_by(case_id=case.id).order_by(CoordinatorAssignment.id)
    )
    assert [(a.staff_id, a.ended_at is None) for a in history] == [(kim.id, False), (alex.id, True)]
    html = _html(client.get(f"/personal/sip/{case.public_id}"))
    assert "Alla samordnare" in html and "Kim Samordnare" in html and "Alex Kollega" in html


def test_a_case_without_coordinator_has_nothing_to_change(client, unit, kim):
    case = factories.case(factories.person("Ada"), unit)
    client.sign_in_as(kim)
    assert "Byt samordnare" not in _html(client.get(f"/personal/sip/{case.public_id}"))
    assert client.get(f"/personal/sip/{case.public_id}/byt-samordnare").status_code == 404


# --- a relative's suggestion --------------------------------------------------------------------------------


@pytest.fixture
def suggestion(unit):
    case = SipCase(
        subject_id=None,
        owning_unit_id=unit.id,
        step=Step.REQUESTED,
        initiated_by=Initiator.RELATIVE,
        awaiting_person_agreement=True,
        details={"close_name": "Sven Bror", "close_contact": "070-111 22 33"},
    )
    db.session.add(case)
    db.session.flush()
    return case


def test_linking_the_person_of_a_relatives_suggestion(client, kim, suggestion):
    client.sign_in_as(kim)
    page = _text(BeautifulSoup(_html(client.get(f"/personal/sip/{suggestion.public_id}")), "html.parser"))
    assert "Förslag om SIP för Sven Bror" in page and "070-111 22 33" in page
    assert "Koppla förslaget till en person" in page and "Ta emot och bli samordnare" not in page
    url = f"/personal/sip/{suggestion.public_id}/koppla-person"
    assert 'value="Sven Bror"' in _html(client.get(url))
    token = client.csrf_token("/personal/")

    invalid = client.post(url, data={"csrf_token": token, "identity_number": "1912", "name": "Sven B. Bror"})
    assert invalid.status_code == 422 and PROBLEM in _html(invalid)
    assert 'value="Sven B. Bror"' in _html(invalid) and 'value="1912"' in _html(invalid)  # what was typed
    assert "Skriv ett giltigt personnummer, 12 siffror" in _html(invalid)
    assert _reload(suggestion).subject_id is None

    number = demo.test_identity_number(date(1950, 3, 3), 987)
    response = client.post(url, data={"csrf_token": token, "identity_number": number, "name": "Sven Bror"})
    assert response.status_code == 303
    person = people.find_person_by_identity(number)
    assert person is not None and _reload(suggestion).subject_id == person.id
    assert (
        db.session.query(Notification)
        .filter_by(recipient_person_id=person.id, kind=NotificationKind.SUGGESTION_TO_ANSWER)
        .count()
        == 1
    )
    # Until the person says yes, nobody can take the request.
    html = _html(client.get(f"/personal/sip/{suggestion.public_id}"))
    assert "Personen har inte sagt ja än." in html and "Ta emot och bli samordnare" not in html


# --- a SIP started by staff ---------------------------------------------------------------------------------


def test_staff_start_a_sip_that_the_person_then_sees(client, unit, kim):
    unit.is_fixed_care_contact = True  # a discharge SIP is coordinated by a fast vårdkontakt [VM]
    db.session.commit()
    client.sign_in_as(kim)
    assert client.get("/personal/ny-sip").status_code == 200
    token = client.csrf_token("/personal/")
    number = demo.test_identity_number(date(1944, 5, 6), 983)
    answers = {
        "csrf_token": token,
        "identity_number": number,
        "name": "Karl Karlsson",
        "need": "Hjälp hemma efter sjukhuset.",
        "discharge_date": (date.today() + timedelta(days=2)).isoformat(),
        "urgent": "yes",
        "unit": unit.public_id,
    }

    invalid = client.post("/personal/ny-sip", data={**answers, "identity_number": "19440506-0000"})
    assert invalid.status_code == 422 and PROBLEM in _html(invalid)
    assert 'href="#identity_number"' in _html(invalid) and 'value="Karl Karlsson"' in _html(invalid)
    bad_date = client.post("/personal/ny-sip", data={**answers, "discharge_date": "i morgon"})
    assert bad_date.status_code == 422 and 'href="#discharge_date"' in _html(bad_date)
    assert db.session.query(SipCase).count() == 0

    response = client.post("/personal/ny-sip", data=answers)
    assert response.status_code == 303
    case = db.session.query(SipCase).one()
    assert response.headers["Location"] == f"/personal/sip/{case.public_id}"
    assert case.initiated_by == Initiator.STAFF and case.urgent and case.step == Step.CONSENT
    assert _current_coordinator_ids(case) == [kim.id]

    karl = people.find_person_by_identity(number)
    client.sign_in_as(karl)
    assert f'href="/sip/{case.public_id}"' in _html(client.get("/"))


def test_start_a_sip_lists_every_missing_answer(client, unit, kim):
    client.sign_in_as(kim)
    token = client.csrf_token("/personal/")
    response = client.post("/personal/ny-sip", data={"csrf_token": token})
    html = _html(response)
    assert response.status_code == 422
    for field in ("identity_number", "need", "unit", "urgent"):
        assert f'href="#{field}"' in html, field


def test_every_staff_member_may_start_a_sip(client, unit):
    """Not only coordinators: whoever notices the need [DA 1, 4.1] (tests/web/test_staff_start_sip.py)."""
    member = factories.staff(unit, StaffRole.MEMBER)
    client.sign_in_as(member)
    assert client.get("/personal/ny-sip").status_code == 200
    assert 'href="/personal/ny-sip"' in _html(client.get("/personal/"))


def test_oversized_or_odd_input_gets_a_clear_message(client, unit, kim):
    case = factories.case(factories.person("Ada"), unit)
    target = factories.unit("Psykiatrin Syd")
    client.sign_in_as(kim)
    token = client.csrf_token("/personal/")
    long_reason = client.post(
        f"/personal/sip/{case.public_id}/skicka-vidare",
        data={"csrf_token": token, "unit": target.public_id, "reason": "å" * 5000},
    )
    assert long_reason.status_code == 422 and "Skriv högst 1000 tecken" in _html(long_reason)
    odd = client.post(
        "/personal/ny-sip",
        data={
            "csrf_token": token,
            "identity_number": "1" * 500,
            "name": "N\x00" * 300,
            "need": "x" * 3000,
            "discharge_date": "2026-02-30",
            "urgent": "kanske",
        },
    )
    html = _html(odd)
    assert odd.status_code == 422
    for message in (
        "Skriv ett giltigt personnummer, 12 siffror",
        "Namnet får vara högst 200 tecken",
        "Skriv högst 2000 tecken",
        "Skriv datumet som år-månad-dag",
        "Välj om det är bråttom",
    ):
        assert message in html, message
    assert _reload(case).owning_unit_id == unit.id and db.session.query(SipCase).count() == 1
