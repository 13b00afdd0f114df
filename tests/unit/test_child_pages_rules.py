"""Whose pages "Min röst" are [issue 5]: a child's code opens that child's pages of one case, and a signed-in
person uses them only as the child the case is about."""

import pytest

from citizen_app.models import LinkPurpose, StaffRole, Step
from citizen_app.pages import child as child_pages
from citizen_app.services import NotFound, access_links
from tests.support import factories


@pytest.fixture
def sip(app):
    social = factories.unit("Socialtjänsten")
    kid = factories.child("Elsa", age=13)
    mum = factories.guardian_of(kid, name="Mamma")
    coordinator = factories.staff(social, StaffRole.COORDINATOR)
    case = factories.case(kid, social, coordinator=coordinator, step=Step.PREPARATION)
    sibling = factories.child("Syster", age=10)
    other = factories.case(sibling, social, coordinator=coordinator, step=Step.PREPARATION)
    link = access_links.create(LinkPurpose.CHILD_PAGES, case, mum, person=kid, days=30, as_code=True).link
    return {"case": case, "kid": kid, "mum": mum, "other": other, "link": link}


def test_a_code_opens_the_childs_pages_of_its_own_case(sip):
    pages = child_pages.open_pages(None, sip["link"], sip["case"].public_id)
    assert pages.child == sip["kid"]
    assert pages.by_code
    assert child_pages.case_of_link(sip["link"]) == sip["case"]


def test_a_code_opens_no_other_case_and_no_closed_one(sip):
    with pytest.raises(NotFound):
        child_pages.open_pages(None, sip["link"], sip["other"].public_id)
    sip["case"].step = Step.CLOSED
    with pytest.raises(NotFound):
        child_pages.open_pages(None, sip["link"], sip["case"].public_id)
    with pytest.raises(NotFound):
        child_pages.case_of_link(sip["link"])


def test_signed_in_only_the_child_the_case_is_about(sip):
    assert child_pages.open_pages(sip["kid"], None, sip["case"].public_id).by_code is False
    with pytest.raises(NotFound):
        child_pages.open_pages(sip["mum"], None, sip["case"].public_id)
    assert child_pages.open_cases_of_child(sip["kid"]) == [sip["case"]]
    assert child_pages.open_cases_of_child(sip["mum"]) == []


def test_each_step_of_the_sip_is_one_of_the_childs_four(sip):
    shown = {}
    for step in Step:
        sip["case"].step = step
        shown[step] = child_pages.ChildPages(sip["kid"], sip["case"], by_code=False).current_step
    assert set(shown.values()) <= set(child_pages.CHILD_STEPS)
    assert shown[Step.CONSENT] == "questions"
    assert shown[Step.MEETING_HELD] == "plan"
