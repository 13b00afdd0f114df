"""The organisation import page for administrators, /admin/import [issue 18] (web/admin_import.py).

Choose a file → the report of what would change (nothing changed yet) → "Genomför ändringarna" applies the
file that was checked, kept on the server → a receipt.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import OrganisationUpload, StaffMembership, StaffUser, Unit
from tests.support import factories

EXAMPLE = (Path(__file__).resolve().parents[1] / "data" / "organisation_example.csv").read_bytes()
OTHER = (
    b"typ;hsa_id;namn;huvudmanstyp;huvudman;enhetstyp\n"
    b"huvudman;SE2120000077-0001;Annans kommun;kommun;;\n"
    b"enhet;SE2120000077-2001;Skolan i Annan;;SE2120000077-0001;skola\n"
)
UPLOAD = "/admin/import"
ADMIN_UNIT = "Regionens kansli"  # the administrator's own unit, not in any file


@pytest.fixture
def admin(app):
    person = factories.staff(factories.unit(ADMIN_UNIT), name="Ada Admin")
    person.is_admin = True
    db.session.commit()
    return person


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def units_in_min_sip() -> list[str]:
    return sorted(db.session.scalars(select(Unit.name).where(Unit.name != ADMIN_UNIT)))


def send_file(client, data: bytes | None, filename: str = "organisation.csv"):
    token = client.csrf_token(UPLOAD)
    form: dict = {"csrf_token": token}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    return client.post(UPLOAD, data=form, content_type="multipart/form-data")


def apply_form(client, check_url: str) -> tuple[str, dict]:
    page = soup(client.get(check_url))
    form = page.find("form", action=re.compile("/genomfor$"))
    assert form is not None, "no button to apply the file"
    fields = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    return form["action"], fields


def test_a_staff_member_who_is_not_an_administrator_gets_403(app, client):
    factories.unit()
    clerk = factories.staff(name="Kim Personal")
    db.session.commit()
    client.sign_in_as(clerk)

    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, data={"csrf_token": client.csrf_token("/personal/")}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(OrganisationUpload)) == 0


def test_someone_not_signed_in_is_sent_to_the_staff_sign_in(client):
    response = client.get(UPLOAD)
    assert response.status_code == 303 and "/personal/logga-in" in response.location


def test_an_administrator_checks_the_file_then_applies_it_and_gets_a_receipt(client, admin):
    client.sign_in_as(admin)

    sent = send_file(client, EXAMPLE)
    assert sent.status_code == 303
    check_url = sent.location

    page = soup(client.get(check_url))
    assert page.h1.get_text(strip=True) == "Det här ändras om du genomför filen"
    units = page.find("caption", string="Enheter").find_parent("table")
    assert "Vårdcentralen Exempel" in units.get_text() and "Läggs till" in units.get_text()
    assert units_in_min_sip() == []  # the check changes nothing

    action, fields = apply_form(client, check_url)
    applied = client.post(action, data=fields)
    assert applied.status_code == 303 and applied.location.endswith("/kvitto")
    receipt = soup(client.get(applied.location))
    assert receipt.h1.get_text(strip=True) == "Nu är filen inläst"
    assert "9 rader lades till" in receipt.get_text()
    assert units_in_min_sip() == ["BUP Exempel", "Socialtjänsten Exempel", "Vårdcentralen Exempel"]
    assert db.session.scalar(select(func.count()).select_from(StaffMembership)) == 1 + 4

    # The same form sent again (a double click) changes nothing more and leads to the receipt.
    again = client.post(action, data=fields)
    assert again.status_code == 303 and again.location.endswith("/kvitto")


def test_what_is_applied_is_the_file_that_was_checked_not_one_sent_with_the_button(client, admin):
    client.sign_in_as(admin)
    check_url = send_file(client, EXAMPLE).location
    action, fields = apply_form(client, check_url)

    # A different file sent along with "Genomför ändringarna" is not read.
    client.post(
        action,
        data={**fields, "file": (io.BytesIO(OTHER), "other.csv")},
        content_type="multipart/form-data",
    )

    assert "Skolan i Annan" not in units_in_min_sip()
    assert "Vårdcentralen Exempel" in units_in_min_sip()


def test_a_hash_that_is_not_the_checked_files_applies_nothing(client, admin):
    client.sign_in_as(admin)
    check_url = send_file(client, EXAMPLE).location
    action, fields = apply_form(client, check_url)

    refused = client.post(action, data={**fields, "sha256": "0" * 64})

    assert refused.status_code == 303 and refused.location.endswith(UPLOAD)
    assert "Det här är inte filen som kontrollerades" in client.get(refused.location).get_data(as_text=True)
    assert units_in_min_sip() == []


def test_a_newer_file_replaces_the_one_waiting_and_only_it_can_be_applied(client, admin):
    client.sign_in_as(admin)
    first = send_file(client, EXAMPLE).location
    first_action, first_fields = apply_form(client, first)
    second = send_file(client, OTHER, "other.csv").location

    assert client.get(first).status_code == 404
    assert client.post(first_action, data=first_fields).status_code == 404
    action, fields = apply_form(client, second)
    client.post(action, data=fields)
    assert units_in_min_sip() == ["Skolan i Annan"]


def test_another_administrator_cannot_open_or_apply_my_file(client, admin):
    client.sign_in_as(admin)
    check_url = send_file(client, EXAMPLE).location
    action, fields = apply_form(client, check_url)
    other = factories.staff(
        db.session.scalars(select(Unit).where(Unit.name == ADMIN_UNIT)).one(), name="Bo Admin"
    )
    other.is_admin = True
    db.session.commit()

    client.sign_in_as(other)
    assert client.get(check_url).status_code == 404
    assert (
        client.post(action, data={**fields, "csrf_token": client.csrf_token("/personal/")}).status_code == 404
    )
    assert units_in_min_sip() == []


def test_when_min_sip_changed_after_the_check_the_new_report_is_shown_and_nothing_applied(client, admin):
    client.sign_in_as(admin)
    check_url = send_file(client, EXAMPLE).location
    action, fields = apply_form(client, check_url)
    factories.unit("Vårdcentralen Exempel")
    db.session.commit()

    refused = client.post(action, data=fields)

    assert refused.status_code == 303 and refused.location == check_url
    assert "Något har ändrats i Min SIP sedan filen kontrollerades" in client.get(check_url).get_data(
        as_text=True
    )
    assert units_in_min_sip() == ["Vårdcentralen Exempel"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (None, "", "Välj en fil."),
        (b"PK\x03\x04", "organisation.xlsx", "Filen måste vara en CSV-fil"),
        (b"", "organisation.csv", "Filen är tom."),
        (b"PK\x03\x04\x14\x00\x00", "organisation.csv", "Filen är inte en CSV-fil."),
    ],
)
def test_a_missing_wrong_or_empty_file_gets_a_clear_message(client, admin, data, filename, message):
    client.sign_in_as(admin)

    response = send_file(client, data, filename)

    assert response.status_code == 422
    page = soup(response)
    assert message in page.find(class_="error-summary").get_text()
    assert message in page.find(id="file-error").get_text()
    assert page.find(id="file")["aria-invalid"] == "true"


def test_a_file_with_errors_shows_the_lines_and_no_button(client, admin):
    client.sign_in_as(admin)
    broken = EXAMPLE.replace(b"medarbetare;Psykolog", b"chef;Psykolog")

    page = soup(client.get(send_file(client, broken).location))

    assert page.h1.get_text(strip=True) == "Filen har fel"
    errors = page.find("caption", string="Rader med fel").find_parent("table")
    assert "Okänd roll ”chef”" in errors.get_text() and ">8<" in str(errors.find("td"))
    assert page.find("form", action=re.compile("/genomfor$")) is None
    assert units_in_min_sip() == []


def test_a_file_over_the_size_limit_gets_a_clear_message(client, admin):
    client.sign_in_as(admin)

    response = send_file(client, EXAMPLE * (300_000 // len(EXAMPLE)))  # under the test client's 500 KB spool

    assert response.status_code == 413
    page = soup(response)
    assert "Filen är för stor" in page.find(class_="error-summary").get_text()
    assert "flask import-organisation" in page.get_text()
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 1


def test_a_body_over_the_size_limit_from_someone_not_an_administrator_gets_the_usual_page(app, client):
    clerk = factories.staff(name="Kim Personal")
    db.session.commit()
    client.sign_in_as(clerk)

    response = send_file(client, EXAMPLE * (300_000 // len(EXAMPLE)))

    assert response.status_code == 413
    assert soup(response).h1.get_text(strip=True) == "Det du skickade är för stort"
    assert soup(response).find(id="file") is None
