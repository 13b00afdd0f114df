"""Issue 16 on the web: any staff member starts a SIP, the discharge rules on the start form, compulsory care
on the case page, the day of discharge for staff and person, and the one-principal page of the request flow.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import CompulsoryCare, PrincipalKind, SipCase, StaffRole, Step, UnitKind
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import demo, discharge, intake, people
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
PROBLEM = "Det finns ett problem"


@pytest.fixture
def scene(app):
    school = factories.unit("Björkskolan", UnitKind.SCHOOL, PrincipalKind.MUNICIPALITY)
    social = factories.unit("Socialtjänsten", UnitKind.SOCIAL_SERVICES, PrincipalKind.MUNICIPALITY)
    health = factories.unit("Vårdcentralen", UnitKind.PRIMARY_CARE, PrincipalKind.REGION)
    ward = factories.unit("Avdelning 4", UnitKind.HOSPITAL, PrincipalKind.REGION)
    health.is_fixed_care_contact = True
    found = {
        "school": school,
        "social": social,
        "health": health,
        "ward": ward,
        "sofia": factories.staff(school, StaffRole.MEMBER, name="Sofia Kurator"),
        "kent": factories.staff(social, StaffRole.COORDINATOR, name="Kent Samordnare"),
        "vera": factories.staff(health, StaffRole.COORDINATOR, name="Vera Samordnare"),
        "hugo": factories.staff(ward, StaffRole.COORDINATOR, name="Hugo Avdelning"),
    }
    db.session.commit()
    return found


def _html(response) -> str:
    return response.get_data(as_text=True)


def _answers(client, scene, **changes) -> dict:
    return {
        "csrf_token": client.csrf_token("/personal/"),
        "identity_number": demo.test_identity_number(date(2012, 5, 6), 983),
        "name": "Oskar Holm",
        "need": "Oskar är ofta borta från skolan.",
        "discharge_date": "",
        "urgent": "no",
        "unit": scene["social"].public_id,
        "compulsory_care": "",
        **changes,
    }


def test_every_staff_member_sees_the_link_and_the_form_with_units_of_coordinators(client, scene):
    client.sign_in_as(scene["sofia"])
    assert 'href="/personal/ny-sip"' in _html(client.get("/personal/"))
    page = client.get("/personal/ny-sip")
    assert page.status_code == 200
    options = [
        o.get_text(strip=True) for o in BeautifulSoup(_html(page), "html.parser").select("#unit option")
    ]
    assert options == ["Välj en enhet", "Avdelning 4", "Socialtjänsten", "Vårdcentralen (fast vårdkontakt)"]


def test_a_school_counsellor_starts_a_sip_that_waits_for_the_units_coordinator(client, scene):
    client.sign_in_as(scene["sofia"])
    response = client.post("/personal/ny-sip", data=_answers(client, scene))
    assert response.status_code == 303 and response.headers["Location"] == "/personal/"
    told = _html(client.get("/personal/"))
    assert "SIP:en är skickad till Socialtjänsten. En samordnare där tar emot den" in told
    case = db.session.query(SipCase).one()
    assert (case.step, case.owning_unit_id, case.requested_by_staff_id) == (
        Step.REQUESTED,
        scene["social"].id,
        scene["sofia"].id,
    )
    client.sign_in_as(scene["kent"])
    assert "Oskar Holm" in _html(client.get("/personal/forfragningar"))
    # The coordinator reads which unit started it (to know whom to call), and the school takes part.
    staff_page = _html(client.get(f"/personal/sip/{case.public_id}"))
    assert "Personalen på Björkskolan startade SIP:en." in staff_page


def test_the_start_forms_errors_come_with_a_summary_and_422(client, scene):
    client.sign_in_as(scene["sofia"])
    response = client.post("/personal/ny-sip", data=_answers(client, scene, unit="", need=""))
    html = _html(response)
    assert response.status_code == 422 and PROBLEM in html
    assert 'href="#unit"' in html and 'href="#need"' in html
    assert "Välj enheten där samordnaren ska finnas" in html
    assert db.session.query(SipCase).count() == 0


@freeze_time(NOW)
def test_at_discharge_the_ward_is_refused_with_a_clear_error(client, scene):
    client.sign_in_as(scene["hugo"])
    day = (TODAY + timedelta(days=2)).isoformat()
    response = client.post(
        "/personal/ny-sip", data=_answers(client, scene, unit=scene["ward"].public_id, discharge_date=day)
    )
    html = _html(response)
    assert response.status_code == 422 and PROBLEM in html and 'href="#unit"' in html
    assert "Vid utskrivning är samordnaren personens fasta vårdkontakt i öppenvården" in html
    assert 'aria-invalid="true"' in str(BeautifulSoup(html, "html.parser").select_one("#unit"))
    too_far = (TODAY + timedelta(days=366)).isoformat()
    response = client.post(
        "/personal/ny-sip",
        data=_answers(client, scene, unit=scene["health"].public_id, discharge_date=too_far),
    )
    assert response.status_code == 422 and 'href="#discharge_date"' in _html(response)
    ok = client.post(
        "/personal/ny-sip", data=_answers(client, scene, unit=scene["health"].public_id, discharge_date=day)
    )
    assert ok.status_code == 303
    assert db.session.query(SipCase).one().owning_unit_id == scene["health"].id


@freeze_time(NOW)
def test_an_open_sip_gets_the_discharge_day_and_the_starter_is_told(client, scene):
    oskar = factories.person("Karl Nyström", age=82)
    existing = factories.case(oskar, scene["social"], coordinator=scene["kent"], step=Step.CONSENT)
    db.session.commit()
    client.sign_in_as(scene["hugo"])
    number = people.identity_number_of(oskar)
    day = (TODAY + timedelta(days=1)).isoformat()
    response = client.post(
        "/personal/ny-sip",
        data=_answers(client, scene, identity_number=number, name="", unit="", discharge_date=day),
    )
    assert response.status_code == 303
    assert "Personen har redan en SIP" in _html(client.get("/personal/"))
    assert db.session.query(SipCase).count() == 1
    db.session.refresh(existing)
    assert existing.discharge_date == TODAY + timedelta(days=1)


@freeze_time(NOW)
def test_staff_and_person_read_the_utskrivningsklar_day(client, scene):
    karl = factories.person("Karl Nyström", age=82)
    case = intake.start_case(
        scene["vera"],
        people.identity_number_of(karl),
        "",
        "Hjälp hemma",
        discharge_date=date(2026, 11, 25),
        unit_public_id=scene["health"].public_id,
    ).case
    db.session.commit()
    client.sign_in_as(scene["vera"])
    staff_text = BeautifulSoup(_html(client.get(f"/personal/sip/{case.public_id}")), "html.parser").get_text(
        " "
    )
    # The tag at the top of the staff page (the same as in the queue) says it, once.
    assert "Klar för utskrivning 25 nov. 2026" in staff_text
    client.sign_in_as(karl)
    text = " ".join(
        BeautifulSoup(_html(client.get(f"/sip/{case.public_id}")), "html.parser").get_text(" ").split()
    )
    assert "Du är klar att lämna sjukhuset 25 november 2026. Det kallas utskrivningsklar." in text


def test_the_coordinator_records_compulsory_care_on_the_case_page(client, scene):
    ada = factories.person("Ada")
    case = factories.case(ada, scene["social"], coordinator=scene["kent"], step=Step.CONSENT)
    db.session.commit()
    client.sign_in_as(scene["kent"])
    page = _html(client.get(f"/personal/sip/{case.public_id}"))
    assert f'href="/personal/sip/{case.public_id}/tvangsvard"' in page
    token = client.csrf_token("/personal/")
    odd = client.post(
        f"/personal/sip/{case.public_id}/tvangsvard", data={"csrf_token": token, "compulsory_care": "x"}
    )
    assert odd.status_code == 422 and PROBLEM in _html(odd)
    done = client.post(
        f"/personal/sip/{case.public_id}/tvangsvard",
        data={"csrf_token": token, "compulsory_care": "open_lrv"},
    )
    assert done.status_code == 303
    db.session.refresh(case)
    assert case.compulsory_care == CompulsoryCare.OPEN_LRV
    assert "Öppen rättspsykiatrisk vård" in _html(client.get(f"/personal/sip/{case.public_id}"))
    # The unit's other staff cannot record it.
    client.sign_in_as(factories.staff(scene["social"], StaffRole.MEMBER, name="Medarbetare"))
    assert client.get(f"/personal/sip/{case.public_id}/tvangsvard").status_code == 404


@freeze_time(NOW)
def test_a_discharge_to_open_compulsory_care_is_refused_on_the_form(client, scene):
    client.sign_in_as(scene["vera"])
    response = client.post(
        "/personal/ny-sip",
        data=_answers(
            client,
            scene,
            unit=scene["health"].public_id,
            discharge_date=TODAY.isoformat(),
            compulsory_care="open_lpt",
        ),
    )
    html = _html(response)
    assert response.status_code == 422 and 'href="#compulsory_care"' in html
    assert "Då gör chefsöverläkaren en samordnad vårdplan enligt LPT eller LRV." in html
    assert discharge.NOT_A_FIXED_CARE_CONTACT not in html


# ---- the request flow: units of one principal only ---------------------------------------------------------


def _begin(client) -> str:
    response = client.post("/begar-sip", data={"csrf_token": client.csrf_token("/om-min-sip")})
    return re.fullmatch(r"/begar-sip/([\w-]{22})/vem", response.headers["Location"]).group(1)


def test_units_of_one_principal_lead_to_a_page_about_the_plan_that_fits(client, scene):
    ada = factories.person("Ada Andersson")
    db.session.commit()
    client.sign_in_as(ada)
    draft = _begin(client)
    token = client.csrf_token("/om-min-sip")
    services = f"/begar-sip/{draft}/kontakter"
    response = client.post(
        services, data={"csrf_token": token, "units": [scene["health"].public_id, scene["ward"].public_id]}
    )
    assert response.status_code == 303 and response.headers["Location"] == f"{services}/en-sip"
    page = client.get(response.headers["Location"])
    html = _html(page)
    assert page.status_code == 200
    assert "En SIP är för hjälp från både kommunen och regionen" in html and "vårdplan" in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("main a.button")["href"] == f"/begar-sip/{draft}/bradskande"  # send it anyway
    assert f'href="{services}"' in html  # or go back and change
    readability = measure(main_text_blocks(html))
    assert readability.lix <= 35 and readability.longest_sentence_words <= 20, readability

    only_municipality = client.post(
        services, data={"csrf_token": token, "units": [scene["school"].public_id]}
    )
    assert "genomförandeplan" in _html(client.get(only_municipality.headers["Location"]))
    both = client.post(
        services, data={"csrf_token": token, "units": [scene["school"].public_id, scene["health"].public_id]}
    )
    assert both.headers["Location"] == f"/begar-sip/{draft}/bradskande"
    # From the check page's change link, the notice leads back to the check page.
    changed = client.post(
        f"{services}?fran=kontrollera", data={"csrf_token": token, "units": [scene["school"].public_id]}
    )
    assert changed.headers["Location"] == f"{services}/en-sip?fran=kontrollera"
    go_on = BeautifulSoup(_html(client.get(changed.headers["Location"])), "html.parser").select_one(
        "main a.button"
    )
    assert go_on["href"] == f"/begar-sip/{draft}/kontrollera"
