"""The pages of a mature minor [issue 15] [DA 4.2]: the coordinator's "Barnet bestämmer själv om samtycket"
(reason and day required: 422 otherwise; a warning under the county's usual age), the child's "Vad får dina
vårdnadshavare se?" and the consent flow walked by the child, and a guardian's case page that shows only what
the child allows. The child's pages are written for a child (LIX ≤ 28), the coordinator's plainly (≤ 35).
"""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    MatureMinorDecision,
    Notification,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import consent, mature_minor, mature_minor_decisions
from tests.support import factories

TODAY = date(2026, 11, 23)
CHILD_LIX = 28
STAFF_LIX = 35
REASON = "Elsa förstår vad en SIP är och vill bestämma själv."


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-11-23 10:00:00"):
        yield


def _born(years: int) -> date:
    return date(TODAY.year - years, 3, 14)


@pytest.fixture
def family(app):
    """Elsa (16) with two guardians with custody; Kent coordinates; the school takes part."""
    social = factories.unit("Socialtjänsten Norr")
    school = factories.unit("Björkskolan", kind=UnitKind.SCHOOL)
    kent = factories.staff(social, StaffRole.COORDINATOR, "Kent Samordnare")
    elsa = factories.person("Elsa Berg", birth_date=_born(16))
    maria = factories.guardian_of(elsa, name="Maria Berg")
    johan = factories.guardian_of(elsa, name="Johan Berg")
    case = factories.case(elsa, social, coordinator=kent, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    db.session.commit()
    return {
        "case": case,
        "elsa": elsa,
        "maria": maria,
        "johan": johan,
        "kent": kent,
        "units": (social, school),
    }


def _url(case) -> str:
    return f"/personal/sip/{case.public_id}/barnet-bestammer"


def _child_url(case) -> str:
    return f"/sip/{case.public_id}/vad-far-vardnadshavarna-se"


def _post(client, url, data):
    return client.post(url, data={"csrf_token": client.csrf_token("/om-min-sip"), **data})


def _text(response) -> str:
    main = BeautifulSoup(response.get_data(as_text=True), "html.parser").main
    return " ".join(main.get_text(" ").split())


def _lix(response) -> float:
    return measure(main_text_blocks(response.get_data(as_text=True))).lix


def _record(family):
    mature_minor_decisions.record(family["kent"], family["case"], REASON, TODAY, today=TODAY)
    db.session.commit()


# --- The coordinator's page ---------------------------------------------------------------------------------


def test_the_coordinator_reaches_the_page_from_the_case_and_records_the_decision(client, family):
    case = family["case"]
    client.sign_in_as(family["kent"])
    case_page = client.get(f"/personal/sip/{case.public_id}")
    assert _url(case) in case_page.get_data(as_text=True)

    page = client.get(_url(case))
    assert page.status_code == 200
    text = _text(page)
    assert "brukar det gälla från 15 år" in text
    assert "Elsa Berg är 16 år." in text and "yngre än länets riktlinje" not in text
    assert _lix(page) <= STAFF_LIX

    done = _post(client, _url(case), {"reason": REASON, "decided_on": "2026-11-20"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/personal/sip/{case.public_id}")
    row = db.session.scalars(select(MatureMinorDecision)).one()
    assert (row.reason, row.decided_on, row.consents_themself) == (REASON, date(2026, 11, 20), True)
    assert mature_minor.consents_themself(case, TODAY)

    after = _text(client.get(f"/personal/sip/{case.public_id}"))
    assert "Barnet bestämmer själv. Barnets svar" in after
    assert "Inskrivet att barnet bestämmer själv om samtycket." in after
    shown = _text(client.get(_url(case)))
    assert "Elsa Berg bestämmer själv om samtycket sedan" in shown and REASON in shown


def test_without_a_reason_or_a_day_the_page_says_what_is_missing(client, family):
    case = family["case"]
    client.sign_in_as(family["kent"])
    missing = _post(client, _url(case), {"reason": " ", "decided_on": ""})
    assert missing.status_code == 422
    text = _text(missing)
    assert "Skriv varför" in text and "Skriv vilken dag det bestämdes" in text
    unreadable = _post(client, _url(case), {"reason": REASON, "decided_on": "i fredags"})
    assert unreadable.status_code == 422
    assert "Skriv datumet som år-månad-dag" in _text(unreadable)
    assert REASON in unreadable.get_data(as_text=True)  # what was typed is kept
    future = _post(client, _url(case), {"reason": REASON, "decided_on": "2026-11-24"})
    assert future.status_code == 422 and "senare än i dag" in _text(future)
    assert db.session.scalars(select(MatureMinorDecision)).all() == []


def test_a_child_under_the_countys_usual_age_gets_a_warning_but_can_be_recorded(client, family):
    young = factories.person("Unga Ulla", birth_date=_born(13))
    factories.guardian_of(young, name="Ullas pappa")
    case = factories.case(young, family["units"][0], coordinator=family["kent"], step=Step.CONSENT)
    db.session.commit()
    client.sign_in_as(family["kent"])
    page = client.get(_url(case))
    assert "Unga Ulla är 13 år. Det är yngre än länets riktlinje." in _text(page)
    assert _lix(page) <= STAFF_LIX
    done = _post(client, _url(case), {"reason": REASON, "decided_on": "2026-11-23"})
    assert done.status_code == 303
    assert mature_minor.consents_themself(case, TODAY)


def test_the_coordinator_ends_it_and_the_guardians_decide_again(client, family):
    case = family["case"]
    _record(family)
    client.sign_in_as(family["kent"])
    page = client.get(_url(case))
    assert "Ska vårdnadshavarna bestämma igen?" in _text(page)
    missing = _post(client, _url(case) + "/avsluta", {"reason": "", "decided_on": "2026-11-23"})
    assert missing.status_code == 422 and "Skriv varför" in _text(missing)
    done = _post(client, _url(case) + "/avsluta", {"reason": "Elsa vill det.", "decided_on": "2026-11-23"})
    assert done.status_code == 303
    assert not mature_minor.consents_themself(case, TODAY)
    assert consent.required_voices(case, TODAY) == [family["maria"], family["johan"]]


def test_other_staff_and_citizens_do_not_find_the_page(client, family):
    other = factories.staff(family["units"][1], StaffRole.MEMBER, "Lärare Lo")
    db.session.commit()
    client.sign_in_as(other)
    assert client.get(_url(family["case"])).status_code == 404
    client.sign_in_as(family["maria"])
    assert client.get(_url(family["case"])).status_code in (403, 404)


def test_where_the_county_does_not_use_the_rule_the_page_says_so(app, client, family):
    app.config["MATURE_MINORS_ALLOWED"] = False
    client.sign_in_as(family["kent"])
    page = client.get(_url(family["case"]))
    assert "Länet använder inte den här regeln." in _text(page)
    assert BeautifulSoup(page.get_data(as_text=True), "html.parser").main.find("textarea") is None


# --- The child ----------------------------------------------------------------------------------------------


def test_the_child_is_told_and_chooses_what_the_guardians_see(client, family):
    case, elsa = family["case"], family["elsa"]
    client.sign_in_as(elsa)
    assert client.get(_child_url(case)).status_code == 404  # not before the decision
    _record(family)
    client.sign_in_as(elsa)

    messages = client.get("/meddelanden")
    assert "Nu bestämmer du själv om samtycket till din SIP." in _text(messages)
    case_page = client.get(f"/sip/{case.public_id}")
    text = _text(case_page)
    assert "Du bestämmer själv om samtycket." in text
    assert "Nu ska du säga ja eller nej" in text
    assert "Nu bestämmer du själv om samtycket." in text  # "Det här har hänt"
    assert _lix(case_page) <= CHILD_LIX

    page = client.get(_child_url(case))
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert [box.get("checked") for box in soup.find_all("input", attrs={"name": "shown"})] == [None] * 3
    assert _lix(page) <= CHILD_LIX, "\n".join(main_text_blocks(page.get_data(as_text=True)))

    saved = _post(client, _child_url(case), {"shown": ["plan", "consent"]})
    assert saved.status_code == 303
    assert mature_minor.guardian_view(case, TODAY) == mature_minor.GuardianView(plan=True, consent=True)
    again = BeautifulSoup(client.get(_child_url(case)).get_data(as_text=True), "html.parser")
    assert [
        b["value"] for b in again.find_all("input", attrs={"name": "shown"}) if b.has_attr("checked")
    ] == [
        "plan",
        "consent",
    ]

    odd = _post(client, _child_url(case), {"shown": ["diary"]})
    assert odd.status_code == 422


def test_the_child_walks_the_consent_flow_and_the_consent_is_in_force(client, family):
    case, elsa = family["case"], family["elsa"]
    _record(family)
    social, school = family["units"]
    client.sign_in_as(elsa)
    overview = client.get(f"/sip/{case.public_id}/samtycke")
    assert overview.status_code == 200
    text = _text(overview)
    assert "Vårdnadshavarnas svar" not in text
    assert "barnet säger ja själv" in text
    assert _lix(overview) <= CHILD_LIX

    base = f"/sip/{case.public_id}/samtycke"
    assert _post(client, base + "/borja", {}).status_code == 303
    steps = (
        ("/verksamheter", {"units": [social.public_id, school.public_id], "other_parties": ""}),
        ("/uppgifter", {"categories": ["school"]}),
        ("/inte-delas", {"exclusions": ""}),
        ("/hur-lange", {"period": "half"}),
    )
    for path, data in steps:
        answered = _post(client, base + path, data)
        assert answered.status_code == 303, (path, answered.status_code)
    check = client.get(base + "/kontrollera")
    based_on = BeautifulSoup(check.get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "based_on"}
    )
    given = _post(client, base + "/kontrollera", {"based_on": based_on["value"]})
    assert given.status_code == 303
    scope = consent.in_force(case, TODAY)
    assert scope is not None and scope.covers_unit(school.public_id)
    assert case.step == Step.PREPARATION


# --- A guardian ---------------------------------------------------------------------------------------------


def test_a_guardian_sees_only_that_there_is_a_sip_and_who_coordinates_it(client, family):
    case, maria = family["case"], family["maria"]
    _record(family)
    client.sign_in_as(maria)
    messages = _text(client.get("/meddelanden"))
    assert "Barnet bestämmer nu själv om samtycket till sin SIP." in messages

    page = client.get(f"/sip/{case.public_id}")
    assert page.status_code == 200
    text = _text(page)
    assert "Elsa Berg bestämmer själv om samtycket och väljer vad du får se här." in text
    assert "Kent Samordnare" in text
    assert (
        "Gå till samtycke" not in text and "Det här händer nu" not in text and "Så går det till" not in text
    )
    assert "Nu bestämmer Elsa Berg själv om samtycket." in text  # the history says what happened
    assert client.get(f"/sip/{case.public_id}/samtycke").status_code == 404
    assert client.get(f"/sip/{case.public_id}/samtycke/kvitto").status_code == 404


def test_a_guardian_sees_the_consent_when_the_child_allows_it_but_cannot_change_it(client, family):
    case, elsa, maria = family["case"], family["elsa"], family["maria"]
    _record(family)
    mature_minor_decisions.choose_guardian_view(elsa, case, ["consent"], today=TODAY)
    db.session.commit()
    client.sign_in_as(maria)
    text = _text(client.get(f"/sip/{case.public_id}"))
    assert "Gå till samtycke" in text
    overview = client.get(f"/sip/{case.public_id}/samtycke")
    assert overview.status_code == 200
    assert "Barnet bestämmer själv om samtycket." in _text(overview)
    soup = BeautifulSoup(overview.get_data(as_text=True), "html.parser")
    assert soup.find("form", attrs={"action": f"/sip/{case.public_id}/samtycke/borja"}) is None


def test_a_guardian_is_not_told_of_a_meeting_the_child_keeps_to_themself(client, family):
    from citizen_app.services import notifications

    case, maria = family["case"], family["maria"]
    _record(family)
    notifications.notify(maria, NotificationKind.MEETING_INVITATION, case)
    db.session.commit()
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_person_id == maria.id)
    ).all()
    assert kinds == [NotificationKind.MATURE_MINOR_DECIDED]


def test_when_it_ends_the_guardian_sees_everything_again_and_is_asked_to_say_yes(client, family):
    case, maria = family["case"], family["maria"]
    _record(family)
    with freeze_time("2026-11-23 12:00:00"):
        mature_minor_decisions.end(family["kent"], case, "Elsa vill det.", TODAY, today=TODAY)
        db.session.commit()
        client.sign_in_as(maria)
        messages = _text(client.get("/meddelanden"))
        assert "Nu bestämmer du om samtycket till barnets SIP igen." in messages
        text = _text(client.get(f"/sip/{case.public_id}"))
        assert "Gå till samtycke" in text and "Så går det till" in text
        assert "Nu bestämmer vårdnadshavarna om samtycket igen." in text
        assert client.get(f"/sip/{case.public_id}/samtycke").status_code == 200
