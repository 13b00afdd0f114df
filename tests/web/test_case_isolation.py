"""No family ever sees another's SIP [QUALITY 4] [SIP.md 9].

A signed-in person who may not see a case gets 403 or 404 on every citizen page of that case, never its data;
those the policy lets in get the page. The pages are taken from the route table, so every new
``/sip/<public_id>/...`` page is covered as soon as it exists.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import current_app

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, RepresentativeType, StaffRole, Step, UnitKind
from tests.support import factories

ADULT_NAME = "Ingrid Hemligsson"
ADULT_NEED = "Ingrid sover dåligt och har stora skulder."
CHILD_NAME = "Tilda Hemligsson"
CHILD_NEED = "Tilda är hemma från skolan varje dag."
COORDINATOR_NAME = "Samordnare Sixten Sekretess"


@pytest.fixture
def families(app):
    """Two SIPs (an adult's and a child's), everyone around them, and a stranger with a SIP of their own."""
    owning = factories.unit(kind=UnitKind.SOCIAL_SERVICES)
    coordinator = factories.staff(owning, StaffRole.COORDINATOR, COORDINATOR_NAME)
    school = factories.unit(kind=UnitKind.SCHOOL)
    people = {}

    adult = factories.person(ADULT_NAME, age=45)
    adult_case = factories.case(
        adult, owning_unit=owning, coordinator=coordinator, step=Step.PREPARATION, need_description=ADULT_NEED
    )
    factories.participant(adult_case, ParticipantRole.PERSON, person_=adult)
    people["the person"] = (adult, adult_case)
    people["god man"] = (factories.representative_of(adult, RepresentativeType.GOD_MAN), adult_case)
    expired = factories.representative_of(
        adult, RepresentativeType.FORVALTARE, valid_until=date.today() - timedelta(days=1)
    )
    factories.participant(adult_case, ParticipantRole.REPRESENTATIVE, person_=expired)
    people["expired representative"] = (expired, adult_case)
    relative = factories.person("Rut Närstående", age=50)
    factories.participant(adult_case, ParticipantRole.RELATIVE, person_=relative)
    people["relative"] = (relative, adult_case)

    kid = factories.child(CHILD_NAME, age=14)
    child_case = factories.case(
        kid, owning_unit=owning, coordinator=coordinator, step=Step.CONSENT, need_description=CHILD_NEED
    )
    factories.participant(child_case, ParticipantRole.CHILD, person_=kid)
    factories.participant(child_case, ParticipantRole.UNIT, unit_=school)
    people["the child"] = (kid, child_case)
    people["guardian with custody"] = (
        factories.guardian_of(kid, custody=True, name="Hanna Hemligsson"),
        child_case,
    )
    people["guardian without custody"] = (
        factories.guardian_of(kid, custody=False, name="Per Utan"),
        child_case,
    )

    stranger = factories.person("Fia Främling", age=45)
    factories.case(stranger, owning_unit=owning, need_description="Fia behöver hjälp.")
    people["unrelated person (adult's case)"] = (stranger, adult_case)
    people["unrelated person (child's case)"] = (stranger, child_case)
    people["coordinator on the citizen pages"] = (coordinator, adult_case)
    people["school staff on the citizen pages"] = (
        factories.staff(school, StaffRole.MEMBER, "Kurator Kim"),
        child_case,
    )
    db.session.commit()
    return people


def _secrets(case, actor) -> list[str]:
    """What only those inside the case may read (the actor's own name is in the page header, of course)."""
    if case.need_description == ADULT_NEED:
        secrets = [ADULT_NAME, ADULT_NEED, COORDINATOR_NAME]
    else:
        secrets = [CHILD_NAME, CHILD_NEED, COORDINATOR_NAME]
    return [s for s in secrets if s != actor.display_name]


def _case_pages(method: str) -> list[str]:
    """Every citizen URL of one case: rules under /sip/ whose only parameter is the case's public id."""
    return [
        rule.rule
        for rule in current_app.url_map.iter_rules()
        if rule.rule.startswith("/sip/") and rule.arguments == {"public_id"} and method in rule.methods
    ]


def _url(rule: str, public_id: str) -> str:
    return rule.replace("<string(length=22):public_id>", public_id).replace("<public_id>", public_id)


MAY_NOT_SEE = [
    "unrelated person (adult's case)",
    "unrelated person (child's case)",
    "guardian without custody",
    "relative",
    "expired representative",
    "coordinator on the citizen pages",
    "school staff on the citizen pages",
]
MAY_SEE = ["the person", "god man", "the child", "guardian with custody"]


def test_the_case_page_exists_in_the_route_table(app):
    assert any(r.endpoint == "cases.show_case" for r in app.url_map.iter_rules())
    assert _case_pages("GET"), "no citizen case pages found"
    assert _case_pages("POST"), "no citizen case forms found"


@pytest.mark.parametrize("who", MAY_NOT_SEE)
def test_those_outside_the_case_get_no_page_and_no_data(client, families, who):
    actor, case = families[who]
    client.sign_in_as(actor)
    for rule in _case_pages("GET"):
        url = _url(rule, case.public_id)
        response = client.get(url)
        assert response.status_code in (403, 404), f"{who} got {response.status_code} on {url}"
        body = response.get_data(as_text=True)
        for secret in _secrets(case, actor):
            assert secret not in body, f"{who} saw {secret!r} on {url}"


@pytest.mark.parametrize("who", MAY_NOT_SEE)
def test_those_outside_the_case_cannot_change_it(client, families, who):
    actor, case = families[who]
    client.sign_in_as(actor)
    token = client.csrf_token("/om-min-sip")
    before = (case.step, case.awaiting_person_agreement, case.closing_reason, case.version)
    for rule in _case_pages("POST"):
        url = _url(rule, case.public_id)
        response = client.post(url, data={"csrf_token": token, "answer": "no"})
        assert response.status_code in (403, 404), f"{who} got {response.status_code} on POST {url}"
        for secret in _secrets(case, actor):
            assert secret not in response.get_data(as_text=True)
    db.session.refresh(case)
    assert (case.step, case.awaiting_person_agreement, case.closing_reason, case.version) == before


@pytest.mark.parametrize("who", MAY_SEE)
def test_the_person_and_those_acting_for_them_see_the_case(client, families, who):
    actor, case = families[who]
    client.sign_in_as(actor)
    response = client.get(f"/sip/{case.public_id}")
    assert response.status_code == 200
    subject_name = ADULT_NAME if case.need_description == ADULT_NEED else CHILD_NAME
    assert subject_name in response.get_data(as_text=True)


def test_a_guessed_id_is_simply_not_found(client, families):
    actor, _case = families["the person"]
    client.sign_in_as(actor)
    assert client.get("/sip/" + "A" * 22).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in_without_seeing_anything(client, families):
    _actor, case = families["the person"]
    for rule in _case_pages("GET"):
        response = client.get(_url(rule, case.public_id))
        assert response.status_code in (302, 303, 401, 403, 404)
        body = response.get_data(as_text=True)
        assert ADULT_NAME not in body and ADULT_NEED not in body
