"""≤ 8 SQL statements on the citizen's pages in their heaviest state [QUALITY 3] [issue 17]: a guardian's view
of a child's SIP after the meeting with a plan in force, and "Min plan" with 20 goals, 60 actions that units
have marked, and 5 versions. (The consent page: tests/web/test_consent_pages.py; the staff queue:
tests/web/test_staff_intake.py.)"""

from __future__ import annotations

from datetime import date

from citizen_app.extensions import db
from citizen_app.models import PlanComment
from citizen_app.services import action_follow_up, plans
from tests.support import factories
from tests.web.test_plan_pages import _approved, _url, family  # noqa: F401  (the fixture)


def _large_plan(family):  # noqa: F811
    """20 goals with 3 actions each, a third of them marked started, then 3 more versions and a draft with a
    comment: 5 versions."""
    kim, case = family["kim"], family["case"]
    goals = [(f"Mål nummer {n}.", "Vi hjälper till.", "social") for n in range(20)]
    plan = _approved(family, goals=goals, actions_per_goal=3)
    for i, goal in enumerate(plan.goals):
        for j, action in enumerate(goal.actions):
            if (i + j) % 3 == 0:
                action_follow_up.mark(kim, case, action.public_id, "started", date.today())
    for _ in range(3):
        plans.approve_at_meeting(kim, case, factories.complete_plan(plans.start_draft(kim, case)))
    draft = plans.start_draft(kim, case)
    factories.complete_plan(draft)
    plans.send_for_reading(kim, case, draft)
    plans.comment(family["maria"], case, draft, "Jag vill ändra en sak.")
    db.session.commit()


def test_a_guardians_sip_page_after_the_meeting_with_a_plan_stays_within_eight_queries(
    client,
    family,  # noqa: F811
    count_queries,
):
    from datetime import UTC, datetime, timedelta

    from citizen_app.models import Step
    from citizen_app.services import child_view, meetings

    case = family["case"]
    child_view.record(family["maria"], case, "want", "Jag vill vara med.")
    meetings.set_meeting(
        family["kim"],
        case,
        starts_at=datetime.now(UTC) + timedelta(days=2),
        length_minutes=60,
        mode="phone",
        phone="1",
    )
    case.step = Step.MEETING_HELD
    db.session.commit()
    _large_plan(family)
    client.sign_in_as(family["maria"])
    url = f"/sip/{case.public_id}"
    client.get(url)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert queries.count <= 8, (queries.count, queries.statements)


def test_min_plan_with_marked_actions_and_five_versions_stays_within_eight_queries(
    client,
    family,  # noqa: F811
    count_queries,
):
    _large_plan(family)
    client.sign_in_as(family["maria"])
    url = _url(family["case"])
    client.get(url)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "Påbörjad" in response.get_data(as_text=True) or "påbörjad" in response.get_data(as_text=True)
    assert queries.count <= 8, (queries.count, queries.statements)


def _commits_and_rollbacks(app):
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        seen: list[str] = []

        def on_commit(conn):
            seen.append("commit")

        def on_rollback(conn):
            seen.append("rollback")

        event.listen(db.engine, "commit", on_commit)
        event.listen(db.engine, "rollback", on_rollback)
        try:
            yield seen
        finally:
            event.remove(db.engine, "commit", on_commit)
            event.remove(db.engine, "rollback", on_rollback)

    return counting


def test_a_page_that_only_reads_ends_without_a_commit_and_sends_no_cookie(
    app,
    client,
    family,  # noqa: F811
):
    """Fixed work on every request [issue 17]: a GET that wrote nothing is not committed, its session row is
    not written and its cookie not sent again; a request that writes still commits."""
    _approved(family)
    client.sign_in_as(family["maria"])
    url = _url(family["case"])
    client.get(url)  # the first page may store the CSRF token
    db.session.commit()
    counting = _commits_and_rollbacks(app)
    with counting() as seen:
        response = client.get(url)
    assert response.status_code == 200
    assert "commit" not in seen, seen
    assert not response.headers.getlist("Set-Cookie")

    draft = plans.start_draft(family["kim"], family["case"])
    factories.complete_plan(draft)
    plans.send_for_reading(family["kim"], family["case"], draft)
    db.session.commit()
    token = client.csrf_token("/om-min-sip")
    with counting() as seen:
        sent = client.post(url + "/utkast/synpunkt", data={"csrf_token": token, "comment": "Bra plan."})
    assert sent.status_code == 303
    assert "commit" in seen, seen
    assert db.session.query(PlanComment).count() == 1
