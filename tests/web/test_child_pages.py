"""The child's own pages, "Min röst" [issue 5] [SIP.md 6]: opened with the code a guardian gave, one question
per page, the child decides per answer whether the guardians may read it, and the words are for children."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import AccessLink, AuditEntry, ParticipantRole, StaffRole, Step, UnitKind
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import access_links, preparation
from citizen_app.web import guards
from tests.support import factories

CHILD_LIX = 28  # QUALITY.md: children's pages
WRONG_CODE = "Länken eller koden fungerar inte. Den kan vara för gammal. Be om en ny."
TODAY = date.today()


@pytest.fixture
def sip(app):
    social = factories.unit("Socialtjänsten")
    school = factories.unit("Skolan", kind=UnitKind.SCHOOL)
    kid = factories.child("Elsa", age=12)
    mum = factories.guardian_of(kid, name="Mamma")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    case = factories.case(kid, social, coordinator=coordinator, step=Step.PREPARATION)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    other_kid = factories.child("Annan", age=12)
    other_case = factories.case(other_kid, social, coordinator=coordinator, step=Step.PREPARATION)
    db.session.flush()
    return {
        "case": case,
        "kid": kid,
        "mum": mum,
        "coordinator": coordinator,
        "other_case": other_case,
    }


def _code_for(sip, case=None, kid=None) -> str:
    """The code a guardian gives the child, as it is shown to them: ABCDE-FGHJK."""
    made = access_links.create(
        access_links.CHILD_PAGES,
        case or sip["case"],
        sip["mum"],
        person=kid or sip["kid"],
        days=access_links.CHILD_ACCESS_DAYS,
        as_code=True,
    )
    return access_links.show_code(made.secret)


def _type_code(client, code: str):
    token = client.csrf_token("/min-rost")
    return client.post("/min-rost", data={"code": code, "csrf_token": token})


def _start(sip) -> str:
    return f"/min-rost/sip/{sip['case'].public_id}"


def _answer(client, sip, slug: str, **fields):
    url = f"{_start(sip)}/fraga/{slug}"
    token = client.csrf_token(url)
    return client.post(url, data={"csrf_token": token, **fields})


def _text_of(response) -> str:
    return response.get_data(as_text=True)


# --- Opening the pages with a code --------------------------------------------------------------------------


def test_a_child_opens_their_pages_with_the_code_from_a_guardian(client, sip):
    code = _code_for(sip)
    assert client.get(_start(sip)).headers["Location"].endswith("/min-rost")  # no code yet: type it first

    # Typed on a phone: small letters, spaces where the dash was.
    response = _type_code(client, code.lower().replace("-", " "))

    assert response.status_code == 303
    assert response.headers["Location"].endswith(_start(sip))
    assert code.replace("-", "") not in response.headers["Location"]
    with client.session_transaction() as session:
        link_id = session[guards.CHILD_LINK_KEY]
    assert code.replace("-", "") not in str(link_id)  # the session holds the link's id, never the code
    page = client.get(_start(sip))
    assert page.status_code == 200
    assert "Du svarar på frågor" in _text_of(page)


def test_the_code_a_guardian_makes_on_her_page_opens_the_childs_pages_on_another_phone(app, client, sip):
    client.sign_in_as(sip["mum"])
    page = f"/sip/{sip['case'].public_id}/infor-motet/barnets-kod"
    made = client.post(page, data={"csrf_token": client.csrf_token(page)})
    assert made.status_code == 200
    code = re.search(r"<strong>([A-Z0-9]{5}-[A-Z0-9]{5})</strong>", _text_of(made)).group(1)

    phone = app.test_client()
    assert _type_code(phone, code).headers["Location"].endswith(_start(sip))
    assert phone.get(_start(sip)).status_code == 200
    # A new code stops the old one, also where it is already open.
    client.post(page, data={"csrf_token": client.csrf_token(page)})
    assert phone.get(_start(sip)).status_code == 303


def test_a_link_with_the_code_opens_the_pages_and_leaves_the_code_out_of_the_address(client, sip):
    code = _code_for(sip)
    response = client.get(f"/min-rost/{code}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(_start(sip))
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_wrong_code_is_refused_with_one_plain_message(client, sip):
    response = _type_code(client, "ABCDE-FGHJK")
    assert response.status_code == 422
    assert WRONG_CODE in _text_of(response)
    with client.session_transaction() as session:
        assert guards.CHILD_LINK_KEY not in session
    assert client.get(f"/min-rost/{'ABCDEFGHJK'}").status_code == 422
    empty = _type_code(client, "  ")
    assert empty.status_code == 422
    assert "Skriv din kod" in _text_of(empty) and WRONG_CODE not in _text_of(empty)


def test_an_expired_code_is_refused_with_the_same_message(client, sip):
    with freeze_time(TODAY - timedelta(days=access_links.CHILD_ACCESS_DAYS + 1)):
        code = _code_for(sip)
        db.session.commit()
    response = _type_code(client, code)
    assert response.status_code == 422
    assert WRONG_CODE in _text_of(response)


def test_a_code_for_an_invitation_does_not_open_the_childs_pages(client, sip):
    made = access_links.create(
        access_links.RELATIVE_INVITATION, sip["case"], sip["coordinator"], days=60, as_code=True
    )
    response = _type_code(client, made.secret)
    assert response.status_code == 422
    assert WRONG_CODE in _text_of(response)


def test_the_eleventh_try_in_a_minute_is_refused(client, app, sip):
    token = client.csrf_token("/min-rost")
    statuses = [
        client.post("/min-rost", data={"code": f"ABCDE-FGHJ{n}", "csrf_token": token}).status_code
        for n in range(10)
    ]
    assert statuses == [422] * 10
    response = client.post("/min-rost", data={"code": _code_for(sip), "csrf_token": token})
    assert response.status_code == 429  # even the right code, once the tries are used up
    # The link form counts the same tries: switching gives no more guesses.
    assert client.get(f"/min-rost/{_code_for(sip)}").status_code == 429
    # Looking at the form is not a try, and someone at another address is not affected.
    assert client.get("/min-rost").status_code == 200
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    assert _type_code(elsewhere, _code_for(sip)).status_code == 303


def test_the_code_opens_only_that_case(client, sip):
    _type_code(client, _code_for(sip))
    other = sip["other_case"].public_id
    assert client.get(f"/min-rost/sip/{other}").status_code == 404
    assert client.get(f"/min-rost/sip/{other}/fraga/viktigt").status_code == 404
    token = client.csrf_token(_start(sip))
    response = client.post(
        f"/min-rost/sip/{other}/fraga/viktigt", data={"csrf_token": token, "text": "x", "share": "yes"}
    )
    assert response.status_code == 404
    assert preparation.child_answers_for(sip["coordinator"], sip["other_case"]) == {}
    # Nor the case's other pages: the code is no sign-in.
    assert client.get(f"/sip/{sip['case'].public_id}").status_code in (302, 303)


def test_closing_the_codes_stops_the_pages_at_once(client, sip):
    _type_code(client, _code_for(sip))
    assert client.get(_start(sip)).status_code == 200
    access_links.revoke_all(sip["case"], access_links.CHILD_PAGES, sip["mum"])
    response = client.get(_start(sip))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/min-rost")
    with client.session_transaction() as session:
        assert guards.CHILD_LINK_KEY not in session


def test_a_closed_sip_closes_the_childs_pages(client, sip):
    _type_code(client, _code_for(sip))
    sip["case"].step = Step.CLOSED
    assert client.get(_start(sip)).status_code == 404


def test_stang_forgets_the_code_in_this_browser(client, sip):
    _type_code(client, _code_for(sip))
    token = client.csrf_token(_start(sip))
    response = client.post("/min-rost/stang", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get(_start(sip)).headers["Location"].endswith("/min-rost")


# --- Answering ----------------------------------------------------------------------------------------------


def test_the_child_answers_and_hides_one_answer_from_the_guardians(client, sip):
    _type_code(client, _code_for(sip))

    shared = _answer(client, sip, "viktigt", text="Mina kompisar och fotbollen", share="yes")
    assert shared.status_code == 303
    assert shared.headers["Location"].endswith(f"{_start(sip)}/fraga/gar-bra")  # the next question
    hidden = _answer(client, sip, "gar-inte-bra", text="Bråken hemma")  # the box left empty
    assert hidden.status_code == 303
    assert _answer(client, sip, "vill-du-vara-med", choice="phone", share="yes").status_code == 303

    case = sip["case"]
    assert set(preparation.child_answers_for(sip["mum"], case)) == {"important", "attend"}
    for_coordinator = preparation.child_answers_for(sip["coordinator"], case)
    assert for_coordinator["not_working"].text == "Bråken hemma"
    assert for_coordinator["attend"].choice == {"attend": "phone"}

    # "Klart!" shows every answer and who sees it.
    done = _text_of(client.get(f"{_start(sip)}/klart"))
    assert "Mina kompisar och fotbollen" in done
    assert "Bråken hemma" in done
    assert "Ja, men på telefon" in done
    assert done.count("Dina föräldrar får se.") == 2
    assert done.count("Bara samordnaren ser.") == 1


def test_an_answer_is_kept_when_the_child_comes_back(client, sip):
    _type_code(client, _code_for(sip))
    _answer(client, sip, "vill-ska-handa", text="Att det blir lugnare", share="yes")
    again = _text_of(client.get(f"{_start(sip)}/fraga/vill-ska-handa"))
    assert "Att det blir lugnare</textarea>" in again
    assert re.search(r'id="share"[^>]*checked', again)
    _answer(client, sip, "vill-ska-handa", text="Att det blir lugnare")
    again = _text_of(client.get(f"{_start(sip)}/fraga/vill-ska-handa"))
    assert not re.search(r'id="share"[^>]*checked', again)
    assert preparation.child_answers_for(sip["mum"], sip["case"]) == {}


def test_what_the_child_does_not_want_to_talk_about_never_goes_to_the_guardians(client, sip):
    _type_code(client, _code_for(sip))
    page = _text_of(client.get(f"{_start(sip)}/fraga/inte-prata-om"))
    assert 'name="share"' not in page
    assert "Det här ser bara din samordnare." in page

    # Even a ticked box sent by hand changes nothing.
    assert _answer(client, sip, "inte-prata-om", text="Pappas jobb", share="yes").status_code == 303
    assert "not_talk_about" not in preparation.child_answers_for(sip["mum"], sip["case"])
    assert (
        preparation.child_answers_for(sip["coordinator"], sip["case"])["not_talk_about"].text == "Pappas jobb"
    )
    done = _text_of(client.get(f"{_start(sip)}/klart"))
    assert "Bara samordnaren ser." in done


def test_the_last_question_leads_to_klart(client, sip):
    _type_code(client, _code_for(sip))
    response = _answer(client, sip, "inte-prata-om", text="")
    assert response.headers["Location"].endswith(f"{_start(sip)}/klart")


def test_an_attend_answer_needs_a_choice(client, sip):
    _type_code(client, _code_for(sip))
    response = _answer(client, sip, "vill-du-vara-med", choice="")
    assert response.status_code == 422
    assert "Välj ett svar" in _text_of(response)
    assert _answer(client, sip, "vill-du-vara-med", choice="sometimes").status_code == 422
    assert preparation.child_answers_for(sip["coordinator"], sip["case"]) == {}


def test_an_unknown_question_is_not_found(client, sip):
    _type_code(client, _code_for(sip))
    assert client.get(f"{_start(sip)}/fraga/nagot-annat").status_code == 404


# --- Signed in instead of a code ----------------------------------------------------------------------------


def test_a_child_with_their_own_e_id_finds_and_answers_their_pages(client, sip):
    client.sign_in_as(sip["kid"])
    entry = _text_of(client.get("/min-rost"))
    assert _start(sip) in entry
    assert sip["other_case"].public_id not in entry
    assert _answer(client, sip, "viktigt", text="Min katt", share="yes").status_code == 303
    assert preparation.child_answers_for(sip["mum"], sip["case"])["important"].text == "Min katt"
    assert 'action="/min-rost/stang"' not in _text_of(client.get(_start(sip)))  # "Logga ut" is in the header


def test_a_signed_in_guardian_cannot_answer_as_the_child(client, sip):
    client.sign_in_as(sip["mum"])
    assert client.get(_start(sip)).status_code == 404
    assert client.get(f"{_start(sip)}/fraga/viktigt").status_code == 404
    token = client.csrf_token("/min-rost")
    response = client.post(
        f"{_start(sip)}/fraga/viktigt", data={"csrf_token": token, "text": "Jag tycker", "share": "yes"}
    )
    assert response.status_code == 404
    assert preparation.child_answers_for(sip["coordinator"], sip["case"]) == {}


def test_staff_do_not_use_the_childs_pages(client, sip):
    client.sign_in_as(sip["coordinator"])
    assert client.get(_start(sip)).status_code == 403


# --- Words for children -------------------------------------------------------------------------------------


def _child_pages(client, sip) -> dict[str, str]:
    pages = {"enter code": client.get("/min-rost"), "wrong code": _type_code(client, "ABCDE-FGHJK")}
    _type_code(client, _code_for(sip))
    pages["start"] = client.get(_start(sip))
    for theme in preparation.CHILD_THEMES:
        from citizen_app.web.child import SLUGS

        pages[theme] = client.get(f"{_start(sip)}/fraga/{SLUGS[theme]}")
    pages["attend, no choice"] = _answer(client, sip, "vill-du-vara-med", choice="")
    _answer(client, sip, "viktigt", text="Mina kompisar", share="yes")
    pages["klart"] = client.get(f"{_start(sip)}/klart")
    token = client.csrf_token(_start(sip))
    closed = client.post("/min-rost/stang", data={"csrf_token": token})
    pages["closed"] = client.get(closed.headers["Location"])
    return {name: _text_of(response) for name, response in pages.items()}


def test_every_child_page_reads_easily(client, sip):
    for name, html in _child_pages(client, sip).items():
        result = measure(main_text_blocks(html))
        assert result.words, name
        assert result.lix <= CHILD_LIX, f"{name}: LIX {result.lix:.1f}\n" + "\n".join(main_text_blocks(html))
        assert result.longest_sentence_words <= 20, f"{name}: {result.longest_sentence!r}"


def test_each_question_has_its_own_page_with_one_heading_and_a_label(client, sip):
    from citizen_app.web.child import SLUGS

    assert tuple(SLUGS) == preparation.CHILD_THEMES
    _type_code(client, _code_for(sip))
    for slug in SLUGS.values():
        html = _text_of(client.get(f"{_start(sip)}/fraga/{slug}"))
        assert html.count("<h1") == 1
        assert "<h1><label for=" in html or "<legend><h1>" in html
        assert html.count("<textarea") + html.count('type="radio"') >= 1


def test_opening_and_answering_is_in_the_audit_log(client, sip):
    _type_code(client, _code_for(sip))
    used = db.session.query(AuditEntry).filter(AuditEntry.action == "access_link.used.child_pages").count()
    assert used == 1
    assert db.session.query(AccessLink).one().last_used_at is not None


def test_the_timeline_shows_where_the_sip_is_now(client, sip):
    _type_code(client, _code_for(sip))
    here = re.compile(r'aria-current="step">\s*<p class="child-steps__title">([^<]+)</p>')
    assert here.search(_text_of(client.get(_start(sip)))).group(1) == "Du svarar på frågor"
    sip["case"].step = Step.INVITED
    assert here.search(_text_of(client.get(_start(sip)))).group(1) == "Mötet"
    sip["case"].step = Step.FOLLOW_UP
    assert here.search(_text_of(client.get(_start(sip)))).group(1) == "Vi ses igen"


def test_an_adult_signed_in_about_their_own_sip_has_no_child_pages(client, sip):
    adult = factories.person("Vuxen", age=30)
    own = factories.case(adult, step=Step.PREPARATION)
    client.sign_in_as(adult)
    assert client.get(f"/min-rost/sip/{own.public_id}").status_code == 404
    assert "Gå till dina frågor" not in _text_of(client.get("/min-rost"))
