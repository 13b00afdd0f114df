"""A double-clicked submit creates one thing [QUALITY 5] [issue 12: every POST that creates something is
idempotent].

A double click (or a reload, or "Skicka" in an old tab) sends the same form twice: the same hidden
``submission_id`` that the page rendered. The first POST creates the report, the comment, the consent; the
second is sent where the first one led, with a calm message, and creates nothing. A form with a mistake (422)
can be corrected and sent again. Another person's form never leads to that person's page. The same instant on
two app servers is tested in tests/unit/test_double_submit_concurrency.py.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import (
    ConsentEvent,
    FeedbackAnswer,
    FormSubmission,
    ParticipantRole,
    PlanComment,
    ProblemReport,
    SipCase,
    StaffRole,
    Step,
)
from citizen_app.services import consent, demo, drafts, feedback, meetings, plans, preparation, submissions
from tests.support import factories

RECEIVED = "Vi har redan tagit emot det här."


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ").split())


def _form(client, page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form on ``page`` that posts to ``action``, as the browser would send them."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    form = _soup(response).find("form", action=action)
    assert form is not None, f"no form to {action} on {page}"
    return {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def sip(app):
    """Elsa (14) with a SIP before the meeting; Maria and Johan are her guardians with custody."""
    social = factories.unit("Socialtjänsten")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    elsa = factories.child("Elsa", age=14)
    maria = factories.guardian_of(elsa, name="Maria")
    johan = factories.guardian_of(elsa, name="Johan")
    case = factories.case(elsa, social, coordinator=coordinator, step=Step.PREPARATION)
    factories.participant(case, ParticipantRole.GUARDIAN, person_=maria)
    factories.participant(case, ParticipantRole.GUARDIAN, person_=johan)
    db.session.commit()
    return {"social": social, "coordinator": coordinator, "case": case, "maria": maria, "johan": johan}


def _report_form(client, case) -> tuple[str, dict[str, str]]:
    url = f"/sip/{case.public_id}/rapportera"
    return url, _form(client, url, url)


REPORT = {"kind": "invited_did_not_come", "text": "Skolan kom inte till mötet."}


# --- A problem report --------------------------------------------------------------------------------------


def test_a_problem_report_sent_twice_from_one_form_is_one_report(client, sip):
    case = sip["case"]
    client.sign_in_as(sip["maria"])
    url, hidden = _report_form(client, case)
    assert submissions.is_token(hidden["submission_id"])

    first = client.post(url, data={**hidden, **REPORT})
    second = client.post(url, data={**hidden, **REPORT})  # the second click of a double click

    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    (report,) = db.session.scalars(select(ProblemReport)).all()
    assert first.headers["Location"].endswith(f"/rapporter/{report.public_id}")
    receipt = client.get(second.headers["Location"])
    assert RECEIVED in _text(receipt)


def test_two_forms_are_two_reports(client, sip):
    """The form shown again is a new form: reporting a second problem works as before."""
    case = sip["case"]
    client.sign_in_as(sip["maria"])
    for text in ("Skolan kom inte.", "Ingen ringde tillbaka."):
        url, hidden = _report_form(client, case)
        assert (
            client.post(url, data={**hidden, "kind": "invited_did_not_come", "text": text}).status_code == 303
        )
    assert _count(ProblemReport) == 2


def test_a_report_with_a_mistake_can_be_corrected_and_sent_with_the_same_form(client, sip):
    """The 422 writes nothing, not even the claim on the form: the corrected POST creates the report."""
    case = sip["case"]
    client.sign_in_as(sip["maria"])
    url, hidden = _report_form(client, case)

    refused = client.post(url, data={**hidden, "kind": "", "text": "  "})
    assert refused.status_code == 422
    assert _count(ProblemReport) == 0 and _count(FormSubmission) == 0

    sent = client.post(url, data={**hidden, **REPORT})
    assert sent.status_code == 303
    again = client.post(url, data={**hidden, **REPORT})
    assert again.headers["Location"] == sent.headers["Location"]
    assert _count(ProblemReport) == 1


def test_someone_elses_form_does_not_lead_to_their_report(client, sip):
    """Johan sends Maria's form (its token) for himself: he gets a report of his own, never Maria's page."""
    case = sip["case"]
    client.sign_in_as(sip["maria"])
    url, hidden = _report_form(client, case)
    marias = client.post(url, data={**hidden, **REPORT})
    assert marias.status_code == 303

    client.sign_in_as(sip["johan"])
    johans_csrf = _report_form(client, case)[1]["csrf_token"]
    johans = client.post(url, data={**hidden, "csrf_token": johans_csrf, **REPORT})
    assert johans.status_code == 303
    assert johans.headers["Location"] != marias.headers["Location"]
    assert RECEIVED not in _text(client.get(johans.headers["Location"]))
    reporters = db.session.scalars(select(ProblemReport.reported_by_person_id)).all()
    assert sorted(reporters) == sorted([sip["maria"].id, sip["johan"].id])
    # ... and for Johan himself the form is now taken: his second click leads to his own report.
    again = client.post(url, data={**hidden, "csrf_token": johans_csrf, **REPORT})
    assert again.headers["Location"] == johans.headers["Location"]
    assert _count(ProblemReport) == 2


def test_a_post_without_a_submission_id_works_as_before(client, sip):
    """A page rendered before this change (no submission_id) still sends its report."""
    case = sip["case"]
    client.sign_in_as(sip["maria"])
    url, hidden = _report_form(client, case)
    response = client.post(url, data={"csrf_token": hidden["csrf_token"], **REPORT})
    assert response.status_code == 303
    assert _count(ProblemReport) == 1 and _count(FormSubmission) == 0


def test_a_malformed_submission_id_counts_as_none(client, sip):
    case = sip["case"]
    client.sign_in_as(sip["maria"])
    url, hidden = _report_form(client, case)
    for bad in ("x", "<script>" * 10, "a" * 65):
        response = client.post(url, data={**hidden, "submission_id": bad, **REPORT})
        assert response.status_code == 303
    assert _count(ProblemReport) == 3 and _count(FormSubmission) == 0


def test_what_was_taken_is_forgotten_after_a_day_by_the_periodic_jobs(app, client, sip):
    """Cron's ``flask run-jobs`` does the housekeeping, whichever job backend runs the rest."""
    url = f"/sip/{sip['case'].public_id}/rapportera"
    client.sign_in_as(sip["maria"])

    def take_a_form(days_ago: int = 0) -> str:
        hidden = _form(client, url, url)
        assert client.post(url, data={**hidden, **REPORT}).status_code == 303
        if days_ago:
            (taken,) = db.session.scalars(
                select(FormSubmission).where(FormSubmission.token == hidden["submission_id"])
            )
            taken.created_at = datetime.now(UTC) - timedelta(days=days_ago, minutes=1)
            db.session.commit()
        return hidden["submission_id"]

    def kept() -> set[str]:
        db.session.expire_all()
        return set(db.session.scalars(select(FormSubmission.token)))

    take_a_form(days_ago=1)
    take_a_form(days_ago=3)
    today = take_a_form()
    result = app.test_cli_runner().invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    assert "Forms taken more than a day ago forgotten: 2." in result.output
    assert kept() == {today}


# --- A SIP request, a comment on the plan, a consent, feedback ---------------------------------------------

REQUEST = {
    "who": {"for_whom": "self"},
    "need": {"need": "Jag behöver hjälp att få skola och vård att fungera ihop."},
    "services": {"units": ["dont_know"], "other_services": ""},
    "urgency": {"urgent": "no", "leaving_hospital": "no", "discharge_date": ""},
    "contact": {"contact_way": "phone", "phone": "070-123 45 67", "interpreter": "no", "adaptations": ""},
}
SLUGS = {
    "who": "vem",
    "need": "behov",
    "services": "kontakter",
    "urgency": "bradskande",
    "contact": "kontakt",
}


def test_a_request_sent_twice_from_one_form_is_one_request(client, sip):
    ada = factories.person("Ada Andersson")
    db.session.commit()
    client.sign_in_as(ada)
    begin = _form(client, "/begar-sip", "/begar-sip")
    started = client.post("/begar-sip", data=begin)
    assert client.post("/begar-sip", data=begin).headers["Location"] == started.headers["Location"]
    draft_id = started.headers["Location"].split("/")[2]
    for step, values in REQUEST.items():
        url = f"/begar-sip/{draft_id}/{SLUGS[step]}"
        assert client.post(url, data={**_form(client, url, url), **values}).status_code == 303, step

    check = f"/begar-sip/{draft_id}/kontrollera"
    hidden = _form(client, check, check)
    first = client.post(check, data=hidden)
    second = client.post(check, data=hidden)

    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert "/begar-sip/skickad/" in first.headers["Location"]
    assert _count(SipCase, SipCase.subject_id == ada.id) == 1
    assert RECEIVED in _text(client.get(second.headers["Location"]))


def _draft_plan(sip):
    coordinator, case = sip["coordinator"], sip["case"]
    case.step = Step.MEETING_HELD
    draft = plans.start_draft(coordinator, case)
    plans.add_goal(coordinator, case, draft, "short", "Jag vill gå till skolan varje dag.")
    factories.complete_plan(draft)
    plans.send_for_reading(coordinator, case, draft)
    db.session.commit()


def test_a_comment_on_the_plan_sent_twice_is_one_comment(client, sip):
    _draft_plan(sip)
    case = sip["case"]
    client.sign_in_as(sip["maria"])
    action = f"/sip/{case.public_id}/plan/utkast/synpunkt"
    hidden = _form(client, f"/sip/{case.public_id}/plan", action)
    comment = {"comment": "Jag vill ha stöd på morgonen."}

    first = client.post(action, data={**hidden, **comment})
    second = client.post(action, data={**hidden, **comment})

    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert [c.text for c in db.session.scalars(select(PlanComment))] == [comment["comment"]]
    assert RECEIVED in _text(client.get(second.headers["Location"]))


def test_consent_given_twice_from_one_summary_is_one_consent_and_both_clicks_see_the_receipt(client, sip):
    case, social = sip["case"], sip["social"]
    case.step = Step.CONSENT
    ada = factories.person("Ada Berg", age=45)
    adult = factories.case(ada, social, sip["coordinator"], step=Step.CONSENT)
    db.session.commit()
    client.sign_in_as(ada)
    base = f"/sip/{adult.public_id}/samtycke"
    assert client.post(base + "/borja", data=_form(client, base, base + "/borja")).status_code == 303
    for rest, values in (
        ("/verksamheter", {"units": [social.public_id], "other_parties": ""}),
        ("/uppgifter", {"categories": ["social"]}),
        ("/inte-delas", {"exclusions": ""}),
        ("/hur-lange", {"period": "year", "until": ""}),
    ):
        assert (
            client.post(base + rest, data={**_form(client, base + rest, base + rest), **values}).status_code
            == 303
        )

    summary = base + "/kontrollera"
    hidden = _form(client, summary, summary)
    answers = dict(drafts.unsent(ada, drafts.CONSENT, adult).answers)
    first = client.post(summary, data=hidden)
    # The second click read the draft before the first click was done with it.
    drafts.save(drafts.open_draft(ada, drafts.CONSENT, adult), answers)
    db.session.commit()
    second = client.post(summary, data=hidden)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == base + "/kvitto"
    assert _count(ConsentEvent, ConsentEvent.case_id == adult.id) == 1
    assert RECEIVED in _text(client.get(second.headers["Location"]))


NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEETING = NOW + timedelta(days=2)


def test_feedback_sent_twice_is_one_answer_and_the_second_click_is_told_so(client, sip):
    """Feedback is anonymous: it is kept once by its own rule (one answer per request), not by a record of
    who sent which form, and the second click is told calmly."""
    ada = factories.person("Ada Berg", age=45)
    with freeze_time(NOW):
        case = factories.case(ada, sip["social"], sip["coordinator"], step=Step.CONSENT)
        consent.give(ada, case, [sip["social"].public_id], ["social"], date(2027, 6, 1), today=NOW.date())
        meetings.set_meeting(
            sip["coordinator"],
            case,
            starts_at=MEETING,
            length_minutes=60,
            mode="phone",
            phone="010-1",
            now=NOW,
        )
    with freeze_time(MEETING + timedelta(hours=1)):
        meetings.mark_held(sip["coordinator"], case, confirmation=meetings.CONSENT_CONFIRMED)
    db.session.commit()
    (request,) = feedback.open_requests_for(ada)
    url = f"/tyck-till/{request.public_id}"
    with freeze_time(MEETING + timedelta(hours=2)):
        client.sign_in_as(ada)
        hidden = _form(client, url, url)
        first = client.post(url, data={**hidden, "overall": "4"})
        second = client.post(url, data={**hidden, "overall": "4"})
        assert first.status_code == second.status_code == 303
        assert first.headers["Location"] == second.headers["Location"]
        assert RECEIVED in _text(client.get(second.headers["Location"]))
    assert _count(FeedbackAnswer) == 1
    assert _count(FormSubmission) == 0  # nothing ties Ada to the moment she answered


# --- Staff, and a relative through their link ------------------------------------------------------------


def test_staff_starting_a_sip_twice_from_one_form_start_one_sip(client, sip):
    client.sign_in_as(sip["coordinator"])
    hidden = _form(client, "/personal/ny-sip", "/personal/ny-sip")
    values = {
        "identity_number": demo.test_identity_number(date(1944, 3, 15), 981),
        "name": "Karl Nyström",
        "need": "Hjälp hemma efter sjukhuset.",
        "discharge_date": "",
        "urgent": "no",
        "unit": sip["social"].public_id,
    }
    first = client.post("/personal/ny-sip", data={**hidden, **values})
    second = client.post("/personal/ny-sip", data={**hidden, **values})
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(SipCase, SipCase.initiated_by == "staff") == 1
    assert RECEIVED in _text(client.get(second.headers["Location"]))


def test_a_relatives_suggestion_sent_twice_through_their_link_is_one_suggestion(client, sip):
    """Without an account the form belongs to the opened invitation link."""
    case, coordinator, maria = sip["case"], sip["coordinator"], sip["maria"]
    with freeze_time(NOW):
        consent.give(maria, case, [sip["social"].public_id], ["social"], date(2027, 6, 1), today=NOW.date())
        consent.give(
            sip["johan"], case, [sip["social"].public_id], ["social"], date(2027, 6, 1), today=NOW.date()
        )
        guest = preparation.add_guest(maria, case, "Bengt", "070-123 45 67", support_person=False)
        meeting = meetings.set_meeting(
            coordinator, case, starts_at=MEETING, length_minutes=60, mode="phone", phone="010-1", now=NOW
        )
        (sent,) = meetings.invite(coordinator, meeting, [guest.public_id])
    db.session.commit()
    with freeze_time(NOW + timedelta(hours=1)):
        assert client.get(f"/inbjudan/{sent.link_secret}").status_code == 303
        hidden = _form(client, "/inbjudan", "/inbjudan/forslag")
        first = client.post("/inbjudan/forslag", data={**hidden, "text": "Hur Elsa sover."})
        second = client.post("/inbjudan/forslag", data={**hidden, "text": "Hur Elsa sover."})
        assert first.status_code == second.status_code == 303
        suggestions = preparation.agenda(
            case, preparation.AgendaList.TALK_ABOUT, preparation.SuggestionStatus.PENDING
        )
        assert [s.text for s in suggestions] == ["Hur Elsa sover."]
        assert RECEIVED in _text(client.get(second.headers["Location"]))
    assert re.fullmatch(r"invitation-link:\d+", db.session.scalar(select(FormSubmission.actor)))


def test_an_answer_that_is_a_page_lets_the_form_go(client, sip):
    """Inviting a relative answers with a page showing their link once (no redirect to send a second click
    to): the claim is let go, and the same form sent again runs again, which invites nobody twice."""
    ada = factories.person("Ada Berg", age=45)
    with freeze_time(NOW):
        case = factories.case(ada, sip["social"], sip["coordinator"], step=Step.CONSENT)
        consent.give(ada, case, [sip["social"].public_id], ["social"], date(2027, 6, 1), today=NOW.date())
        guest = preparation.add_guest(ada, case, "Bengt", "070-123 45 67", support_person=False)
        meetings.set_meeting(
            sip["coordinator"],
            case,
            starts_at=MEETING,
            length_minutes=60,
            mode="phone",
            phone="010-1",
            now=NOW,
        )
    db.session.commit()
    url = f"/personal/sip/{case.public_id}/motet/bjud-in"
    with freeze_time(NOW + timedelta(hours=1)):
        client.sign_in_as(sip["coordinator"])
        hidden = _form(client, url, url)
        links = client.post(url, data={**hidden, "parties": [guest.public_id]})
        assert links.status_code == 200 and "Skicka länken till Bengt" in _text(links)
        assert _count(FormSubmission) == 0
        again = client.post(url, data={**hidden, "parties": [guest.public_id]})
        assert again.status_code == 303
        assert "redan inbjudna" in _text(client.get(again.headers["Location"]))
    assert len(meetings.current_meeting(case).invitations) == 1


def test_a_form_turned_away_with_a_redirect_sends_the_second_click_there_too(client, sip):
    """The SIP was closed while the page was open: both clicks are sent to the case page."""
    case = sip["case"]
    client.sign_in_as(sip["maria"])
    url = f"/sip/{case.public_id}/infor-motet/att-prata-om"
    hidden = _form(client, url, url)
    case.step = Step.CLOSED
    db.session.commit()
    first = client.post(url, data={**hidden, "text": "Skolan"})
    second = client.post(url, data={**hidden, "text": "Skolan"})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == f"/sip/{case.public_id}"
    assert RECEIVED in _text(client.get(second.headers["Location"]))
