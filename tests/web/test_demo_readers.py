"""The demo's SIPs, as each demo person reads them [issue 13]: Elsa is not told she asked or consents, the
god man Lena is not told "we have your request" for the SIP the hospital started, and the coordinator who
took Elsa's request has a name in the history."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import demo


@pytest.fixture
def people(demo_data):
    by_name = {identity.name: identity.token for identity in demo.list_test_identities()}
    return by_name


def _sign_in(client, people, name):
    token = client.csrf_token("/logga-in/testidentitet")
    response = client.post("/logga-in/testidentitet", data={"identity": people[name], "csrf_token": token})
    assert response.status_code == 303


def _sip_page(client) -> tuple[str, str]:
    overview = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    link = overview.select_one("main a[href^='/sip/']")["href"]
    html = client.get(link).get_data(as_text=True)
    return " ".join(BeautifulSoup(html, "html.parser").find("main").get_text(" ").split()), html


def test_maria_reads_who_took_elsas_request(client, people):
    _sign_in(client, people, "Maria Berg")
    text, _html = _sip_page(client)
    assert "Kent Olofsson blev samordnare." in text and text.count("blev samordnare.") == 1
    assert "Du svarar för Elsa Berg. Du är vårdnadshavare." in text


def test_elsa_is_not_told_she_asked_for_the_sip_or_gives_consent(client, people):
    _sign_in(client, people, "Elsa Berg")
    text, html = _sip_page(client)
    assert "Du har bett om en SIP" not in text and "Du bad" not in text
    assert "ta tillbaka ditt ja" not in text
    assert "Dina föräldrar ska säga ja till vilka som får dela uppgifter." in text
    assert measure(main_text_blocks(html)).lix <= 28


def test_lena_answers_for_karl_whose_sip_the_hospital_started(client, people):
    _sign_in(client, people, "Lena Ek")
    overview = " ".join(
        BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser").get_text(" ").split()
    )
    assert "Du svarar för Karl Nyström. Du är god man." in overview
    assert "Personalen har startat SIP:en" in overview and "Du har bett om en SIP" not in overview
    text, html = _sip_page(client)
    assert "Du svarar för Karl Nyström. Du är god man." in text
    assert "Personalen på Sjukhuset Exempelstad, avdelning 4 startade SIP:en." in text
    assert "Karl Nyström är klar att lämna sjukhuset" in text and "utskrivningsklar" in text
    assert "Vi har fått din förfrågan" not in text and "Du har bett om en SIP" not in text
    assert measure(main_text_blocks(html)).lix <= 35


def test_karl_reads_the_day_he_may_leave_hospital(client, people):
    _sign_in(client, people, "Karl Nyström")
    text, _html = _sip_page(client)
    assert "Du är klar att lämna sjukhuset" in text
    assert "Inbjudan till mötet ska komma inom 3 dagar" in text
