"""The plan on the staff side [issue 6] [SIP.md 5]: the coordinator writes the plan after the meeting (within
2 working days), sends it to the person or records that it was approved at the meeting, follows it up with
outcomes, and closes the SIP with a reason. An approved version is locked on every page; only the coordinator
writes; other staff of the case read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    Meeting,
    MeetingMode,
    MeetingStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    PlanVersion,
    PrincipalKind,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
    VersionStatus,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import consent, plans
from tests.support import factories

HELD = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # a Friday afternoon
DUE = "1 december 2026"  # Friday + 2 working days = Tuesday
LOCKED = "Planen är godkänd och kan inte ändras"
PROBLEM = "Det finns ett problem"


@pytest.fixture
def sip(app):
    with freeze_time(HELD):
        social = factories.unit("Socialtjänsten Norr")
        school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
        bup = factories.unit("BUP Norr", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION)
        elsewhere = factories.unit("Vårdcentralen Söder", kind=UnitKind.PRIMARY_CARE)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        kim.phone = "010-111 22 33"
        colleague = factories.staff(social, StaffRole.COORDINATOR, name="Sam Kollega")
        teacher = factories.staff(school, StaffRole.MEMBER, name="Li Lärare")
        stranger = factories.staff(elsewhere, StaffRole.COORDINATOR, name="Ola Annan")
        anna = factories.person("Anna Lind", age=45)
        case = factories.case(anna, social, kim, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        consent.give(
            anna,
            case,
            [social.public_id, school.public_id, bup.public_id],
            ["social", "school", "health"],
            date(2027, 6, 1),
        )
        db.session.add(
            Meeting(
                case_id=case.id,
                starts_at=HELD,
                mode=MeetingMode.IN_PERSON,
                status=MeetingStatus.HELD,
                held_at=HELD,
            )
        )
        case.step = Step.MEETING_HELD
        db.session.commit()
        return {
            "case": case,
            "anna": anna,
            "kim": kim,
            "colleague": colleague,
            "teacher": teacher,
            "stranger": stranger,
            "social": social,
            "bup": bup,
        }


# --- Helpers ------------------------------------------------------------------------------------------------


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(response) -> str:
    return " ".join(BeautifulSoup(_html(response), "html.parser").get_text(" ").split())


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(_html(response), "html.parser")


def _url(sip, rest: str = "") -> str:
    return f"/personal/sip/{sip['case'].public_id}/planen{rest}"


def _post(client, url: str, data: dict | None = None):
    """A form sent from a page loaded just now: it carries the draft's revision, as that page's form does."""
    token = client.csrf_token("/om-min-sip")
    data = {"csrf_token": token, **(data or {})}
    if "revision" not in data:
        data["revision"] = _revision_now(url)
    return client.post(url, data=data)


def _revision_now(url: str) -> int:
    case_id = url.split("/personal/sip/")[1].split("/")[0]
    revision = db.session.scalar(
        select(PlanVersion.revision)
        .join(SipCase, SipCase.id == PlanVersion.case_id)
        .where(SipCase.public_id == case_id, PlanVersion.status == VersionStatus.DRAFT)
    )
    return revision or 0


def _summary(response) -> list[tuple[str, str]]:
    return [(a["href"], a.get_text(" ", strip=True)) for a in _soup(response).select(".error-summary a")]


def _lix_ok(response, limit: int = 35) -> None:
    readability = measure(main_text_blocks(_html(response)))
    assert readability.lix <= limit, f"LIX {readability.lix:.1f} ({readability})"


def _versions() -> list[PlanVersion]:
    return list(db.session.scalars(select(PlanVersion).order_by(PlanVersion.number)))


def _write_plan(client, sip, goals=("Jag vill bo kvar hemma",)) -> PlanVersion:
    """The coordinator starts the draft and writes goals, each with one action of the social services."""
    assert _post(client, _url(sip, "/skriv")).status_code == 303
    plan = _versions()[-1]
    for text in goals:
        assert (
            _post(client, _url(sip, f"/{plan.number}/mal"), {"term": "long", "text": text}).status_code == 303
        )
        goal = db.session.scalars(select(PlanVersion).where(PlanVersion.id == plan.id)).one().goals[-1]
        response = _post(
            client,
            _url(sip, f"/{plan.number}/mal/{goal.public_id}/insatser"),
            {
                "what": "Hemtjänst hjälper med mat",
                "responsible": "municipality",
                "responsible_unit": sip["social"].public_id,
                "starts_on": "2026-12-01",
                "how_often": "varje dag",
            },
        )
        assert response.status_code == 303
    # The rest a plan must say before it is approved: who has overall responsibility, the follow-up.
    saved = db.session.get(PlanVersion, plan.id)
    details = {
        "principal_in_charge": "Kommunen",
        "coordinator_name": saved.coordinator_name or "Kim Samordnare",
        "coordinator_contact": saved.coordinator_contact,
        "follow_up_on": "2027-03-01",
    }
    assert _post(client, _url(sip, f"/{plan.number}/ovrigt"), details).status_code == 303
    return db.session.get(PlanVersion, plan.id)


# --- Writing and sending ------------------------------------------------------------------------------------


@freeze_time(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
def test_the_coordinator_writes_the_plan_with_goals_and_actions_and_sends_it(client, sip):
    client.sign_in_as(sip["kim"])
    overview = client.get(_url(sip))
    assert f"Planen ska vara skriven senast {DUE}" in _text(overview)
    _lix_ok(overview)

    response = _post(client, _url(sip, "/skriv"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/planen/1/andra")
    assert _post(client, _url(sip, "/skriv")).headers["Location"].endswith("/planen/1/andra")  # one draft
    editor = client.get(_url(sip, "/1/andra"))
    assert "Lägg till ett mål" in _text(editor)
    _lix_ok(editor)

    assert (
        _post(client, _url(sip, "/1/mal"), {"term": "long", "text": "Jag vill bo kvar hemma"}).status_code
        == 303
    )
    assert _post(client, _url(sip, "/1/mal"), {"term": "short", "text": "Laga mat själv"}).status_code == 303
    home, food = _versions()[0].goals
    form = client.get(_url(sip, f"/1/mal/{home.public_id}/insatser"))
    units = [o.get_text(strip=True) for o in _soup(form).select("#responsible_unit option[value!='']")]
    assert units == ["Ekskolan", "Socialtjänsten Norr", "BUP Norr"]  # the municipality, then the region
    _lix_ok(form)
    actions = [
        (
            home,
            {
                "what": "Hemtjänst varje morgon",
                "responsible": "municipality",
                "responsible_unit": sip["social"].public_id,
                "starts_on": "2026-12-07",
                "how_often": "varje dag",
            },
        ),
        (
            home,
            {
                "what": "Samtal om oro",
                "responsible": "region",
                "responsible_unit": sip["bup"].public_id,
                "starts_on": "2026-12-08",
            },
        ),
        (
            food,
            {
                "what": "Handla med Bengt",
                "responsible": "relative",
                "responsible_name": "Bengt Lind",
                "starts_on": "2026-12-08",
            },
        ),
        (food, {"what": "Skriva en matlista", "responsible": "person", "starts_on": "2026-12-08"}),
    ]
    for goal, data in actions:
        response = _post(client, _url(sip, f"/1/mal/{goal.public_id}/insatser"), data)
        assert response.status_code == 303, _summary(response)
    decision = {"what": "Beslut om boende", "meanwhile": "Hemtjänst som nu", "expected_on": "2027-01-15"}
    assert _post(client, _url(sip, "/1/beslut"), decision).status_code == 303
    details = client.get(_url(sip, "/1/ovrigt"))
    _lix_ok(details)
    prefilled = _soup(details)
    assert prefilled.find(id="coordinator_name")["value"] == "Kim Samordnare"
    assert prefilled.find(id="coordinator_contact")["value"] == "010-111 22 33"
    response = _post(
        client,
        _url(sip, "/1/ovrigt"),
        {
            "if_worse": "Ring Kim",
            "other_discussed": "Sonens skola",
            "principal_in_charge": "Kommunen",
            "coordinator_name": "Kim Samordnare",
            "coordinator_contact": "010-111 22 33",
            "follow_up_on": "2027-03-01",
            "follow_up_by": "Kim",
            "attendees": "Anna, Kim, Li",
        },
    )
    assert response.status_code == 303

    text = _text(client.get(_url(sip, "/1/andra")))
    for expected in (
        "På lång sikt Jag vill bo kvar hemma",
        "Vem: Socialtjänsten Norr (kommunen). Från: 7 december 2026. Hur ofta: varje dag",
        "Vem: BUP Norr (regionen)",
        "Vem: Bengt Lind (närstående)",
        "Vem: Personen själv",
        "Beslut om boende Under tiden: Hemtjänst som nu Beslut väntas: 15 januari 2027",
        "Om personen mår sämre Ring Kim",
        "Uppföljning 1 mars 2027. Kallar till mötet: Kim",
    ):
        assert expected in text, expected

    assert _post(client, _url(sip, "/1/skicka")).status_code == 303
    case = db.session.get(type(sip["case"]), sip["case"].id)
    assert case.step == Step.PLAN_DOCUMENTED
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_person_id == sip["anna"].id)
    ).all()
    assert NotificationKind.PLAN_READY in kinds
    assert "Planen ska vara skriven senast" not in _text(client.get(_url(sip)))  # it is written now


def test_the_deadline_is_two_working_days_after_the_meeting_and_flagged_when_passed(client, sip):
    with freeze_time(datetime(2026, 12, 1, 15, 0, tzinfo=UTC)):
        client.sign_in_as(sip["kim"])
        due = _soup(client.get(_url(sip))).find(id="deadline")
        assert f"Planen ska vara skriven senast {DUE}" in due.get_text(" ")
        assert "Försenad" not in due.get_text(" ")
    with freeze_time(datetime(2026, 12, 2, 8, 0, tzinfo=UTC)):
        client.sign_in_as(sip["kim"])
        due = _soup(client.get(_url(sip))).find(id="deadline")
        assert "Försenad" in due.get_text(" ") and "plan-due--late" in due["class"]


@freeze_time(HELD)
def test_the_persons_comments_on_the_draft_are_shown(client, sip):
    client.sign_in_as(sip["kim"])
    plan = _write_plan(client, sip)
    factories.complete_plan(plan)
    plans.send_for_reading(sip["kim"], sip["case"], plan)
    plans.comment(sip["anna"], sip["case"], plan, "Jag vill ha hjälp på kvällen i stället")
    for url in (_url(sip), _url(sip, "/1/andra")):
        text = _text(client.get(url))
        assert "Det här vill personen ändra" in text
        assert "Anna Lind" in text and "Jag vill ha hjälp på kvällen i stället" in text, url


# --- Who may write -----------------------------------------------------------------------------------------


@freeze_time(HELD)
def test_only_the_coordinator_writes_the_plan_other_staff_of_the_case_read_it(client, sip):
    client.sign_in_as(sip["kim"])
    plan = _write_plan(client, sip)
    goal = plan.goals[0]
    for other in ("colleague", "teacher"):
        client.sign_in_as(sip[other])
        overview = client.get(_url(sip))
        assert overview.status_code == 200
        assert "Skriv vidare på planen" not in _text(overview)
        version = client.get(_url(sip, "/1"))
        assert version.status_code == 200 and "Jag vill bo kvar hemma" in _text(version)
        assert "Ändra målet" not in _text(version)
        assert client.get(_url(sip, "/1/andra")).status_code == 404
        assert client.get(_url(sip, "/1/mal")).status_code == 404
        refused = _post(client, _url(sip, f"/1/mal/{goal.public_id}"), {"term": "short", "text": "Ändrat"})
        assert refused.status_code == 404
        assert _post(client, _url(sip, "/skriv")).status_code == 404
        assert _post(client, _url(sip, "/1/godkand")).status_code == 404
        assert client.get(_url(sip, "/avsluta")).status_code == 404
    assert db.session.get(PlanVersion, plan.id).goals[0].text == "Jag vill bo kvar hemma"
    client.sign_in_as(sip["stranger"])
    assert client.get(_url(sip)).status_code == 404
    assert client.get(_url(sip, "/1")).status_code == 404


# --- Approving at the meeting locks the version -------------------------------------------------------------


@freeze_time(HELD)
def test_approving_at_the_meeting_locks_the_version_and_its_edit_forms_are_gone_and_refused(client, sip):
    client.sign_in_as(sip["kim"])
    plan = _write_plan(client, sip)
    goal, action = plan.goals[0], plan.goals[0].actions[0]
    confirm = client.get(_url(sip, "/1/godkand"))
    assert "Version 1 låses då" in _text(confirm)
    _lix_ok(confirm)
    response = _post(client, _url(sip, "/1/godkand"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/planen/1")
    assert _versions()[0].status == VersionStatus.APPROVED

    version = client.get(_url(sip, "/1"))
    text = _text(version)
    assert "Godkänd den 27 november 2026" in text and "Godkänd på mötet" in text
    assert "Den här versionen är låst" in text
    assert not _soup(version).select("main form")  # no forms, no edit links
    assert not [a for a in _soup(version).select("main a") if "/1/" in a["href"]]
    assert "Skriv vidare på planen" not in _text(client.get(_url(sip)))

    forms = [
        (_url(sip, "/1/mal"), {"term": "short", "text": "Nytt mål"}),
        (_url(sip, f"/1/mal/{goal.public_id}"), {"term": "short", "text": "Ändrat"}),
        (_url(sip, f"/1/mal/{goal.public_id}/insatser"), {"what": "Mer", "responsible": "person"}),
        (_url(sip, f"/1/ta-bort/insats/{action.public_id}"), {}),
        (_url(sip, "/1/beslut"), {"what": "Ett beslut"}),
        (_url(sip, "/1/ovrigt"), {"if_worse": "Ändrat"}),
        (_url(sip, "/1/godkand"), {}),
        (_url(sip, "/1/andra"), None),  # the editor itself: GET only
        (_url(sip, "/1/skicka"), {}),  # POST only
    ]
    for url, data in forms:
        answers = ([] if url.endswith("/skicka") else [client.get(url)]) + (
            [] if data is None else [_post(client, url, data)]
        )
        for response in answers:
            assert response.status_code == 303, url
            assert response.headers["Location"].endswith("/planen/1"), url
    shown = client.get(_url(sip, "/1/mal"), follow_redirects=True)
    assert LOCKED in _text(shown)
    locked = db.session.get(PlanVersion, plan.id)
    assert [g.text for g in locked.goals] == ["Jag vill bo kvar hemma"] and len(locked.goals[0].actions) == 1
    assert locked.if_worse == "" and locked.pending_decisions == []


# --- Follow-up ------------------------------------------------------------------------------------------


@freeze_time(HELD)
def test_a_follow_up_makes_version_2_with_outcomes(client, sip):
    client.sign_in_as(sip["kim"])
    _write_plan(client, sip, goals=("Jag vill bo kvar hemma", "Gå till gymmet"))
    _post(client, _url(sip, "/1/godkand"))
    overview = client.get(_url(sip))
    assert "Gör en uppföljning" in _text(overview)

    response = _post(client, _url(sip, "/skriv"))
    assert response.headers["Location"].endswith("/planen/2/andra")
    editor = client.get(_url(sip, "/2/andra"))
    assert "Det här är en uppföljning av version 1" in _text(editor)
    outcome_links = [a for a in _soup(editor).select("main a") if "Skriv hur det gick" in a.get_text()]
    assert len(outcome_links) == 2
    home, gym = _versions()[1].goals
    form = client.get(_url(sip, f"/2/mal/{home.public_id}/resultat"))
    _lix_ok(form)
    data = {"outcome": "met", "comment": "Hon bor kvar", "end": "yes"}
    assert _post(client, _url(sip, f"/2/mal/{home.public_id}/resultat"), data).status_code == 303
    data = {"outcome": "partly", "comment": "En gång i veckan"}
    assert _post(client, _url(sip, f"/2/mal/{gym.public_id}/resultat"), data).status_code == 303
    assert _post(client, _url(sip, "/2/mal"), {"term": "short", "text": "Få ett jobb"}).status_code == 303
    details = {
        "continued_need": "Ja, skolan och BUP behöver fortfarande samordnas.",
        "coordinator_name": "Kim",
        "principal_in_charge": "Kommunen",
        "follow_up_on": "2027-06-01",  # each version says when it is followed up
    }
    assert _post(client, _url(sip, "/2/ovrigt"), details).status_code == 303
    new_goal = _versions()[1].goals[-1]
    assert not _soup(client.get(_url(sip, "/2/andra"))).find(
        "a", href=_url(sip, f"/2/mal/{new_goal.public_id}/resultat")
    )  # a new goal has nothing to follow up yet
    assert _post(client, _url(sip, "/2/godkand")).status_code == 303

    first, second = _versions()
    assert (first.status, second.status) == (VersionStatus.REPLACED, VersionStatus.APPROVED)
    assert "Ersatt av en nyare version" in _text(client.get(_url(sip)))
    version = client.get(_url(sip, "/2"))
    _lix_ok(version)
    text = _text(version)
    assert "Hur det gick: Uppfyllt. Hon bor kvar Målet avslutas här" in text
    assert "Hur det gick: Delvis uppfyllt. En gång i veckan" in text
    assert "Behövs samordning fortfarande? Ja, skolan och BUP" in text
    assert "Hur det gick" not in _text(client.get(_url(sip, "/1")))


# --- Bad forms ----------------------------------------------------------------------------------------------


@freeze_time(HELD)
def test_a_bad_form_is_shown_again_with_the_message(client, sip):
    client.sign_in_as(sip["kim"])
    _post(client, _url(sip, "/skriv"))
    empty = _post(client, _url(sip, "/1/mal"), {"text": "  "})
    assert empty.status_code == 422
    assert _summary(empty) == [
        ("#text", "Fyll i det här"),
        ("#term", "Välj om målet är långsiktigt eller kortsiktigt"),
    ]
    assert _soup(empty).title.get_text().startswith("Fel:")
    _lix_ok(empty)
    _post(client, _url(sip, "/1/mal"), {"term": "long", "text": "Bo kvar hemma"})
    goal = _versions()[0].goals[0]
    url = _url(sip, f"/1/mal/{goal.public_id}/insatser")

    no_one = _post(client, url, {"what": "Hjälp"})
    assert no_one.status_code == 422 and _summary(no_one) == [("#responsible", "Välj vem som gör det")]
    wrong = _post(
        client,
        url,
        {"what": "Hjälp", "responsible": "municipality", "responsible_unit": sip["bup"].public_id},
    )
    assert wrong.status_code == 422
    assert _summary(wrong) == [("#responsible_unit", "Verksamheten hör inte till kommunen. Välj en annan.")]
    assert _soup(wrong).find(id="what").get_text() == "Hjälp"  # what was typed is kept
    bad_date = _post(client, url, {"what": "Hjälp", "responsible": "person", "starts_on": "i morgon"})
    assert bad_date.status_code == 422 and _summary(bad_date)[0][0] == "#starts_on"
    assert _versions()[0].goals[0].actions == []

    past = _post(client, _url(sip, "/1/ovrigt"), {"coordinator_name": "Kim", "follow_up_on": "2026-11-01"})
    assert past.status_code == 422 and _summary(past) == [
        ("#follow_up_on", "Uppföljningen ska vara efter i dag")
    ]
    nameless = _post(client, _url(sip, "/1/ovrigt"), {"coordinator_name": ""})
    assert _summary(nameless) == [("#coordinator_name", "Fyll i det här")]

    sent_empty = _post(client, _url(sip, "/1/beslut"), {"what": ""})
    assert sent_empty.status_code == 422 and _summary(sent_empty) == [("#what", "Fyll i det här")]


@freeze_time(HELD)
def test_removing_a_goal_asks_first(client, sip):
    client.sign_in_as(sip["kim"])
    plan = _write_plan(client, sip, goals=("Bo kvar hemma", "Gå till gymmet"))
    url = _url(sip, f"/1/ta-bort/mal/{plan.goals[0].public_id}")
    confirm = client.get(url)
    assert "Ta bort målet?" in _text(confirm) and "Bo kvar hemma" in _text(confirm)
    assert [g.text for g in _versions()[0].goals] == ["Bo kvar hemma", "Gå till gymmet"]  # nothing yet
    assert _post(client, url).status_code == 303
    assert [g.text for g in _versions()[0].goals] == ["Gå till gymmet"]


@freeze_time(HELD)
def test_a_plan_with_no_goals_is_not_sent(client, sip):
    client.sign_in_as(sip["kim"])
    _post(client, _url(sip, "/skriv"))
    shown = _post(client, _url(sip, "/1/skicka"))
    assert shown.status_code == 303 and shown.headers["Location"].endswith("/planen/1/andra")
    assert "Skriv minst ett mål innan du skickar planen" in _text(client.get(_url(sip, "/1/andra")))
    approve = _post(client, _url(sip, "/1/godkand"))
    assert approve.status_code == 422 and _summary(approve) == [("#goals", "Planen har inga mål än")]


# --- Links to the plan ------------------------------------------------------------------------------------


@freeze_time(HELD)
def test_the_case_and_meeting_pages_lead_to_the_plan(client, sip):
    client.sign_in_as(sip["kim"])
    for url in (f"/personal/sip/{sip['case'].public_id}", f"/personal/sip/{sip['case'].public_id}/motet"):
        assert _soup(client.get(url)).find("a", href=_url(sip)), url


@freeze_time(HELD)
def test_staff_of_a_unit_taking_part_read_the_plan_only_while_the_consent_covers_them(client, sip):
    client.sign_in_as(sip["kim"])
    _write_plan(client, sip)
    _post(client, _url(sip, "/1/godkand"))
    consent.give(sip["anna"], sip["case"], [sip["social"].public_id], ["social"], date(2027, 6, 1))
    client.sign_in_as(sip["teacher"])
    assert client.get(_url(sip, "/1")).status_code == 404
    assert client.get(_url(sip)).status_code == 404
