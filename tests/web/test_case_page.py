"""The case page shows the steps of a SIP as an ordered list: done (with date), current, still to come."""

import re

from citizen_app.models import ClosingReason, Step
from tests.support import factories


def _steps(html):
    return re.findall(r'class="steps__item steps__item--(\w+)"', html)


def test_a_guardian_sees_where_the_childs_sip_is(client, app):
    child = factories.child("Lisa Barn")
    parent = factories.guardian_of(child)
    case = factories.case(child, owning_unit=factories.unit(), step=Step.CONSENT)
    client.sign_in_as(parent)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert "<ol" in html and 'aria-current="step"' in html
    assert _steps(html) == ["done", "current"] + ["next"] * 7


def test_a_closed_case_shows_no_steps_still_to_come(client, app):
    adult = factories.person("Vuxen")
    case = factories.case(adult, step=Step.CLOSED, closing_reason=ClosingReason.CANCELLED_BY_PERSON)
    client.sign_in_as(adult)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert "next" not in _steps(html)
    assert _steps(html)[-1] == "current"


def test_the_overview_links_to_the_case(client, app):
    adult = factories.person("Vuxen")
    case = factories.case(adult)
    client.sign_in_as(adult)
    assert f'href="/sip/{case.public_id}"' in client.get("/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client, app):
    case = factories.case(factories.person())
    response = client.get(f"/sip/{case.public_id}")
    assert response.status_code == 303 and "/logga-in" in response.headers["Location"]


def test_the_person_sees_their_coordinator_what_happens_now_and_the_deadline(client, app):
    from citizen_app.services import intake

    unit = factories.unit("Socialtjänsten")
    kim = factories.staff(unit, name="Kim Samordnare")
    kim.phone = "010-123 45 67"
    person = factories.person("Ada")
    case = factories.case(person, unit)
    intake.accept(kim, case)
    client.sign_in_as(person)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert "<h1>Din SIP</h1>" in html
    assert '<body hx-history="false">' in html  # health data: no htmx history copy
    assert "Kim Samordnare" in html and "010-123 45 67" in html
    assert "Målet är ett första möte senast" in html
    assert "Kim Samordnare blev samordnare." in html


def test_a_forward_reason_is_shown_to_the_person(client, app):
    from citizen_app.services import intake

    unit = factories.unit("Socialtjänsten")
    kim = factories.staff(unit)
    target = factories.unit("Psykiatrin")
    person = factories.person()
    case = factories.case(person, unit)
    intake.forward(kim, case, target.public_id, "De kan hjälpa dig bäst.")
    client.sign_in_as(person)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert "Förfrågan skickades vidare till Psykiatrin." in html and "De kan hjälpa dig bäst." in html


def test_cancel_needs_a_confirmation_page_and_a_post(client, app):
    person = factories.person()
    case = factories.case(person, factories.unit())
    client.sign_in_as(person)
    confirm = client.get(f"/sip/{case.public_id}/avbryt")
    assert confirm.status_code == 200 and "Vill du avbryta din SIP?" in confirm.get_data(as_text=True)
    assert factories.db.session.get(type(case), case.id).step == Step.REQUESTED
    token = client.csrf_token(f"/sip/{case.public_id}/avbryt")
    response = client.post(f"/sip/{case.public_id}/avbryt", data={"csrf_token": token})
    assert response.status_code == 303
    assert factories.db.session.get(type(case), case.id).step == Step.CLOSED
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert "Den här SIP:en är avslutad." in html and "Avbryt din SIP" not in html
    assert client.get(f"/sip/{case.public_id}/avbryt").status_code == 403


def test_cancel_is_gone_once_a_meeting_is_held(client, app):
    person = factories.person()
    case = factories.case(person, step=Step.MEETING_HELD)
    client.sign_in_as(person)
    assert "Avbryt din SIP" not in client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    token = client.csrf_token("/")
    assert client.post(f"/sip/{case.public_id}/avbryt", data={"csrf_token": token}).status_code == 403


def test_a_suggested_person_answers_yes_on_the_case_page(client, app):
    person = factories.person("Bo")
    case = factories.case(person, factories.unit(), awaiting_person_agreement=True)
    client.sign_in_as(person)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert "Vill du ha en SIP?" in html
    token = client.csrf_token("/")
    response = client.post(f"/sip/{case.public_id}/forslag", data={"csrf_token": token, "answer": "yes"})
    assert response.status_code == 303
    assert factories.db.session.get(type(case), case.id).awaiting_person_agreement is False


def test_the_case_page_stays_within_eight_queries(client, app, count_queries):
    from citizen_app.services import intake

    unit = factories.unit()
    kim = factories.staff(unit)
    person = factories.person()
    case = factories.case(person, unit)
    intake.accept(kim, case)
    client.sign_in_as(person)
    with count_queries() as q:
        assert client.get(f"/sip/{case.public_id}").status_code == 200
    assert q.count <= 8, q.statements


def test_the_case_page_leads_to_the_preparation_for_those_who_prepare(client, app):
    child = factories.child("Lisa Barn")
    parent = factories.guardian_of(child)
    apart = factories.guardian_of(child, custody=False, name="Utan vårdnad")
    case = factories.case(child, owning_unit=factories.unit(), step=Step.PREPARATION)
    client.sign_in_as(parent)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert f'href="/sip/{case.public_id}/infor-motet"' in html
    assert "/min-rost/" not in html  # the child's own pages are for the child
    client.sign_in_as(apart)
    assert client.get(f"/sip/{case.public_id}").status_code == 404


def test_a_signed_in_child_is_led_to_their_own_voice(client, app):
    child = factories.child("Lisa Barn")
    factories.guardian_of(child)
    case = factories.case(child, owning_unit=factories.unit(), step=Step.PREPARATION)
    client.sign_in_as(child)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert f'href="/min-rost/sip/{case.public_id}"' in html
    assert "/infor-motet" not in html


def test_every_message_kind_has_its_own_text(client, app):
    """No message falls back to "Något har hänt i en SIP." — each kind says what happened."""
    from citizen_app.models import NotificationKind
    from citizen_app.services import notifications

    person = factories.person("Vuxen")
    case = factories.case(person, owning_unit=factories.unit())
    for kind in NotificationKind:
        notifications.notify(
            person, kind, case, data={"coordinator": "Kent", "to": "Enheten", "days_left": 7}
        )
    client.sign_in_as(person)
    html = client.get("/meddelanden").get_data(as_text=True)
    assert "Något har hänt i en SIP." not in html
