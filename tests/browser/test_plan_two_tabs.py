"""The coordinator writes the same draft in two tabs [issue 12], in a real browser.

Kent Olofsson opens "Mer i planen" of Oskar's draft in two tabs. The second tab saves first. When the first
tab saves, nothing is wiped: the page comes back with "Någon annan har ändrat det här", a box with what the
other tab saved, and Kent's typed text still in the form. He reads it and saves again, which goes through.
The refused page passes check_page (axe-core, no sideways scrolling, LIX) at 360 px and 1280 px, with and
without JavaScript.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    check_key_page,
    h1_text,
    main_text,
    requested_accepted_and_consented,
    sign_in_as,
)

pytestmark = pytest.mark.browser

COORDINATOR = "Kent Olofsson"
OTHER_TAB = "Sara ringer Kent."
THIS_TAB = "Sara ringer 112 om det är bråttom."


def _oskars_draft(live_server) -> str:
    """Sara asks for a SIP for Oskar, Kent accepts it, Sara consents; Kent starts the plan with one goal."""
    from citizen_app.extensions import db
    from citizen_app.services import plans

    with live_server.app.app_context():
        _sara, kent, _units, case = requested_accepted_and_consented(
            "Sara Holm",
            "Oskar Holm",
            COORDINATOR,
            need="Oskar sover dåligt.",
            requested=("Socialtjänsten Exempelstad", "Björkskolan"),
            consented=("Socialtjänsten Exempelstad", "Björkskolan"),
        )
        plan = plans.start_draft(kent, case)
        plans.add_goal(kent, case, plan, "short", "Jag vill sova bra.")
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


def _save(page, text: str, expected_status: int) -> None:
    page.fill("#if_worse", text)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Spara").click()
    assert navigation.value.status == expected_status, page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_later_save_from_an_older_tab_is_refused_and_nothing_is_lost(new_page, live_server, javascript):
    case_id = _oskars_draft(live_server)
    details = f"/personal/sip/{case_id}/planen/1/ovrigt"
    first, second = new_page(javascript=javascript), new_page(javascript=javascript)
    for tab in (first, second):
        sign_in_as(tab, COORDINATOR)
        tab.goto(details)
        assert h1_text(tab) == "Mer i planen"

    _save(second, OTHER_TAB, 200)  # saved: back in the editor
    assert "Det är sparat." in main_text(second)

    _save(first, THIS_TAB, 422)
    assert first.title().startswith("Fel: Mer i planen")
    text = main_text(first)
    assert "Någon annan har ändrat det här. Se hur det ser ut nu." in text
    now = " ".join(first.locator("#current").inner_text().split())
    assert "Så här ser det ut nu" in now and OTHER_TAB in now
    assert first.locator("#if_worse").input_value() == THIS_TAB, "what Kent typed is kept"
    check_key_page(first, "Mer i planen, someone else changed it")

    with first.expect_navigation() as navigation:
        first.get_by_role("button", name="Spara").click()
    assert navigation.value.status == 200
    assert h1_text(first) == "Skriv planen, version 1" and "Det är sparat." in main_text(first)
    assert THIS_TAB in first.locator("main section#details").inner_text()
