"""Acceptance journey of issue 18, in a real browser: a county goes live.

1. Anna Ek, the county's administrator, reads the county's unit list into Min SIP (the example file of
   tests/data, its region being the demo's), makes the new "Socialtjänsten Exempel" the unit that receives
   requests about children, and adds a coordinator there, Lena Berg, by her HSA-id alone.
2. Lena signs in with her staff e-ID for the first time: the e-ID broker (a real OpenID provider running in
   the test) sends her HSA-id, which finds her and links her identity number.
3. Sara Holm's request for Oskar lands at Lena's new unit (the intake the administrator set); Lena accepts it,
   Sara consents and adds Oskar's grandmother Eva with her e-mail address, Lena sets the meeting (services in
   the live server, as the other journeys prepare their SIPs).
4. Lena invites Eva; the link arrives by e-mail at a real SMTP server started here, and works on Eva's phone.

Key pages are checked with axe at 360 and 1280 px; the administrator's steps are made with the keyboard alone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import select

from tests.browser.conftest import (
    WIDTHS,
    check_box,
    check_key_page,
    h1_text,
    main_text,
    press_enter_and_load,
    requested_accepted_and_consented,
    sign_in_with_the_keyboard,
    tab_to,
    tab_to_button,
    tab_to_link,
)
from tests.browser.test_admin_pages import choose_option, type_in
from tests.browser.test_relative_link_by_email import PLACE, eva_opens_the_link, the_email_to_eva
from tests.support.mail_server import MailServer

pytestmark = pytest.mark.browser

ADMINISTRATOR = "Anna Ek"
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "organisation_example.csv"
NEW_UNIT = "Socialtjänsten Exempel"  # in the county's file, not in the demo
COORDINATOR = "Lena Berg"
COORDINATOR_HSA_ID = "SE2120000099-5010"
IDENTITY_CLAIM = "personal_identity_number"
HSA_CLAIM = "hsa_id"
GUARDIAN = "Sara Holm"
CHILD = "Oskar Holm"
RELATIVE = "Eva Holm"
RELATIVE_EMAIL = "eva.holm@exempel.se"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture(scope="module")
def county(live_server):
    """The live server with a real SMTP server and a real staff e-ID broker (OpenID provider) that knows Lena;
    the settings are put back afterwards."""
    from citizen_app.services import demo

    lena = demo.test_identity_number(date(1984, 2, 9), 986)
    users = [
        User(sub="lena", claims={IDENTITY_CLAIM: lena, "name": COORDINATOR, HSA_CLAIM: COORDINATOR_HSA_ID})
    ]
    keys = (
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_STARTTLS",
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
        "MAIL_FROM",
        "STAFF_OIDC_ISSUER",
        "STAFF_OIDC_CLIENT_ID",
        "STAFF_OIDC_CLIENT_SECRET",
        "OIDC_IDENTITY_CLAIM",
        "OIDC_NAME_CLAIM",
        "STAFF_OIDC_HSA_CLAIM",
    )
    before = {key: live_server.app.config.get(key) for key in keys}
    with MailServer() as mail, run_server_in_thread(require_nonce=True, user_claims=users) as provider:
        live_server.app.config.update(mail.app_settings())
        live_server.app.config.update(
            STAFF_OIDC_ISSUER=f"http://localhost:{provider.server_port}",
            STAFF_OIDC_CLIENT_ID="min-sip-personal",
            STAFF_OIDC_CLIENT_SECRET="min-sip-personal-secret",
            OIDC_IDENTITY_CLAIM=IDENTITY_CLAIM,
            OIDC_NAME_CLAIM="name",
            STAFF_OIDC_HSA_CLAIM=HSA_CLAIM,
        )
        try:
            yield mail
        finally:
            live_server.app.config.update(before)


def _county_file(tmp_path: Path) -> Path:
    """The example file with the demo region's HSA-id: the region is matched, its new units are added."""
    path = tmp_path / "enheter.csv"
    path.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("SE2321000099-0001", "SE2321000032-0001"),
        encoding="utf-8",
    )
    return path


def administrator_reads_the_county_file(page, county_file: Path) -> None:
    sign_in_with_the_keyboard(page, ADMINISTRATOR)
    tab_to_link(page, "Administration")
    press_enter_and_load(page)
    assert h1_text(page) == "Administration"
    page.goto("/admin/import")
    assert h1_text(page) == "Läs in enheter och personal från en fil"
    check_key_page(page, "import, choose a file")
    page.set_input_files("#file", str(county_file))
    tab_to_button(page, "Kontrollera filen")
    press_enter_and_load(page)
    assert h1_text(page) == "Det här ändras om du genomför filen"
    assert "8 rader läggs till" in main_text(page)
    tab_to_button(page, "Genomför ändringarna")
    press_enter_and_load(page)
    assert h1_text(page) == "Nu är filen inläst"
    check_key_page(page, "import, the receipt")


def administrator_makes_the_new_unit_receive_childrens_requests(page, unit_id: str) -> None:
    page.goto(f"/admin/enheter/{unit_id}")
    check_key_page(page, "the imported unit")
    check_box(page, "Barn (under 18 år)")
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert "Ändringen är sparad." in main_text(page)  # the request landing there below shows what it did


def administrator_adds_the_coordinator(page) -> None:
    page.goto("/admin/")
    tab_to_link(page, "Personal")
    press_enter_and_load(page)
    tab_to_link(page, "Lägg till en person")
    press_enter_and_load(page)
    type_in(page, "display_name", COORDINATOR)
    type_in(page, "hsa_id", COORDINATOR_HSA_ID)
    type_in(page, "title", "Socialsekreterare")
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert "Personen är tillagd." in main_text(page)
    choose_option(page, "unit", NEW_UNIT)
    # Samordnare is the first choice of the role group.
    tab_to(page, "the role 'Samordnare'", "el.type === 'radio' && el.name === 'role'")
    page.keyboard.press("Space")
    tab_to_button(page, "Spara rollen")
    press_enter_and_load(page)
    assert "Rollen är sparad." in main_text(page)
    assert f"{NEW_UNIT} Samordnare" in main_text(page)
    check_key_page(page, "the new coordinator")


def coordinator_signs_in_with_e_id(page) -> None:
    page.goto("/personal/logga-in")
    tab_to_link(page, "Logga in med e-legitimation")
    press_enter_and_load(page)
    # The broker's own page (the test's OpenID provider): who signs in.
    page.fill("input[name=sub]", "lena")
    with page.expect_navigation(url="**/personal/**"):
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state("load")
    assert "/personal" in page.url
    assert COORDINATOR in main_text(page) or COORDINATOR in page.content()


def _lena_has_oskars_meeting_with_eva_invited_by_email(live_server) -> str:
    from citizen_app.extensions import db
    from citizen_app.services import meetings, preparation

    with live_server.app.app_context():
        sara, lena, _units, case = requested_accepted_and_consented(
            GUARDIAN,
            CHILD,
            COORDINATOR,
            need="Oskar vill inte gå till skolan.",
            requested=(NEW_UNIT, "Björkskolan"),
            consented=(NEW_UNIT, "Björkskolan"),
        )
        preparation.add_guest(sara, case, RELATIVE, RELATIVE_EMAIL, support_person=False)
        day = datetime.now(STOCKHOLM).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=14)
        meetings.set_meeting(
            lena,
            case,
            starts_at=day,
            length_minutes=60,
            mode="in_person",
            place=PLACE,  # what eva_opens_the_link looks for
            interpreter_language="",
            other_needs="",
        )
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


def coordinator_invites_eva(page, case_id: str) -> None:
    page.goto(f"/personal/sip/{case_id}/motet")
    assert h1_text(page) == f"Mötet för {CHILD}"
    tab_to_link(page, "Bjud in")
    press_enter_and_load(page)
    check_box(page, f"{RELATIVE} (närstående)")
    tab_to_button(page, "Skicka inbjudan")
    press_enter_and_load(page)
    assert f"Länken till {RELATIVE} är skickad till {RELATIVE_EMAIL}." in main_text(page)
    check_key_page(page, "the meeting page, the link sent by e-mail")


def _public_id_of_unit(live_server, name: str) -> str:
    from citizen_app.extensions import db
    from citizen_app.models import Unit

    with live_server.app.app_context():
        found = db.session.scalars(select(Unit.public_id).where(Unit.name == name)).one()
        db.session.remove()
    return found


def _lena(live_server):
    from citizen_app.extensions import db
    from citizen_app.models import StaffUser

    with live_server.app.app_context():
        lena = db.session.scalars(select(StaffUser).where(StaffUser.display_name == COORDINATOR)).one()
        db.session.expunge(lena)
        db.session.remove()
    return lena


def test_a_county_imports_its_units_adds_a_coordinator_whose_relative_invitation_arrives_by_email(
    new_page, live_server, county, tmp_path
):
    live_server.reset_demo_data()
    county.clear()

    anna = new_page(width=WIDTHS[1])
    administrator_reads_the_county_file(anna, _county_file(tmp_path))
    administrator_makes_the_new_unit_receive_childrens_requests(
        anna, _public_id_of_unit(live_server, NEW_UNIT)
    )
    administrator_adds_the_coordinator(anna)
    assert _lena(live_server).identity_hash is None, "added by HSA-id alone: no e-ID identity yet"

    lena = new_page(width=WIDTHS[0])
    coordinator_signs_in_with_e_id(lena)
    assert _lena(live_server).identity_hash is not None, "the first e-ID sign-in linked her identity"

    case_id = _lena_has_oskars_meeting_with_eva_invited_by_email(live_server)
    coordinator_invites_eva(lena, case_id)
    link = the_email_to_eva(county, 1)

    eva = new_page(width=WIDTHS[0])  # her own phone: no account, not signed in
    eva_opens_the_link(eva, link)
