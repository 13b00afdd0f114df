"""The SIP page speaks to the one who reads it, and says who started the SIP [issue 13].

Four readers (the person, a guardian, the child, a representative), each shown three SIPs: one the staff
started, one asked for by the person's side, and one at discharge from hospital. Every page is plain Swedish
(LIX ≤ 35, the child's ≤ 28) and stays within eight queries.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date
from bs4 import BeautifulSoup

from citizen_app.extensions import db
from citizen_app.models import PrincipalKind, RepresentativeType, SipCase, StaffRole, Step, UnitKind
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import intake, people, requests
from tests.support import factories

HOSPITAL = "Sjukhuset, avdelning 4"
HEALTH_CENTRE = "Vårdcentralen Norra"
ORIGINS = ("staff", "requested", "discharge")
DISCHARGE = date.today() + timedelta(days=2)


def _day(value: date) -> str:
    return format_date(value, "d MMMM y", locale="sv")


def _main(html: str) -> str:
    main = BeautifulSoup(html, "html.parser").find("main")
    return " ".join(main.get_text(" ").split())


def _plain(html: str, limit: float) -> None:
    readability = measure(main_text_blocks(html))
    assert readability.lix <= limit, f"LIX {readability.lix:.1f} ({readability})"
    assert readability.longest_sentence_words <= 20, readability.longest_sentence


@pytest.fixture
def county(app):
    hospital = factories.unit(HOSPITAL, kind=UnitKind.HOSPITAL, principal_kind=PrincipalKind.REGION)
    hugo = factories.staff(hospital, StaffRole.COORDINATOR, name="Hugo Ström")
    social = factories.unit("Socialtjänsten")
    factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    # At discharge the coordinator is the fast vårdkontakt in outpatient care, not the ward [VM] [issue 16].
    health = factories.unit(HEALTH_CENTRE, kind=UnitKind.PRIMARY_CARE, principal_kind=PrincipalKind.REGION)
    health.is_fixed_care_contact = True
    vera = factories.staff(health, StaffRole.COORDINATOR, name="Vera Nilsson")
    return {"hospital": hospital, "hugo": hugo, "social": social, "health": health, "vera": vera}


def _starter_unit(origin: str) -> str:
    return HEALTH_CENTRE if origin == "discharge" else HOSPITAL


def _starter(origin: str) -> str:
    return "Vera Nilsson" if origin == "discharge" else "Hugo Ström"


_ANSWERS = {
    "need": {"need": "Jag behöver hjälp hemma."},
    "services": {"units": ["dont_know"]},
    "urgency": {"urgent": "no", "leaving_hospital": "no"},
    "contact": {"contact_way": "app", "interpreter": "no"},
}


def _ask(author, for_whom: str) -> SipCase:
    """A request sent through the request service, as the form sends it."""
    draft = requests.open_draft(author)
    assert requests.save_step(author, draft, "who", {"for_whom": for_whom}) == {}
    for step, values in _ANSWERS.items():
        assert requests.save_step(author, draft, step, values) == {}, step
    return requests.submit(author, draft)


def _started_by_staff(county, birth: date, name: str, discharge: date | None = None):
    """A coordinator starts a SIP for a new person (intake.start_case): the hospital's, or at discharge the
    health centre's (the fast vårdkontakt)."""
    number = factories._next_number(birth)
    starter, unit = (county["vera"], county["health"]) if discharge else (county["hugo"], county["hospital"])
    case = intake.start_case(
        starter, number, name, "Behöver hjälp hemma.", discharge_date=discharge, unit_public_id=unit.public_id
    ).case
    return case, people.find_person_by_identity(number)


def _adult_sip(county, origin: str):
    """Karl's SIP and the two who read it: Karl himself and his god man Lena."""
    if origin == "requested":
        karl = factories.person("Karl Nyström", age=82)
        case = _ask(karl, "self")
    else:
        case, karl = _started_by_staff(
            county, date(1944, 1, 30), "Karl Nyström", DISCHARGE if origin == "discharge" else None
        )
    lena = factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena Ek")
    db.session.commit()
    return case, karl, lena


def _child_sip(county, origin: str):
    """Elsa's SIP and those who read it: Elsa herself and her mother Maria (a guardian with custody)."""
    if origin == "requested":
        elsa = factories.child("Elsa Berg", age=12)
        maria = factories.guardian_of(elsa, name="Maria Berg")
        case = _ask(maria, "child:" + elsa.public_id)
    else:
        case, elsa = _started_by_staff(
            county,
            date(date.today().year - 12, 2, 20),
            "Elsa Berg",
            DISCHARGE if origin == "discharge" else None,
        )
        maria = factories.guardian_of(elsa, name="Maria Berg")
    db.session.commit()
    return case, elsa, maria


def _page(client, reader, case) -> str:
    client.sign_in_as(reader)
    response = client.get(f"/sip/{case.public_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _discharge_sentences(who: str) -> list[str]:
    return [
        f"{who} klar att lämna sjukhuset {_day(DISCHARGE)}. Det kallas utskrivningsklar.",
        f"Inbjudan till mötet ska komma inom 3 dagar, senast {_day(DISCHARGE + timedelta(days=3))}.",
    ]


@pytest.mark.parametrize("origin", ORIGINS)
def test_the_person_reads_their_own_sip(client, county, origin):
    case, karl, _lena = _adult_sip(county, origin)
    html = _page(client, karl, case)
    text = _main(html)
    assert "<h1>Din SIP</h1>" in html
    assert "Du svarar för" not in text
    if origin == "requested":
        assert "Du bad om SIP:en." in text
        assert "Vi har fått din förfrågan. En samordnare hör av sig till dig." in text
        assert "Du har bett om en SIP" in text  # the first step
        assert "Du bad om en SIP." in text  # what happened
    else:
        assert f"Personalen på {_starter_unit(origin)} startade SIP:en." in text
        assert f"{_starter(origin)} blev samordnare." in text
        assert "Personalen har startat SIP:en" in text
        assert "Du bad" not in text and "Du har bett" not in text and "din förfrågan" not in text
    if origin == "discharge":
        for sentence in _discharge_sentences("Du är"):
            assert sentence in text
    else:
        assert "utskrivningsklar" not in text
    _plain(html, 35)


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_representative_reads_the_sip_of_the_person_they_answer_for(client, county, origin):
    case, _karl, lena = _adult_sip(county, origin)
    html = _page(client, lena, case)
    text = _main(html)
    assert "Du svarar för Karl Nyström. Du är god man." in text
    assert "din förfrågan" not in text and "Du bad" not in text and "Du har bett" not in text
    if origin == "requested":
        assert "Karl Nyström bad om SIP:en." in text
        assert "Karl Nyström har bett om en SIP" in text
        assert "En samordnare hör av sig till dig." in text
    else:
        assert f"Personalen på {_starter_unit(origin)} startade SIP:en." in text
        # Staff started it, so the next step is consent, which the god man gives for Karl.
        assert "Nu säger du ja eller nej för Karl Nyström till vilka som får dela uppgifter." in text
    if origin == "discharge":
        for sentence in _discharge_sentences("Karl Nyström är"):
            assert sentence in text
    _plain(html, 35)


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_guardian_reads_the_childs_sip(client, county, origin):
    case, _elsa, maria = _child_sip(county, origin)
    html = _page(client, maria, case)
    text = _main(html)
    assert "Du svarar för Elsa Berg. Du är vårdnadshavare." in text
    if origin == "requested":
        assert "Du bad om SIP:en." in text  # Maria asked for it herself
        assert "Vi har fått din förfrågan. En samordnare hör av sig till dig." in text
    else:
        assert f"Personalen på {_starter_unit(origin)} startade SIP:en." in text
        assert "Nu ska alla vårdnadshavare säga ja eller nej till vilka som får dela uppgifter." in text
        assert "Du bad" not in text and "din förfrågan" not in text
    if origin == "discharge":
        for sentence in _discharge_sentences("Elsa Berg är"):
            assert sentence in text
    _plain(html, 35)


@pytest.mark.parametrize("origin", ORIGINS)
def test_the_child_reads_their_own_sip_and_is_not_told_they_asked_or_consent(client, county, origin):
    case, elsa, _maria = _child_sip(county, origin)
    html = _page(client, elsa, case)
    text = _main(html)
    assert "<h1>Din SIP</h1>" in html
    assert "Det här är din SIP. Dina föräldrar säger ja till den. Du får säga vad du tycker." in text
    # Elsa neither asked for the SIP nor gives consent: her guardians do.
    assert "Du har bett om en SIP" not in text and "Du bad" not in text and "din förfrågan" not in text
    assert "ta tillbaka ditt ja" not in text
    if origin == "requested":
        assert "Maria Berg bad om SIP:en." in text
        assert "Maria Berg har bett om en SIP" in text
        assert "En samordnare hör av sig till dina föräldrar." in text
    else:
        assert f"Personalen på {_starter_unit(origin)} startade SIP:en." in text
        assert "Nu ska dina föräldrar säga ja eller nej. Du får säga vad du tycker." in text
        assert "Dina föräldrar ska säga ja till vilka som får dela uppgifter." in text
    if origin == "discharge":
        for sentence in _discharge_sentences("Du är"):
            assert sentence in text
    _plain(html, 28)


def test_an_overdue_discharge_invitation_is_told_as_late(client, county):
    case, karl, _lena = _adult_sip(county, "discharge")
    case.discharge_date = date.today() - timedelta(days=5)
    db.session.commit()
    text = _main(_page(client, karl, case))
    late = _day(date.today() - timedelta(days=2))
    assert f"Inbjudan till mötet skulle ha kommit senast {late}." in text


@pytest.mark.parametrize("reader", ["person", "representative", "guardian", "child"])
def test_the_case_page_stays_within_eight_queries_for_every_reader(client, county, count_queries, reader):
    if reader in ("person", "representative"):
        case, karl, lena = _adult_sip(county, "discharge")
        who = karl if reader == "person" else lena
    else:
        case, elsa, maria = _child_sip(county, "discharge")
        who = elsa if reader == "child" else maria
    client.sign_in_as(who)
    url = f"/sip/{case.public_id}"
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    assert queries.count <= 8, queries.statements


def test_a_representative_is_told_the_questions_are_about_the_person(client, county):
    case, karl, lena = _adult_sip(county, "staff")
    case.step = Step.PREPARATION
    db.session.commit()
    text = _main(_page(client, lena, case))
    assert "Inför mötet: vad är viktigt för Karl Nyström?" in text
    assert "Nu kan du förbereda mötet. Tänk på vad som är viktigt för Karl Nyström." in text
    response = client.get(f"/sip/{case.public_id}/infor-motet")
    html = response.get_data(as_text=True)
    start = _main(html)
    assert "Här tänker du efter före mötet. Vad är viktigt för Karl Nyström?" in start
    assert "Frågorna säger du, men de handlar om Karl Nyström." in start
    assert "Dina svar gör att mötet handlar om det du tycker är viktigt." not in start
    _plain(html, 35)
    # Karl himself reads his own questions as his own.
    text = _main(_page(client, karl, case))
    assert "Inför mötet: vad är viktigt för dig?" in text
    start = _main(client.get(f"/sip/{case.public_id}/infor-motet").get_data(as_text=True))
    assert "Dina svar gör att mötet handlar om det du tycker är viktigt." in start


def test_a_guardian_is_told_the_answers_are_theirs_about_the_child(client, county):
    case, _elsa, maria = _child_sip(county, "staff")
    case.step = Step.PREPARATION
    db.session.commit()
    client.sign_in_as(maria)
    html = client.get(f"/sip/{case.public_id}/infor-motet").get_data(as_text=True)
    assert "Svaren är dina, som vårdnadshavare. De handlar om hur Elsa Berg har det." in _main(html)
    _plain(html, 35)


def test_the_overview_says_who_started_each_sip_to_each_reader(client, county):
    case, elsa, maria = _child_sip(county, "requested")
    johan = factories.guardian_of(elsa, name="Johan Berg")
    staff_case, _karl, lena = _adult_sip(county, "staff")
    staff_case.step = Step.REQUESTED  # as in the demo: no coordinator has taken it yet
    db.session.commit()
    readings = {}
    for name, who in (("maria", maria), ("johan", johan), ("elsa", elsa), ("lena", lena)):
        client.sign_in_as(who)
        html = client.get("/").get_data(as_text=True)
        _plain(html, 35)
        readings[name] = _main(html)
    assert "Nu: Du har bett om en SIP" in readings["maria"]
    assert "Du svarar för Elsa Berg. Du är vårdnadshavare." in readings["maria"]
    assert "Nu: Maria Berg har bett om en SIP" in readings["johan"]
    assert "Nu: Maria Berg har bett om en SIP" in readings["elsa"]
    assert "Nu: Personalen har startat SIP:en" in readings["lena"]
    assert "Du svarar för Karl Nyström. Du är god man." in readings["lena"]
    for name in ("johan", "elsa", "lena"):
        assert "Du har bett om en SIP" not in readings[name], name


def test_a_guardian_cancels_the_sip_not_their_own(client, county):
    case, _elsa, maria = _child_sip(county, "requested")
    text = _main(_page(client, maria, case))
    assert "Ska SIP:en inte fortsätta? Avbryt SIP:en" in text and "Avbryt din SIP" not in text
    response = client.get(f"/sip/{case.public_id}/avbryt")
    html = response.get_data(as_text=True)
    assert "<h1>Vill du avbryta SIP:en för" in html and "Elsa Berg" in _main(html)
    assert "din SIP" not in _main(html)
    _plain(html, 35)
    token = client.csrf_token(f"/sip/{case.public_id}/avbryt")
    done = client.post(f"/sip/{case.public_id}/avbryt", data={"csrf_token": token}, follow_redirects=True)
    assert "Du har avbrutit SIP:en." in done.get_data(as_text=True)
    assert "Du avbröt SIP:en." in _main(done.get_data(as_text=True))
