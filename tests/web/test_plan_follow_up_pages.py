"""The staff pages of a complete plan and of following its actions, and "Min plan" showing how each action
is going [issue 16]."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import AuditEntry, ParticipantRole, PlanVersion, StaffRole, Step, UnitKind
from citizen_app.services import action_follow_up, consent, plans
from tests.support import factories

TODAY = date(2026, 12, 6)
PROBLEM = "Det finns ett problem"


@pytest.fixture
def sip(app):
    with freeze_time(TODAY):
        social = factories.unit("Socialtjänsten Norr")
        school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
        leisure = factories.unit("Fritids Norr", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        sofia = factories.staff(school, StaffRole.MEMBER, name="Sofia Kurator")
        olle = factories.staff(leisure, StaffRole.MEMBER, name="Olle Fritids")
        anna = factories.person("Anna Lind", age=45)
        case = factories.case(anna, social, kim, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=leisure)
        units = [social.public_id, school.public_id, leisure.public_id]
        consent.give(anna, case, units, ["social", "school"], TODAY + timedelta(days=300))
        case.step = Step.MEETING_HELD
        plan = plans.start_draft(kim, case)
        plans.add_goal(kim, case, plan, "short", "Jag vill gå till skolan varje dag")
        db.session.commit()
        return {"case": case, "anna": anna, "kim": kim, "sofia": sofia, "olle": olle, "school": school}


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ").split())


def _summary(response) -> list[tuple[str, str]]:
    return [(a["href"], a.get_text(" ", strip=True)) for a in _soup(response).select(".error-summary a")]


def _url(sip, rest: str = "") -> str:
    return f"/personal/sip/{sip['case'].public_id}/planen{rest}"


def _revision() -> int:
    return db.session.scalar(select(PlanVersion.revision).order_by(PlanVersion.id.desc()).limit(1))


def _post(client, url: str, data: dict | None = None, revision: int | None = None):
    token = client.csrf_token("/om-min-sip")
    base = {"csrf_token": token, "revision": _revision() if revision is None else revision}
    return client.post(url, data={**base, **(data or {})})


def _add_school_action(sip, client, starts_on: str = "2026-12-05"):
    goal = db.session.scalars(select(PlanVersion)).one().goals[0]
    data = {
        "what": "Skolan ordnar en lugn plats",
        "responsible": "municipality",
        "responsible_unit": sip["school"].public_id,
        "starts_on": starts_on,
    }
    assert _post(client, _url(sip, f"/1/mal/{goal.public_id}/insatser"), data).status_code == 303


def _approved_with_school_action(sip):
    case, kim = sip["case"], sip["kim"]
    plan = plans.draft(case)
    plans.add_action(
        kim,
        case,
        plan,
        plan.goals[0].public_id,
        what="Skolan ordnar en lugn plats",
        responsible="municipality",
        responsible_unit_id=sip["school"].id,
        starts_on=TODAY - timedelta(days=1),
    )
    factories.complete_plan(plan)
    plans.approve_at_meeting(kim, case, plan)
    db.session.commit()
    return plan, plan.goals[0].actions[0]


# --- What is missing --------------------------------------------------------------------------------------


@freeze_time(TODAY)
def test_the_editor_lists_what_is_missing_each_with_a_link_that_opens_its_form(client, sip):
    client.sign_in_as(sip["kim"])
    editor = client.get(_url(sip, "/1/andra"))
    items = _soup(editor).select("#missing li a")
    texts = [a.get_text(" ", strip=True) for a in items]
    assert texts == [
        "Skriv minst en sak som ska göras, vem som gör det och när.",
        "Skriv vilken huvudman som har huvudansvaret för planen.",
        "Skriv när planen ska följas upp. Ska den inte följas upp?"
        " Skriv då varför, och till när planen gäller.",
    ]
    for link in items:
        assert client.get(link["href"]).status_code == 200, link["href"]


@freeze_time(TODAY)
def test_approving_an_incomplete_plan_is_refused_with_an_error_summary(client, sip):
    client.sign_in_as(sip["kim"])
    refused = _post(client, _url(sip, "/1/godkand"))
    assert refused.status_code == 422
    assert _summary(refused) == [("#missing", "Planen är inte klar. Se vad som saknas.")]
    assert len(_soup(refused).select("#missing li")) == 3
    assert db.session.scalars(select(PlanVersion)).one().status.value == "draft"


@freeze_time(TODAY)
def test_disagreements_and_no_follow_up_are_written_on_the_details_page_and_the_person_sees_them(client, sip):
    client.sign_in_as(sip["kim"])
    _add_school_action(sip, client, starts_on="2026-12-10")
    details = {
        "principal_in_charge": "Kommunen",
        "coordinator_name": "Kim Samordnare",
        "no_follow_up_reason": "Stödet är kort",
        "applies_until": "2027-03-01",
        "disagreements": "Anna vill ha assistent i skolan. Skolan tycker inte det behövs.",
    }
    assert _post(client, _url(sip, "/1/ovrigt"), details).status_code == 303
    assert not _soup(client.get(_url(sip, "/1/andra"))).select("#missing")
    assert _post(client, _url(sip, "/1/godkand")).status_code == 303
    client.sign_in_as(sip["anna"])
    page = _text(client.get(f"/sip/{sip['case'].public_id}/plan"))
    assert "Det här är vi inte överens om Anna vill ha assistent i skolan." in page
    assert (
        "Planen ska inte följas upp. Stödet är kort" in page and "Planen gäller till den 1 mars 2027" in page
    )


@freeze_time(TODAY)
def test_a_bad_date_on_the_details_page_is_a_422_with_an_error_summary(client, sip):
    client.sign_in_as(sip["kim"])
    response = _post(client, _url(sip, "/1/ovrigt"), {"coordinator_name": "Kim", "applies_until": "1 mars"})
    assert response.status_code == 422
    assert [href for href, _ in _summary(response)] == ["#applies_until"]


# --- Changing an action ------------------------------------------------------------------------------------


@freeze_time(TODAY)
def test_an_action_is_changed_from_its_own_page_and_an_older_page_is_refused(client, sip):
    client.sign_in_as(sip["kim"])
    _add_school_action(sip, client)
    action = db.session.scalars(select(PlanVersion)).one().goals[0].actions[0]
    url = _url(sip, f"/1/insats/{action.public_id}")
    form = client.get(url)
    assert form.status_code == 200
    assert _soup(form).find(id="what").get_text().strip() == "Skolan ordnar en lugn plats"
    old = _revision()
    data = {
        "what": "Skolan ringer hem varje fredag",
        "responsible": "municipality",
        "responsible_unit": sip["school"].public_id,
        "starts_on": "2026-12-11",
    }
    assert _post(client, url, data, revision=old).status_code == 303
    again = _post(client, url, {**data, "what": "Något annat"}, revision=old)  # the other tab
    assert again.status_code == 422 and "Någon annan har ändrat det här" in _text(again)
    db.session.expire_all()
    action = db.session.scalars(select(PlanVersion)).one().goals[0].actions[0]
    assert action.what == "Skolan ringer hem varje fredag" and action.starts_on == date(2026, 12, 11)


@freeze_time(TODAY)
def test_an_approved_versions_action_cannot_be_changed(client, sip):
    _plan, action = _approved_with_school_action(sip)
    client.sign_in_as(sip["kim"])
    response = client.get(_url(sip, f"/1/insats/{action.public_id}"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/planen/1")


# --- Marking an action -------------------------------------------------------------------------------------


@freeze_time(TODAY)
def test_the_school_marks_its_action_done_and_the_person_sees_klart(client, sip):
    _plan, action = _approved_with_school_action(sip)
    client.sign_in_as(sip["anna"])
    assert "Så går det: Sen" in _text(client.get(f"/sip/{sip['case'].public_id}/plan"))
    client.sign_in_as(sip["sofia"])
    url = _url(sip, f"/insats/{action.public_id}/hur-det-gar")
    form = client.get(url)
    assert form.status_code == 200 and _soup(form).find(id="marked_on")["value"] == "2026-12-06"
    token = client.csrf_token("/om-min-sip")
    saved = client.post(
        url, data={"csrf_token": token, "seen": "0", "progress": "done", "marked_on": "2026-12-06"}
    )
    assert saved.status_code == 303
    client.sign_in_as(sip["anna"])
    assert "Så går det: Klart" in _text(client.get(f"/sip/{sip['case'].public_id}/plan"))


@freeze_time(TODAY)
@pytest.mark.parametrize(
    ("marked_on", "message"),
    [("6 december", "Skriv datumet som år-månad-dag"), ("2026-12-07", "Dagen kan inte vara senare än i dag")],
)
def test_a_bad_or_future_day_is_a_422_with_an_error_summary(client, sip, marked_on, message):
    _plan, action = _approved_with_school_action(sip)
    client.sign_in_as(sip["sofia"])
    url = _url(sip, f"/insats/{action.public_id}/hur-det-gar")
    token = client.csrf_token("/om-min-sip")
    response = client.post(
        url, data={"csrf_token": token, "seen": "0", "progress": "done", "marked_on": marked_on}
    )
    assert response.status_code == 422
    (summary,) = _summary(response)
    assert summary[0] == "#marked_on" and summary[1].startswith(message[:20])
    assert PROBLEM in _text(response)


@freeze_time(TODAY)
def test_only_the_responsible_unit_and_the_coordinator_reach_the_mark_page(client, sip):
    _plan, action = _approved_with_school_action(sip)
    url = _url(sip, f"/insats/{action.public_id}/hur-det-gar")
    client.sign_in_as(sip["kim"])
    assert client.get(url).status_code == 200
    client.sign_in_as(sip["olle"])  # another unit taking part
    assert client.get(url).status_code == 404
    stranger = factories.staff(factories.unit("Annan"), StaffRole.COORDINATOR, name="Ola Annan")
    db.session.commit()
    client.sign_in_as(stranger)
    assert client.get(url).status_code == 404
    # An action of another family's SIP through this SIP's address: not found.
    other_person = factories.person("Bo Berg")
    other_case = factories.case(other_person, sip["school"], sip["kim"], step=Step.PLAN_APPROVED)
    db.session.commit()
    client.sign_in_as(sip["kim"])
    assert (
        client.get(
            f"/personal/sip/{other_case.public_id}/planen/insats/{action.public_id}/hur-det-gar"
        ).status_code
        == 404
    )


# --- "Våra åtgärder" and the query budgets ------------------------------------------------------------------


def _big_plan(sip, goals: int = 20, per_goal: int = 3):
    case, kim = sip["case"], sip["kim"]
    plan = plans.draft(case)
    plans.remove_goal(kim, case, plan, plan.goals[0].public_id)
    for n in range(goals):
        goal = plans.add_goal(kim, case, plan, "short", f"Mål nummer {n}.")
        for m in range(per_goal):
            plans.add_action(
                kim,
                case,
                plan,
                goal.public_id,
                what=f"Skolan gör del {m} av mål {n}.",
                responsible="municipality",
                responsible_unit_id=sip["school"].id,
                starts_on=TODAY - timedelta(days=n % 2),  # every other goal's actions were due yesterday
            )
    factories.complete_plan(plan)
    plans.approve_at_meeting(kim, case, plan)
    for n, action in enumerate(a for g in plan.goals for a in g.actions):
        if n % 3:
            progress = "done" if n % 3 == 1 else "started"
            action_follow_up.mark(sip["sofia"], case, action.public_id, progress, TODAY)
    db.session.commit()
    return plan


@freeze_time(TODAY)
def test_min_plan_with_20_goals_and_60_actions_with_statuses_stays_within_eight_queries(
    client, sip, count_queries
):
    _big_plan(sip)
    client.sign_in_as(sip["anna"])
    url = f"/sip/{sip['case'].public_id}/plan"
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    statuses = [s.get_text() for s in _soup(response).select(".action-status")]
    assert len(statuses) == 60 and set(statuses) == {"Klart", "Pågår", "Sen", "Inte påbörjad"}
    assert queries.count <= 8, (queries.count, queries.statements)


@freeze_time(TODAY)
def test_vara_atgarder_lists_the_units_actions_within_eight_queries(client, sip, count_queries):
    _big_plan(sip)
    client.sign_in_as(sip["sofia"])
    with count_queries() as queries:
        response = client.get("/personal/atgarder")
    assert response.status_code == 200
    items = _soup(response).select("li.plan-action")
    assert len(items) == 60
    assert queries.count <= 8, "\n".join(q[:100] for q in queries.statements)
    first = items[0].get_text(" ", strip=True)
    assert "Sen" in first  # late first
    client.sign_in_as(sip["olle"])  # a unit taking part with no actions of its own
    assert "Era verksamheter har inget att göra" in _text(client.get("/personal/atgarder"))


def _sips_with_school_actions(sip, count: int) -> None:
    """``count`` more SIPs with an approved plan where the school has an action: every third about a child
    with two guardians; every fifth's consent leaves the school out after the plan was approved."""
    social, school, kim = sip["case"].owning_unit, sip["school"], sip["kim"]
    for n in range(count):
        child = n % 3 == 0
        subject = factories.child(f"Elev {n:02}") if child else factories.person(f"Vuxen {n:02}")
        voices = (
            [
                factories.guardian_of(subject, name=f"Förälder {n}a"),
                factories.guardian_of(subject, name=f"Förälder {n}b"),
            ]
            if child
            else [subject]
        )
        case = factories.case(subject, social, kim, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        for voice in voices:
            consent.give(
                voice,
                case,
                [social.public_id, school.public_id],
                ["social", "school"],
                TODAY + timedelta(days=300),
            )
        case.step = Step.MEETING_HELD
        plan = plans.start_draft(kim, case)
        goal = plans.add_goal(kim, case, plan, "short", "Jag vill gå till skolan")
        plans.add_action(
            kim,
            case,
            plan,
            goal.public_id,
            what=f"Skolan hjälper {subject.display_name}",
            responsible="municipality",
            responsible_unit_id=school.id,
            starts_on=TODAY - timedelta(days=n % 2),
        )
        factories.complete_plan(plan)
        plans.approve_at_meeting(kim, case, plan)
        if n % 5 == 0:  # later the consent leaves the school out
            for voice in voices:
                consent.give(voice, case, [social.public_id], ["social"], TODAY + timedelta(days=300))
    db.session.commit()


@freeze_time(TODAY)
def test_vara_atgarder_with_actions_in_30_sips_stays_within_eight_queries(client, sip, count_queries):
    _approved_with_school_action(sip)
    _sips_with_school_actions(sip, 35)  # 28 more where the consent covers the school
    client.sign_in_as(sip["sofia"])
    with count_queries() as queries:
        response = client.get("/personal/atgarder")
    assert response.status_code == 200
    items = _soup(response).select("li.plan-action")
    assert len(items) == 29
    assert len({a["href"] for item in items for a in item.select(".plan-action a")[:1]}) == 29
    assert queries.count <= 8, "\n".join(q[:100] for q in queries.statements)
    listed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.actions_listed")).all()
    assert len(listed) == 29 and {entry.actor_staff_id for entry in listed} == {sip["sofia"].id}


@freeze_time(TODAY)
def test_vara_atgarder_leaves_out_a_sip_whose_consent_no_longer_covers_the_unit(client, sip):
    _approved_with_school_action(sip)
    client.sign_in_as(sip["sofia"])
    assert "Skolan ordnar en lugn plats" in _text(client.get("/personal/atgarder"))
    case = db.session.get(type(sip["case"]), sip["case"].id)
    kept = [u for u in consent.in_force(case).unit_ids if u != sip["school"].public_id]
    consent.give(sip["anna"], case, kept, ["social"], TODAY + timedelta(days=300))
    db.session.commit()
    assert "Skolan ordnar en lugn plats" not in _text(client.get("/personal/atgarder"))
