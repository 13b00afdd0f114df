"""The pages of moving the coordination, closing with the person, and reports without a SIP [issue 16]:
forms with mistakes are shown again (422, an error summary), and nobody outside sees anything (404)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    CoordinationMove,
    MoveStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    PrincipalKind,
    ProblemReport,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.services import consent, coordination_move, problems
from tests.support import factories

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def sip(app):
    health = factories.unit("Vårdcentralen Norra", UnitKind.PRIMARY_CARE, PrincipalKind.REGION)
    social = factories.unit("Socialtjänsten")
    school = factories.unit("Björkskolan", UnitKind.SCHOOL)
    vera = factories.staff(health, StaffRole.COORDINATOR, name="Vera Nilsson")
    kent = factories.staff(social, StaffRole.COORDINATOR, name="Kent Olofsson")
    teacher = factories.staff(school, StaffRole.MEMBER, name="Sofia Åberg")
    outsider = factories.staff(factories.unit("Öster enhet"), StaffRole.COORDINATOR, name="Ola Annan")
    anna = factories.person("Anna Lind", age=45)
    other = factories.person("Bo Ek", age=50)
    case = factories.case(anna, health, vera, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.PERSON, person_=anna)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    consent.give(anna, case, [health.public_id, school.public_id], ["health", "school"], date(2027, 6, 1))
    case.step = Step.MEETING_HELD
    db.session.commit()
    return {
        "case": case,
        "health": health,
        "social": social,
        "vera": vera,
        "kent": kent,
        "teacher": teacher,
        "outsider": outsider,
        "anna": anna,
        "other": other,
    }


def _post(client, url: str, data: dict | None = None):
    token = client.csrf_token("/om-min-sip")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ").split())


def _summary(response) -> list[str]:
    return [a["href"] for a in _soup(response).select(".error-summary a")]


def _case_url(sip, tail: str = "") -> str:
    return f"/personal/sip/{sip['case'].public_id}{tail}"


def _move() -> CoordinationMove:
    return db.session.scalars(select(CoordinationMove)).one()


def test_moving_the_coordination_from_proposal_to_a_new_coordinator(client, sip):
    client.sign_in_as(sip["vera"])
    case_page = client.get(_case_url(sip))
    assert "Flytta samordningen till en annan enhet" in _text(case_page)
    form = client.get(_case_url(sip, "/flytta-samordningen"))
    assert form.status_code == 200
    wrong = _post(client, _case_url(sip, "/flytta-samordningen"), {"unit": "", "reason": ""})
    assert wrong.status_code == 422
    assert _summary(wrong) == ["#unit", "#reason"]
    assert _soup(wrong).title.get_text().startswith("Fel:")
    sent = _post(
        client,
        _case_url(sip, "/flytta-samordningen"),
        {"unit": sip["social"].public_id, "reason": "Det gäller mest boende nu."},
    )
    assert sent.status_code == 303
    # shown on the SIP's unit's page ...
    assert "Socialtjänsten tar över samordningen" in _text(client.get(_case_url(sip)))

    # ... and on the target unit's
    client.sign_in_as(sip["kent"])
    listed = client.get("/personal/samordning")
    assert "Anna Lind" in _text(listed)
    move = _move()
    page = client.get(f"/personal/samordning/{move.public_id}")
    assert "Det gäller mest boende nu." in _text(page)
    no_reason = _post(client, f"/personal/samordning/{move.public_id}/saga-nej", {"reason": ""})
    assert no_reason.status_code == 422 and _summary(no_reason) == ["#reason"]
    taken = _post(client, f"/personal/samordning/{move.public_id}/ta-over")
    assert taken.status_code == 303 and taken.headers["Location"].endswith(_case_url(sip))
    case = db.session.get(SipCase, sip["case"].id)
    assert case.owning_unit_id == sip["social"].id

    # The person reads who coordinates now.
    client.sign_in_as(sip["anna"])
    told = db.session.scalars(
        select(Notification).where(
            Notification.recipient_person_id == sip["anna"].id,
            Notification.kind == NotificationKind.COORDINATION_MOVED,
        )
    ).all()
    assert len(told) == 1
    person_page = _text(client.get(f"/sip/{case.public_id}"))
    assert "Samordningen flyttade till Socialtjänsten. Ny samordnare: Kent Olofsson." in person_page
    assert "föreslog" not in person_page  # the proposal is between the coordinators


def test_withdrawing_from_the_proposal_page(client, sip):
    coordination_move.propose(sip["vera"], sip["case"], sip["social"].public_id, "Boende")
    db.session.commit()
    client.sign_in_as(sip["vera"])
    move = _move()
    assert "Ta tillbaka förslaget" in _text(client.get(f"/personal/samordning/{move.public_id}"))
    assert _post(client, f"/personal/samordning/{move.public_id}/ta-tillbaka").status_code == 303
    db.session.expire_all()
    assert _move().status == MoveStatus.WITHDRAWN


def test_nobody_outside_sees_a_proposal_or_may_propose(client, sip):
    coordination_move.propose(sip["vera"], sip["case"], sip["social"].public_id, "Boende")
    db.session.commit()
    move = _move()
    client.sign_in_as(sip["outsider"])
    assert client.get(f"/personal/samordning/{move.public_id}").status_code == 404
    assert _post(client, f"/personal/samordning/{move.public_id}/ta-over").status_code == 404
    assert client.get(_case_url(sip, "/flytta-samordningen")).status_code == 404
    client.sign_in_as(sip["kent"])  # the target unit may answer, but not propose for a SIP not theirs
    assert client.get(_case_url(sip, "/flytta-samordningen")).status_code == 404
    assert client.get(_case_url(sip, "/avsluta")).status_code == 404
    db.session.expire_all()
    assert _move().status == MoveStatus.PENDING


def test_closing_with_the_person_says_what_will_happen(client, sip):
    client.sign_in_as(sip["vera"])
    page = client.get(_case_url(sip, "/avsluta"))
    text = _text(page)
    assert "Det går inte att ångra" in text and "All personal på Björkskolan" in text and "Anna Lind" in text
    missing = _post(client, _case_url(sip, "/avsluta"), {})
    assert missing.status_code == 422 and _summary(missing) == ["#reason", "#agreement"]
    why = _post(client, _case_url(sip, "/avsluta"), {"reason": "goals_met", "agreement": "not_asked"})
    assert why.status_code == 422 and _summary(why) == ["#why_not"]
    assert not db.session.get(SipCase, sip["case"].id).is_closed
    done = _post(client, _case_url(sip, "/avsluta"), {"reason": "goals_met", "agreement": "agrees"})
    assert done.status_code == 303
    case = db.session.get(SipCase, sip["case"].id)
    assert case.is_closed and case.closing_reason == ClosingReason.GOALS_MET
    teacher_told = db.session.scalars(
        select(Notification).where(
            Notification.recipient_staff_id == sip["teacher"].id,
            Notification.kind == NotificationKind.PLAN_CLOSED,
        )
    ).all()
    assert len(teacher_told) == 1
    assert "Personen håller med." in _text(client.get(_case_url(sip)))


def test_a_report_without_a_sip_from_the_start_page(client, sip):
    client.sign_in_as(sip["other"])
    start = client.get("/")
    assert "Rapportera ett problem" in _text(start)
    wrong = _post(client, "/rapportera-problem", {"kind": "bad_treatment", "text": ""})
    assert wrong.status_code == 422 and _summary(wrong) == ["#kind", "#text"]
    sent = _post(client, "/rapportera-problem", {"kind": "no_initiative", "text": "Ingen hörde av sig."})
    assert sent.status_code == 303
    report = db.session.scalars(select(ProblemReport)).one()
    assert report.case_id is None
    assert "Mottagen" in _text(client.get(sent.headers["Location"]))

    client.sign_in_as(sip["anna"])  # another person's report does not exist for them
    assert client.get(f"/mina-rapporter/{report.public_id}").status_code == 404

    client.sign_in_as(sip["kent"])  # the municipality's default unit
    assert "Ingen SIP" in _text(client.get(f"/personal/rapporterade-problem/{report.public_id}"))
    client.sign_in_as(sip["outsider"])
    assert client.get(f"/personal/rapporterade-problem/{report.public_id}").status_code == 404


def test_an_answer_from_an_older_page_is_refused_and_kept_in_the_form(client, sip):
    report = problems.report_without_sip(sip["other"], "sip_stopped", "Det står still.")
    db.session.commit()
    seen = report.version
    problems.answer(sip["vera"], report, "Regionen svarar.")
    db.session.commit()
    client.sign_in_as(sip["kent"])
    stale = _post(
        client,
        f"/personal/rapporterade-problem/{report.public_id}/svara",
        {"answer": "Kommunen svarar.", "version": str(seen)},
    )
    assert stale.status_code == 422
    assert "Någon annan har ändrat rapporten" in _text(stale)
    assert "Vera Nilsson skrev svaret." in _text(stale)
    assert _soup(stale).find("textarea").get_text() == "Kommunen svarar."
    db.session.expire_all()
    assert db.session.get(ProblemReport, report.id).answer == "Regionen svarar."
