""" "Mina uppgifter" [issue 18] [GDPR art. 15, 20]: the signed-in person downloads everything Min SIP holds
about them, as JSON and as a print view; a guardian also for a child while they have custody. Nothing of
another family, nothing the access policy hides (a relative, a child who consents themself)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    MatureMinorDecision,
    Notification,
    NotificationKind,
    ProblemKind,
    ProblemReport,
    PushSubscription,
    StaffRole,
    StaffUser,
    Step,
    UnitKind,
)
from citizen_app.services import mature_minor, my_data
from citizen_app.services.people import identity_number_of
from tests.support import factories, full_sip

MADE = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _family(surname: str, words: str) -> dict:
    social = factories.unit(f"Socialtjänsten {surname}")
    school = factories.unit(f"Skolan {surname}", kind=UnitKind.SCHOOL)
    kim = factories.staff(social, StaffRole.COORDINATOR, name=f"Kim {surname}")
    child = factories.child(f"Elsa {surname}", age=14)
    guardian = factories.guardian_of(child, name=f"Maria {surname}")
    parent = factories.guardian_of(child, custody=False, name=f"Peter {surname}")
    relative = factories.person(f"Eva {surname}", age=50)
    case = factories.case(child, social, kim, step=Step.FOLLOW_UP, need_description=f"{words} behov")
    rows = full_sip.fill(case, child, guardian, relative, kim, social, school, MADE, words=words)
    db.session.add(
        AuditEntry(
            at=MADE, actor_kind="staff", actor_staff_id=kim.id, action="plan.approved", case_id=case.id
        )
    )
    return {
        "case": case,
        "child": child,
        "guardian": guardian,
        "parent": parent,
        "relative": relative,
        **rows,
        "words": words,
    }


@pytest.fixture
def families(app):
    """Two families, each a child of 14 with a SIP after the meeting, a plan in its third version and a
    history; the first guardian also has messages, a device and a report of her own."""
    with freeze_time(MADE):
        ek = _family("Ek", "Hemligt")
        berg = _family("Berg", "Annan familj")
        maria = ek["guardian"]
        maria.phone, maria.email = "070-111 22 33", "maria@example.se"
        db.session.add(Notification(recipient_person_id=maria.id, kind=NotificationKind.PLAN_CLOSED, data={}))
        db.session.add(
            PushSubscription(
                person_id=maria.id,
                endpoint="https://push.example/abc",
                p256dh="k",
                auth="a",
                device_label="Android",
            )
        )
        db.session.add(
            ProblemReport(
                reported_by_person_id=maria.id, kind=ProblemKind.NO_INITIATIVE, text="Ingen hörde av sig."
            )
        )
        db.session.commit()
    return {"ek": ek, "berg": berg}


def _json(response) -> dict:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return json.loads(response.get_data(as_text=True))


def _text(response) -> str:
    return " ".join(
        BeautifulSoup(response.get_data(as_text=True), "html.parser").find("main").get_text(" ").split()
    )


def _never_the_other_family(text: str, other: dict) -> None:
    assert other["words"] not in text
    for person in (other["child"], other["guardian"], other["parent"], other["relative"]):
        assert person.display_name not in text
        assert identity_number_of(person) not in text
    assert other["case"].public_id not in text


def test_the_guardian_downloads_everything_about_herself_as_a_complete_json_file(client, families):
    ek = families["ek"]
    maria, case = ek["guardian"], ek["case"]
    client.sign_in_as(maria)
    data = _json(client.get("/mina-uppgifter/fil"))
    assert list(data) == list(my_data.KEYS)
    assert data["person"]["personal_identity_number"] == identity_number_of(maria)
    assert data["person"]["phone"] == "070-111 22 33" and data["person"]["email"] == "maria@example.se"
    assert data["person"]["language"] == "sv"
    assert [r["other_person"] for r in data["relations"]] == ["Elsa Ek"]
    (sip,) = data["sips"]
    assert list(sip) == list(my_data.SIP_KEYS)
    assert sip["public_id"] == case.public_id and sip["roles"] == ["guardian_with_custody"]
    assert sip["need"] == "Hemligt behov" and sip["coordinator"]["name"] == "Kim Ek"
    assert [c["exclusions"] for c in sip["consent"]] == ["Hemligt i samtycket"]
    assert [v["own_words"] for v in sip["child_views"]] == ["Hemligt barnets ord"]
    # The versions she can read: the replaced and the approved one; the draft was never sent to her.
    assert [(v["number"], v["status"]) for v in sip["plan_versions"]] == [(2, "approved"), (1, "replaced")]
    assert sip["plan_versions"][0]["goals"][0]["actions"][0]["progress"] == "started"
    assert sip["plan_versions"][0]["comments"][0]["text"] == "Hemligt kommentar"
    assert [a["text"] for a in sip["preparation"]["answers"]] == ["Hemligt förberedelse"]
    assert sip["preparation"]["child_answers"] == []  # Elsa did not share her own answers with her guardians
    assert sip["meetings"][0]["status"] == "held" and len(sip["meetings"][0]["invitations"]) == 2
    assert [s["with"] for s in sip["plan_shared_with"]] == ["Eva Ek"]
    assert [r["text"] for r in sip["problem_reports"]] == ["Hemligt problem"]
    assert {r["action"] for r in sip["who_has_read"]} == {"case.read", "plan.approved"}
    assert "Kim Ek" in sip["who_has_read"][0]["what"]
    assert [r["text"] for r in data["problem_reports_without_sip"]] == ["Ingen hörde av sig."]
    assert data["feedback_requests"] == [
        {"sip": case.public_id, "meeting_at": sip["meetings"][0]["starts_at"], "answered": True}
    ]
    assert {m["kind"] for m in data["messages"]} == {"plan_approved", "plan_closed"}
    assert [d["device"] for d in data["push_devices"]] == ["Android"]
    assert "https://push.example" not in json.dumps(data)  # the device's address is a secret of the browser
    assert data["notification_settings"]["push_kinds"]
    assert len(data["sessions"]) == 1
    assert {d["flow"] for d in data["drafts"]} == {"consent", "request"}
    assert "consent.given" in {a["action"] for a in data["logged_actions"]}
    _never_the_other_family(json.dumps(data, ensure_ascii=False), families["berg"])


def test_a_guardian_with_custody_downloads_for_the_child(client, families):
    ek = families["ek"]
    client.sign_in_as(ek["guardian"])
    page = _text(client.get("/mina-uppgifter"))
    assert "Hämta uppgifterna om Elsa Ek som fil" in page
    data = _json(client.get(f"/mina-uppgifter/barn/{ek['child'].public_id}/fil"))
    assert data["about"] == {"own": False, "downloaded_by": "Maria Ek"}
    assert data["person"]["name"] == "Elsa Ek"
    assert data["person"]["personal_identity_number"] == identity_number_of(ek["child"])
    assert [s["public_id"] for s in data["sips"]] == [ek["case"].public_id]
    assert data["sips"][0]["plan_versions"]
    # The child's own messages, devices and sessions are the child's.
    assert data["messages"] == [] and data["sessions"] == [] and data["notification_settings"] is None
    _never_the_other_family(json.dumps(data, ensure_ascii=False), families["berg"])


def test_the_print_view_shows_it_readably_and_passes_the_page_checks(client, families):
    ek = families["ek"]
    client.sign_in_as(ek["guardian"])
    for url in (
        "/mina-uppgifter",
        "/mina-uppgifter/utskrift",
        f"/mina-uppgifter/barn/{ek['child'].public_id}/utskrift",
    ):
        response = client.get(url)  # the checking client holds every page to tests/support/page_checks.py
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
        _never_the_other_family(_text(response), families["berg"])
    text = _text(client.get("/mina-uppgifter/utskrift"))
    assert identity_number_of(ek["guardian"]) in text
    for words in ("Hemligt mål 2", "Hemligt insats", "Hemligt förberedelse", "Hemligt kommentar", "Pågår"):
        assert words in text
    assert "Vem har läst" in text and "Kim Ek" in text
    child_page = client.get(f"/mina-uppgifter/barn/{ek['child'].public_id}/utskrift")
    soup = BeautifulSoup(child_page.get_data(as_text=True), "html.parser")
    assert "Elsa" not in soup.title.get_text()


def test_the_start_page_leads_to_it(client, families):
    client.sign_in_as(families["ek"]["guardian"])
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    assert soup.find("a", href="/mina-uppgifter") is not None


def test_another_familys_guardian_gets_nothing_of_this_family(client, families):
    ek, berg = families["ek"], families["berg"]
    client.sign_in_as(berg["guardian"])
    assert client.get(f"/mina-uppgifter/barn/{ek['child'].public_id}/fil").status_code == 404
    assert client.get(f"/mina-uppgifter/barn/{ek['child'].public_id}/utskrift").status_code == 404
    data = _json(client.get("/mina-uppgifter/fil"))
    _never_the_other_family(json.dumps(data, ensure_ascii=False), ek)


def test_a_parent_without_custody_is_refused(client, families):
    ek = families["ek"]
    client.sign_in_as(ek["parent"])
    assert client.get(f"/mina-uppgifter/barn/{ek['child'].public_id}/fil").status_code == 404
    assert client.get(f"/mina-uppgifter/barn/{ek['child'].public_id}/utskrift").status_code == 404
    assert "Elsa Ek" not in _text(client.get("/mina-uppgifter"))
    data = _json(client.get("/mina-uppgifter/fil"))
    assert data["sips"] == []  # he sees no SIP of the child in the app either
    assert "Hemligt" not in json.dumps(data, ensure_ascii=False)


def test_not_after_the_child_turns_18(client, families):
    ek = families["ek"]
    eighteen = ek["child"].adult_from()
    with freeze_time(datetime.combine(eighteen, datetime.min.time(), UTC) + timedelta(hours=12)):
        client.sign_in_as(ek["guardian"])
        assert client.get(f"/mina-uppgifter/barn/{ek['child'].public_id}/fil").status_code == 404
        data = _json(client.get("/mina-uppgifter/fil"))
        assert data["sips"] == []
    with freeze_time(
        datetime.combine(eighteen - timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=12)
    ):
        client.sign_in_as(ek["guardian"])
        assert client.get(f"/mina-uppgifter/barn/{ek['child'].public_id}/fil").status_code == 200


def test_a_child_who_consents_themself_decides_what_the_guardian_gets(client, families):
    ek = families["ek"]
    ek["case"].details = {**(ek["case"].details or {}), mature_minor.HAS_DECISIONS: True}
    db.session.add(
        MatureMinorDecision(
            case_id=ek["case"].id,
            child_id=ek["child"].id,
            consents_themself=True,
            reason="Mogen nog.",
            decided_on=date.today(),
            recorded_by_staff_id=ek["meeting"].created_by_staff_id,
            at=datetime.now(UTC),
        )
    )
    db.session.commit()
    client.sign_in_as(ek["guardian"])
    for url in ("/mina-uppgifter/fil", f"/mina-uppgifter/barn/{ek['child'].public_id}/fil"):
        (sip,) = _json(client.get(url))["sips"]
        assert sip["coordinator"]["name"] == "Kim Ek"  # that there is a SIP and who coordinates it
        for part in ("consent", "child_views", "meetings", "plan_versions", "who_has_read"):
            assert sip[part] == [], part
        assert sip["preparation"] is None and sip["need"] is None and sip["step"] is None
    client.sign_in_as(ek["child"])
    (sip,) = _json(client.get("/mina-uppgifter/fil"))["sips"]
    assert sip["plan_versions"] and sip["consent"]
    assert [a["text"] for a in sip["preparation"]["child_answers"]] == ["Hemligt barnets svar"]


def test_a_relative_gets_their_invitation_not_the_sip(client, families):
    ek = families["ek"]
    client.sign_in_as(ek["relative"])
    (sip,) = _json(client.get("/mina-uppgifter/fil"))["sips"]
    assert sip["roles"] == ["relative"]
    assert [i["to"] for i in sip["meetings"][0]["invitations"]] == ["you"]
    assert sip["meetings"][0]["invitations"][0]["topics_suggested"] == ["Hemligt förslag"]
    for part in ("consent", "plan_versions", "history", "who_has_read"):
        assert sip[part] == [], part
    assert sip["need"] is None and sip["preparation"] is None


def test_staff_have_no_such_page(client, families):
    client.sign_in_as(db.session.get(StaffUser, families["ek"]["meeting"].created_by_staff_id))
    assert client.get("/mina-uppgifter/fil").status_code == 403


def test_the_file_costs_a_bounded_number_of_statements(client, families, count_queries):
    """Not a page's ≤ 8 (a download made seldom), but bounded: 38 in this state, a dozen or so per SIP."""
    client.sign_in_as(families["ek"]["guardian"])
    client.get("/mina-uppgifter/fil")
    with count_queries() as counted:
        assert client.get("/mina-uppgifter/fil").status_code == 200
    assert counted.count <= 45, counted.statements
