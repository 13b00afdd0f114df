"""The workbench on the staff start page (issue 16), through the web: the lists, the GET filter without
JavaScript, the page links, the empty and "no match" states, and at most 8 queries with 500 SIPs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    CoordinationMove,
    Invitation,
    Meeting,
    MeetingMode,
    ParticipantRole,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
)
from tests.support import factories

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STEPS = [Step.REQUESTED, Step.CONSENT, Step.PREPARATION, Step.INVITED, Step.MEETING_HELD, Step.PLAN_APPROVED]


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def unit(app):
    return factories.unit("Socialtjänsten Norr")


@pytest.fixture
def kim(unit):
    return factories.staff(unit, StaffRole.COORDINATOR, "Kim Samordnare")


def _soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _rows(soup) -> list[str]:
    return [" ".join(li.get_text(" ", strip=True).split()) for li in soup.select("#mina-sipar ~ ol > li")]


def test_the_start_page_lists_my_sips_with_a_link_to_each(client, unit, kim):
    case = factories.case(
        factories.person("Anna Lind"), unit, kim, Step.CONSENT, requested_at=NOW - timedelta(days=2)
    )
    client.sign_in_as(kim)
    soup = _soup(client.get("/personal/"))
    (row,) = _rows(soup)
    assert (
        row.startswith("Anna Lind")
        and "Väntar på samtycke" in row
        and "Möte senast 29 dec. – 28 dagar kvar" in row
    )
    assert soup.select_one("#mina-sipar ~ ol a")["href"] == f"/personal/sip/{case.public_id}"


def test_the_filter_is_a_get_form_that_works_without_javascript(client, unit, kim):
    factories.case(factories.person("Anna Lind"), unit, kim, Step.CONSENT)
    factories.case(factories.person("Bo Berg"), unit, kim, Step.INVITED)
    client.sign_in_as(kim)
    soup = _soup(client.get("/personal/"))
    form = soup.select_one("form.workbench__filter")
    assert form["method"] == "get" and form["action"] == "/personal/"
    assert soup.select_one("label[for=steg]") and soup.select_one("label[for=namn]")
    assert [r.split(" ")[0] for r in _rows(_soup(client.get("/personal/?steg=invited")))] == ["Bo"]
    soup = _soup(client.get("/personal/?namn=lind"))
    assert [r.split(" ")[0] for r in _rows(soup)] == ["Anna"] and soup.select_one("#namn")["value"] == "lind"
    nothing = _soup(client.get("/personal/?namn=zzz"))
    assert "Ingen av dina SIP:ar passar det du valde." in nothing.get_text()
    assert _soup(client.get("/personal/?steg=nonsense&sida=x")).select("#mina-sipar ~ ol > li")


def test_page_links_say_which_page_and_keep_the_filter(client, unit, kim):
    for n in range(30):
        factories.case(factories.person(f"Person {n:02}"), unit, kim, Step.CONSENT)
    client.sign_in_as(kim)
    soup = _soup(client.get("/personal/?steg=consent&sida=2"))
    assert len(_rows(soup)) == 5 and "Sida 2 av 2" in soup.get_text()
    assert soup.title.get_text().startswith("Personal (sida 2)")
    links = [a["href"] for a in soup.select("nav.pager a")]
    assert "/personal/?steg=consent&sida=1" in links


def test_a_staff_member_who_coordinates_nothing_gets_a_clear_page(client, unit):
    member = factories.staff(unit, StaffRole.MEMBER, "Medarbetare Mo")
    client.sign_in_as(member)
    text = _soup(client.get("/personal/")).get_text(" ")
    assert "Du är inte samordnare. Därför har du ingen kö med förfrågningar." in text
    assert "Du är inte samordnare för någon SIP." in text
    assert "SIP:ar som er enhet är med i" not in text


def test_the_start_page_links_to_our_actions_for_everyone(client, unit, kim):
    """Våra åtgärder was reachable only by typing its address. (The proposals to take over are linked when
    one waits: see the test further down.)"""
    member = factories.staff(unit, StaffRole.MEMBER, "Medarbetare Mo")
    client.sign_in_as(member)
    links = {a.get_text(strip=True): a["href"] for a in _soup(client.get("/personal/")).select("main a")}
    assert links["Våra åtgärder"] == "/personal/atgarder"
    assert "Förslag att ta över samordning" not in links
    client.sign_in_as(kim)
    links = {a.get_text(strip=True): a["href"] for a in _soup(client.get("/personal/")).select("main a")}
    assert links["Våra åtgärder"] == "/personal/atgarder"
    assert "Förslag att ta över samordning" not in links, "no proposal waits for Kim's unit"


def test_a_coordinator_with_no_sips_is_told_so(client, unit, kim):
    client.sign_in_as(kim)
    assert "Du har inga öppna SIP:ar just nu." in _soup(client.get("/personal/")).get_text(" ")


def test_a_taking_part_unit_sees_the_sips_its_consent_covers(client, unit, kim):
    school = factories.unit("Björkskolan")
    teacher = factories.staff(school, StaffRole.MEMBER, "Lärare Lo")
    ada = factories.person("Ada Ek")
    covered = factories.case(ada, unit, kim, Step.PREPARATION)
    factories.participant(covered, ParticipantRole.UNIT, unit_=school)
    db.session.add(_consent(covered, ada, unit, school))
    hidden = factories.case(factories.person("Dold Doris"), unit, kim, Step.CONSENT)
    factories.participant(hidden, ParticipantRole.UNIT, unit_=school)
    client.sign_in_as(teacher)
    soup = _soup(client.get("/personal/"))
    listed = [a.get_text(strip=True) for a in soup.select("#enhetens-sipar ~ ol a")]
    assert listed == ["Ada Ek"]


def _consent(case, person, *units) -> ConsentEvent:
    return ConsentEvent(
        case_id=case.id,
        kind=ConsentEventKind.GIVEN,
        consenter_id=person.id,
        method=ConsentMethod.DIGITAL,
        unit_ids=[u.public_id for u in units],
        categories=["social"],
        valid_from=date(2026, 11, 1),
        valid_until=date(2027, 6, 1),
    )


def _many_sips(unit, kim, count: int) -> None:
    """``count`` SIPs in every step; children with two guardians; invitations; a unit taking part."""
    school = factories.unit("Skolan")
    for n in range(count):
        step = STEPS[n % len(STEPS)]
        subject = factories.child(f"Barn {n:03}") if n % 2 == 1 else factories.person(f"Vuxen {n:03}")
        if n % 2 == 1:
            factories.guardian_of(subject, name=f"Förälder {n}")
        case = factories.case(subject, unit, kim, step, requested_at=NOW - timedelta(days=n % 45))
        if step == Step.INVITED:
            part = factories.participant(case, ParticipantRole.UNIT, unit_=school)
            meeting = Meeting(case_id=case.id, starts_at=NOW + timedelta(days=3), mode=MeetingMode.IN_PERSON)
            db.session.add(meeting)
            db.session.flush()
            db.session.add(Invitation(meeting_id=meeting.id, participant_id=part.id))
    db.session.flush()


def test_the_start_page_stays_within_eight_queries_with_500_sips(client, unit, kim, count_queries):
    _many_sips(unit, kim, 500)
    client.sign_in_as(kim)
    db.session.commit()
    assert db.session.query(SipCase).count() == 500
    for path in (
        "/personal/",
        "/personal/?sida=7",
        "/personal/?steg=consent&namn=barn&sida=2",
        "/personal/?steg=invited",
    ):
        with count_queries() as page:
            soup = _soup(client.get(path))
        assert len(soup.select("#mina-sipar ~ ol > li")) == 25, path
        assert page.count <= 8, (path, page.count)
    assert "Sida 7 av 20" in _soup(client.get("/personal/?sida=7")).get_text()


def test_a_taking_part_staff_members_page_stays_within_eight_queries(client, unit, kim, count_queries):
    school = factories.unit("Björkskolan")
    teacher = factories.staff(school, StaffRole.MEMBER, "Lärare Lo")
    for n in range(60):
        subject = factories.child(f"Elev {n:02}")
        guardian = factories.guardian_of(subject)
        case = factories.case(subject, unit, kim, Step.PREPARATION)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        if n % 2 == 0:
            db.session.add(_consent(case, guardian, unit, school))
    client.sign_in_as(teacher)
    db.session.commit()
    with count_queries() as page:
        soup = _soup(client.get("/personal/"))
    assert len(soup.select("#enhetens-sipar ~ ol > li")) == 25 and "Sida 1 av 2" in soup.get_text()
    assert page.count <= 8, (page.count, page.statements)


def _link(soup, href: str):
    return soup.select_one(f'a[href="{href}"]')


def test_every_staff_member_finds_vara_atgarder_on_the_start_page_with_what_it_is(client, unit, kim):
    school = factories.unit("Björkskolan", UnitKind.SCHOOL)
    teacher = factories.staff(school, StaffRole.MEMBER, "Lärare Lo")
    db.session.commit()
    for staff in (kim, teacher):
        client.sign_in_as(staff)
        soup = _soup(client.get("/personal/"))
        assert _link(soup, "/personal/atgarder").get_text(strip=True) == "Våra åtgärder"
        assert "Det som era verksamheter ska göra enligt planerna som gäller." in soup.get_text()


def test_a_coordinator_sees_the_proposals_to_take_over_coordination_only_when_there_are_any(
    client, unit, kim, count_queries
):
    client.sign_in_as(kim)
    assert _link(_soup(client.get("/personal/")), "/personal/samordning") is None
    other = factories.unit("Psykiatrin Centrum")
    rita = factories.staff(other, StaffRole.COORDINATOR, "Rita Samuelsson")
    case = factories.case(factories.person("Anna Lind"), other, rita, Step.MEETING_HELD)
    db.session.add(
        CoordinationMove(
            case_id=case.id,
            from_unit_id=other.id,
            to_unit_id=unit.id,
            proposed_by_id=rita.id,
            reason="Boendet",
        )
    )
    db.session.commit()
    with count_queries() as page:
        soup = _soup(client.get("/personal/"))
    link = _link(soup, "/personal/samordning")
    assert link.get_text(strip=True) == "Förslag att ta över samordning"
    assert " ".join(link.parent.get_text().split()) == "Förslag att ta över samordning: 1 väntar"
    assert page.count <= 8, (page.count, page.statements)
    client.sign_in_as(rita)  # the proposer's unit is not the one asked
    assert _link(_soup(client.get("/personal/")), "/personal/samordning") is None
