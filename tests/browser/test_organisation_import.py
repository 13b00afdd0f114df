"""The organisation import page in Chromium [issue 18]: an administrator chooses the county's file, reads the
report, applies it and gets a receipt; a file with errors shows its lines. axe clean at 360 and 1280 px, plain
language, and the whole way works without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.conftest import check_page_at_every_width, h1_text, sign_in_as

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "organisation_example.csv"
ADMINISTRATOR = "Rita Samuelsson"  # a demo coordinator, made an administrator here


@pytest.fixture
def administrator(live_server):
    from citizen_app.extensions import db
    from citizen_app.models import StaffUser

    live_server.reset_demo_data()  # each test imports into the demo as it was
    with live_server.app.app_context():
        person = db.session.scalars(select(StaffUser).where(StaffUser.display_name == ADMINISTRATOR)).one()
        person.is_admin = True
        db.session.commit()
    return ADMINISTRATOR


def unit_names(live_server) -> set[str]:
    from citizen_app.extensions import db
    from citizen_app.models import Unit

    with live_server.app.app_context():
        return set(db.session.scalars(select(Unit.name)))


def _example_for_the_demo(tmp_path: Path) -> Path:
    """The example file with the demo region's own HSA-id (the demo's principals have HSA-ids since the
    administrator's pages came): the region is matched, its units are added to it."""
    demo_region = tmp_path / "organisation.csv"
    demo_region.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("SE2321000099-0001", "SE2321000032-0001"),
        encoding="utf-8",
    )
    return demo_region


def choose_and_check(page, path: Path) -> None:
    page.set_input_files("#file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Kontrollera filen").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_administrator_imports_the_county_file_and_gets_a_receipt(
    new_page, live_server, administrator, javascript, tmp_path
):
    page = new_page(javascript=javascript)
    sign_in_as(page, administrator)
    page.goto("/admin/import")
    assert h1_text(page) == "Läs in enheter och personal från en fil"
    check_page_at_every_width(page, label="import, choose a file")

    county_file = _example_for_the_demo(tmp_path)
    choose_and_check(page, county_file)
    assert h1_text(page) == "Det här ändras om du genomför filen"
    # The demo's "Region Exempel" has the file's HSA-id: found, not doubled, and nothing to change in it.
    assert page.get_by_text("8 rader läggs till").is_visible()
    assert page.get_by_text("1 rad ändras", exact=True).count() == 0
    assert "Vårdcentralen Exempel" not in unit_names(live_server)
    check_page_at_every_width(page, label="import, the report")

    with page.expect_navigation():
        page.get_by_role("button", name="Genomför ändringarna").click()
    assert h1_text(page) == "Nu är filen inläst"
    assert page.get_by_text("8 rader lades till").is_visible()
    assert {"Vårdcentralen Exempel", "BUP Exempel", "Socialtjänsten Exempel"} <= unit_names(live_server)
    check_page_at_every_width(page, label="import, the receipt")

    # The same file again changes nothing.
    page.goto("/admin/import")
    choose_and_check(page, county_file)
    assert page.get_by_text("Filen ändrar ingenting. Allt i den finns redan i Min SIP.").is_visible()
    assert page.get_by_role("button", name="Genomför ändringarna").count() == 0


def test_a_file_with_errors_shows_its_lines_and_cannot_be_applied(
    new_page, live_server, administrator, tmp_path
):
    broken = tmp_path / "organisation.csv"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("medarbetare;Psykolog", "chef;Psykolog"))
    page = new_page()
    sign_in_as(page, administrator)
    page.goto("/admin/import")

    choose_and_check(page, broken)

    assert h1_text(page) == "Filen har fel"
    assert page.get_by_text("Okänd roll ”chef”. Skriv samordnare eller medarbetare.").is_visible()
    assert page.get_by_role("button", name="Genomför ändringarna").count() == 0
    check_page_at_every_width(page, label="import, a file with errors")

    page.goto("/admin/import")
    with page.expect_navigation():
        page.get_by_role("button", name="Kontrollera filen").click()
    assert page.locator("#file-error").inner_text().endswith("Välj en fil.")
    check_page_at_every_width(page, label="import, no file chosen")
