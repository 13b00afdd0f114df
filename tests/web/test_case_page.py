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
