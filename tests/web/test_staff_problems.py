"""Problem reports (avvikelser) on the staff side [issue 7] [SIP.md 8]: the coordinator's unit sees its
reports, says "Vi tittar på det" and answers; the person is told; every step is in the audit log; staff of
other units cannot open a report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import AuditEntry, NotificationKind, ProblemReport, ProblemStatus, StaffRole, Step
from citizen_app.services import notifications, problems
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
QUEUE = "/personal/rapporterade-problem"
WHAT_HAPPENED = "Skolan kom inte till mötet."
OUR_ANSWER = "Vi har pratat med skolan. De kommer nästa gång."


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def reported(app):
    social = factories.unit("Socialtjänsten Norr")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    li = factories.staff(social, StaffRole.MEMBER, name="Li Medarbetare")
    outsider = factories.staff(factories.unit("Ekskolan"), StaffRole.COORDINATOR, name="Bo Annan")
    anna = factories.person("Anna Lind", age=45)
    case = factories.case(anna, social, coordinator=kim, step=Step.PREPARATION)
    report = problems.report(anna, case, "invited_did_not_come", WHAT_HAPPENED)
    db.session.commit()
    return {"kim": kim, "li": li, "outsider": outsider, "anna": anna, "case": case, "report": report}


def _url(reported, tail: str = "") -> str:
    return f"{QUEUE}/{reported['report'].public_id}{tail}"


def _post(client, url: str, data: dict | None = None):
    token = client.csrf_token("/om-min-sip")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _audited(reported) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.case_id == reported["case"].id).order_by(AuditEntry.id)
        )
    )


def test_the_coordinator_sees_the_report_in_the_queue(client, reported):
    client.sign_in_as(reported["kim"])
    soup = _soup(client.get(QUEUE))
    (item,) = soup.find_all(class_="queue__item")
    assert item.find("a")["href"] == _url(reported)
    assert "Någon som var kallad kom inte" in item.get_text()
    assert "Ny" in item.find(class_="staff-tag").get_text()
    assert "Anna Lind" in item.get_text()


def test_the_coordinator_answers_a_problem_report_and_the_person_is_told(client, reported):
    client.sign_in_as(reported["kim"])
    page = client.get(_url(reported))
    assert page.status_code == 200
    soup = _soup(page)
    assert WHAT_HAPPENED in soup.find("main").get_text()
    case_link = soup.find("a", href=f"/personal/sip/{reported['case'].public_id}")
    assert case_link is not None and client.get(case_link["href"]).status_code == 200

    looking = _post(client, _url(reported, "/vi-tittar-pa-det"))
    assert looking.status_code == 303 and looking.headers["Location"].endswith(_url(reported))
    report = db.session.get(ProblemReport, reported["report"].id)
    assert report.status == ProblemStatus.INVESTIGATING

    empty = _post(client, _url(reported, "/svara"), {"answer": "  "})
    assert empty.status_code == 422
    soup = _soup(empty)
    assert soup.find(class_="error-summary").find("a")["href"] == "#answer"
    assert soup.find(id="answer")["aria-describedby"] == "answer-hint answer-error"
    assert db.session.get(ProblemReport, report.id).status == ProblemStatus.INVESTIGATING

    answered = _post(client, _url(reported, "/svara"), {"answer": OUR_ANSWER})
    assert answered.status_code == 303
    report = db.session.get(ProblemReport, report.id)
    assert report.status == ProblemStatus.ANSWERED and report.answer == OUR_ANSWER
    told = [
        n for n in notifications.list_for(reported["anna"]) if n.kind == NotificationKind.PROBLEM_ANSWERED
    ]
    assert len(told) == 1

    after = _soup(client.get(_url(reported)))
    assert OUR_ANSWER in after.find("main").get_text()
    # answered: the answer can still be changed, by either principal's coordinators [issue 16]
    assert after.find("textarea").get_text() == OUR_ANSWER
    assert "Ändra svaret" in after.find("main").get_text()
    actions = _audited(reported)
    assert {"problem.reported", "problem.read", "problem.investigating", "problem.answered"} <= set(actions)


def test_a_second_click_on_we_are_looking_changes_nothing(client, reported):
    client.sign_in_as(reported["kim"])
    _post(client, _url(reported, "/vi-tittar-pa-det"))
    _post(client, _url(reported, "/vi-tittar-pa-det"))
    assert _audited(reported).count("problem.investigating") == 1


def test_staff_of_other_units_cannot_open_a_report(client, reported):
    client.sign_in_as(reported["outsider"])
    assert "Anna Lind" not in client.get(QUEUE).get_data(as_text=True)
    assert client.get(_url(reported)).status_code == 404
    assert _post(client, _url(reported, "/vi-tittar-pa-det")).status_code == 404
    assert _post(client, _url(reported, "/svara"), {"answer": "Fel enhet"}).status_code == 404
    report = db.session.get(ProblemReport, reported["report"].id)
    assert report.status == ProblemStatus.RECEIVED and report.answer == ""
    assert _audited(reported) == ["problem.reported"]


def test_a_member_who_is_not_coordinator_has_no_reports(client, reported):
    """Reports go to the coordinators of the unit (problems.queue_for)."""
    client.sign_in_as(reported["li"])
    assert "Anna Lind" not in client.get(QUEUE).get_data(as_text=True)
    assert client.get(_url(reported)).status_code == 404


def test_answering_needs_the_csrf_token(client, reported):
    client.sign_in_as(reported["kim"])
    refused = client.post(_url(reported, "/svara"), data={"answer": OUR_ANSWER})
    assert refused.status_code == 400
    assert db.session.get(ProblemReport, reported["report"].id).status == ProblemStatus.RECEIVED


def test_citizens_cannot_open_the_staff_queue(client, reported):
    client.sign_in_as(reported["anna"])
    assert client.get(QUEUE).status_code == 403
    assert client.get(_url(reported)).status_code == 403
