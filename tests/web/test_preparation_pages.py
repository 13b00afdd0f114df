"""The person's preparation pages "Inför mötet" [issue 5] [SIP.md 6]: one theme per screen, saved on its own;
the agenda ordered with buttons that say the new place; the private list stays with the coordinator; who
comes only among the parties the consent covers; where and how; a guardian's code for the child; the summary.
Every page is plain Swedish (LIX ≤ 35)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from citizen_app.extensions import db
from citizen_app.models import AgendaList, ParticipantRole, PrincipalKind, StaffRole, Step, UnitKind
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import access_links, consent, preparation, withdrawal
from tests.support import factories

PRIVATE = "Skilsmässan och bråken"


@pytest.fixture
def family(app):
    """Elsa (14) in the consent step; both guardians with custody consented to Socialtjänsten and the school,
    not to BUP. Peter is a parent without custody. The teacher works at the school, which takes part."""
    social = factories.unit("Socialtjänsten Exempelby")
    school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
    bup = factories.unit("BUP Exempelby", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION)
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    teacher = factories.staff(school, StaffRole.MEMBER, name="Lärare Lund")
    colleague = factories.staff(social, StaffRole.MEMBER, name="Kollega Kvist")
    elsa = factories.child("Elsa Ek", age=14)
    maria = factories.guardian_of(elsa, name="Maria Ek")
    johan = factories.guardian_of(elsa, name="Johan Ek")
    peter = factories.guardian_of(elsa, custody=False, name="Peter Ek")
    case = factories.case(elsa, social, coordinator, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    factories.participant(case, ParticipantRole.UNIT, unit_=bup)
    for guardian in (maria, johan):
        consent.give(
            guardian,
            case,
            [social.public_id, school.public_id],
            ["school"],
            date.today() + timedelta(days=300),
        )
    db.session.commit()
    return {
        "case": case,
        "elsa": elsa,
        "maria": maria,
        "johan": johan,
        "peter": peter,
        "coordinator": coordinator,
        "teacher": teacher,
        "colleague": colleague,
        "social": social,
        "school": school,
        "bup": bup,
    }


@pytest.fixture
def adult(app):
    social = factories.unit("Vuxenenheten")
    ada = factories.person("Ada Berg", age=45)
    case = factories.case(ada, social, step=Step.PREPARATION)
    db.session.commit()
    return ada, case


def _url(case, rest=""):
    return f"/sip/{case.public_id}/infor-motet{rest}"


def _post(client, url, data, headers=None):
    return client.post(url, data={**data, "csrf_token": client.csrf_token("/om-min-sip")}, headers=headers)


def _soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _agenda(client, case):
    return [
        re.sub(r"\s+", " ", li.find("p").get_text(" ", strip=True))
        for li in _soup(client.get(_url(case, "/att-prata-om"))).select("#agenda-items li[id]")
    ]


def _add(client, case, text, private=False):
    response = _post(client, _url(case, "/inte-prata-om" if private else "/att-prata-om"), {"text": text})
    assert response.status_code == 303
    wanted = AgendaList.NOT_TALK_ABOUT if private else AgendaList.TALK_ABOUT
    return next(i for i in preparation.agenda(case, wanted) if i.text == text)


# --- One theme per screen ----------------------------------------------------------------------------------


def test_each_theme_is_saved_on_its_own_and_comes_back_filled_in(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    first = client.get(_url(case, "/fraga/important"))
    assert "Fråga 1 av 9" in first.get_data(as_text=True)
    assert _soup(first).h1.get_text(strip=True) == "Vad är viktigt för dig?"

    saved = _post(client, _url(case, "/fraga/important"), {"text": "Att Elsa trivs i skolan"})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith("/fraga/works-well")
    _post(client, _url(case, "/fraga/not-working"), {"text": "Morgnarna"})

    again = _soup(client.get(_url(case, "/fraga/important")))
    assert again.find("textarea", id="text").get_text() == "Att Elsa trivs i skolan"
    assert _soup(client.get(_url(case, "/fraga/works-well"))).find("textarea", id="text").get_text() == ""
    start = _soup(client.get(_url(case)))
    states = {
        li.a.get_text(strip=True): li.find(class_="prep-state").get_text(strip=True)
        for li in start.select(".prep-part")
    }
    assert states["Vad är viktigt för dig?"] == "Klar"
    assert states["Vad fungerar inte så bra?"] == "Klar"
    assert states["Vad fungerar bra?"] == "Inte svarat än"


def test_a_guardian_also_answers_for_the_child_and_the_last_question_leads_back(client, family):
    case = family["case"]
    client.sign_in_as(family["johan"])
    page = client.get(_url(case, "/fraga/child-view"))
    assert "Fråga 9 av 9" in page.get_data(as_text=True)
    done = _post(client, _url(case, "/fraga/child-view"), {"text": "Elsa vill inte byta skola"})
    assert done.headers["Location"].endswith(_url(case))
    assert (
        preparation.answers(case, preparation.Voice.PERSON)["child_view"].text == "Elsa vill inte byta skola"
    )


def test_an_adult_has_seven_questions_and_none_about_a_child(client, adult):
    ada, case = adult
    client.sign_in_as(ada)
    assert "Fråga 1 av 7" in client.get(_url(case, "/fraga/important")).get_data(as_text=True)
    assert client.get(_url(case, "/fraga/child-wants")).status_code == 404


def test_a_too_long_answer_is_refused_with_an_error_summary(client, family):
    client.sign_in_as(family["maria"])
    response = _post(client, _url(family["case"], "/fraga/important"), {"text": "x" * 2001})
    assert response.status_code == 422
    assert (
        _soup(response).select_one(".error-summary a[href='#text']").get_text() == "Skriv högst 2000 tecken"
    )


def test_with_htmx_an_answer_is_saved_when_it_changes(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    response = _post(
        client,
        _url(case, "/fraga/help-needed"),
        {"text": "Läxhjälp", "autosave": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == "Sparat."
    assert preparation.answers(case, preparation.Voice.PERSON)["help_needed"].text == "Läxhjälp"


# --- The agenda --------------------------------------------------------------------------------------------


def test_the_buttons_change_the_order_and_the_status_says_the_new_place(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    for text in ("Skolan", "Sömnen", "Fritiden"):
        _add(client, case, text)
    fritiden = next(i for i in preparation.agenda(case, AgendaList.TALK_ABOUT) if i.text == "Fritiden")

    moved = _post(client, _url(case, f"/att-prata-om/{fritiden.public_id}/flytta"), {"direction": "up"})
    assert moved.status_code == 303
    # Without JavaScript the new page opens with the focus on the moved item's button (the #id focuses it),
    # and the button's description is the status that says the new place.
    assert moved.headers["Location"].endswith(f"/att-prata-om#up-{fritiden.public_id}")
    page = _soup(client.get(_url(case, "/att-prata-om")))
    status = page.find(id="agenda-status")
    assert status["role"] == "status"
    assert status.get_text(strip=True) == "”Fritiden” är flyttad till plats 2 av 3."
    button = page.find(id=f"up-{fritiden.public_id}")
    assert button.has_attr("autofocus") and button["aria-describedby"] == "agenda-status"
    assert _agenda(client, case) == ["Skolan", "Fritiden", "Sömnen"]
    assert not _soup(client.get(_url(case, "/att-prata-om"))).find(id="agenda-status").get_text(strip=True)

    _post(client, _url(case, f"/att-prata-om/{fritiden.public_id}/flytta"), {"direction": "up"})
    assert _agenda(client, case) == ["Fritiden", "Skolan", "Sömnen"]


def test_with_htmx_the_focus_stays_on_the_moved_items_button(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    first, second, third = (_add(client, case, t) for t in ("Skolan", "Sömnen", "Fritiden"))
    htmx = {"HX-Request": "true"}
    response = _post(client, _url(case, f"/att-prata-om/{third.public_id}/flytta"), {"direction": "up"}, htmx)
    assert response.status_code == 200
    page = _soup(response)
    assert page.find(id=f"up-{third.public_id}").has_attr("autofocus")
    # The live region speaks when htmx fills it in; a description as well would say it twice.
    assert not page.find(id=f"up-{third.public_id}").has_attr("aria-describedby")
    assert "plats 2 av 3" in page.find(id="agenda-status").get_text()
    # At the top there is no "Flytta upp" any more: the focus goes to "Flytta ner" of the same item.
    page = _soup(
        _post(client, _url(case, f"/att-prata-om/{third.public_id}/flytta"), {"direction": "up"}, htmx)
    )
    assert page.find(id=f"up-{third.public_id}") is None
    assert page.find(id=f"down-{third.public_id}").has_attr("autofocus")


def test_an_item_can_be_marked_most_important_and_unmarked(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    _add(client, case, "Skolan")
    sleep = _add(client, case, "Sömnen")
    _post(client, _url(case, f"/att-prata-om/{sleep.public_id}/viktigast"), {"on": "yes"})
    assert _agenda(client, case) == ["Skolan", "Viktigast Sömnen"]
    summary = _soup(client.get(_url(case, "/sammanfattning")))
    assert [li.get_text(" ", strip=True) for li in summary.select(".prep-summary__agenda li")] == [
        "Skolan",
        "Viktigast: Sömnen",
    ]
    _post(client, _url(case, f"/att-prata-om/{sleep.public_id}/viktigast"), {"on": "no"})
    assert _agenda(client, case) == ["Skolan", "Sömnen"]


def test_removing_an_item_asks_first(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    item = _add(client, case, "Skolan")
    ask = client.get(_url(case, f"/punkt/{item.public_id}/ta-bort"))
    assert ask.status_code == 200
    assert _agenda(client, case) == ["Skolan"]
    _post(client, _url(case, f"/punkt/{item.public_id}/ta-bort"), {})
    assert _agenda(client, case) == []


def test_an_empty_item_is_refused(client, family):
    client.sign_in_as(family["maria"])
    response = _post(client, _url(family["case"], "/att-prata-om"), {"text": "  "})
    assert response.status_code == 422
    assert "Skriv vad du vill prata om" in _soup(response).select_one(".error-summary").get_text()


def test_the_person_takes_a_relatives_suggestion_or_not(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    _add(client, case, "Skolan")
    taken = preparation.suggest_topic(case, invitation_id=None, text="Elsas fritid")
    left = preparation.suggest_topic(case, invitation_id=None, text="Mormors flytt")
    page = client.get(_url(case, "/att-prata-om")).get_data(as_text=True)
    assert "Elsas fritid" in page and "Ta med" in page
    _post(client, _url(case, f"/forslag/{taken.public_id}"), {"answer": "yes"})
    _post(client, _url(case, f"/forslag/{left.public_id}"), {"answer": "no"})
    assert _agenda(client, case) == ["Skolan", "Elsas fritid"]
    assert "Mormors flytt" not in client.get(_url(case, "/att-prata-om")).get_data(as_text=True)


def test_the_person_chooses_if_invited_relatives_see_the_list(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    assert not preparation.relatives_see_agenda(case)
    assert _post(client, _url(case, "/dela"), {"share": "yes"}).status_code == 303
    assert preparation.relatives_see_agenda(case)
    assert _post(client, _url(case, "/dela"), {}).status_code == 422


def test_an_answer_that_is_neither_yes_nor_no_keeps_the_saved_choice_and_says_what_to_do(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    _post(client, _url(case, "/dela"), {"share": "yes"})
    refused = _post(client, _url(case, "/dela"), {"share": "kanske"})
    assert refused.status_code == 422
    page = _soup(refused)
    assert page.select_one(".error-summary a[href='#share']").get_text() == "Välj ja eller nej"
    assert page.find("input", attrs={"name": "share", "value": "yes"}).has_attr("checked")
    assert preparation.relatives_see_agenda(case)


def test_a_suggestion_is_taken_or_left_only_with_its_two_buttons(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    suggested = preparation.suggest_topic(case, invitation_id=None, text="Elsas fritid")
    url = _url(case, f"/forslag/{suggested.public_id}")
    assert _post(client, url, {"answer": "kanske"}).status_code == 400
    assert _post(client, url, {}).status_code == 400
    assert _agenda(client, case) == []
    pending = preparation.agenda(case, AgendaList.TALK_ABOUT, preparation.SuggestionStatus.PENDING)
    assert [item.text for item in pending] == ["Elsas fritid"]


# --- The child's own answers, as the guardians read them ---------------------------------------------------


def test_a_guardians_summary_shows_what_the_child_shared_and_nothing_else(client, family, adult):
    case, elsa = family["case"], family["elsa"]
    preparation.save_child_answer(elsa, case, "important", "Min hund", True)
    preparation.save_child_answer(elsa, case, "not_working", "Att somna", False)
    preparation.save_child_answer(elsa, case, "attend", "", True, choice="part")
    preparation.save_child_answer(elsa, case, "not_talk_about", "Min brors problem", True)
    db.session.commit()

    for guardian in (family["maria"], family["johan"]):
        client.sign_in_as(guardian)
        response = client.get(_url(case, "/sammanfattning"))
        html = response.get_data(as_text=True)
        part = _soup(response).select_one(".prep-child-answers")
        assert part.h2.get_text() == "Ditt barns egna svar"
        rows = [
            (row.dt.get_text(strip=True), row.dd.get_text(strip=True))
            for row in part.select(".summary-list__row")
        ]
        assert rows == [
            ("Det är viktigt för mig", "Min hund"),
            ("Så vill jag vara med", "Ja, på en del av mötet"),
        ]
        assert "Att somna" not in html, "the child kept this from the parents"
        assert "Min brors problem" not in html, "what the child will not talk about is never for the parents"
        # Shared with the parents, not with the meeting: the page to show there leaves it out.
        at_the_meeting = client.get(_url(case, "/sammanfattning?privat=nej")).get_data(as_text=True)
        assert "Min hund" not in at_the_meeting and "prep-child-answers" not in at_the_meeting

    # An adult preparing her own meeting has no such part.
    ada, own_case = adult
    client.sign_in_as(ada)
    assert "prep-child-answers" not in client.get(_url(own_case, "/sammanfattning")).get_data(as_text=True)


def test_a_guardian_is_told_when_the_child_has_shared_nothing_yet(client, family):
    preparation.save_child_answer(family["elsa"], family["case"], "important", "Min hund", False)
    db.session.commit()
    client.sign_in_as(family["maria"])
    part = _soup(client.get(_url(family["case"], "/sammanfattning"))).select_one(".prep-child-answers")
    assert "Ditt barn har inte delat några svar med dig än." in part.get_text()
    assert "Min hund" not in part.get_text()


# --- What must not come up: for the coordinator only -------------------------------------------------------


def test_what_not_to_talk_about_never_leaks_to_other_roles(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    page = client.get(_url(case, "/inte-prata-om")).get_data(as_text=True)
    assert "Det här ser bara din samordnare. De andra på mötet ser det inte." in page
    _add(client, case, PRIVATE, private=True)
    _add(client, case, "Skolan")
    summary = _soup(client.get(_url(case, "/sammanfattning")))
    private_part = summary.select_one(".prep-private-summary")
    assert private_part.h2.get_text() == "Bara för samordnaren"
    assert PRIVATE in private_part.get_text()
    assert PRIVATE not in client.get(_url(case, "/sammanfattning?privat=nej")).get_data(as_text=True)
    assert PRIVATE not in client.get(_url(case, "/att-prata-om")).get_data(as_text=True)

    # A parent without custody: none of the pages.
    client.sign_in_as(family["peter"])
    for rest in ("", "/inte-prata-om", "/sammanfattning", "/att-prata-om", "/fraga/important"):
        response = client.get(_url(case, rest))
        assert response.status_code == 404, rest
        assert PRIVATE not in response.get_data(as_text=True)
    assert client.get(f"/sip/{case.public_id}").status_code == 404

    # Staff of the school that takes part, and a colleague at the owning unit: their case page.
    for staff in (family["teacher"], family["colleague"]):
        client.sign_in_as(staff)
        response = client.get(f"/personal/sip/{case.public_id}")
        assert response.status_code == 200
        assert PRIVATE not in response.get_data(as_text=True)

    # A relative the person invites reads through their invitation link; the service gives them nothing.
    relative = factories.person("Mormor Ek", age=70)
    factories.participant(case, ParticipantRole.RELATIVE, person_=relative)
    assert preparation.private_list_for(relative, case) == []
    assert preparation.private_list_for(family["teacher"], case) == []


# --- Who should come ---------------------------------------------------------------------------------------


def test_only_parties_the_consent_covers_can_be_chosen(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    page = _soup(client.get(_url(case, "/vilka-kommer")))
    assert [label.get_text() for label in page.select(".checkboxes label")] == [
        "Ekskolan",
        "Socialtjänsten Exempelby",
    ]
    refused = _post(
        client,
        _url(case, "/vilka-kommer"),
        {"units": [family["bup"].public_id, family["school"].public_id], "support_person": "Mormor"},
    )
    assert refused.status_code == 422
    assert (
        "Du kan bara välja dem som samtycket gäller" in _soup(refused).select_one(".error-summary").get_text()
    )
    # What was sent is shown again, to correct it.
    assert _soup(refused).find("input", value=family["school"].public_id).has_attr("checked")
    assert _soup(refused).find("input", id="support_person")["value"] == "Mormor"

    saved = _post(
        client,
        _url(case, "/vilka-kommer"),
        {"units": [family["school"].public_id], "support_person": "Mormor", "coordinator_wish": "Kim"},
    )
    assert saved.status_code == 303
    page = _soup(client.get(_url(case, "/vilka-kommer")))
    assert page.find("input", value=family["school"].public_id).has_attr("checked")
    assert page.find("input", id="support_person")["value"] == "Mormor"


def test_the_summary_names_the_units_the_person_chose_to_come(client, family):
    """The page the person prints for the meeting, in the state a journey reaches: units chosen, a guest,
    where and how answered, items on both lists (it answered 500 once a unit was chosen)."""
    case = family["case"]
    client.sign_in_as(family["maria"])
    chosen = [family["school"].public_id, family["social"].public_id]
    assert _post(client, _url(case, "/vilka-kommer"), {"units": chosen}).status_code == 303
    _post(client, _url(case, "/vilka-kommer/narstaende"), {"guest_name": "Mormor Ek", "guest_contact": ""})
    _add(client, case, "Skolan")
    _add(client, case, PRIVATE, private=True)
    for rest in ("/sammanfattning", "/sammanfattning?privat=nej"):
        response = client.get(_url(case, rest))
        assert response.status_code == 200, rest
        rows = {
            row.find("dt").get_text(strip=True): row.find("dd").get_text(" ", strip=True)
            for row in _soup(response).select(".summary-list__row")
        }
        assert rows["Av dem som hjälper mig"] == "Ekskolan, Socialtjänsten Exempelby"


def test_without_consent_in_force_no_party_can_be_chosen_and_the_page_says_so(client, adult):
    ada, case = adult
    client.sign_in_as(ada)
    page = _soup(client.get(_url(case, "/vilka-kommer")))
    assert not page.select(".checkboxes")
    assert "Det finns inget samtycke som gäller än." in page.find(id="units-hint").get_text()


def test_a_guest_with_a_bad_phone_number_is_refused_with_a_clear_message(client, family):
    client.sign_in_as(family["maria"])
    response = _post(
        client,
        _url(family["case"], "/vilka-kommer/narstaende"),
        {"guest_name": "Mormor", "guest_contact": "12"},
    )
    assert response.status_code == 422
    link = _soup(response).select_one(".error-summary a[href='#guest_contact']")
    assert link.get_text() == "Skriv ett telefonnummer, som 070-123 45 67, eller en e-postadress"
    assert _soup(response).find("input", id="guest_name")["value"] == "Mormor"
    assert preparation.guests(family["case"]) == []


def test_a_guest_is_added_and_removed_after_a_question(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    added = _post(
        client,
        _url(case, "/vilka-kommer/narstaende"),
        {"guest_name": "Mormor Ek", "guest_contact": "070-123 45 67", "guest_support": "yes"},
    )
    assert added.status_code == 303
    [guest] = preparation.guests(case)
    assert guest.role == ParticipantRole.SUPPORT_PERSON
    assert "Mormor Ek" in client.get(_url(case, "/vilka-kommer")).get_data(as_text=True)
    assert client.get(_url(case, f"/vilka-kommer/narstaende/{guest.public_id}/ta-bort")).status_code == 200
    assert preparation.guests(case) == [guest]
    _post(client, _url(case, f"/vilka-kommer/narstaende/{guest.public_id}/ta-bort"), {})
    assert preparation.guests(case) == []


# --- Where and how -----------------------------------------------------------------------------------------


def test_where_and_how_is_saved_and_shown_again(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    saved = _post(
        client,
        _url(case, "/var-och-hur"),
        {
            "place": "home",
            "times_not_working": "Inte på måndagar",
            "interpreter": "arabiska",
            "adaptation_cognitive": "Korta pauser",
        },
    )
    assert saved.status_code == 303
    page = _soup(client.get(_url(case, "/var-och-hur")))
    assert page.find("input", id="place").has_attr("checked")
    assert page.find("input", id="interpreter")["value"] == "arabiska"
    assert page.find("textarea", id="adaptation_cognitive").get_text() == "Korta pauser"
    summary = client.get(_url(case, "/sammanfattning")).get_data(as_text=True)
    assert "Hemma hos mig" in summary and "Korta pauser" in summary
    refused = _post(client, _url(case, "/var-och-hur"), {"place": "moon", "adaptation_physical": "Hiss"})
    assert refused.status_code == 422
    link = _soup(refused).select_one(".error-summary a[href='#place']")
    assert link.get_text() == "Välj ett av sätten i listan"
    assert _soup(refused).find("textarea", id="adaptation_physical").get_text() == "Hiss"


# --- The child's own code ----------------------------------------------------------------------------------


def test_a_guardian_gives_the_child_a_code_and_can_close_it(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    made = _post(client, _url(case, "/barnets-kod"), {})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    code = _soup(made).select_one(".prep-code__value").get_text(strip=True)
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    link = access_links.open_link(code, access_links.CHILD_PAGES)
    assert link.person_id == family["elsa"].id
    assert code not in client.get(_url(case, "/barnets-kod")).get_data(as_text=True), "shown once"

    second = _soup(_post(client, _url(case, "/barnets-kod"), {})).select_one(".prep-code__value").get_text()
    with pytest.raises(access_links.LinkNotValid):
        access_links.open_link(code, access_links.CHILD_PAGES)  # the new code replaces the old one
    assert _post(client, _url(case, "/barnets-kod/stang"), {}).status_code == 303
    with pytest.raises(access_links.LinkNotValid):
        access_links.open_link(second.strip(), access_links.CHILD_PAGES)
    assert access_links.active_links(case, access_links.CHILD_PAGES) == []


def test_only_a_guardian_with_custody_gives_a_child_code(client, family, adult):
    ada, own_case = adult
    client.sign_in_as(ada)
    assert client.get(_url(own_case, "/barnets-kod")).status_code == 404
    assert _post(client, _url(own_case, "/barnets-kod"), {}).status_code == 404
    assert "barnets-kod" not in client.get(_url(own_case)).get_data(as_text=True)
    client.sign_in_as(family["peter"])
    assert _post(client, _url(family["case"], "/barnets-kod"), {}).status_code == 404
    assert access_links.active_links(family["case"], access_links.CHILD_PAGES) == []


# --- Who may open the pages --------------------------------------------------------------------------------


def test_another_persons_case_is_not_found(client, family, adult):
    ada, _ = adult
    client.sign_in_as(ada)
    case = family["case"]
    for rest in ("", "/fraga/important", "/att-prata-om", "/vilka-kommer", "/var-och-hur", "/sammanfattning"):
        assert client.get(_url(case, rest)).status_code == 404, rest
    assert _post(client, _url(case, "/fraga/important"), {"text": "x"}).status_code == 404
    assert preparation.answers(case, preparation.Voice.PERSON) == {}


def test_staff_are_not_let_in(client, family):
    client.sign_in_as(family["coordinator"])
    assert client.get(_url(family["case"])).status_code == 403


def test_a_closed_sip_cannot_be_prepared(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    withdrawal.withdraw(family["maria"], case)
    response = client.get(_url(case, "/fraga/important"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sip/{case.public_id}")


# --- Plain Swedish -----------------------------------------------------------------------------------------


def test_every_page_is_plain_swedish(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    item = _add(client, case, "Skolan")
    _add(client, case, "Sömnen")
    _add(client, case, PRIVATE, private=True)
    preparation.suggest_topic(case, invitation_id=None, text="Elsas fritid")
    _post(
        client,
        _url(case, "/vilka-kommer/narstaende"),
        {"guest_name": "Mormor Ek", "guest_contact": "0701234567"},
    )
    [guest] = preparation.guests(case)
    _post(client, _url(case, "/vilka-kommer"), {"units": [family["school"].public_id]})
    pages = {
        "start": client.get(_url(case)),
        "who comes": client.get(_url(case, "/vilka-kommer")),
        "who comes, error": _post(client, _url(case, "/vilka-kommer/narstaende"), {"guest_contact": "1"}),
        "where and how": client.get(_url(case, "/var-och-hur")),
        "not talk about": client.get(_url(case, "/inte-prata-om")),
        "remove item": client.get(_url(case, f"/punkt/{item.public_id}/ta-bort")),
        "remove guest": client.get(_url(case, f"/vilka-kommer/narstaende/{guest.public_id}/ta-bort")),
        "child code": client.get(_url(case, "/barnets-kod")),
        "child code, made": _post(client, _url(case, "/barnets-kod"), {}),
    }
    for theme in preparation.themes_for(family["maria"], case):
        pages[theme] = client.get(_url(case, "/fraga/" + theme.replace("_", "-")))
    _post(client, _url(case, f"/att-prata-om/{item.public_id}/flytta"), {"direction": "down"})
    pages["talk about, moved"] = client.get(_url(case, "/att-prata-om"))
    pages["summary"] = client.get(_url(case, "/sammanfattning"))
    for name, response in pages.items():
        assert response.status_code in (200, 422), name
        readability = measure(main_text_blocks(response.get_data(as_text=True)))
        assert readability.lix <= 35, f"{name}: LIX {readability.lix:.1f} ({readability})"
        assert readability.longest_sentence_words <= 20, f"{name}: {readability.longest_sentence!r}"


def test_after_an_english_visit_a_swedish_reader_still_gets_swedish_questions(app, family):
    """Jinja caches a template imported without context; the questions once stayed in the first visitor's
    language for everyone after."""
    case = family["case"]
    english, swedish = app.test_client(), app.test_client()
    english.sign_in_as(family["maria"])
    english.get("/sprak/en?next=/")
    assert "What is important to you?" in english.get(_url(case)).get_data(as_text=True)
    swedish.sign_in_as(family["johan"])
    for rest in ("", "/sammanfattning", "/fraga/important"):
        html = swedish.get(_url(case, rest)).get_data(as_text=True)
        assert "Vad är viktigt för dig?" in html, rest
        assert "What is important to you?" not in html, rest
