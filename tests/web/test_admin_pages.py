"""The administration pages [issue 18]: only an administrator reaches them; principals, units, staff and roles
are added and changed through forms with a clear message for each bad answer; deactivating a staff member
ends their session at once; the start page shows who changed what."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import IntakeNeed, Principal, StaffRole, StaffUser, Step, Unit
from citizen_app.services import demo, people
from tests.support import factories

ADMIN_NUMBER = demo.test_identity_number(date(1971, 10, 12), 981)
SOME_ID = "A" * 22


@pytest.fixture
def admin(app):
    member = people.create_staff(ADMIN_NUMBER, "Ada Administratör", hsa_id="SE2321000032-9000", is_admin=True)
    db.session.commit()
    return member


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    client.sign_in_as(admin)
    return client


def _admin_urls(app) -> list[tuple[str, str]]:
    """Every administration URL with each method it takes, its ids filled in with an id that names nothing."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        path = re.sub(r"<[^>]+>", SOME_ID, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return sorted(found)


def test_the_admin_urls_are_found(app):
    urls = _admin_urls(app)
    assert ("GET", "/admin/") in urls and ("POST", f"/admin/personal/{SOME_ID}/stang-av") in urls
    assert len(urls) >= 15


def test_a_staff_member_who_is_not_an_administrator_gets_403_on_every_admin_page(app, client, admin):
    coordinator = factories.staff(factories.unit("Socialtjänsten"), StaffRole.COORDINATOR, name="Kim")
    client.sign_in_as(coordinator)
    token = client.csrf_token("/personal/")
    for method, path in _admin_urls(app):
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 403, (method, path, response.status_code)


def test_a_citizen_gets_403_and_someone_not_signed_in_is_sent_to_the_staff_sign_in(app, client, admin):
    client.sign_in_as(factories.person("Ada Berg"))
    assert client.get("/admin/").status_code == 403
    other = app.test_client()
    response = other.get("/admin/personal")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/personal/logga-in?next=/admin/personal")


def test_only_an_administrator_sees_administration_on_the_staff_start_page(app, client, admin_client):
    assert 'href="/admin/"' in admin_client.get("/personal/").get_data(as_text=True)
    client.sign_in_as(factories.staff(factories.unit(), StaffRole.COORDINATOR, name="Kim"))
    assert 'href="/admin/"' not in client.get("/personal/").get_data(as_text=True)


def test_a_staff_member_named_in_the_configuration_is_an_administrator(app, client):
    member = people.create_staff(ADMIN_NUMBER, "Cia Config", hsa_id="SE2321000032-7777")
    db.session.commit()
    client.sign_in_as(member)
    assert client.get("/admin/").status_code == 403
    app.config["ADMIN_HSA_IDS"] = "SE2321000032-7777"
    assert client.get("/admin/").status_code == 200


def _post(client, path: str, data: dict, page: str | None = None):
    """Open the page with the form (``page``, else ``path``), then post to ``path`` with its CSRF token."""
    html = client.get(page or path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(path, data={"csrf_token": token, **data})


def test_an_administrator_adds_a_principal_a_unit_with_intake_and_a_coordinator(admin_client):
    response = _post(
        admin_client,
        "/admin/huvudman/ny",
        {"name": "Norrby kommun", "kind": "municipality", "hsa_id": "SE2120000009-0001"},
    )
    assert response.status_code == 303
    principal = db.session.scalar(select(Principal).where(Principal.name == "Norrby kommun"))
    assert response.headers["Location"] == f"/admin/huvudman/{principal.public_id}"

    response = _post(
        admin_client,
        f"/admin/huvudman/{principal.public_id}/ny-enhet",
        {
            "name": "Barn och familj",
            "kind": "social_services",
            "hsa_id": "SE2120000009-1001",
            "address": "Torget 1",
            "phone": "0123-456 78",
            "email": "barn@norrby.se",
            "intake_needs": ["child"],
        },
    )
    assert response.status_code == 303
    unit = db.session.scalar(select(Unit).where(Unit.name == "Barn och familj"))
    assert "Barn och familj" in admin_client.get(response.headers["Location"]).get_data(as_text=True)

    response = _post(
        admin_client,
        "/admin/personal/ny",
        {"display_name": "Sam Ordnare", "hsa_id": "SE2120000009-2001", "title": "Socialsekreterare"},
    )
    assert response.status_code == 303
    member = db.session.scalar(select(StaffUser).where(StaffUser.display_name == "Sam Ordnare"))
    staff_page = f"/admin/personal/{member.public_id}"
    assert response.headers["Location"] == staff_page
    response = _post(
        admin_client, staff_page + "/roller", {"unit": unit.public_id, "role": "coordinator"}, page=staff_page
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert [(m.unit.name, m.role) for m in member.memberships] == [("Barn och familj", StaffRole.COORDINATOR)]
    html = admin_client.get(f"/admin/enheter/{unit.public_id}").get_data(as_text=True)
    assert re.search(r'value="child" checked', html)
    assert "Samordnare: Sam Ordnare" in html

    start = admin_client.get("/admin/").get_data(as_text=True)
    for line in (
        "Ada Administratör gav en person en roll på en enhet. <strong>Sam Ordnare (Barn och familj)</strong>",
        "Ada Administratör lade till en person i personalen. <strong>Sam Ordnare</strong>",
        "Ada Administratör lade till en enhet. <strong>Barn och familj</strong>",
        "Ada Administratör lade till en huvudman. <strong>Norrby kommun</strong>",
    ):
        assert line in start


def test_bad_answers_get_a_clear_message_each_and_the_page_again(admin_client):
    factories.unit("Socialtjänsten")
    principal = db.session.scalar(select(Principal))
    db.session.commit()
    response = _post(
        admin_client,
        f"/admin/huvudman/{principal.public_id}/ny-enhet",
        {"name": "Socialtjänsten", "kind": "sjukstuga", "hsa_id": "nummer 5", "email": "nej"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in (
        "Det finns redan en enhet med det namnet",
        "Välj en av sorterna i listan",
        "Skriv HSA-id som SE, tio siffror, bindestreck och sedan bokstäver eller siffror",
        "Skriv e-postadressen som namn@exempel.se",
    ):
        assert html.count(message) == 2, message  # in the summary and at the field
    assert 'value="Socialtjänsten"' in html  # what was typed stays


def test_the_last_administrator_is_told_why_they_cannot_step_down(admin_client, admin):
    response = _post(
        admin_client,
        f"/admin/personal/{admin.public_id}/administrator/ta-bort",
        {},
        page=f"/admin/personal/{admin.public_id}",
    )
    assert response.status_code == 422
    assert "Det måste alltid finnas minst en administratör" in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.is_admin


def test_deactivating_a_coordinator_ends_their_session_at_once(app, admin_client):
    unit = factories.unit("Socialtjänsten")
    coordinator = factories.staff(unit, StaffRole.COORDINATOR, name="Kim Samordnare")
    db.session.commit()
    kims_phone = app.test_client()
    kims_phone.sign_in_as(coordinator)
    assert kims_phone.get("/personal/").status_code == 200

    response = _post(
        admin_client,
        f"/admin/personal/{coordinator.public_id}/stang-av",
        {},
        page=f"/admin/personal/{coordinator.public_id}",
    )
    assert response.status_code == 303

    response = kims_phone.get("/personal/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/personal/logga-in")
    html = admin_client.get(f"/admin/personal/{coordinator.public_id}").get_data(as_text=True)
    assert "Kontot är avstängt" in html


def test_the_staff_page_says_how_many_open_sips_a_coordinator_leaves_and_the_colleague_sees_them(
    app, admin_client
):
    unit = factories.unit("Socialtjänsten")
    leaving = factories.staff(unit, StaffRole.COORDINATOR, name="Lena Slutar")
    for n in range(2):
        factories.case(factories.person(f"Person {n}"), unit, leaving, step=Step.PREPARATION)
    page = f"/admin/personal/{leaving.public_id}"
    db.session.commit()
    html = admin_client.get(page).get_data(as_text=True)
    assert "Hen samordnar 2 SIP:ar som inte är avslutade. De andra samordnarna på enheten" in html
    assert "Socialtjänsten har ingen annan samordnare i Min SIP." in html

    colleague = factories.staff(unit, StaffRole.COORDINATOR, name="Kim Kvar")
    db.session.commit()
    assert "har ingen annan samordnare" not in admin_client.get(page).get_data(as_text=True)
    assert _post(admin_client, page + "/stang-av", {}, page=page).status_code == 303
    assert "Hen är fortfarande samordnare för 2 SIP:ar" in admin_client.get(page).get_data(as_text=True)

    kims_phone = app.test_client()
    kims_phone.sign_in_as(colleague)
    start = kims_phone.get("/personal/").get_data(as_text=True)
    assert start.count("Samordnaren kan inte logga in längre – välj en ny samordnare") == 2
    messages = kims_phone.get("/meddelanden").get_data(as_text=True)
    assert messages.count("Lena Slutar kan inte logga in i Min SIP längre och samordnar den här SIP:en.") == 2


def test_a_deactivated_staff_member_cannot_sign_in_and_is_told_why(app, client, demo_data):
    rita = next(s for s in demo.list_test_identities() if s.name == "Rita Samuelsson")
    member = people.load_actor(rita.token)
    member.deactivated_at = member.created_at
    db.session.commit()
    token = client.csrf_token("/logga-in/testidentitet")
    response = client.post("/logga-in/testidentitet", data={"identity": rita.token, "csrf_token": token})
    assert response.status_code == 403
    assert "Ditt konto i Min SIP är avstängt" in response.get_data(as_text=True)
    assert client.get("/personal/").status_code == 303


def test_the_staff_list_finds_by_name_or_hsa_id(admin_client, demo_data):
    html = admin_client.get("/admin/personal?sok=se2120000001").get_data(as_text=True)
    assert "Kent Olofsson" in html and "Sofia Åberg" in html and "Rita Samuelsson" not in html
    assert "Rita Samuelsson" in admin_client.get("/admin/personal?sok=rita").get_data(as_text=True)


def test_the_demo_administrator_reaches_every_admin_page_and_the_demos_units_have_hsa_ids(client, demo_data):
    anna = next(s for s in demo.list_test_identities() if s.name == "Anna Ek")
    client.sign_in_with_demo_page(people.load_actor(anna.token))
    assert "Region Exempel" in client.get("/admin/huvudman").get_data(as_text=True)
    region = db.session.scalar(select(Principal).where(Principal.name == "Region Exempel"))
    assert "SE2321000032-0001" in client.get(f"/admin/huvudman/{region.public_id}").get_data(as_text=True)
    assert db.session.scalar(select(Unit).where(Unit.hsa_id.is_(None))) is None
    unit = db.session.scalar(select(Unit).where(Unit.name == "Socialtjänsten Exempelstad"))
    html = client.get(f"/admin/enheter/{unit.public_id}").get_data(as_text=True)
    assert re.search(rf'value="{IntakeNeed.CHILD.value}" checked', html)


def test_a_role_without_a_unit_or_a_role_is_shown_again_with_both_messages(admin_client):
    member = factories.staff(factories.unit("Skolan"), StaffRole.MEMBER, name="Li Lärare")
    db.session.commit()
    page = f"/admin/personal/{member.public_id}"
    response = _post(admin_client, page + "/roller", {"unit": "", "role": "chef"}, page=page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("Välj en enhet i listan") == 2 and html.count("Välj samordnare eller medarbetare") == 2


def test_a_deactivated_account_is_opened_again_and_its_roles_are_still_there(app, admin_client):
    unit = factories.unit("Socialtjänsten")
    member = factories.staff(unit, StaffRole.COORDINATOR, name="Kim Samordnare")
    db.session.commit()
    page = f"/admin/personal/{member.public_id}"
    assert _post(admin_client, page + "/stang-av", {}, page=page).status_code == 303
    assert "Kim Samordnare (avstängd)" in admin_client.get("/admin/personal").get_data(as_text=True)
    assert _post(admin_client, page + "/oppna-igen", {}, page=page).status_code == 303
    db.session.expire_all()
    assert member.is_active and [m.role for m in member.memberships] == [StaffRole.COORDINATOR]
    kims_phone = app.test_client()
    kims_phone.sign_in_as(member)
    assert kims_phone.get("/personal/").status_code == 200
