""" "Tyck till om mötet" on the web [issue 7] [SIP.md 7]: after a held meeting the person, the child and a
relative who came answer a short questionnaire; nothing on the way ties an answer to a person or a case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import Audience, AuditEntry, FeedbackAnswer, FeedbackRequest, StaffRole, Step
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import access_links, consent, feedback, meetings, preparation, question_sets
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEETING = NOW + timedelta(days=2)
AFTER = MEETING + timedelta(hours=2)


def _held(kid_case: bool = False) -> dict:
    """A SIP whose meeting has been held: everyone who took part has an open request. Bengt (no account)
    came as a relative through his invitation link."""
    with freeze_time(NOW):
        social = factories.unit("Socialtjänsten")
        coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
        if kid_case:
            subject = factories.child("Elsa", age=14)
            voices = [
                factories.guardian_of(subject, name="Mamma"),
                factories.guardian_of(subject, name="Pappa"),
            ]
            apart = factories.guardian_of(subject, custody=False, name="Utan vårdnad")
        else:
            subject = factories.person("Anna")
            voices = [subject]
            apart = None
        case = factories.case(subject, social, coordinator=coordinator, step=Step.CONSENT)
        for voice in voices:
            consent.give(voice, case, [social.public_id], ["social"], date(2027, 6, 1), today=NOW.date())
        guest = preparation.add_guest(voices[0], case, "Bengt", "070-123 45 67", support_person=False)
        meeting = meetings.set_meeting(
            coordinator, case, starts_at=MEETING, length_minutes=60, mode="phone", phone="010-1", now=NOW
        )
        (sent,) = meetings.invite(coordinator, meeting, [guest.public_id])
        sent.invitation.status = "accepted"
    with freeze_time(MEETING + timedelta(hours=1)):
        meetings.mark_held(coordinator, case, confirmation=meetings.CONSENT_CONFIRMED)
    db.session.commit()
    return {
        "case": case,
        "subject": subject,
        "voices": voices,
        "apart": apart,
        "secret": sent.link_secret,
        "invitation": sent.invitation,
    }


@pytest.fixture
def anna(app):
    return _held()


@pytest.fixture
def family(app):
    return _held(kid_case=True)


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ").split())


def _lix_ok(response, limit: int = 35) -> None:
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= limit, f"LIX {readability.lix:.1f} ({readability})"


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": client.csrf_token("/om-min-sip"), **data})


def _request_of(person) -> FeedbackRequest:
    (found,) = feedback.open_requests_for(person)
    return found


def _answers() -> list[FeedbackAnswer]:
    return list(db.session.scalars(select(FeedbackAnswer)))


def _nothing_audited_about_feedback(request_public_id: str) -> None:
    for entry in db.session.scalars(select(AuditEntry)):
        said = f"{entry.action} {entry.detail}".lower()
        assert "feedback" not in said and request_public_id.lower() not in said, said


# --- The person, signed in -----------------------------------------------------------------------------


@freeze_time(AFTER)
def test_after_the_meeting_the_person_answers_in_two_minutes_and_is_thanked(client, anna):
    person, case = anna["subject"], anna["case"]
    request = _request_of(person)
    client.sign_in_as(person)

    start = client.get("/")
    assert "Tyck till om mötet" in _text(start)
    messages = _soup(client.get("/meddelanden"))
    assert messages.find("a", href="/tyck-till") is not None  # the message leads to the questionnaire

    listing = client.get("/tyck-till")
    assert listing.status_code == 200
    link = _soup(listing).find("a", href=f"/tyck-till/{request.public_id}")
    assert link is not None and "25 november 2026" in link.get_text()
    _lix_ok(listing)

    page = client.get(f"/tyck-till/{request.public_id}")
    assert page.status_code == 200
    soup = _soup(page)
    adult = question_sets.newest("adult")
    legends = [" ".join(legend.get_text().split()) for legend in soup.select("form fieldset legend")]
    assert legends == [q.text["sv"] for q in adult.questions if q.kind == "scale"]  # all on one page
    overall = soup.find_all("input", attrs={"name": "overall"})
    assert [r["type"] for r in overall] == ["radio"] * 5
    assert soup.find("label", attrs={"for": "overall-5"}).get_text(strip=True) == "Ja, helt"
    assert soup.find("textarea", id="free_text") is not None
    assert "Skriv inte namn" in soup.find(id="free_text-hint").get_text()
    assert "två minuter" in _text(page)
    _lix_ok(page)

    sent = _post(
        client, f"/tyck-till/{request.public_id}", {"overall": "5", "listened": "4", "free_text": "Bra"}
    )
    assert sent.status_code == 303
    location = sent.headers["Location"]
    assert location.endswith("/tyck-till/tack")
    assert case.public_id not in location and request.public_id not in location
    thanks = client.get(location)
    assert "Tack för dina svar!" in _text(thanks)
    assert case.public_id not in thanks.get_data(as_text=True)
    _lix_ok(thanks)

    (stored,) = _answers()
    assert stored.answers == {"overall": "5", "listened": "4"} and stored.free_text == {"free_text": "Bra"}
    assert stored.audience == Audience.ADULT
    _nothing_audited_about_feedback(request.public_id)
    assert "Tyck till om mötet" not in _text(client.get("/"))  # answered: not asked again


@freeze_time(AFTER)
def test_a_double_submit_stores_one_answer(client, anna):
    request = _request_of(anna["subject"])
    client.sign_in_as(anna["subject"])
    url = f"/tyck-till/{request.public_id}"
    first = _post(client, url, {"overall": "4"})
    second = _post(client, url, {"overall": "1"})  # a double click, or the back button and "Skicka" again
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert [a.answers for a in _answers()] == [{"overall": "4"}]
    assert client.get(url).headers["Location"].endswith("/tyck-till/tack")  # the form is not shown again


@freeze_time(AFTER)
def test_an_empty_answer_is_refused_with_an_error_summary(client, anna):
    request = _request_of(anna["subject"])
    client.sign_in_as(anna["subject"])
    refused = _post(client, f"/tyck-till/{request.public_id}", {"overall": "99"})
    assert refused.status_code == 422
    summary = _soup(refused).find(class_="error-summary")
    assert summary.find("a", href="#overall").get_text() == "Välj ett av svaren"
    empty = _post(client, f"/tyck-till/{request.public_id}", {})
    assert empty.status_code == 422
    assert "Svara på minst en fråga" in _text(empty)
    assert _answers() == []
    assert feedback.open_requests_for(anna["subject"]) == [request]


@freeze_time(AFTER)
def test_the_questions_come_in_english_when_the_person_chose_english(client, anna):
    request = _request_of(anna["subject"])
    client.sign_in_as(anna["subject"])
    client.get("/sprak/en")
    page = _text(client.get(f"/tyck-till/{request.public_id}"))
    assert "Did the others listen to what you thought?" in page
    assert "Yes, completely" in page and "Send" in page


@freeze_time(AFTER)
def test_another_persons_request_gives_404(client, family):
    mum, dad = family["voices"]
    client.sign_in_as(dad)
    assert client.get(f"/tyck-till/{_request_of(mum).public_id}").status_code == 404
    assert _post(client, f"/tyck-till/{_request_of(mum).public_id}", {"overall": "1"}).status_code == 404
    assert _answers() == []


@freeze_time(AFTER)
def test_a_guardian_without_custody_gets_404(client, family):
    mum, _dad = family["voices"]
    client.sign_in_as(family["apart"])
    assert feedback.open_requests_for(family["apart"]) == []
    assert client.get(f"/tyck-till/{_request_of(mum).public_id}").status_code == 404
    assert "Du har inga frågor att svara på just nu." in _text(client.get("/tyck-till"))


# --- The young person ------------------------------------------------------------------------------------


def _open_child_code(client, family) -> None:
    made = access_links.create(
        access_links.CHILD_PAGES,
        family["case"],
        family["voices"][0],
        person=family["subject"],
        days=access_links.CHILD_ACCESS_DAYS,
        as_code=True,
    )
    token = client.csrf_token("/min-rost")
    opened = client.post("/min-rost", data={"code": access_links.show_code(made.secret), "csrf_token": token})
    assert opened.status_code == 303


@freeze_time(AFTER)
def test_the_young_persons_scale_has_words_next_to_every_picture_and_real_radios(client, family):
    kid, case = family["subject"], family["case"]
    request = _request_of(kid)
    assert request.audience == Audience.YOUNG
    _open_child_code(client, family)

    start = client.get(f"/min-rost/sip/{case.public_id}")
    url = f"/min-rost/sip/{case.public_id}/tyck-till/{request.public_id}"
    assert _soup(start).find("a", href=url) is not None  # the child's start page leads to it

    page = client.get(url)
    assert page.status_code == 200
    soup = _soup(page)
    young = question_sets.newest("young")
    scales = [q for q in young.questions if q.kind == "scale"]
    assert len(soup.select("form fieldset")) == len(scales)
    for question in scales:
        radios = soup.find_all("input", attrs={"name": question.id})
        assert [r["type"] for r in radios] == ["radio"] * len(question.steps)  # arrow keys move between them
        for radio, step in zip(radios, question.steps, strict=True):
            label = soup.find("label", attrs={"for": radio["id"]})
            picture = label.find("svg")
            assert picture is not None and picture["aria-hidden"] == "true"  # inside the label, hidden
            assert label.get_text(strip=True) == step.label["sv"]  # and the words are always there
    _lix_ok(page, limit=28)

    sent = _post(client, url, {"overall": "5", "knows_coordinator": "yes"})
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith("/min-rost/tyck-till/tack")
    assert case.public_id not in sent.headers["Location"]
    thanks = client.get(sent.headers["Location"])
    assert "Tack för dina svar!" in _text(thanks)
    _lix_ok(thanks, limit=28)
    (stored,) = _answers()
    assert stored.audience == Audience.YOUNG and stored.question_set == "young"
    _nothing_audited_about_feedback(request.public_id)
    assert _soup(client.get(f"/min-rost/sip/{case.public_id}")).find("a", href=url) is None


@freeze_time(AFTER)
def test_the_childs_request_is_not_open_to_a_guardian_or_through_another_case(client, family):
    kid, case = family["subject"], family["case"]
    request = _request_of(kid)
    client.sign_in_as(family["voices"][0])
    assert client.get(f"/min-rost/sip/{case.public_id}/tyck-till/{request.public_id}").status_code == 404
    assert client.get(f"/tyck-till/{request.public_id}").status_code == 404


# --- A relative without an account -----------------------------------------------------------------------


@freeze_time(AFTER)
def test_a_relative_without_an_account_answers_through_the_invitation_link(client, anna):
    assert client.get(f"/inbjudan/{anna['secret']}").status_code == 303
    invitation_page = client.get("/inbjudan")
    link = _soup(invitation_page).find("a", href="/inbjudan/tyck-till")
    assert link is not None and link.get_text() == "Svara på frågorna"

    page = client.get("/inbjudan/tyck-till")
    assert page.status_code == 200
    assert "Fick du säga det du ville?" in _text(page)  # the relatives' questions
    _lix_ok(page)
    sent = _post(client, "/inbjudan/tyck-till", {"overall": "3"})
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith("/inbjudan/tyck-till/tack")
    assert "Tack för dina svar!" in _text(client.get(sent.headers["Location"]))
    again = _post(client, "/inbjudan/tyck-till", {"overall": "1"})
    assert again.headers["Location"].endswith("/inbjudan/tyck-till/tack")
    (stored,) = _answers()
    assert stored.audience == Audience.RELATIVE and stored.answers == {"overall": "3"}
    assert _soup(client.get("/inbjudan")).find("a", href="/inbjudan/tyck-till") is None


def test_the_relatives_questionnaire_needs_the_link(client, anna):
    assert client.get("/inbjudan/tyck-till").status_code == 404
