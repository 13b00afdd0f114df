"""Asking for a SIP on the web: one question per page, check your answers, sent [issue 3].

The GOV.UK pattern: each question page renders with a back link and the saved answer; a wrong answer gives
the same page with status 422, "Fel: " in the title and an error summary; a right one a 303 to the next page.
A double click sends one request. Malformed or oversized input gets a clear 4xx page, never a 500, and
writes nothing. Every page of the flow is plain Swedish (LIX ≤ 35 on <main>).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import FlowDraft, PrincipalKind, SipCase, StaffRole, UnitKind
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import intake
from tests.support import factories

SLUGS = {
    "who": "vem",
    "need": "behov",
    "services": "kontakter",
    "urgency": "bradskande",
    "contact": "kontakt",
}
STEPS = list(SLUGS)
NEED = "Jag behöver hjälp att få skola och vård att fungera ihop."
VALID = {
    "who": {"for_whom": "self"},
    "need": {"need": NEED},
    "services": {"units": ["dont_know"], "other_services": ""},
    "urgency": {"urgent": "no", "leaving_hospital": "no", "discharge_date": ""},
    "contact": {
        "contact_way": "phone",
        "phone": "070-123 45 67",
        "interpreter": "yes",
        "interpreter_language": "arabiska",
        "adaptations": "",
    },
}
INVALID = {
    "who": {"for_whom": "the neighbour's cat"},
    "need": {"need": "   "},
    "services": {"other_services": ""},
    "urgency": {"urgent": "kanske", "leaving_hospital": "yes", "discharge_date": "31/12"},
    "contact": {"contact_way": "fax", "interpreter": "yes", "interpreter_language": ""},
}
# The field whose error the summary must link to, for each invalid answer above.
FIRST_ERROR = {
    "who": "for_whom",
    "need": "need",
    "services": "units",
    "urgency": "urgent",
    "contact": "contact_way",
}


@pytest.fixture
def county(app):
    """A municipality unit with a coordinator (it receives requests) and a health centre in the region."""
    social = factories.unit("Socialtjänsten i Exempelby")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    health = factories.unit(
        "Vårdcentralen Norr", kind=UnitKind.PRIMARY_CARE, principal_kind=PrincipalKind.REGION
    )
    db.session.commit()
    return {"social": social, "health": health, "coordinator": coordinator}


@pytest.fixture
def person(app, county):
    return factories.person("Ada Andersson")


@pytest.fixture
def signed_in(client, person):
    client.sign_in_as(person)
    return client


def _token(client) -> str:
    return client.csrf_token("/om-min-sip")


def _begin(client) -> str:
    """Press "Börja"; returns the draft's public id."""
    response = client.post("/begar-sip", data={"csrf_token": _token(client)})
    assert response.status_code == 303
    match = re.fullmatch(r"/begar-sip/([\w-]{22})/vem", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _url(draft_id: str, step: str) -> str:
    return f"/begar-sip/{draft_id}/{SLUGS[step]}"


def _answer(client, draft_id: str, step: str, values: dict, token: str | None = None):
    return client.post(_url(draft_id, step), data={**values, "csrf_token": token or _token(client)})


def _answer_all(client, draft_id: str, answers: dict | None = None) -> None:
    token = _token(client)
    for step in STEPS:
        values = (answers or {}).get(step, VALID[step])
        assert _answer(client, draft_id, step, values, token).status_code == 303, step


def _draft(draft_id: str) -> FlowDraft:
    return db.session.scalar(select(FlowDraft).where(FlowDraft.public_id == draft_id))


def _cases() -> int:
    return db.session.scalar(select(func.count()).select_from(SipCase))


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _back_href(response) -> str:
    link = _soup(response).select_one("main a.back-link")
    assert link is not None, "no back link"
    return link["href"]


# ---- the start page ----------------------------------------------------------------------------------------


def test_the_start_page_says_what_happens_and_begins_the_questions(signed_in, person):
    page = signed_in.get("/begar-sip")
    assert page.status_code == 200
    text = _soup(page).main.get_text(" ")
    assert "fem korta frågor" in text and "30 dagar" in text and "kostar inget" in text
    draft_id = _begin(signed_in)
    assert _draft(draft_id).author_id == person.id
    # Pressing "Börja" again continues the same draft, at the first question not yet answered.
    _answer(signed_in, draft_id, "who", VALID["who"])
    again = signed_in.post("/begar-sip", data={"csrf_token": _token(signed_in)})
    assert again.headers["Location"] == f"/begar-sip/{draft_id}/behov"


def test_signed_out_visitors_are_asked_to_sign_in_first(client, county):
    response = client.get("/begar-sip")
    assert response.status_code == 303 and "/logga-in" in response.headers["Location"]


def test_staff_cannot_use_the_citizen_flow(client, county):
    client.sign_in_as(county["coordinator"])
    assert client.get("/begar-sip").status_code == 403


def test_the_overview_and_the_signed_out_start_page_lead_to_the_request(client, person):

    assert "Begär en SIP" in client.get("/").get_data(as_text=True)
    client.sign_in_as(person)
    overview = _soup(client.get("/"))
    link = overview.select_one('main a[href="/begar-sip"]')
    assert link is not None and "Begär en SIP" in link.get_text()


# ---- each question page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_each_question_page_renders_with_a_back_link_and_the_question_as_h1(signed_in, step):
    draft_id = _begin(signed_in)
    page = signed_in.get(_url(draft_id, step))
    assert page.status_code == 200
    soup = _soup(page)
    h1 = soup.h1
    # The label or legend IS the h1 [GOV.UK question pages].
    assert h1.parent.name == "legend" or h1.find("label") is not None
    expected_back = "/begar-sip" if step == "who" else _url(draft_id, STEPS[STEPS.index(step) - 1])
    assert _back_href(page) == expected_back
    form = soup.select_one("main form")
    assert form["method"] == "post" and form.has_attr("novalidate") and not soup.select("[required]")


@pytest.mark.parametrize("step", STEPS)
def test_a_wrong_answer_shows_the_page_again_with_the_problem(signed_in, step):
    draft_id = _begin(signed_in)
    before = dict(_draft(draft_id).answers)
    response = _answer(signed_in, draft_id, step, INVALID[step])
    assert response.status_code == 422
    soup = _soup(response)
    assert soup.title.get_text().startswith("Fel: ")
    summary = soup.select_one(".error-summary")
    assert summary is not None and "Det finns ett problem" in summary.get_text()
    field = FIRST_ERROR[step]
    assert summary.select_one(f'a[href="#{field}"]') is not None
    assert soup.find(id=field) is not None, "the summary links to a field that is not there"
    assert soup.find(id=f"{field}-error") is not None  # the message sits next to the field too
    assert _draft(draft_id).answers == before  # nothing saved


@pytest.mark.parametrize("step", STEPS)
def test_a_right_answer_is_saved_and_leads_to_the_next_page(signed_in, step):
    draft_id = _begin(signed_in)
    response = _answer(signed_in, draft_id, step, VALID[step])
    assert response.status_code == 303
    position = STEPS.index(step)
    expected = (
        _url(draft_id, STEPS[position + 1])
        if position + 1 < len(STEPS)
        else f"/begar-sip/{draft_id}/kontrollera"  # which sends the person on to the first open question
    )
    assert response.headers["Location"] == expected
    assert step in _draft(draft_id).answers["_done"]


def test_going_back_and_continuing_leads_to_the_next_question_again(signed_in):
    draft_id = _begin(signed_in)
    _answer_all(signed_in, draft_id)
    response = _answer(signed_in, draft_id, "who", VALID["who"])
    assert response.headers["Location"] == _url(draft_id, "need")
    response = _answer(signed_in, draft_id, "contact", VALID["contact"])
    assert response.headers["Location"] == f"/begar-sip/{draft_id}/kontrollera"


def test_going_back_shows_every_saved_answer(signed_in, county):
    draft_id = _begin(signed_in)
    _answer_all(
        signed_in,
        draft_id,
        {
            "services": {"units": [county["health"].public_id, "dont_know"], "other_services": "Fritids"},
            "urgency": {"urgent": "yes", "leaving_hospital": "yes", "discharge_date": _in_days(5)},
        },
    )
    who = _soup(signed_in.get(_url(draft_id, "who")))
    assert who.find("input", attrs={"name": "for_whom", "value": "self"}).has_attr("checked")
    need = _soup(signed_in.get(_url(draft_id, "need")))
    assert need.find("textarea", attrs={"name": "need"}).get_text() == NEED
    services = _soup(signed_in.get(_url(draft_id, "services")))
    checked = {box["value"] for box in services.select('input[name="units"][checked]')}
    assert checked == {county["health"].public_id, "dont_know"}
    assert services.find("input", attrs={"name": "other_services"})["value"] == "Fritids"
    urgency = _soup(signed_in.get(_url(draft_id, "urgency")))
    assert urgency.find("input", attrs={"name": "urgent", "value": "yes"}).has_attr("checked")
    assert urgency.find("input", attrs={"name": "discharge_date"})["value"] == _in_days(5)
    contact = _soup(signed_in.get(_url(draft_id, "contact")))
    assert contact.find("input", attrs={"name": "contact_way", "value": "phone"}).has_attr("checked")
    assert contact.find("input", attrs={"name": "phone"})["value"] == "070-123 45 67"
    assert contact.find("input", attrs={"name": "interpreter_language"})["value"] == "arabiska"


def test_a_wrong_answer_keeps_what_the_person_wrote(signed_in):
    draft_id = _begin(signed_in)
    response = _answer(
        signed_in, draft_id, "who", {"for_whom": "someone_close", "close_name": "Bo Ek", "close_contact": ""}
    )
    assert response.status_code == 422
    soup = _soup(response)
    assert soup.find("input", attrs={"value": "someone_close"}).has_attr("checked")
    assert soup.find("input", attrs={"name": "close_name"})["value"] == "Bo Ek"
    assert soup.select_one('.error-summary a[href="#close_contact"]') is not None


def test_the_units_are_grouped_by_kommun_region_and_other(signed_in, county):
    draft_id = _begin(signed_in)
    soup = _soup(signed_in.get(_url(draft_id, "services")))
    groups = {fs.legend.get_text(strip=True): fs for fs in soup.select("fieldset fieldset")}
    assert county["social"].name in groups["Kommunen"].get_text()
    assert county["health"].name in groups["Regionen"].get_text()
    assert soup.find("input", attrs={"name": "units", "value": "dont_know"}) is not None
    assert "(valfritt)" in soup.find("label", attrs={"for": "other_services"}).get_text()


def test_a_guardian_can_ask_for_their_child_and_the_questions_name_the_child(client, county):
    kid = factories.child("Lisa Berg")
    parent = factories.guardian_of(kid, name="Maria Berg")
    client.sign_in_as(parent)
    draft_id = _begin(client)
    who = _soup(client.get(_url(draft_id, "who")))
    assert "Lisa Berg" in who.select_one("fieldset").get_text()
    response = _answer(client, draft_id, "who", {"for_whom": "child:" + kid.public_id})
    assert response.status_code == 303
    need = _soup(client.get(_url(draft_id, "need")))
    assert need.h1.get_text().strip() == "Vad behöver Lisa Berg hjälp med?"


def test_a_question_page_works_for_someone_close_without_javascript(signed_in):
    """The name and contact fields are always on the page (no reveal needs JavaScript), with a hint."""
    draft_id = _begin(signed_in)
    soup = _soup(signed_in.get(_url(draft_id, "who")))
    assert soup.find("input", attrs={"name": "close_name"}) is not None
    assert "Fyll bara i" in soup.select_one("main form").get_text()
    assert not soup.select("main [hidden]")


# ---- check your answers ------------------------------------------------------------------------------------


def test_the_check_page_waits_until_every_question_is_answered(signed_in):
    draft_id = _begin(signed_in)
    _answer(signed_in, draft_id, "who", VALID["who"])
    response = signed_in.get(f"/begar-sip/{draft_id}/kontrollera")
    assert response.status_code == 303 and response.headers["Location"] == _url(draft_id, "need")


def test_the_check_page_lists_the_answers_with_change_links(signed_in, county):
    draft_id = _begin(signed_in)
    _answer_all(signed_in, draft_id, {"services": {"units": [county["social"].public_id]}})
    page = signed_in.get(f"/begar-sip/{draft_id}/kontrollera")
    assert page.status_code == 200
    soup = _soup(page)
    assert soup.h1.get_text(strip=True) == "Kontrollera dina svar"
    text = soup.select_one(".summary-list").get_text(" ")
    for shown in (NEED, county["social"].name, "070-123 45 67", "arabiska", "Mig själv"):
        assert shown in text
    changes = {a["href"] for a in soup.select(".summary-list a") if a.get_text().startswith("Ändra")}
    assert changes == {_url(draft_id, step) + "?fran=kontrollera" for step in STEPS}
    assert _back_href(page) == _url(draft_id, "contact")


def test_a_change_link_returns_to_the_check_page(signed_in):
    draft_id = _begin(signed_in)
    _answer_all(signed_in, draft_id)
    change = signed_in.get(_url(draft_id, "need") + "?fran=kontrollera")
    assert _back_href(change) == f"/begar-sip/{draft_id}/kontrollera"
    assert _soup(change).select_one("main form")["action"] == _url(draft_id, "need") + "?fran=kontrollera"
    response = signed_in.post(
        _url(draft_id, "need") + "?fran=kontrollera",
        data={"need": "Nu skriver jag något annat.", "csrf_token": _token(signed_in)},
    )
    assert (
        response.status_code == 303 and response.headers["Location"] == f"/begar-sip/{draft_id}/kontrollera"
    )
    assert "Nu skriver jag något annat." in signed_in.get(response.headers["Location"]).get_data(as_text=True)


# ---- sending -----------------------------------------------------------------------------------------------


def _send(client, draft_id: str, token: str | None = None):
    return client.post(f"/begar-sip/{draft_id}/kontrollera", data={"csrf_token": token or _token(client)})


def test_sending_makes_one_case_and_shows_what_happens_next(signed_in, person, county):
    draft_id = _begin(signed_in)
    _answer_all(signed_in, draft_id)
    response = _send(signed_in, draft_id)
    assert response.status_code == 303
    case = db.session.scalar(select(SipCase))
    assert _cases() == 1 and case.subject_id == person.id
    assert response.headers["Location"] == f"/begar-sip/skickad/{case.public_id}"
    page = signed_in.get(response.headers["Location"])
    assert page.status_code == 200
    text = _soup(page).main.get_text(" ")
    assert "kostar inget" in text
    assert "Du bestämmer vem som ska vara med" in text and "Du bestämmer vad ni ska prata om" in text
    assert "30 dagar" in text
    assert "Kim Samordnare" not in text  # nobody has taken the request yet
    assert f'href="/sip/{case.public_id}"' in page.get_data(as_text=True)


def test_the_confirmation_shows_the_coordinator_once_one_is_assigned(signed_in, county):
    draft_id = _begin(signed_in)
    _answer_all(signed_in, draft_id)
    location = _send(signed_in, draft_id).headers["Location"]
    case = db.session.scalar(select(SipCase))
    intake.accept(county["coordinator"], case)
    db.session.commit()
    assert "Kim Samordnare" in _soup(signed_in.get(location)).main.get_text(" ")


def test_a_double_click_on_send_makes_one_case_and_both_clicks_see_it(signed_in):
    draft_id = _begin(signed_in)
    _answer_all(signed_in, draft_id)
    token = _token(signed_in)
    first = _send(signed_in, draft_id, token)
    second = _send(signed_in, draft_id, token)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _cases() == 1
    assert signed_in.get(second.headers["Location"]).status_code == 200


def test_after_sending_the_back_button_leads_to_the_confirmation_not_a_second_request(signed_in):
    draft_id = _begin(signed_in)
    _answer_all(signed_in, draft_id)
    sent = _send(signed_in, draft_id).headers["Location"]
    assert signed_in.get(_url(draft_id, "contact")).headers["Location"] == sent
    again = _answer(signed_in, draft_id, "contact", VALID["contact"])
    assert again.status_code == 303 and again.headers["Location"] == sent
    assert _cases() == 1


def test_a_relatives_suggestion_says_the_person_is_asked_first_and_shows_nothing_of_the_case(client, county):
    relative = factories.person("Greta Granne")
    client.sign_in_as(relative)
    draft_id = _begin(client)
    _answer_all(
        client,
        draft_id,
        {"who": {"for_whom": "someone_close", "close_name": "Bo Ek", "close_contact": "070-765 43 21"}},
    )
    check = _soup(client.get(f"/begar-sip/{draft_id}/kontrollera")).main.get_text(" ")
    assert "Bo Ek" in check and "frågar först" in check
    location = _send(client, draft_id).headers["Location"]
    page = _soup(client.get(location))
    assert page.h1.get_text(strip=True) == "Ditt förslag är skickat"
    assert "Vi frågar först Bo Ek" in page.main.get_text(" ")
    case = db.session.scalar(select(SipCase))
    assert not page.select(f'a[href="/sip/{case.public_id}"]')
    assert client.get(f"/sip/{case.public_id}").status_code == 404


def test_a_request_that_is_no_longer_allowed_gets_a_message_not_a_case(client, county):
    """Custody ended between question 1 and sending: the check page says so, and nothing is sent."""
    kid = factories.child("Lisa Berg")
    parent = factories.guardian_of(kid)
    client.sign_in_as(parent)
    draft_id = _begin(client)
    _answer_all(client, draft_id, {"who": {"for_whom": "child:" + kid.public_id}})
    from citizen_app.models import Relationship

    db.session.scalar(select(Relationship).where(Relationship.holder_id == parent.id)).has_custody = False
    db.session.commit()
    response = _send(client, draft_id)
    assert response.status_code == 422
    soup = _soup(response)
    assert soup.select_one('.error-summary a[href="#change-who"]') is not None
    assert soup.find(id="change-who") is not None
    assert _cases() == 0


# ---- someone else's draft, malformed and oversized input ---------------------------------------------------


def test_someone_elses_draft_is_not_found_and_stays_untouched(client, county):
    owner = factories.person("Ägaren")
    other = factories.person("Någon annan")
    client.sign_in_as(owner)
    draft_id = _begin(client)
    _answer_all(client, draft_id)
    before = dict(_draft(draft_id).answers)
    client.sign_in_as(other)
    token = _token(client)
    for step in STEPS:
        assert client.get(_url(draft_id, step)).status_code == 404
        assert _answer(client, draft_id, step, VALID[step], token).status_code == 404
    assert client.get(f"/begar-sip/{draft_id}/kontrollera").status_code == 404
    assert _send(client, draft_id, token).status_code == 404
    assert _draft(draft_id).answers == before and _cases() == 0


def test_an_unknown_draft_or_case_is_not_found(signed_in):
    assert signed_in.get("/begar-sip/" + "x" * 22 + "/vem").status_code == 404
    assert signed_in.get("/begar-sip/not-an-id/vem").status_code == 404
    assert signed_in.get("/begar-sip/skickad/" + "x" * 22).status_code == 404


def test_someone_elses_confirmation_page_is_not_found(client, county):
    owner = factories.person("Ägaren")
    client.sign_in_as(owner)
    draft_id = _begin(client)
    _answer_all(client, draft_id)
    location = _send(client, draft_id).headers["Location"]
    client.sign_in_as(factories.person("Någon annan"))
    response = client.get(location)
    assert response.status_code == 404 and "Ägaren" not in response.get_data(as_text=True)


def test_a_100_kb_answer_gets_a_clear_message_and_nothing_is_saved(signed_in):
    draft_id = _begin(signed_in)
    response = _answer(signed_in, draft_id, "need", {"need": "a" * 100_000})
    assert response.status_code in (413, 422)
    text = _soup(response).main.get_text(" ")
    assert "högst 2000 tecken" in text or "för stort" in text
    assert "need" not in _draft(draft_id).answers


def test_a_body_over_the_limit_gets_413_with_a_message(signed_in):
    draft_id = _begin(signed_in)
    response = _answer(signed_in, draft_id, "need", {"need": "a" * 300_000})
    assert response.status_code == 413
    assert "för stort" in _soup(response).h1.get_text()
    assert "need" not in _draft(draft_id).answers


@pytest.mark.parametrize("step", STEPS)
def test_a_list_where_one_answer_is_expected_gets_400_and_nothing_is_saved(signed_in, step):
    draft_id = _begin(signed_in)
    field = FIRST_ERROR[step] if step != "services" else "other_services"
    values = {**VALID[step], field: ["ett", "två"]}
    response = _answer(signed_in, draft_id, step, values)
    assert response.status_code == 400
    assert "Något blev fel med det du skickade" in _soup(response).h1.get_text()
    assert step not in _draft(draft_id).answers.get("_done", [])


def test_nul_characters_are_dropped_not_a_server_error(signed_in, county):
    """PostgreSQL refuses NUL in text; a NUL in a checkbox value or a text must not reach it."""
    draft_id = _begin(signed_in)
    unit = county["health"].public_id
    assert _answer(signed_in, draft_id, "services", {"units": ["\x00"]}).status_code == 422
    response = _answer(signed_in, draft_id, "services", {"units": [unit[:5] + "\x00" + unit[5:]]})
    assert response.status_code == 303
    assert _draft(draft_id).answers["units"] == [unit]
    assert _answer(signed_in, draft_id, "need", {"need": "Hjälp\x00 hemma"}).status_code == 303
    assert _draft(draft_id).answers["need"] == "Hjälp hemma"


def test_thousands_of_checkboxes_get_400(signed_in):
    draft_id = _begin(signed_in)
    response = _answer(signed_in, draft_id, "services", {"units": [f"u{i}" for i in range(1000)]})
    assert response.status_code == 400


# ---- anything at all in the fields: never a 500 ------------------------------------------------------------

FIELDS = {
    "who": {"for_whom": ["self", "someone_close"], "close_name": [], "close_contact": []},
    "need": {"need": []},
    "services": {"units": ["dont_know"], "other_services": []},
    "urgency": {"urgent": ["yes", "no"], "leaving_hospital": ["yes"], "discharge_date": ["2026-02-30"]},
    "contact": {
        "contact_way": ["phone", "email"],
        "phone": [],
        "email": [],
        "interpreter": ["yes"],
        "interpreter_language": [],
        "adaptations": [],
    },
}
ANY_TEXT = st.text(max_size=300)


def _field_values(choices: list[str]):
    return st.one_of(ANY_TEXT, st.sampled_from(choices)) if choices else ANY_TEXT


def _form(step: str):
    fields = {}
    for name, choices in FIELDS[step].items():
        value = _field_values(choices)
        fields[name] = st.lists(value, max_size=4) if name == "units" else value
    return st.fixed_dictionaries({}, optional=fields)


@pytest.mark.parametrize("step", STEPS)
def test_any_text_in_any_field_never_gives_a_server_error(signed_in, step):
    draft_id = _begin(signed_in)
    token = _token(signed_in)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(values=_form(step))
    def post(values):
        response = _answer(signed_in, draft_id, step, values, token)
        assert response.status_code in (303, 422), (response.status_code, values)

    post()


@pytest.mark.parametrize("step", STEPS)
def test_any_bytes_in_any_field_never_give_a_server_error(signed_in, step):
    draft_id = _begin(signed_in)
    token = _token(signed_in)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        pairs=st.lists(st.tuples(st.sampled_from(list(FIELDS[step])), st.binary(max_size=200)), max_size=6)
    )
    def post(pairs):
        body = urlencode([("csrf_token", token), *pairs])
        response = signed_in.post(
            _url(draft_id, step), data=body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (303, 400, 422), (response.status_code, pairs)

    post()


# ---- plain Swedish and few queries on every page -----------------------------------------------------------


def _flow_pages(client, county) -> dict[str, str]:
    """Every page of the flow as a person meets it: start, each question (also with an error), check, sent."""
    pages = {"start": client.get("/begar-sip")}
    draft_id = _begin(client)
    for step in STEPS:
        pages[step] = client.get(_url(draft_id, step))
        pages[step + " (error)"] = _answer(client, draft_id, step, INVALID[step])
    _answer_all(client, draft_id)
    pages["check"] = client.get(f"/begar-sip/{draft_id}/kontrollera")
    pages["sent"] = client.get(_send(client, draft_id).headers["Location"])
    case = db.session.scalar(select(SipCase))
    intake.accept(county["coordinator"], case)
    db.session.commit()
    pages["sent, with coordinator"] = client.get(f"/begar-sip/skickad/{case.public_id}")
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


def test_every_page_of_the_flow_is_plain_swedish(signed_in, county):
    for name, html in _flow_pages(signed_in, county).items():
        readability = measure(main_text_blocks(html))
        assert readability.words > 10, name
        assert readability.lix <= 35, f"{name}: LIX {readability.lix:.1f} ({readability})"
        assert readability.longest_sentence_words <= 20, f"{name}: {readability.longest_sentence!r}"


def test_a_relatives_pages_are_plain_swedish_too(client, county):
    client.sign_in_as(factories.person("Greta Granne"))
    draft_id = _begin(client)
    _answer_all(
        client,
        draft_id,
        {"who": {"for_whom": "someone_close", "close_name": "Bo Ek", "close_contact": "070-765 43 21"}},
    )
    pages = {"check": client.get(f"/begar-sip/{draft_id}/kontrollera")}
    pages["sent"] = client.get(_send(client, draft_id).headers["Location"])
    for name, response in pages.items():
        readability = measure(main_text_blocks(response.get_data(as_text=True)))
        assert readability.lix <= 35, f"{name}: LIX {readability.lix:.1f} ({readability})"


def test_every_page_of_the_flow_needs_few_queries(signed_in, county, count_queries):
    draft_id = _begin(signed_in)
    _answer_all(signed_in, draft_id)
    urls = ["/begar-sip"] + [_url(draft_id, step) for step in STEPS] + [f"/begar-sip/{draft_id}/kontrollera"]
    for url in urls:
        db.session.commit()
        with count_queries() as queries:
            assert signed_in.get(url).status_code == 200
        assert queries.count <= 8, (url, queries.statements)
    location = _send(signed_in, draft_id).headers["Location"]
    db.session.commit()
    with count_queries() as queries:
        assert signed_in.get(location).status_code == 200
    assert queries.count <= 8, (location, queries.statements)


def _in_days(days: int) -> str:
    from datetime import date, timedelta

    return (date.today() + timedelta(days=days)).isoformat()


def test_the_services_page_is_plain_swedish_with_a_whole_county_of_units(client, demo_data):
    """The unit names are the county's own (long words like "Försäkringskassan"); the page stays easy."""
    from citizen_app.services import requests as request_service

    client.sign_in_as(factories.person("Ada Andersson"))
    units = sum(len(u) for u in request_service.units_by_principal_kind().values())
    assert units >= 5
    html = client.get(_url(_begin(client), "services")).get_data(as_text=True)
    readability = measure(main_text_blocks(html))
    assert readability.lix <= 35, f"LIX {readability.lix:.1f} ({readability})"
