"""Decisions the plan waits for [issue 13] [SIP.md 5]. The plan tells the person "Du får veta när ett
beslut är klart"; here that comes true. The coordinator writes in what was decided; the person's side (the
guardian with custody, a god man, an adult person) gets a message that says a decision is made, never what
it is about; the plan then shows the decision as made. The approved version itself stays as it was approved.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    DecisionOutcome,
    Notification,
    NotificationKind,
    ParticipantRole,
    PendingDecision,
    RepresentativeType,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import closing, decisions, plans
from tests.support import factories

WHAT = "Beslut om stöd i hemmet."
DECIDED = "Elsa får stöd i hemmet två gånger i veckan."


@pytest.fixture
def family(app):
    """Elsa (14): Maria has custody, Peter has not. Kim coordinates; the school takes part."""
    social = factories.unit("Socialtjänsten Ekby")
    school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Berg")
    teacher = factories.staff(school, StaffRole.MEMBER, name="Lärare Lo")
    elsa = factories.child("Elsa Ek", age=14)
    maria = factories.guardian_of(elsa, name="Maria Ek")
    peter = factories.guardian_of(elsa, custody=False, name="Peter Ek")
    case = factories.case(elsa, social, kim, step=Step.MEETING_HELD)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    db.session.commit()
    return {"case": case, "elsa": elsa, "maria": maria, "peter": peter, "kim": kim, "teacher": teacher}


def _plan(kim, case, approve: bool = True, what: str = WHAT):
    plan = plans.start_draft(kim, case)
    plans.add_goal(kim, case, plan, "short", "Jag vill må bra hemma.")
    decision = plans.add_pending_decision(kim, case, plan, what, "Kim ringer varje vecka.", None)
    if approve:
        factories.complete_plan(plan)
        plans.approve_at_meeting(kim, case, plan)
    db.session.commit()
    return plan, decision


def _messages(person, kind=NotificationKind.DECISION_MADE) -> list[Notification]:
    return list(db.session.query(Notification).filter_by(recipient_person_id=person.id, kind=kind))


def _post(client, url, data):
    return client.post(url, data={"csrf_token": client.csrf_token("/om-min-sip"), **data})


def _url(case, decision=None) -> str:
    return f"/personal/sip/{case.public_id}/beslut" + (f"/{decision.public_id}" if decision else "")


def _text(response) -> str:
    return " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser").main.get_text(" ").split())


def test_the_coordinator_writes_in_a_decision_and_the_guardian_is_told(client, family):
    kim, case, maria = family["kim"], family["case"], family["maria"]
    _plan_version, decision = _plan(kim, case)
    client.sign_in_as(kim)

    overview = client.get(f"/personal/sip/{case.public_id}/planen").get_data(as_text=True)
    assert f'href="{_url(case)}"' in overview
    listing = client.get(_url(case))
    assert listing.status_code == 200
    assert WHAT in _text(listing)
    assert f'href="{_url(case, decision)}"' in listing.get_data(as_text=True)

    form = client.get(_url(case, decision))
    assert form.status_code == 200
    assert WHAT in _text(form)

    empty = _post(client, _url(case, decision), {"decision": "  "})
    assert empty.status_code == 422
    assert "Skriv vad som blev bestämt" in _text(empty)
    assert _messages(maria) == []

    saved = _post(client, _url(case, decision), {"decision": DECIDED})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(_url(case))
    outcome = db.session.query(DecisionOutcome).filter_by(pending_decision_id=decision.id).one()
    assert (outcome.decision, outcome.recorded_by_staff_id) == (DECIDED, kim.id)
    audited = db.session.query(AuditEntry).filter_by(action="decision.recorded", actor_staff_id=kim.id)
    assert audited.count() == 1

    # The guardian with custody is told; the parent without custody and the child (who follows the plan
    # through her guardians) are not.
    (message,) = _messages(maria)
    assert message.case_id == case.id
    assert message.data == {}  # nothing about what was decided: it may be about health
    assert _messages(family["peter"]) == []
    assert _messages(family["elsa"]) == []
    after = client.get(_url(case))
    assert "Klara" in _text(after) and DECIDED in _text(after)


def test_the_guardian_reads_the_message_and_finds_the_decision_in_the_plan(client, family):
    kim, case, maria = family["kim"], family["case"], family["maria"]
    _plan_version, decision = _plan(kim, case)
    client.sign_in_as(maria)
    before = _text(client.get(f"/sip/{case.public_id}/plan"))
    assert "Beslut som inte är klara än" in before
    assert "Du får veta när ett beslut är klart." in before

    decisions.record(kim, case, decision.public_id, DECIDED)
    db.session.commit()

    inbox = client.get("/meddelanden")
    text = _text(inbox)
    assert "Ett beslut som planen väntade på är klart. Läs vad som blev bestämt." in text
    assert DECIDED not in text and WHAT not in text  # the message names no detail
    assert f'href="/sip/{case.public_id}/plan"' in inbox.get_data(as_text=True)

    plan_page = client.get(f"/sip/{case.public_id}/plan")
    text = _text(plan_page)
    assert "Beslut som är klara" in text and DECIDED in text
    # Nothing is waiting any more, so the page no longer says that something is.
    assert "Beslut som inte är klara än" not in text
    assert "Du får veta när ett beslut är klart." not in text
    assert "Några beslut är inte klara än" not in text
    readability = measure(main_text_blocks(plan_page.get_data(as_text=True)))
    assert readability.lix <= 35, f"LIX {readability.lix:.1f} ({readability})"


def test_an_adult_and_her_god_man_are_both_told(app):
    social = factories.unit("Socialtjänsten")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Berg")
    karl = factories.person("Karl Nyström", age=82)
    lena = factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena Ek")
    case = factories.case(karl, social, kim, step=Step.MEETING_HELD)
    _plan_version, decision = _plan(kim, case)
    decisions.record(kim, case, decision.public_id, "Karl får hemtjänst.")
    assert len(_messages(karl)) == 1
    assert len(_messages(lena)) == 1


def test_a_second_save_changes_nothing_and_tells_nobody_again(client, family):
    kim, case, maria = family["kim"], family["case"], family["maria"]
    _plan_version, decision = _plan(kim, case)
    client.sign_in_as(kim)
    assert _post(client, _url(case, decision), {"decision": DECIDED}).status_code == 303
    again = _post(client, _url(case, decision), {"decision": "Något annat."})
    assert again.status_code == 303
    assert "Beslutet är redan inskrivet." in _text(client.get(again.headers["Location"]))
    assert [o.decision for o in db.session.query(DecisionOutcome)] == [DECIDED]
    assert len(_messages(maria)) == 1
    with pytest.raises(decisions.AlreadyDecided):
        decisions.record(kim, case, decision.public_id, "Något annat.")


def test_the_approved_version_is_left_as_it_was_approved(family):
    kim, case = family["kim"], family["case"]
    plan, decision = _plan(kim, case)
    before = plans.fingerprint(plan)
    decisions.record(kim, case, decision.public_id, DECIDED)
    db.session.commit()
    db.session.expire_all()
    assert plans.fingerprint(plans.version(case, plan.number)) == before
    assert db.session.get(PendingDecision, decision.id).what == WHAT


def test_a_decision_in_a_draft_is_changed_in_the_draft_not_recorded(client, family):
    kim, case = family["kim"], family["case"]
    _plan_version, decision = _plan(kim, case, approve=False)
    client.sign_in_as(kim)
    assert client.get(_url(case, decision)).status_code == 404
    assert _post(client, _url(case, decision), {"decision": DECIDED}).status_code == 404
    assert "Det finns ingen plan som gäller nu." in _text(client.get(_url(case)))
    assert db.session.query(DecisionOutcome).count() == 0


def test_only_the_coordinator_records(client, family):
    kim, case = family["kim"], family["case"]
    _plan_version, decision = _plan(kim, case)
    client.sign_in_as(family["teacher"])  # staff of a unit taking part, without consent in this test
    assert client.get(_url(case, decision)).status_code == 404
    assert _post(client, _url(case, decision), {"decision": DECIDED}).status_code == 404
    client.sign_in_as(family["maria"])  # a citizen on a staff page
    assert client.get(_url(case, decision)).status_code == 403
    assert db.session.query(DecisionOutcome).count() == 0
    other = factories.staff(factories.unit("Annan enhet"), StaffRole.COORDINATOR, "Annan samordnare")
    with pytest.raises(decisions.NotAllowed):
        decisions.record(other, case, decision.public_id, DECIDED)


def test_nothing_is_recorded_once_the_sip_is_closed(client, family):
    kim, case = family["kim"], family["case"]
    _plan_version, decision = _plan(kim, case)
    closing.close(kim, case, "no_longer_needed", agreement="agrees")
    db.session.commit()
    client.sign_in_as(kim)
    response = _post(client, _url(case, decision), {"decision": DECIDED})
    assert response.status_code == 303
    assert db.session.query(DecisionOutcome).count() == 0
    assert _messages(family["maria"]) == []


def test_the_decision_pages_are_plain_swedish(client, family):
    kim, case = family["kim"], family["case"]
    _plan_version, decision = _plan(kim, case)
    client.sign_in_as(kim)
    for url in (_url(case), _url(case, decision)):
        readability = measure(main_text_blocks(client.get(url).get_data(as_text=True)))
        assert readability.lix <= 35, f"{url}: LIX {readability.lix:.1f} ({readability})"


def test_decisions_expected_later_stay_listed_as_waiting(client, family):
    kim, case = family["kim"], family["case"]
    plan = plans.start_draft(kim, case)
    plans.add_goal(kim, case, plan, "short", "Jag vill må bra hemma.")
    first = plans.add_pending_decision(kim, case, plan, WHAT, "", date.today() + timedelta(days=30))
    plans.add_pending_decision(kim, case, plan, "Beslut om skolskjuts.", "", None)
    factories.complete_plan(plan)
    plans.approve_at_meeting(kim, case, plan)
    decisions.record(kim, case, first.public_id, DECIDED)
    db.session.commit()
    client.sign_in_as(family["maria"])
    text = _text(client.get(f"/sip/{case.public_id}/plan"))
    assert "Beslut som inte är klara än" in text and "Beslut om skolskjuts." in text
    assert "Beslut som är klara" in text and DECIDED in text
