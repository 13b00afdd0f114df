"""The plan's rendered body is kept for the next reader who would get the same [issue 17]
(citizen_app/fragments.py, pages/plan.py ``body_key``, plan_reading.content_digest).

A kept body is never shown to someone who may not read the plan, nor to a reader whose words differ (the
person's own plan, another language), and any change to the plan's content, a unit's name, a decision's
outcome or how an action is going shows on the next visit."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from markupsafe import Markup

from citizen_app.extensions import db
from citizen_app.fragments import FragmentCache, cached_fragment
from citizen_app.models import PlanVersion
from citizen_app.pages import plan as plan_pages
from citizen_app.services import action_follow_up, decisions, plan_reading, plans
from tests.support import factories
from tests.web import test_plan_pages
from tests.web.test_plan_pages import _approved, _url

family = test_plan_pages.family  # the same people and SIP as the plan pages' tests


def _body(response) -> str:
    """The page's main text."""
    main = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("main")
    return " ".join(main.get_text(" ").split())


def _cache(app) -> FragmentCache:
    return app.extensions["fragments"]


def test_a_second_visit_gets_the_kept_body_and_the_same_page(app, client, family):
    _approved(family)
    client.sign_in_as(family["maria"])
    cache = _cache(app)
    first = client.get(_url(family["case"]))
    hits = cache.hits
    second = client.get(_url(family["case"]))
    assert first.status_code == second.status_code == 200
    assert cache.hits == hits + 1, "the second visit should use the kept body"
    assert _body(first) == _body(second)
    assert "Det här vill Elsa nå: Jag vill gå till skolan varje dag." in _body(second)


def test_a_kept_body_is_never_shown_to_someone_who_may_not_read_the_plan(app, client, family):
    _approved(family)
    client.sign_in_as(family["maria"])
    assert "Jag vill gå till skolan varje dag." in _body(client.get(_url(family["case"])))
    assert len(_cache(app)) >= 1
    # Peter has no custody; Eva (the aunt) takes part, but Maria has not shared the plan with her.
    for reader in (family["peter"], family["eva"]):
        client.sign_in_as(reader)
        response = client.get(_url(family["case"]))
        assert response.status_code == 404, reader.display_name
        assert "Jag vill gå till skolan" not in response.get_data(as_text=True)


def test_the_child_and_the_guardian_never_share_a_kept_body(app, client, family):
    _approved(family)
    client.sign_in_as(family["maria"])
    guardian = _body(client.get(_url(family["case"])))
    assert "Det här vill Elsa nå:" in guardian
    client.sign_in_as(family["elsa"])
    child = _body(client.get(_url(family["case"])))
    assert "Det här vill Elsa nå:" not in child  # her own, simpler page


def test_the_readers_words_and_the_language_are_part_of_the_key(app, client, family):
    plan = _approved(family)
    client.sign_in_as(family["maria"])
    page = plan_pages.plan_page_for(family["maria"], family["case"].public_id)
    assert page.body_key is not None
    assert plan_pages.body_key(page, plan) == page.body_key  # the same inputs, the same key
    own = plan_pages.PlanPage(**{**page.__dict__, "is_own": True})  # "Det här vill jag nå:"
    assert plan_pages.body_key(own, plan) != page.body_key
    # In English the same version is another entry, in English.
    assert "Det här vill Elsa nå:" in _body(client.get(_url(family["case"])))
    client.get("/sprak/en")
    english = _body(client.get(_url(family["case"])))
    assert "Det här vill Elsa nå:" not in english and "Elsa" in english


def test_a_change_to_what_the_body_shows_is_seen_on_the_next_visit(app, client, family):
    case, kim = family["case"], family["kim"]
    plan = _approved(family)
    client.sign_in_as(family["maria"])
    before = _body(client.get(_url(case)))
    assert "Vem gör det: Ekskolan" in before
    assert "Beslut som är klara" not in before
    assert "Så går det: Pågår" not in before

    # The school gets a new name.
    family["school"].name = "Ekskolan Norra"
    db.session.commit()
    assert "Vem gör det: Ekskolan Norra" in _body(client.get(_url(case)))

    # The coordinator writes in what a pending decision came to.
    decision = plan.pending_decisions[0]
    decisions.record(kim, case, decision.public_id, "Stödet är beviljat.")
    db.session.commit()
    after_decision = _body(client.get(_url(case)))
    assert "Beslut som är klara" in after_decision and "Stödet är beviljat." in after_decision

    # The coordinator marks an action started.
    action = db.session.get(PlanVersion, plan.id).goals[0].actions[0]
    action_follow_up.mark(kim, case, action.public_id, "started", date.today())
    db.session.commit()
    assert "Så går det: Pågår" in _body(client.get(_url(case)))


def test_a_new_version_in_force_is_shown_at_once(app, client, family):
    case, kim = family["case"], family["kim"]
    _approved(family)
    client.sign_in_as(family["maria"])
    assert "Version 1. Planen gäller nu." in _body(client.get(_url(case)))
    follow_up = plans.start_draft(kim, case)
    goal = plans.add_goal(kim, case, follow_up, "short", "Jag vill sova hela natten.")
    assert goal is not None
    plans.approve_at_meeting(kim, case, factories.complete_plan(follow_up))
    db.session.commit()
    text = _body(client.get(_url(case)))
    assert "Version 2. Planen gäller nu." in text and "Jag vill sova hela natten." in text


def test_the_cache_forgets_the_oldest_and_what_is_too_old():
    now = [0.0]
    cache = FragmentCache(max_entries=2, ttl=10, clock=lambda: now[0])
    cache.put("a", Markup("A"))
    cache.put("b", Markup("B"))
    assert cache.get("a") == "A"  # a is now the newest used
    cache.put("c", Markup("C"))
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    now[0] = 11
    assert cache.get("a") is None and len(cache) == 1


def test_without_a_key_the_body_is_rendered_anew_every_time(app):
    calls = []

    def macro(text):
        calls.append(text)
        return Markup("<p>") + text + Markup("</p>")

    with app.test_request_context("/"):
        assert cached_fragment("plan/_plan.html", None, macro, "<b>") == "<p>&lt;b&gt;</p>"
        assert cached_fragment("plan/_plan.html", None, macro, "x") == "<p>x</p>"
        assert cached_fragment("plan/_plan.html", "k", macro, "y") == "<p>y</p>"
        assert cached_fragment("plan/_plan.html", "k", macro, "z") == "<p>y</p>"  # the same key: kept
    assert calls == ["<b>", "x", "y"]


def test_a_body_whose_content_is_not_loaded_gets_no_key(app, family):
    plan = _approved(family)
    db.session.expire(plan)
    assert plan_reading.content_digest(plan) is None
