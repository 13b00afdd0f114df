"""Nobody's change to the plan is lost, and nobody approves twice by mistake [issue 12], through the pages.

- The coordinator in two tabs (or on two devices): every staff plan form carries the draft's revision it was
  based on. A save from the older page is refused (422) with "Någon annan har ändrat det här", a box showing
  what is there now, and the typed text still in the form; saving again from that page goes through.
- The person clicks "Jag har läst planen och håller med" twice: the second click lands calmly on the plan.

The same instant from two app servers (PostgreSQL) is in test_plan_concurrency.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    PlanVersion,
    StaffRole,
    Step,
    VersionStatus,
)
from citizen_app.services import consent, plans
from tests.support import factories

UNTIL = date.today() + timedelta(days=300)
CHANGED = "Någon annan har ändrat det här. Se hur det ser ut nu."


@pytest.fixture
def sip(app):
    """Anna's SIP after the meeting, her consent for the social services. Kim's draft: one goal with one
    action, one pending decision."""
    social = factories.unit("Socialtjänsten Norr")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    anna = factories.person("Anna Lind", age=45)
    case = factories.case(anna, social, kim, step=Step.CONSENT)
    consent.give(anna, case, [social.public_id], ["social"], UNTIL)
    case.step = Step.MEETING_HELD
    plan = plans.start_draft(kim, case)
    goal = plans.add_goal(kim, case, plan, "long", "Jag vill bo kvar hemma")
    action = plans.add_action(
        kim,
        case,
        plan,
        goal.public_id,
        what="Hemtjänst varje morgon",
        responsible="municipality",
        responsible_unit_id=social.id,
    )
    decision = plans.add_pending_decision(kim, case, plan, "Beslut om boende", "Hemtjänst som nu", None)
    db.session.commit()
    return {
        "case": case,
        "anna": anna,
        "kim": kim,
        "plan": plan,
        "goal": goal,
        "action": action,
        "decision": decision,
    }


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ").split())


def _summary(response) -> list[tuple[str, str]]:
    return [(a["href"], a.get_text(" ", strip=True)) for a in _soup(response).select(".error-summary a")]


def _staff_url(sip, rest: str) -> str:
    return f"/personal/sip/{sip['case'].public_id}/planen{rest}"


def _hidden(page, action: str) -> dict[str, str]:
    """The hidden fields of the form that posts to ``action``, as the browser sends them."""
    form = _soup(page).find("form", action=action)
    assert form is not None, f"no form posting to {action}"
    return {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}


def _draft_now() -> PlanVersion:
    db.session.expire_all()
    return db.session.scalars(select(PlanVersion)).one()


def _another_tab_saves(sip) -> None:
    """Meanwhile, in another tab, Kim writes what else was talked about."""
    plans.update_details(sip["kim"], sip["case"], _draft_now(), other_discussed="Från den andra fliken")
    db.session.commit()


# --- Two tabs -----------------------------------------------------------------------------------------------


def test_the_later_save_from_an_older_page_is_refused_showing_what_is_there_now(client, sip):
    client.sign_in_as(sip["kim"])
    url = _staff_url(sip, "/1/ovrigt")
    first_tab, second_tab = client.get(url), client.get(url)
    typed = {"if_worse": "Anna ringer 112.", "coordinator_name": "Kim Samordnare"}

    saved = client.post(url, data={**_hidden(second_tab, url), **typed, "if_worse": "Anna ringer Kim."})
    assert saved.status_code == 303
    refused = client.post(url, data={**_hidden(first_tab, url), **typed})

    assert refused.status_code == 422
    assert _summary(refused) == [("#current", CHANGED)]
    assert _soup(refused).title.get_text().startswith("Fel:")
    now = " ".join(_soup(refused).find(id="current").get_text(" ").split())
    assert "Så här ser det ut nu" in now and "Anna ringer Kim." in now  # what the other tab saved
    assert _soup(refused).find(id="if_worse").get_text() == "Anna ringer 112."  # what was typed is kept
    assert _draft_now().if_worse == "Anna ringer Kim."  # nothing of the older page was saved

    # Having read it, Kim saves again from the page shown: it carries the revision now, and goes through.
    again = client.post(url, data={**_hidden(refused, url), **typed})
    assert again.status_code == 303
    assert _draft_now().if_worse == "Anna ringer 112."


FORMS = {
    # name: (page, form action, what Kim typed, the text that must still be in the form)
    "details": ("/1/ovrigt", "/1/ovrigt", {"if_worse": "Anna ringer 112.", "coordinator_name": "Kim"}, "112"),
    "add goal": ("/1/mal", "/1/mal", {"term": "short", "text": "Jag vill laga mat själv"}, "laga mat"),
    "change goal": (
        "/1/mal/{goal}",
        "/1/mal/{goal}",
        {"term": "long", "text": "Jag vill bo kvar"},
        "bo kvar",
    ),
    "outcome": (
        "/1/mal/{goal}/resultat",
        "/1/mal/{goal}/resultat",
        {"outcome": "met", "comment": "Bra"},
        "Bra",
    ),
    "add action": (
        "/1/mal/{goal}/insatser",
        "/1/mal/{goal}/insatser",
        {"what": "Anna lagar mat med stöd", "responsible": "person"},
        "lagar mat med stöd",
    ),
    "add decision": ("/1/beslut", "/1/beslut", {"what": "Beslut om färdtjänst"}, "färdtjänst"),
    "remove goal": ("/1/ta-bort/mal/{goal}", "/1/ta-bort/mal/{goal}", {}, None),
    "remove action": ("/1/ta-bort/insats/{action}", "/1/ta-bort/insats/{action}", {}, None),
    "remove decision": ("/1/ta-bort/beslut/{decision}", "/1/ta-bort/beslut/{decision}", {}, None),
    "send for reading": ("/1/andra", "/1/skicka", {}, None),
    "approve at meeting": ("/1/godkand", "/1/godkand", {}, None),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_every_staff_plan_form_carries_its_revision_and_an_older_one_is_refused(client, sip, name):
    page_path, action_path, typed, kept = FORMS[name]
    ids = {k: sip[k].public_id for k in ("goal", "action", "decision")}
    page_url, action = (_staff_url(sip, p.format(**ids)) for p in (page_path, action_path))
    client.sign_in_as(sip["kim"])
    page = client.get(page_url)
    hidden = _hidden(page, action)
    assert hidden["revision"] == str(_draft_now().revision), "the form says which revision it was based on"

    _another_tab_saves(sip)
    before = plans.fingerprint(_draft_now())
    refused = client.post(action, data={**hidden, **typed})

    assert refused.status_code == 422, name
    assert _summary(refused) == [("#current", CHANGED)]
    assert "Så här ser det ut nu" in _soup(refused).find(id="current").get_text()
    if kept:
        assert kept in str(_soup(refused).find("form", action=action)), "what was typed is kept"
    draft = _draft_now()
    assert draft.status == VersionStatus.DRAFT and draft.sent_at is None
    assert plans.fingerprint(draft) == before, f"{name}: the older page changed the draft"


def test_a_form_without_its_revision_is_refused_too(client, sip):
    """A page from before the revisions, or a tampered form: it cannot say what it was based on."""
    client.sign_in_as(sip["kim"])
    url = _staff_url(sip, "/1/mal")
    data = {k: v for k, v in _hidden(client.get(url), url).items() if k != "revision"}
    refused = client.post(url, data={**data, "term": "short", "text": "Jag vill laga mat själv"})
    assert refused.status_code == 422 and _summary(refused) == [("#current", CHANGED)]
    assert [g.text for g in _draft_now().goals] == ["Jag vill bo kvar hemma"]


def test_changing_a_goal_another_tab_removed_keeps_what_was_typed(client, sip):
    client.sign_in_as(sip["kim"])
    url = _staff_url(sip, f"/1/mal/{sip['goal'].public_id}")
    hidden = _hidden(client.get(url), url)
    plans.remove_goal(sip["kim"], sip["case"], _draft_now(), sip["goal"].public_id)
    db.session.commit()
    refused = client.post(url, data={**hidden, "term": "long", "text": "Jag vill bo kvar i min lägenhet"})
    assert refused.status_code == 422 and _summary(refused) == [("#current", CHANGED)]
    assert "Målet finns inte längre i utkastet." in _soup(refused).find(id="current").get_text()
    assert _soup(refused).find(id="text").get_text() == "Jag vill bo kvar i min lägenhet"


def test_removing_what_another_tab_removed_says_so_calmly(client, sip):
    client.sign_in_as(sip["kim"])
    url = _staff_url(sip, f"/1/ta-bort/beslut/{sip['decision'].public_id}")
    first_tab, second_tab = client.get(url), client.get(url)
    assert client.post(url, data=_hidden(first_tab, url)).status_code == 303
    again = client.post(url, data=_hidden(second_tab, url))
    assert again.status_code == 303
    assert "Det är redan borttaget." in _text(client.get(again.headers["Location"]))
    assert _draft_now().pending_decisions == []


# --- The person's double click ---------------------------------------------------------------------------


def test_a_double_click_on_approve_lands_calmly_on_the_approved_plan(client, sip):
    factories.complete_plan(_draft_now())
    plans.send_for_reading(sip["kim"], sip["case"], _draft_now())
    db.session.commit()
    client.sign_in_as(sip["anna"])
    plan_url = f"/sip/{sip['case'].public_id}/plan"
    approve_url = plan_url + "/utkast/godkann"
    form = _hidden(client.get(plan_url), approve_url)

    first = client.post(approve_url, data=form)
    assert first.status_code == 303
    assert "Tack. Planen är godkänd och gäller nu." in _text(client.get(first.headers["Location"]))
    second = client.post(approve_url, data=form)
    assert second.status_code == 303 and second.headers["Location"].endswith(plan_url)
    landed = client.get(second.headers["Location"])
    assert "Du har redan godkänt planen." in _text(landed)
    assert "Godkänd den" in _text(landed)

    assert _draft_now().status == VersionStatus.APPROVED
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "plan.approved")) == 1
