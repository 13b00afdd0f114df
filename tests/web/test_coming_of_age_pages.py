"""What the young person, their parents and the coordinator see around the 18th birthday [issue 15]: the
notices on the SIP and consent pages, "Vem får se din SIP?", the history, and the parents' lost access. The
page checks (plain language, titles) run on every page opened."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, StaffRole, Step
from citizen_app.services import consent, reminders
from tests.support import factories

BIRTHDAY = date(2027, 3, 10)
DAY_BEFORE, DAY_AFTER = BIRTHDAY - timedelta(days=1), BIRTHDAY + timedelta(days=1)


@pytest.fixture
def alva(app):
    social, school, _bup = factories.social_school_and_bup()
    coordinator = factories.staff(social, StaffRole.COORDINATOR, "Samordnare Sam")
    a_month_before = BIRTHDAY - timedelta(days=30)
    with freeze_time(a_month_before):
        kid = factories.person("Alva Ek", birth_date=date(2009, 3, 10))
        mum = factories.guardian_of(kid, name="Maria Ek")
        dad = factories.guardian_of(kid, name="Johan Ek")
        case = factories.case(kid, social, coordinator=coordinator, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        for parent in (mum, dad):
            consent.give(parent, case, [school.public_id], ["school"], BIRTHDAY + timedelta(days=200))
    db.session.commit()
    return {"case": case, "kid": kid, "mum": mum, "coordinator": coordinator}


def _text(response) -> str:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return " ".join(soup.find("main").get_text(" ").split())


def _turn_eighteen():
    with freeze_time(BIRTHDAY):
        reminders.run_all(BIRTHDAY)
    db.session.commit()


def test_the_day_before_her_sip_page_says_she_soon_decides_herself(client, alva):
    with freeze_time(DAY_BEFORE):
        client.sign_in_as(alva["kid"])
        text = _text(client.get(f"/sip/{alva['case'].public_id}"))
        client.sign_in_as(alva["mum"])
        assert client.get(f"/sip/{alva['case'].public_id}").status_code == 200  # still hers the day before
    assert "Snart fyller du 18 år" in text
    assert "Från din 18-årsdag bestämmer du själv över din SIP." in text


def test_from_the_birthday_her_pages_say_she_decides_herself(client, alva):
    _turn_eighteen()
    with freeze_time(DAY_AFTER):
        client.sign_in_as(alva["kid"])
        case_page = _text(client.get(f"/sip/{alva['case'].public_id}"))
        consent_page = _text(client.get(f"/sip/{alva['case'].public_id}/samtycke"))
        messages = _text(client.get("/meddelanden"))
    for text in (case_page, consent_page):
        assert "Från din 18-årsdag bestämmer du själv" in text
        assert "Vem får se din SIP?" in text
    assert "Samtycket gäller" not in consent_page  # her parents' yes no longer counts
    assert "Ja från Maria Ek gäller inte längre." in consent_page
    assert (
        "Från din 18-årsdag bestämmer du själv över din SIP. Dina föräldrars ja gäller inte längre."
        in case_page
    )
    assert "Grattis på 18-årsdagen!" in messages


def test_from_the_birthday_her_parents_no_longer_see_the_sip(client, alva):
    _turn_eighteen()
    with freeze_time(BIRTHDAY):
        client.sign_in_as(alva["mum"])
        assert client.get(f"/sip/{alva['case'].public_id}").status_code == 404
        assert client.get(f"/sip/{alva['case'].public_id}/vem-far-se").status_code == 404


def test_she_lets_her_mother_take_part_and_takes_it_back(client, alva):
    _turn_eighteen()
    url = f"/sip/{alva['case'].public_id}/vem-far-se"
    with freeze_time(DAY_AFTER):
        client.sign_in_as(alva["kid"])
        page = client.get(url)
        assert page.status_code == 200
        assert "Låt Maria Ek vara med" in _text(page)
        token = client.csrf_token(url)
        mum_id = alva["mum"].public_id
        answer = client.post(url, data={"csrf_token": token, "guardian": mum_id, "choice": "take_part"})
        assert answer.status_code == 303
        assert "Är med som närstående." in _text(client.get(url))
        answer = client.post(url, data={"csrf_token": token, "guardian": mum_id, "choice": "stop"})
        assert answer.status_code == 303
        assert "Låt Maria Ek vara med" in _text(client.get(url))


def test_the_page_is_only_for_the_young_adult_from_the_birthday(client, alva):
    with freeze_time(DAY_BEFORE):
        client.sign_in_as(alva["mum"])
        assert client.get(f"/sip/{alva['case'].public_id}/vem-far-se").status_code == 404


def test_the_coordinator_sees_what_happened_at_18(client, alva):
    _turn_eighteen()
    with freeze_time(DAY_AFTER):
        client.sign_in_as(alva["coordinator"])
        text = _text(client.get(f"/personal/sip/{alva['case'].public_id}"))
        messages = _text(client.get("/meddelanden"))
    assert "Samtycket från Maria Ek gäller inte längre: personen fyllde 18." in text
    assert "Personen fyllde 18. Vårdnadshavarnas samtycke gäller inte längre." in text
    assert "En person i din SIP har fyllt 18." in messages
