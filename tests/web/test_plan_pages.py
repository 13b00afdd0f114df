"""The citizen's plan pages [issue 6] [SIP.md 5]: "Min plan" goal by goal, a draft to comment on and approve,
the versions and what changed, the print view, who may read it (a parent without custody may not; a relative
only while it is shared; the child gets a simpler page), the plan after consent is withdrawn, and the page's
query budget. The plan's fixed texts are plain Swedish (LIX ≤ 35, the child's page ≤ 28)."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from citizen_app.extensions import db
from citizen_app.models import (
    NotificationKind,
    ParticipantRole,
    PlanComment,
    PlanVersion,
    StaffRole,
    Step,
    UnitKind,
    VersionStatus,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import consent, notifications, plans, withdrawal
from tests.support import factories

FOLLOW_UP = date.today() + timedelta(days=90)


@pytest.fixture
def family(app):
    """Elsa (14) with a SIP after the meeting; Maria has custody (and consented), Peter has not; Eva (her
    aunt) takes part."""
    social = factories.unit("Socialtjänsten Ekby")
    school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Berg")
    kim.phone = "010-123 45 67"
    elsa = factories.child("Elsa Ek", age=14)
    maria = factories.guardian_of(elsa, name="Maria Ek")
    peter = factories.guardian_of(elsa, custody=False, name="Peter Ek")
    eva = factories.person("Eva Ek", age=50)
    case = factories.case(elsa, social, kim, step=Step.MEETING_HELD)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    aunt = factories.participant(case, ParticipantRole.RELATIVE, person_=eva)
    # Maria's consent covers both units: the plan's actions name them.
    consent.give(maria, case, [social.public_id, school.public_id], ["social", "school"], FOLLOW_UP)
    case.step = Step.MEETING_HELD
    db.session.commit()
    return {
        "case": case,
        "elsa": elsa,
        "maria": maria,
        "peter": peter,
        "eva": eva,
        "aunt": aunt,
        "kim": kim,
        "social": social,
        "school": school,
    }


GOALS = (
    ("Jag vill gå till skolan varje dag.", "Ekskolan ger stöd i klassen.", "school"),
    ("Jag vill må bra och sova bra.", "Vi pratar en gång i veckan.", "social"),
)


def _draft(family, goals=GOALS, actions_per_goal=1):
    """The coordinator writes a draft: short goals in Elsa's words, who does what, the rest of the plan."""
    kim, case = family["kim"], family["case"]
    plan = plans.start_draft(kim, case)
    for text, what, unit in goals:
        goal = plans.add_goal(kim, case, plan, "short", text)
        for n in range(actions_per_goal):
            plans.add_action(
                kim,
                case,
                plan,
                goal.public_id,
                what=what if n == 0 else f"{what} Del {n + 1}.",
                responsible="municipality",
                responsible_unit_id=family[unit].id,
                starts_on=date.today() + timedelta(days=7),
                how_often="varje vecka",
            )
    plans.update_details(
        kim,
        case,
        plan,
        if_worse="Ring Kim. På natten kan du ringa 1177.",
        principal_in_charge="Socialtjänsten Ekby",
        follow_up_on=FOLLOW_UP,
        follow_up_by="Kim Berg",
        attendees="Elsa, Maria, Kim och en lärare.",
    )
    plans.add_pending_decision(kim, case, plan, "Stöd i hemmet.", "Kim ringer varje vecka.", None)
    factories.complete_plan(plan)
    plans.send_for_reading(kim, case, plan)
    db.session.commit()
    return plan


def _approved(family, **kwargs):
    plan = _draft(family, **kwargs)
    factories.complete_plan(plan)
    plans.approve_at_meeting(family["kim"], family["case"], plan)
    db.session.commit()
    return plan


def _url(case, rest=""):
    return f"/sip/{case.public_id}/plan{rest}"


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).find("main").get_text(" ").split())


def _lix_ok(response, limit=35):
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= limit, f"LIX {readability.lix:.1f} ({readability})"


def _post(client, url, data):
    return client.post(url, data={"csrf_token": client.csrf_token("/om-min-sip"), **data})


def test_the_guardian_reads_the_approved_plan_goal_by_goal(client, family):
    _approved(family)
    client.sign_in_as(family["maria"])
    response = client.get(_url(family["case"]))
    assert response.status_code == 200
    soup = _soup(response)
    assert soup.find("h1").get_text().strip() == "Planen för Elsa Ek"
    text = _text(response)
    assert "Godkänd den" in text and "Version 1. Planen gäller nu." in text
    goals = soup.select(".myplan-goal")
    assert [g.find("h3").get_text(" ", strip=True) for g in goals] == [
        "Mål 1 – på kort sikt",
        "Mål 2 – på kort sikt",
    ]
    first = " ".join(goals[0].get_text(" ").split())
    assert "Det här vill Elsa nå: Jag vill gå till skolan varje dag." in first
    assert "Ekskolan ger stöd i klassen." in first
    assert "Vem gör det: Ekskolan" in first and "Hur ofta: varje vecka" in first and "Från:" in first
    assert "Vem gör det: Socialtjänsten Ekby" in " ".join(goals[1].get_text(" ").split())
    # Pending decisions, if worse, who is in charge, the coordinator and the follow-up.
    assert "Stöd i hemmet." in text and "Det här händer under tiden: Kim ringer varje vecka." in text
    assert "Om Elsa mår sämre Ring Kim." in text
    assert "Kim Berg" in text and "010-123 45 67" in text
    assert "Vad händer nu?" in text and "Ni ses igen den" in text
    assert "Kim Berg kallar till mötet." in text
    # Nothing to approve any more, and no form to change it.
    assert not soup.find("form", action=re.compile("/plan/utkast"))
    _lix_ok(response)


def test_the_case_page_leads_to_the_plan_once_there_is_one(client, family):
    client.sign_in_as(family["maria"])
    assert "/plan" not in client.get(f"/sip/{family['case'].public_id}").get_data(as_text=True)
    _draft(family)
    html = client.get(f"/sip/{family['case'].public_id}").get_data(as_text=True)
    assert f'href="/sip/{family["case"].public_id}/plan"' in html


def test_a_draft_is_marked_and_can_be_commented_on_and_approved(client, family):
    case = family["case"]
    plan = _draft(family)
    client.sign_in_as(family["maria"])
    page = client.get(_url(case))
    assert "Utkast – inte godkänd än" in _text(page)
    _lix_ok(page)

    empty = _post(client, _url(case, "/utkast/synpunkt"), {"comment": "  "})
    assert empty.status_code == 422
    assert _soup(empty).select_one(".error-summary a[href='#comment']")

    sent = _post(client, _url(case, "/utkast/synpunkt"), {"comment": "Jag vill ha stöd på morgonen."})
    assert sent.status_code == 303
    assert [c.text for c in db.session.query(PlanComment).all()] == ["Jag vill ha stöd på morgonen."]
    assert NotificationKind.PLAN_COMMENTED in {n.kind for n in notifications.list_for(family["kim"])}
    assert "Jag vill ha stöd på morgonen." in _text(client.get(_url(case)))

    form = _soup(client.get(_url(case))).find("form", action=_url(case, "/utkast/godkann"))
    assert form.find("button").get_text(strip=True) == "Jag har läst planen och håller med"
    data = {i["name"]: i["value"] for i in form.find_all("input") if i["name"] != "csrf_token"}
    approved = _post(client, _url(case, "/utkast/godkann"), data)
    assert approved.status_code == 303
    db.session.refresh(plan)
    assert plan.status == VersionStatus.APPROVED and plan.approved_by_person_id == family["maria"].id
    first_approval = plan.approved_at

    after = client.get(_url(case))
    assert "Godkänd den" in _text(after) and "Utkast" not in _text(after)
    assert not _soup(after).find("form", action=_url(case, "/utkast/godkann"))
    assert not _soup(after).find("form", action=_url(case, "/utkast/synpunkt"))

    # A second click (an old tab, a double tap) changes nothing.
    again = _post(client, _url(case, "/utkast/godkann"), data)
    assert again.status_code == 303
    db.session.refresh(plan)
    assert plan.approved_at == first_approval
    assert db.session.query(PlanVersion).count() == 1
    late = _post(client, _url(case, "/utkast/synpunkt"), {"comment": "För sent."})
    assert late.status_code == 303
    assert db.session.query(PlanComment).count() == 1


def test_a_comment_is_stored_without_nul_characters_and_a_huge_one_is_cut_before_it_is_refused(
    client, family
):
    case = family["case"]
    _draft(family)
    client.sign_in_as(family["maria"])
    sent = _post(client, _url(case, "/utkast/synpunkt"), {"comment": "Stöd\x00 på morgonen."})
    assert sent.status_code == 303
    assert [c.text for c in db.session.query(PlanComment).all()] == ["Stöd på morgonen."]

    huge = _post(client, _url(case, "/utkast/synpunkt"), {"comment": "a" * 50_000})
    assert huge.status_code == 422
    assert "Texten är för lång" in _text(huge)
    assert len(_soup(huge).find("textarea", id="comment").get_text()) == 10_000  # not the whole body back
    assert db.session.query(PlanComment).count() == 1


def test_a_draft_changed_after_reading_is_not_approved(client, family):
    case = family["case"]
    plan = _draft(family)
    client.sign_in_as(family["maria"])
    form = _soup(client.get(_url(case))).find("form", action=_url(case, "/utkast/godkann"))
    data = {i["name"]: i["value"] for i in form.find_all("input") if i["name"] != "csrf_token"}
    plans.add_goal(family["kim"], case, plans.draft(case), "long", "Jag vill ha en vän.")
    db.session.commit()
    response = _post(client, _url(case, "/utkast/godkann"), data)
    assert response.status_code == 303
    db.session.refresh(plan)
    assert plan.status == VersionStatus.DRAFT
    assert "Planen har ändrats sedan du läste den." in _text(client.get(response.headers["Location"]))


def _follow_up(family):
    """Version 2: the school goal is met and ends, the sleep goal went partly and changes, a new goal."""
    kim, case = family["kim"], family["case"]
    first = _approved(family)
    second = plans.start_draft(kim, case)
    school, sleep = second.goals
    plans.set_outcome(kim, case, second, school.public_id, "met", "Elsa går i skolan varje dag.", end=True)
    plans.set_outcome(kim, case, second, sleep.public_id, "partly", "Det går bättre på helgen.", end=False)
    plans.change_goal(kim, case, second, sleep.public_id, "long", "Jag vill sova hela natten.")
    plans.add_action(kim, case, second, sleep.public_id, what="En kurva för sömnen.", responsible="person")
    plans.add_goal(kim, case, second, "short", "Jag vill börja träna.")
    plans.update_details(kim, case, second, follow_up_on=FOLLOW_UP + timedelta(days=90))
    factories.complete_plan(second)
    plans.send_for_reading(kim, case, second)
    db.session.commit()
    return first, second


def test_comparing_version_two_with_one_shows_outcomes_and_changes_in_words(client, family):
    case = family["case"]
    first, second = _follow_up(family)
    client.sign_in_as(family["maria"])

    # While version 2 is a draft, version 1 applies and the plan page says a new version waits.
    page = client.get(_url(case))
    assert "Version 1. Planen gäller nu." in _text(page)
    assert _soup(page).find("a", href=_url(case, "/utkast"))
    draft_page = client.get(_url(case, "/utkast"))
    assert draft_page.status_code == 200
    assert "Utkast – inte godkänd än" in _text(draft_page)
    assert "Så gick det sedan förra planen: Uppfyllt." in _text(draft_page)
    _lix_ok(draft_page)

    factories.complete_plan(plans.draft(case))
    plans.approve_at_meeting(family["kim"], case, plans.draft(case))
    db.session.commit()

    listing = client.get(_url(case, "/versioner"))
    rows = [" ".join(li.get_text(" ").split()) for li in _soup(listing).select(".myplan-version")]
    assert rows[0].startswith("Version 2 Gäller nu") and rows[1].startswith("Version 1 Gällde förut")
    _lix_ok(listing)

    compared = client.get(_url(case, "/versioner/2"))
    assert compared.status_code == 200
    soup = _soup(compared)
    changes = {
        li.find("h3").get_text(strip=True): " ".join(li.get_text(" ").split())
        for li in soup.select(".myplan-change")
    }
    assert set(changes) == {"Avslutat mål", "Ändrat mål", "Nytt mål"}
    assert "Så gick det: Uppfyllt." in changes["Avslutat mål"]
    assert "Elsa går i skolan varje dag." in changes["Avslutat mål"]
    changed = changes["Ändrat mål"]
    assert "Förut: Jag vill må bra och sova bra." in changed and "Nu: Jag vill sova hela natten." in changed
    assert "Förut: på kort sikt. Nu: på lång sikt." in changed
    assert "Så gick det: Delvis uppfyllt." in changed and "Det går bättre på helgen." in changed
    assert "Nytt som ska göras: En kurva för sömnen." in changed
    assert "Jag vill börja träna." in changes["Nytt mål"]
    # Words carry the meaning; no strike-through is used.
    assert not soup.find(["s", "del", "strike"])
    _lix_ok(compared)

    first_version = client.get(_url(case, "/versioner/1"))
    assert "Det här är den första versionen av planen." in _text(first_version)


def test_the_print_view_is_a_clean_copy_of_the_plan(app, client, family):
    case = family["case"]
    _approved(family)
    client.sign_in_as(family["maria"])
    page = client.get(_url(case))
    link = _soup(page).find("a", string=re.compile("Skriv ut planen"))
    assert link["href"] == _url(case, "/versioner/1/utskrift")
    printed = client.get(link["href"])
    assert printed.status_code == 200
    soup = _soup(printed)
    sheet = soup.select_one(".print-sheet")
    assert sheet.find("h1").get_text().strip() == "Plan för Elsa Ek"
    assert "Jag vill gå till skolan varje dag." in sheet.get_text()
    assert "Godkänd den" in sheet.get_text()
    assert not soup.find("main").find("form")  # nothing to click on paper
    assert "webbläsarens meny" in _text(printed)  # printing needs no JavaScript
    _lix_ok(printed)
    with open(os.path.join(app.root_path, "..", "static", "css", "app.css"), encoding="utf-8") as fh:
        css = fh.read()
    assert re.search(r"@media print \{[^@]*\.myplan-print", css)


def test_a_guardian_without_custody_and_strangers_get_not_found(client, family):
    case = family["case"]
    _approved(family)
    stranger = factories.person("Okänd Person")
    db.session.commit()
    for actor in (family["peter"], stranger, family["eva"]):
        client.sign_in_as(actor)
        for rest in ("", "/versioner", "/versioner/1", "/versioner/1/utskrift", "/dela", "/utkast"):
            assert client.get(_url(case, rest)).status_code == 404, (actor.display_name, rest)


def test_a_relative_sees_the_plan_only_while_it_is_shared(client, family):
    case = family["case"]
    _approved(family)
    client.sign_in_as(family["eva"])
    assert client.get(_url(case)).status_code == 404

    client.sign_in_as(family["maria"])
    sharing = client.get(_url(case, "/dela"))
    assert sharing.status_code == 200
    assert "Eva Ek" in _text(sharing)
    _lix_ok(sharing)
    assert _post(client, _url(case, "/dela"), {"shared": family["aunt"].public_id}).status_code == 303
    assert plans.is_shared_with(family["eva"], case)

    client.sign_in_as(family["eva"])
    page = client.get(_url(case))
    assert page.status_code == 200
    assert "Jag vill gå till skolan varje dag." in _text(page)
    assert not _soup(page).find("main").find("form")  # a relative reads; only the person decides
    assert client.get(_url(case, "/versioner")).status_code == 200
    assert client.get(_url(case, "/dela")).status_code == 404
    assert client.get(f"/sip/{case.public_id}").status_code == 404  # the plan, not the case

    client.sign_in_as(family["maria"])
    assert _post(client, _url(case, "/dela"), {}).status_code == 303  # taken back
    client.sign_in_as(family["eva"])
    assert client.get(_url(case)).status_code == 404


def test_a_relative_does_not_see_a_draft(client, family):
    case = family["case"]
    _draft(family)
    plans.share_with(family["maria"], case, family["aunt"].public_id, True)
    client.sign_in_as(family["eva"])
    page = client.get(_url(case))
    assert page.status_code == 200
    assert "Det finns ingen plan än" in _text(page)
    assert "Jag vill gå till skolan" not in _text(page)
    assert client.get(_url(case, "/versioner/1")).status_code == 404


def test_after_consent_is_withdrawn_the_plan_no_longer_applies_and_its_history_stays(client, family):
    case = family["case"]
    _follow_up(family)
    factories.complete_plan(plans.draft(case))
    plans.approve_at_meeting(family["kim"], case, plans.draft(case))
    withdrawal.withdraw(family["maria"], case)
    db.session.commit()
    client.sign_in_as(family["maria"])
    page = client.get(_url(case))
    text = _text(page)
    assert "Planen gäller inte längre" in text and "Samtycket togs tillbaka." in text
    assert "Jag vill sova hela natten." in text  # still readable
    assert "Det blir inga fler möten" in text
    assert not _soup(page).find("main").find("form")
    _lix_ok(page)
    listing = _text(client.get(_url(case, "/versioner")))
    assert "Version 2 Gäller inte längre" in listing and "Version 1 Gällde förut" in listing
    assert client.get(_url(case, "/versioner/2")).status_code == 200


def test_the_child_reads_a_simpler_plan(client, family):
    case = family["case"]
    _approved(family)
    client.sign_in_as(family["elsa"])
    page = client.get(_url(case))
    assert page.status_code == 200
    soup = _soup(page)
    assert soup.find("h1").get_text(strip=True) == "Min plan"
    text = _text(page)
    assert "Planen är klar." in text
    assert "Jag vill gå till skolan varje dag." in text and "Vem hjälper: Ekskolan" in text
    assert "Du kan fråga Kim Berg." in text
    assert not soup.find("main").find("form")
    _lix_ok(page, limit=28)
    # The child's page is the simple one: no versions or forms, and no approving.
    assert client.get(_url(case, "/versioner")).status_code == 404
    assert _post(client, _url(case, "/utkast/godkann"), {"version": "1"}).status_code == 404


def test_the_plan_page_stays_within_eight_queries_however_big_the_plan(client, family, count_queries):
    """20 goals with 60 actions, in 5 versions; the fifth a draft with comments. Counted: signing in (the
    person), the case, the person's ties (2), the unread count, the versions, the goals, the comments."""
    kim, case = family["kim"], family["case"]
    goals = [(f"Mål nummer {n}.", "Vi hjälper till.", "school") for n in range(20)]
    _approved(family, goals=goals, actions_per_goal=3)
    for _ in range(3):
        plans.approve_at_meeting(kim, case, factories.complete_plan(plans.start_draft(kim, case)))
    draft = plans.start_draft(kim, case)
    factories.complete_plan(draft)
    plans.send_for_reading(kim, case, draft)
    plans.comment(family["maria"], case, draft, "Jag vill ändra en sak.")
    db.session.commit()
    assert db.session.query(PlanVersion).count() == 5
    assert sum(len(g.actions) for g in draft.goals) == 60

    client.sign_in_as(family["maria"])
    for rest in ("", "/utkast"):
        url = _url(case, rest)  # outside the count: reading the expired test object would be counted
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(_soup(response).select(".myplan-goal")) == 20
        assert queries.count <= 8, (rest, queries.count, queries.statements)
    # Five versions in the list are still plain Swedish.
    listing = client.get(_url(case, "/versioner"))
    assert len(_soup(listing).select(".myplan-version")) == 5
    _lix_ok(listing)
