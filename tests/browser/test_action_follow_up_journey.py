"""The plan's actions are followed, in a real browser [issue 16]: the school marks its action done and the
family sees "Klart".

Oskar's SIP is set up through the services in the live server: Sara Holm (custody) asks for it, Kent Olofsson
accepts it, Sara consents for the social services and Björkskolan, and the plan is approved with one action
of Björkskolan that was due yesterday. Then, on a 360 px phone:

1. Sofia Åberg (Björkskolan) opens "Våra åtgärder": the action is there, "Sen". She follows "Skriv in hur det
   går", first sends a day in the future (the error summary), then marks it done today.
2. Sara opens "Min plan": the action says "Klart".

Every page passes ``check_page`` (axe-core zero violations, no sideways scrolling, LIX ≤ 35); the key pages
also at 1280 px. The journey runs once with JavaScript and once without.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import (
    check_key_page,
    check_page,
    h1_text,
    main_text,
    requested_accepted_and_consented,
    sign_in_as,
)
from tests.support import factories

pytestmark = pytest.mark.browser

GUARDIAN = "Sara Holm"
CHILD = "Oskar Holm"
COORDINATOR = "Kent Olofsson"
SCHOOL_STAFF = "Sofia Åberg"
OWNING_UNIT = "Socialtjänsten Exempelstad"
SCHOOL = "Björkskolan"
ACTION = "Skolan ordnar en lugn plats att vara på."


def _oskars_plan_with_a_school_action(live_server) -> str:
    from citizen_app.extensions import db
    from citizen_app.services import plans

    with live_server.app.app_context():
        _sara, kent, units, case = requested_accepted_and_consented(
            GUARDIAN,
            CHILD,
            COORDINATOR,
            need="Oskar vill inte gå till skolan.",
            requested=(OWNING_UNIT, SCHOOL),
            consented=(OWNING_UNIT, SCHOOL),
        )
        plan = plans.start_draft(kent, case)
        goal = plans.add_goal(kent, case, plan, "short", "Jag vill gå till skolan varje dag.")
        plans.add_action(
            kent,
            case,
            plan,
            goal.public_id,
            what=ACTION,
            responsible="municipality",
            responsible_unit_id=units[SCHOOL].id,
            starts_on=date.today() - timedelta(days=1),
        )
        factories.complete_plan(plan)
        plans.approve_at_meeting(kent, case, plan)
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_school_marks_its_action_done_and_the_family_sees_klart(new_page, live_server, javascript):
    live_server.reset_demo_data()
    case_id = _oskars_plan_with_a_school_action(live_server)

    # 1. Sofia marks the school's action done.
    sofia = new_page(javascript=javascript)
    sign_in_as(sofia, SCHOOL_STAFF)
    sofia.goto("/personal/atgarder")
    assert h1_text(sofia) == "Våra åtgärder"
    listed = main_text(sofia)
    assert ACTION in listed and "Sen" in listed
    check_key_page(sofia, "Våra åtgärder")
    with sofia.expect_navigation():
        sofia.locator("main").get_by_role("link", name="Skriv in hur det går").first.click()
    assert h1_text(sofia) == "Skriv in hur det går"
    check_key_page(sofia, "marking an action")
    sofia.get_by_label("Det är klart").check()
    sofia.get_by_label("Vilken dag?").fill((date.today() + timedelta(days=1)).isoformat())
    with sofia.expect_navigation():
        sofia.get_by_role("button", name="Spara").click()
    assert sofia.title().startswith("Fel:")
    assert "Dagen kan inte vara senare än i dag" in main_text(sofia)
    check_page(sofia, label="the mark form with an error")
    sofia.get_by_label("Det är klart").check()
    sofia.get_by_label("Vilken dag?").fill(date.today().isoformat())
    with sofia.expect_navigation():
        sofia.get_by_role("button", name="Spara").click()
    assert "Det är sparat hur det går." in main_text(sofia)
    assert "Klart" in main_text(sofia)
    check_page(sofia, label="Våra åtgärder after marking")

    # 2. Sara sees "Klart" in the plan.
    sara = new_page(javascript=javascript)
    sign_in_as(sara, GUARDIAN)
    sara.goto(f"/sip/{case_id}/plan")
    plan = main_text(sara)
    assert ACTION in plan and "Så går det: Klart" in plan
    check_key_page(sara, "Min plan with the action done")
