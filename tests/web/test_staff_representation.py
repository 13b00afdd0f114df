"""Who can consent for an adult, on the pages [issue 15]: the coordinator writes down whether the person can
consent themself, and makes a menprövning where nobody can; the person and the god man read it on the consent
page; a god man whose word does not count is told why. Every page is plain Swedish (LIX ≤ 35)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    ConsentAbility,
    ConsentEvent,
    ConsentEventKind,
    Mandate,
    PrincipalKind,
    RepresentativeType,
    SipCase,
    StaffRole,
    Step,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import consent, representation
from tests.support import factories

TODAY = date(2026, 11, 23)
PROBLEM = "Det finns ett problem"


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-11-23 10:00:00", tick=True):
        yield


@pytest.fixture
def karl(app):
    """Karl, 82, in hospital; his god man Lena looks after his rights and property only."""
    social = factories.unit("Socialtjänsten Norr")
    vc = factories.unit("Vårdcentralen Norr", principal_kind=PrincipalKind.REGION)
    kent = factories.staff(social, StaffRole.COORDINATOR, "Kent Samordnare")
    person = factories.person("Karl Nyström", age=82)
    lena = factories.representative_of(
        person,
        RepresentativeType.GOD_MAN,
        name="Lena Ek",
        mandate=[Mandate.BEVAKA_RATT.value, Mandate.FORVALTA_EGENDOM.value],
    )
    case = factories.case(person, social, coordinator=kent, step=Step.CONSENT)
    db.session.commit()
    return {"case": case, "karl": person, "lena": lena, "kent": kent, "social": social, "vc": vc}


def _ability_url(case) -> str:
    return f"/personal/sip/{case.public_id}/samtycke/formaga"


def _assessment_url(case) -> str:
    return f"/personal/sip/{case.public_id}/samtycke/menprovning"


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": client.csrf_token(url)})


def _text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").find("main").get_text(" ", strip=True).split())


def _assert_plain(html: str, name: str) -> None:
    readability = measure(main_text_blocks(html))
    assert readability.lix <= 35, f"{name}: LIX {readability.lix:.1f} ({readability})"


def _cannot_consent(karl):
    representation.record_ability(
        karl["kent"], karl["case"], False, "Karl har svår demens.", TODAY, today=TODAY
    )
    db.session.commit()


def _assessment_form(karl, **changes) -> dict:
    data = {
        "reason": "Karl behöver hjälp hemma. Det skadar honom inte att vården och kommunen pratar.",
        "units": [karl["social"].public_id, karl["vc"].public_id],
        "categories": ["health", "social"],
        "valid_until": (TODAY + timedelta(days=180)).isoformat(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- Whether the person can consent ----------------------------------------------------------------------


def test_the_coordinator_writes_down_that_the_person_cannot_consent(client, karl):
    client.sign_in_as(karl["kent"])
    case_page = client.get(f"/personal/sip/{karl['case'].public_id}").get_data(as_text=True)
    assert f'href="{_ability_url(karl["case"])}"' in case_page
    page = client.get(_ability_url(karl["case"]))
    assert page.status_code == 200
    _assert_plain(page.get_data(as_text=True), "ability form")
    response = _post(
        client,
        _ability_url(karl["case"]),
        {"can_consent": "no", "reason": "Karl har svår demens.", "assessed_on": TODAY.isoformat()},
    )
    assert response.status_code == 303
    record = db.session.query(ConsentAbility).one()
    assert not record.can_consent and record.reason == "Karl har svår demens."
    case_page = _text(client.get(f"/personal/sip/{karl['case'].public_id}").get_data(as_text=True))
    assert "Personen kan inte lämna samtycke själv" in case_page and "Karl har svår demens." in case_page


def test_without_a_reason_the_form_comes_back_with_422(client, karl):
    client.sign_in_as(karl["kent"])
    response = _post(
        client,
        _ability_url(karl["case"]),
        {"can_consent": "no", "reason": " ", "assessed_on": TODAY.isoformat()},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert PROBLEM in html and 'href="#reason"' in html and "Skriv varför" in html
    assert db.session.query(ConsentAbility).count() == 0
    _assert_plain(html, "ability form with errors")


def test_only_the_coordinator_reaches_the_page(client, karl):
    other = factories.staff(karl["social"], StaffRole.MEMBER, "Hans Handläggare")
    db.session.commit()
    client.sign_in_as(other)
    assert client.get(_ability_url(karl["case"])).status_code == 404


# --- Menprövning -----------------------------------------------------------------------------------------


def test_no_menprovning_page_while_someone_can_consent(client, karl):
    client.sign_in_as(karl["kent"])
    assert client.get(_assessment_url(karl["case"])).status_code == 404


def test_the_coordinator_makes_a_menprovning_when_nobody_can_consent(client, karl):
    _cannot_consent(karl)
    client.sign_in_as(karl["kent"])
    case_page = client.get(f"/personal/sip/{karl['case'].public_id}").get_data(as_text=True)
    assert f'href="{_assessment_url(karl["case"])}"' in case_page
    page = client.get(_assessment_url(karl["case"]))
    assert page.status_code == 200
    _assert_plain(page.get_data(as_text=True), "menprövning form")
    assert _post(client, _assessment_url(karl["case"]), _assessment_form(karl)).status_code == 303
    event = db.session.query(ConsentEvent).one()
    assert event.kind == ConsentEventKind.HARM_ASSESSED
    case = db.session.get(SipCase, karl["case"].id)
    assert consent.in_force(case, TODAY) is not None and case.step == Step.PREPARATION
    case_page = _text(client.get(f"/personal/sip/{case.public_id}").get_data(as_text=True))
    assert "Personalen har gjort en menprövning" in case_page


def test_a_menprovning_without_a_reason_comes_back_with_422(client, karl):
    _cannot_consent(karl)
    client.sign_in_as(karl["kent"])
    response = _post(client, _assessment_url(karl["case"]), _assessment_form(karl, reason=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert PROBLEM in html and 'href="#reason"' in html
    assert db.session.query(ConsentEvent).count() == 0
    _assert_plain(html, "menprövning form with errors")


# --- What the person and the god man read ----------------------------------------------------------------


@pytest.mark.parametrize("reader", ["karl", "lena"])
def test_the_person_and_the_god_man_read_the_menprovning(client, karl, reader):
    _cannot_consent(karl)
    consent.record_harm_assessment(
        karl["kent"],
        karl["case"],
        "Det skadar inte Karl.",
        [karl["social"].public_id, karl["vc"].public_id],
        ["health", "social"],
        TODAY + timedelta(days=180),
        today=TODAY,
    )
    db.session.commit()
    client.sign_in_as(karl[reader])
    html = client.get(f"/sip/{karl['case'].public_id}/samtycke").get_data(as_text=True)
    text = _text(html)
    assert "Samtycket gäller" in text
    assert "Personalen har gjort en menprövning" in text and "Det skadar inte Karl." in text
    _assert_plain(html, f"consent page with a menprövning, read by {reader}")


def test_a_god_man_whose_word_does_not_count_is_told_why(client, karl):
    client.sign_in_as(karl["lena"])
    text = _text(client.get(f"/sip/{karl['case'].public_id}/samtycke").get_data(as_text=True))
    assert "Därför räknas bara personens eget samtycke" in text
    assert "Säg ja till samtycke" not in text
