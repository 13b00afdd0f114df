""" "Rapportera ett problem" on the web [issue 7] [SIP.md 8]: from the case page, in plain words; the report
reaches the coordinator's unit, and the person sees that it was received, its status and the answer."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, ProblemKind, ProblemReport, StaffRole, Step
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import problems
from tests.support import factories


@pytest.fixture
def sip(app):
    social = factories.unit("Socialtjänsten")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    anna = factories.person("Anna")
    case = factories.case(anna, social, coordinator=coordinator, step=Step.PREPARATION)
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    apart = factories.guardian_of(kid, custody=False, name="Utan vårdnad")
    kid_case = factories.case(kid, social, coordinator=coordinator, step=Step.PREPARATION)
    factories.participant(kid_case, ParticipantRole.GUARDIAN, person_=mum)
    db.session.commit()
    return {
        "anna": anna,
        "case": case,
        "coordinator": coordinator,
        "mum": mum,
        "apart": apart,
        "kid_case": kid_case,
    }


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ").split())


def _lix_ok(response, limit: int = 35) -> None:
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= limit, f"LIX {readability.lix:.1f} ({readability})"


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": client.csrf_token("/om-min-sip"), **data})


def test_a_problem_report_reaches_the_unit_and_the_person_sees_its_status_and_answer(client, sip):
    case, coordinator = sip["case"], sip["coordinator"]
    client.sign_in_as(sip["anna"])
    base = f"/sip/{case.public_id}"
    case_page = _soup(client.get(base))
    assert case_page.find("a", href=f"{base}/rapportera").get_text() == "Rapportera ett problem"

    form = client.get(f"{base}/rapportera")
    assert form.status_code == 200
    # issue 16: a report reaches the coordinators of both principals, not only the coordinator's unit
    assert "Rapporten går till samordnarna i både kommunen och regionen." in _text(form)
    kinds = _soup(form).find_all("input", attrs={"name": "kind"})
    assert [k["value"] for k in kinds] == [k.value for k in ProblemKind]  # the five kinds, in plain words
    assert "Någon som var inbjuden kom inte till mötet" in _text(form)
    _lix_ok(form)

    refused = _post(client, f"{base}/rapportera", {"kind": "", "text": "  "})
    assert refused.status_code == 422
    summary = _soup(refused).find(class_="error-summary")
    assert {a["href"] for a in summary.find_all("a")} == {"#kind", "#text"}
    assert db.session.scalars(select(ProblemReport)).all() == []

    sent = _post(client, f"{base}/rapportera", {"kind": "invited_did_not_come", "text": "Skolan kom inte."})
    assert sent.status_code == 303
    (report,) = db.session.scalars(select(ProblemReport)).all()
    assert sent.headers["Location"].endswith(f"{base}/rapporter/{report.public_id}")
    receipt = client.get(sent.headers["Location"])
    assert "Vi har fått din rapport" in _text(receipt)
    assert "Mottagen" in _text(receipt) and "Skolan kom inte." in _text(receipt)
    _lix_ok(receipt)

    assert problems.queue_for(coordinator) == [report]  # it reached the coordinator's unit
    problems.start_looking(coordinator, report)
    db.session.commit()
    assert "Vi tittar på det" in _text(client.get(f"{base}/rapporter"))

    problems.answer(coordinator, report, "Vi har pratat med skolan. De kommer nästa gång.")
    db.session.commit()
    listing = client.get(f"{base}/rapporter")
    text = _text(listing)
    assert "Besvarad" in text and "Vi har pratat med skolan. De kommer nästa gång." in text
    assert "Någon som var inbjuden kom inte till mötet" in text
    _lix_ok(listing)
    messages = _soup(client.get("/meddelanden"))
    assert messages.find("a", href=f"{base}/rapporter") is not None  # "Läs svaret"


def test_a_guardian_without_custody_gets_404(client, sip):
    client.sign_in_as(sip["mum"])
    base = f"/sip/{sip['kid_case'].public_id}"
    assert _post(client, f"{base}/rapportera", {"kind": "other", "text": "Något"}).status_code == 303
    client.sign_in_as(sip["apart"])
    assert client.get(f"{base}/rapportera").status_code == 404
    assert client.get(f"{base}/rapporter").status_code == 404
    assert _post(client, f"{base}/rapportera", {"kind": "other", "text": "x"}).status_code == 404
    assert len(db.session.scalars(select(ProblemReport)).all()) == 1


def test_another_persons_report_gives_404(client, sip):
    client.sign_in_as(sip["mum"])
    _post(client, f"/sip/{sip['kid_case'].public_id}/rapportera", {"kind": "other", "text": "Något"})
    (report,) = db.session.scalars(select(ProblemReport)).all()
    client.sign_in_as(sip["anna"])
    # Anna's own case, but a report about another case: not found either way.
    assert client.get(f"/sip/{sip['case'].public_id}/rapporter/{report.public_id}").status_code == 404
    assert client.get(f"/sip/{sip['kid_case'].public_id}/rapporter/{report.public_id}").status_code == 404
    assert "Du har inte rapporterat något problem." in _text(
        client.get(f"/sip/{sip['case'].public_id}/rapporter")
    )


def test_the_empty_list_of_reports_is_plain_swedish(client, sip):
    from citizen_app.plain_language import main_text_blocks, measure

    client.sign_in_as(sip["anna"])
    response = client.get(f"/sip/{sip['case'].public_id}/rapporter")
    assert "Du har inte rapporterat något problem." in _text(response)
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= 35, readability
