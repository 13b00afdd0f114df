"""The coordinator's side of consent [issue 4]: the case page shows the consent in force (or that none is),
each guardian's answer, the child's view and the whole history; the coordinator writes down a consent given
orally or on paper; a withdrawal shows the SIP closed with its reason; staff of a unit that only takes part
see nothing before a consent names their unit. Every consent page is plain Swedish (LIX ≤ 35)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    ChildAnswer,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    Notification,
    NotificationKind,
    ParticipantRole,
    PrincipalKind,
    RepresentativeType,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import child_view, consent, reminders, representation, withdrawal
from tests.support import factories

TODAY = date(2026, 11, 23)
PROBLEM = "Det finns ett problem"


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-11-23 10:00:00"):
        yield


@pytest.fixture
def county(app):
    social = factories.unit("Socialtjänsten Norr")
    school = factories.unit("Björkskolan", kind=UnitKind.SCHOOL)
    bup = factories.unit("BUP Norr", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION)
    return {
        "social": social,
        "school": school,
        "bup": bup,
        "kent": factories.staff(social, StaffRole.COORDINATOR, "Kent Samordnare"),
        "sofia": factories.staff(school, StaffRole.MEMBER, "Sofia Kurator"),
        "bo": factories.staff(bup, StaffRole.MEMBER, "Bo Sköterska"),
    }


@pytest.fixture
def elsa(county):
    """Elsa, 14, with two guardians; the SIP waits for consent; the school and BUP take part."""
    kid = factories.child("Elsa Berg")
    maria = factories.guardian_of(kid, name="Maria Berg")
    johan = factories.guardian_of(kid, name="Johan Berg")
    case = factories.case(kid, county["social"], coordinator=county["kent"], step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=county["school"])
    factories.participant(case, ParticipantRole.UNIT, unit_=county["bup"])
    return {"case": case, "kid": kid, "maria": maria, "johan": johan}


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ", strip=True).split())


def _consent_section(html: str) -> str:
    section = BeautifulSoup(html, "html.parser").find("section", attrs={"aria-labelledby": "consent-heading"})
    assert section is not None, "no consent section"
    return " ".join(section.get_text(" ", strip=True).split())


def _case_url(case) -> str:
    return f"/personal/sip/{case.public_id}"


def _form_url(case) -> str:
    return f"/personal/sip/{case.public_id}/samtycke/skriv-in"


def _give(guardian, case, units, categories=("school",), days=365, exclusions=""):
    return consent.give(
        guardian,
        case,
        [u.public_id for u in units],
        list(categories),
        TODAY + timedelta(days=days),
        exclusions=exclusions,
        today=TODAY,
    )


def _record_form(person, county, **changes) -> dict:
    data = {
        "consenter": person.public_id,
        "method": "oral",
        "given_on": TODAY.isoformat(),
        "units": [county["social"].public_id, county["school"].public_id],
        "other_parties": "Försäkringskassan",
        "categories": ["school", "social"],
        "exclusions": "Inget om pappas sjukdom.",
        "valid_until": (TODAY + timedelta(days=180)).isoformat(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": client.csrf_token(url)})


def _assert_plain(html: str, name: str) -> None:
    readability = measure(main_text_blocks(html))
    assert readability.lix <= 35, f"{name}: LIX {readability.lix:.1f} ({readability})"


# --- what the case page shows -------------------------------------------------------------------------------


def test_before_anyone_answers_the_page_says_no_consent_is_in_force(client, county, elsa):
    client.sign_in_as(county["kent"])
    section = _consent_section(_html(client.get(_case_url(elsa["case"]))))
    assert "Inget samtycke gäller" in section
    assert "Maria Berg: Har inte svarat." in section and "Johan Berg: Har inte svarat." in section
    assert "Ingen har svarat än." in section


def test_with_one_guardian_the_page_shows_who_is_still_missing(client, county, elsa):
    _give(elsa["maria"], elsa["case"], [county["social"], county["school"]])
    client.sign_in_as(county["kent"])
    section = _consent_section(_html(client.get(_case_url(elsa["case"]))))
    assert "Inget samtycke gäller" in section
    assert "Maria Berg: Ja, till 23 nov. 2027." in section
    assert "Johan Berg: Har inte svarat." in section


def test_the_consent_in_force_is_the_narrowest_with_names_categories_exclusions_and_end(client, county, elsa):
    _give(
        elsa["maria"],
        elsa["case"],
        [county["social"], county["school"], county["bup"]],
        categories=("school", "health"),
        exclusions="Inget om pappas jobb.",
    )
    _give(elsa["johan"], elsa["case"], [county["social"], county["school"]], categories=("school",), days=90)
    child_view.record(elsa["maria"], elsa["case"], ChildAnswer.WANT.value, "Jag vill att skolan hjälper mig.")
    client.sign_in_as(county["kent"])
    html = _html(client.get(_case_url(elsa["case"])))
    section = _consent_section(html)
    assert "Samtycket gäller till 21 feb. 2027." in section
    in_force = section.split("Vårdnadshavarnas svar")[0]
    assert "Björkskolan" in in_force and "Socialtjänsten Norr" in in_force
    assert "BUP Norr" not in in_force  # Johan left BUP out: the narrowest scope applies
    assert "Skola" in in_force and "Hälsa och vård" not in in_force
    assert "Inget om pappas jobb." in in_force
    assert "Jag vill Jag vill att skolan hjälper mig. Maria Berg skrev det 23 nov. 2026." in section
    assert "Maria Berg sa ja i appen." in section and "Johan Berg sa ja i appen." in section
    _assert_plain(html, "case page with consent")


def test_the_history_names_who_recorded_a_paper_consent(client, county, elsa):
    consent.record_by_staff(
        county["kent"],
        elsa["case"],
        elsa["johan"],
        ConsentMethod.PAPER,
        TODAY - timedelta(days=2),
        [county["social"].public_id],
        ["social"],
        TODAY + timedelta(days=300),
        today=TODAY,
    )
    client.sign_in_as(county["kent"])
    section = _consent_section(_html(client.get(_case_url(elsa["case"]))))
    assert "Johan Berg sa ja på papper. Kent Samordnare skrev in det. Lämnat 21 nov. 2026." in section


def test_an_expired_consent_shows_as_expired_and_the_sip_waits_for_consent_again(client, county):
    ada = factories.person("Ada Lind")
    case = factories.case(ada, county["social"], coordinator=county["kent"], step=Step.CONSENT)
    _give(ada, case, [county["social"]], days=20)
    assert case.step == Step.PREPARATION
    later = TODAY + timedelta(days=21)
    reminders.run_all(later)
    db.session.commit()
    with freeze_time(later):
        client.sign_in_as(county["kent"])
        html = _html(client.get(_case_url(case)))
    section = _consent_section(html)
    assert "Samtycket gick ut 13 dec. 2026. Inget samtycke gäller." in section
    assert "Samtycket från Ada Lind gick ut." in section
    facts = _text(html)
    assert "Steg Väntar på samtycke" in facts  # not left looking ready for invitations
    assert "Samtycket gick ut." in facts.split("Det här har hänt")[1]
    _assert_plain(html, "case page with an expired consent")


def test_after_a_withdrawal_the_page_shows_the_sip_closed_because_consent_was_withdrawn(client, county, elsa):
    _give(elsa["maria"], elsa["case"], [county["social"], county["school"]])
    _give(elsa["johan"], elsa["case"], [county["social"], county["school"]])
    withdrawal.withdraw(elsa["johan"], elsa["case"], today=TODAY)
    client.sign_in_as(county["kent"])
    html = _html(client.get(_case_url(elsa["case"])))
    assert "Steg Avslutad Skäl Samtycke återkallat" in _text(html)
    section = _consent_section(html)
    assert "Samtycket är återkallat. SIP:en är avslutad." in section
    assert "Johan Berg: Tog tillbaka sitt ja." in section
    assert "Johan Berg tog tillbaka samtycket." in section
    assert "Skriv in ett samtycke" not in section  # nothing to record on a closed SIP
    assert "SIP:en avslutades. Skäl: Samtycke återkallat" in _text(html).split("Det här har hänt")[1]
    _assert_plain(html, "case page after a withdrawal")


def test_a_new_request_has_no_consent_section_yet(client, county):
    case = factories.case(factories.person("Ny Person"), county["social"])
    client.sign_in_as(county["kent"])
    html = _html(client.get(_case_url(case)))
    assert 'aria-labelledby="consent-heading"' not in html


def test_the_case_page_with_consent_stays_within_twenty_queries(client, county, elsa, count_queries):
    """The intake page's 8, plus the consent: its history, unit names, the guardians, the rules' own reads
    (in force, latest answer per guardian) and the child's view. It does not grow with the history."""
    _give(elsa["maria"], elsa["case"], [county["social"], county["school"]])
    _give(elsa["johan"], elsa["case"], [county["social"]])
    child_view.record(elsa["maria"], elsa["case"], ChildAnswer.DONT_KNOW.value)
    client.sign_in_as(county["kent"])
    db.session.commit()
    with count_queries() as page:
        assert client.get(_case_url(elsa["case"])).status_code == 200
    assert page.count <= 20, page.statements
    for _ in range(5):
        _give(elsa["johan"], elsa["case"], [county["social"], county["school"]])
    db.session.commit()
    with count_queries() as longer:
        assert client.get(_case_url(elsa["case"])).status_code == 200
    assert longer.count == page.count, longer.statements


# --- writing down an oral or paper consent ------------------------------------------------------------------


def test_the_coordinator_records_an_oral_consent_and_the_guardian_is_told(client, county, elsa):
    client.sign_in_as(county["kent"])
    html = _html(client.get(_form_url(elsa["case"])))
    assert "Maria Berg" in html and "Johan Berg" in html and "BUP Norr" in html
    _assert_plain(html, "record consent form")
    response = _post(client, _form_url(elsa["case"]), _record_form(elsa["maria"], county))
    assert response.status_code == 303 and response.headers["Location"].endswith(_case_url(elsa["case"]))
    event = db.session.query(ConsentEvent).one()
    assert (event.kind, event.method, event.consenter_id) == (
        ConsentEventKind.RECORDED_BY_STAFF,
        ConsentMethod.ORAL,
        elsa["maria"].id,
    )
    assert event.recorded_by_staff_id == county["kent"].id
    assert event.unit_ids == sorted([county["social"].public_id, county["school"].public_id])
    assert (event.other_parties, event.categories) == (["Försäkringskassan"], ["school", "social"])
    assert (event.exclusions, event.valid_from) == ("Inget om pappas sjukdom.", TODAY)
    told = db.session.query(Notification).filter_by(kind=NotificationKind.CONSENT_RECORDED).one()
    assert told.recipient_person_id == elsa["maria"].id
    # Johan has not said yes: he is asked for his answer.
    asked = db.session.query(Notification).filter_by(kind=NotificationKind.CONSENT_NEEDED).one()
    assert asked.recipient_person_id == elsa["johan"].id
    page = client.get(response.headers["Location"])
    assert "Samtycket är inskrivet" in _html(page)
    assert "Maria Berg sa ja muntligt. Kent Samordnare skrev in det." in _consent_section(_html(page))


def test_the_second_guardians_paper_consent_puts_the_consent_in_force(client, county, elsa):
    _give(elsa["maria"], elsa["case"], [county["social"], county["school"]], categories=("school", "social"))
    client.sign_in_as(county["kent"])
    form = _record_form(elsa["johan"], county, method="paper")
    assert _post(client, _form_url(elsa["case"]), form).status_code == 303
    case = db.session.get(SipCase, elsa["case"].id)
    assert consent.in_force(case, TODAY) is not None and case.step == Step.PREPARATION


def test_a_god_man_can_be_chosen_as_the_one_who_said_yes(client, county):
    """Once the coordinator has recorded that the person cannot consent [issue 15]."""
    karl = factories.person("Karl Nyström", age=82)
    lena = factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena Ek")
    case = factories.case(karl, county["social"], coordinator=county["kent"], step=Step.CONSENT)
    client.sign_in_as(county["kent"])
    assert "Lena Ek" not in _html(client.get(_form_url(case)))  # Karl can consent: only his word counts
    representation.record_ability(county["kent"], case, False, "Karl har svår demens.", TODAY, today=TODAY)
    html = _html(client.get(_form_url(case)))
    assert "Lena Ek" in html
    form = _record_form(lena, county, units=[county["social"].public_id])
    assert _post(client, _form_url(case), form).status_code == 303
    assert db.session.query(ConsentEvent).one().consenter_id == lena.id


def test_a_consent_recorded_with_a_date_in_the_future_is_refused(client, county, elsa):
    client.sign_in_as(county["kent"])
    form = _record_form(elsa["maria"], county, given_on=(TODAY + timedelta(days=1)).isoformat())
    response = _post(client, _form_url(elsa["case"]), form)
    assert response.status_code == 422
    html = _html(response)
    assert PROBLEM in html and "Datumet kan inte vara senare än i dag" in html
    assert 'href="#given_on"' in html
    assert db.session.query(ConsentEvent).count() == 0
    _assert_plain(html, "record consent form with errors")


def test_a_recorded_consent_lasts_at_most_a_year_from_the_day_it_was_given(client, county, elsa):
    client.sign_in_as(county["kent"])
    given = TODAY - timedelta(days=10)
    too_long = _record_form(
        elsa["maria"],
        county,
        given_on=given.isoformat(),
        valid_until=(given + timedelta(days=366)).isoformat(),
    )
    response = _post(client, _form_url(elsa["case"]), too_long)
    assert response.status_code == 422 and "Ett samtycke gäller högst ett år" in _html(response)
    one_year = dict(too_long, valid_until=(given + timedelta(days=365)).isoformat())
    assert _post(client, _form_url(elsa["case"]), one_year).status_code == 303


def test_an_empty_form_names_every_missing_answer(client, county, elsa):
    client.sign_in_as(county["kent"])
    response = _post(client, _form_url(elsa["case"]), {"given_on": "", "valid_until": ""})
    assert response.status_code == 422
    summary = BeautifulSoup(_html(response), "html.parser").select(".error-summary a")
    assert [a["href"] for a in summary] == [
        "#consenter",
        "#method",
        "#given_on",
        "#units",
        "#categories",
        "#valid_until",
    ]


def test_an_unreadable_date_or_a_stranger_is_refused(client, county, elsa):
    stranger = factories.person("Okänd Person")
    no_custody = factories.guardian_of(elsa["kid"], custody=False, name="Utan Vårdnad")
    client.sign_in_as(county["kent"])
    for who in (stranger, no_custody):
        response = _post(client, _form_url(elsa["case"]), _record_form(who, county))
        assert response.status_code == 422 and "Välj vem som lämnade samtycket" in _html(response)
    response = _post(client, _form_url(elsa["case"]), _record_form(elsa["maria"], county, given_on="23/11"))
    assert response.status_code == 422 and "Skriv datumet som år-månad-dag" in _html(response)
    response = _post(client, _form_url(elsa["case"]), _record_form(elsa["maria"], county, method="digital"))
    assert response.status_code == 422 and "muntligt eller på papper" in _html(response)
    assert db.session.query(ConsentEvent).count() == 0


def test_only_the_coordinator_may_record_consent(client, county, elsa):
    colleague = factories.staff(county["social"], StaffRole.MEMBER, "Kollega Kim")
    client.sign_in_as(colleague)
    assert client.get(_case_url(elsa["case"])).status_code == 200
    assert "Skriv in ett samtycke" not in _html(client.get(_case_url(elsa["case"])))
    assert client.get(_form_url(elsa["case"])).status_code == 404
    token = client.csrf_token(_case_url(elsa["case"]))  # the colleague's own, valid token
    response = client.post(
        _form_url(elsa["case"]), data={**_record_form(elsa["maria"], county), "csrf_token": token}
    )
    assert response.status_code == 404
    assert db.session.query(ConsentEvent).count() == 0


def test_no_consent_can_be_recorded_on_a_closed_sip(client, county, elsa):
    _give(elsa["maria"], elsa["case"], [county["social"]])
    withdrawal.withdraw(elsa["maria"], elsa["case"], today=TODAY)
    client.sign_in_as(county["kent"])
    assert client.get(_form_url(elsa["case"])).status_code == 404


# --- staff of a unit that only takes part -------------------------------------------------------------------


def test_staff_of_a_taking_part_unit_see_nothing_before_consent_covers_them(client, county, elsa):
    client.sign_in_as(county["sofia"])
    assert client.get(_case_url(elsa["case"])).status_code == 404
    _give(elsa["maria"], elsa["case"], [county["social"], county["school"]])
    assert client.get(_case_url(elsa["case"])).status_code == 404  # one guardian is not enough
    _give(elsa["johan"], elsa["case"], [county["social"], county["school"]])
    assert client.get(_case_url(elsa["case"])).status_code == 200
    client.sign_in_as(county["bo"])  # BUP was left out
    assert client.get(_case_url(elsa["case"])).status_code == 404
    withdrawal.withdraw(elsa["maria"], elsa["case"], today=TODAY)
    client.sign_in_as(county["sofia"])
    assert client.get(_case_url(elsa["case"])).status_code == 404
