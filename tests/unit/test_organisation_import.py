"""Importing the county's organisation from a CSV file [issue 18] (services/organisation_import.py).

Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    Principal,
    PrincipalKind,
    StaffMembership,
    StaffRole,
    StaffUser,
    Unit,
    UnitKind,
)
from citizen_app.services import organisation_import
from citizen_app.services.organisation_import import Outcome
from tests.support import factories

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "organisation_example.csv"
HEADER = "typ;hsa_id;namn;huvudmanstyp;huvudman;enhetstyp;adress;telefon;epost;enhet;roll;titel"
REGION = "huvudman;SE2321000099-0001;Region Exempel;region;;;;;;;;"
CLINIC = "enhet;SE2321000099-1001;Vårdcentralen Exempel;;SE2321000099-0001;vårdcentral;Storgatan 1;;;;;"
BUP = "enhet;SE2321000099-1002;BUP Exempel;;SE2321000099-0001;bup;;;;;;"
ALVA = "personal;SE2321000099-5001;Alva Exempelsson;;;;;;;SE2321000099-1001;samordnare;"
ALVA_AT_BUP = "personal;SE2321000099-5001;Alva Exempelsson;;;;;;;SE2321000099-1002;medarbetare;"


def csv_file(*lines: str) -> str:
    return "\n".join((HEADER, *lines)) + "\n"


def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def with_commas(text: str) -> str:
    """The same file written with commas, quoting the fields that hold one (as Excel does)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv.reader(io.StringIO(text), delimiter=";"))
    assert '"Storgatan 1, 123 45 Exempelstad"' in out.getvalue()
    return out.getvalue()


def rows_in_min_sip() -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Principal, Unit, StaffUser, StaffMembership)
    )


def imported(text: str):
    report = organisation_import.apply(None, text)
    db.session.commit()
    return report


def unit_named(name: str) -> Unit:
    return db.session.scalars(select(Unit).where(Unit.name == name)).one()


def staff_with(hsa_id: str) -> StaffUser:
    return db.session.scalars(select(StaffUser).where(StaffUser.hsa_id == hsa_id)).one()


def role_of(person: StaffUser, unit: Unit) -> StaffRole | None:
    return db.session.scalar(
        select(StaffMembership.role).where(
            StaffMembership.staff_id == person.id, StaffMembership.unit_id == unit.id
        )
    )


def test_the_example_file_makes_the_principals_units_and_staff_with_their_roles(app):
    report = imported(example())

    assert not report.has_errors
    assert rows_in_min_sip() == (2, 3, 3, 4)
    clinic = unit_named("Vårdcentralen Exempel")
    assert (clinic.hsa_id, clinic.kind, clinic.principal.name) == (
        "SE2321000099-1001",
        UnitKind.PRIMARY_CARE,
        "Region Exempel",
    )
    assert clinic.principal.kind == PrincipalKind.REGION
    assert clinic.address == "Storgatan 1, 123 45 Exempelstad"
    cecilia = staff_with("SE2120000099-5003")
    assert cecilia.identity_hash is None  # linked at her first sign-in
    assert role_of(cecilia, unit_named("Socialtjänsten Exempel")) == StaffRole.COORDINATOR
    assert role_of(cecilia, clinic) == StaffRole.MEMBER
    assert report.count(Outcome.CREATED) == 9


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app):
    imported(example())
    before = rows_in_min_sip()

    again = imported(example())

    assert [line.outcome for line in again.lines] == [Outcome.UNCHANGED] * 9
    assert not again.changes_anything
    assert rows_in_min_sip() == before


def test_a_dry_run_shows_what_would_change_and_changes_nothing(app):
    report = organisation_import.check(example())
    db.session.commit()

    assert report.count(Outcome.CREATED) == 9
    assert rows_in_min_sip() == (0, 0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_an_error_on_line_7_blocks_the_whole_file(app):
    text = csv_file(
        REGION,
        CLINIC,
        BUP,
        ALVA,
        ALVA_AT_BUP,
        "personal;SE2321000099-5002;Bo Provsson;;;;;;;SE2321000099-1001;chef;",
    )

    with pytest.raises(organisation_import.HasErrors) as refused:
        organisation_import.apply(None, text)
    db.session.commit()

    report = refused.value.report
    assert [(line.number, line.outcome) for line in report.lines if line.errors] == [(7, Outcome.ERROR)]
    assert [str(error) for error in report.lines[5].errors] == [
        "Okänd roll ”chef”. Skriv samordnare eller medarbetare."
    ]
    assert rows_in_min_sip() == (0, 0, 0, 0)


def test_a_file_from_excel_with_a_bom_and_semicolons_reads_like_any_other(app):
    with_bom = ("\ufeff" + example()).encode("utf-8")
    commas = with_commas(example()).encode("utf-8")
    windows = example().replace("\n", "\r\n").encode("cp1252")  # Excel's older "CSV (semikolonavgränsad)"

    plain = organisation_import.check(example())
    for data in (with_bom, commas, windows):
        report = organisation_import.check(organisation_import.read_text(data))
        assert not report.has_errors
        assert report.digest == plain.digest
    assert (
        organisation_import.check(organisation_import.read_text(with_bom)).lines[0].hsa_id
        == "SE2321000099-0001"
    )


def test_a_staff_line_with_another_role_changes_the_role_in_that_unit_only(app):
    imported(csv_file(REGION, CLINIC, BUP, ALVA, ALVA_AT_BUP))

    report = imported(csv_file(REGION, CLINIC, BUP, ALVA.replace("samordnare", "medarbetare"), ALVA_AT_BUP))

    alva = staff_with("SE2321000099-5001")
    assert role_of(alva, unit_named("Vårdcentralen Exempel")) == StaffRole.MEMBER
    assert role_of(alva, unit_named("BUP Exempel")) == StaffRole.MEMBER
    line = report.lines[3]
    assert line.outcome == Outcome.CHANGED
    assert [(c.label, c.old, c.new) for c in line.changes] == [("Roll", "samordnare", "medarbetare")]
    assert report.lines[4].outcome == Outcome.UNCHANGED


def test_a_changed_name_or_address_is_an_update_with_the_old_and_the_new(app):
    imported(csv_file(REGION, CLINIC))

    report = imported(
        csv_file(
            REGION,
            CLINIC.replace("Vårdcentralen Exempel", "Vårdcentralen Norr").replace("Storgatan 1", "Torget 2"),
        )
    )

    assert [(c.label, c.old, c.new) for c in report.lines[1].changes] == [
        ("Namn", "Vårdcentralen Exempel", "Vårdcentralen Norr"),
        ("Adress", "Storgatan 1", "Torget 2"),
    ]
    assert db.session.scalar(select(Unit.address).where(Unit.hsa_id == "SE2321000099-1001")) == "Torget 2"
    assert rows_in_min_sip()[1] == 1


def test_an_empty_cell_leaves_what_min_sip_has(app):
    imported(csv_file(REGION, CLINIC))

    report = imported(csv_file(REGION, CLINIC.replace("Storgatan 1", "")))

    assert report.lines[1].outcome == Outcome.UNCHANGED
    assert unit_named("Vårdcentralen Exempel").address == "Storgatan 1"


def test_what_is_not_in_the_file_stays_and_is_listed(app):
    imported(example())
    other = factories.unit("Skolan utan HSA-id", kind=UnitKind.SCHOOL)
    db.session.commit()

    report = imported(csv_file(REGION, CLINIC, ALVA))

    assert rows_in_min_sip() == (3, 4, 3, 4)
    absent = {(a.kind, a.name, a.unit) for a in report.not_in_file}
    assert {
        ("huvudman", "Exempels kommun", ""),
        ("enhet", "BUP Exempel", ""),
        ("enhet", other.name, ""),
        ("personal", "Cecilia Testberg", "Vårdcentralen Exempel"),
        ("personal", "Bo Provsson", "BUP Exempel"),
    } <= absent
    assert ("personal", "Alva Exempelsson", "Vårdcentralen Exempel") not in absent


def test_a_unit_made_without_an_hsa_id_and_with_the_same_name_gets_the_hsa_id(app):
    existing = factories.unit("Vårdcentralen Exempel", kind=UnitKind.PRIMARY_CARE)
    db.session.commit()

    report = imported(csv_file(REGION, CLINIC))

    assert report.lines[1].outcome == Outcome.CHANGED
    assert ("HSA-id", "", "SE2321000099-1001") in [(c.label, c.old, c.new) for c in report.lines[1].changes]
    db.session.refresh(existing)
    assert existing.hsa_id == "SE2321000099-1001"
    assert existing.principal.name == "Region Exempel"


@pytest.mark.parametrize(
    ("lines", "line_number", "message"),
    [
        (
            (REGION, "personal;SE2321000099-5009;Dan Ek;;;;;;;SE2321000099-9999;samordnare;"),
            3,
            "Enheten ”SE2321000099-9999” finns inte i filen eller i Min SIP.",
        ),
        ((REGION, CLINIC.replace("SE2321000099-1001", "")), 3, "HSA-id saknas."),
        (
            (REGION, CLINIC, CLINIC.replace("Vårdcentralen Exempel", "VC Två")),
            4,
            "HSA-id SE2321000099-1001 finns redan på rad 3.",
        ),
        (
            (REGION, CLINIC, BUP.replace("BUP Exempel", "Vårdcentralen Exempel")),
            4,
            "Namnet ”Vårdcentralen Exempel” finns redan på rad 3.",
        ),
        ((REGION, CLINIC.replace("vårdcentral", "apotek")), 3, "Okänd enhetstyp ”apotek”."),
        (
            (REGION, CLINIC.replace("SE2321000099-0001;vårdcentral", "SE0000000000-0;vårdcentral")),
            3,
            "Huvudmannen",
        ),
        (
            ("kontor;SE2321000099-0009;Kontoret;;;;;;;;;",),
            2,
            "Okänd typ ”kontor”. Skriv huvudman, enhet eller personal.",
        ),
        ((REGION.replace("SE2321000099-0001", "12345"),), 2, "”12345” ser inte ut som ett HSA-id."),
        ((REGION, CLINIC, ALVA.replace("samordnare", "")), 4, "Roll saknas."),
        ((REGION, CLINIC, ALVA, ALVA), 5, "Personen finns redan i samma enhet på rad 4."),
        (
            (REGION, CLINIC.replace(";;;;;", ";;inte-en-adress;;;")),
            3,
            "”inte-en-adress” ser inte ut som en e-postadress.",
        ),
    ],
)
def test_each_error_names_its_line_in_plain_swedish(app, lines, line_number, message):
    report = organisation_import.check(csv_file(*lines))

    errors = {line.number: " ".join(str(e) for e in line.errors) for line in report.lines if line.errors}
    assert list(errors) == [line_number], errors
    assert message in errors[line_number]


def test_a_unit_name_already_used_by_another_hsa_id_in_min_sip_is_an_error(app):
    imported(csv_file(REGION, CLINIC))

    report = organisation_import.check(csv_file(REGION, BUP.replace("BUP Exempel", "Vårdcentralen Exempel")))

    assert [str(e) for e in report.lines[1].errors] == [
        "Namnet ”Vårdcentralen Exempel” används redan av en annan enhet i Min SIP (HSA-id SE2321000099-1001)."
    ]


def test_a_file_without_the_needed_columns_or_lines_says_so(app):
    assert [str(e) for e in organisation_import.check("typ;namn\nenhet;X\n").file_errors] == [
        "Kolumnen ”hsa_id” saknas på första raden."
    ]
    assert [str(e) for e in organisation_import.check(HEADER + "\n").file_errors] == [
        "Filen har inga rader under rubrikraden."
    ]
    noted = organisation_import.check(csv_file(REGION).replace("titel", "titel;kostnadsställe"))
    assert [str(n) for n in noted.notes] == ["Kolumnen ”kostnadsställe” läses inte."]
    assert not noted.has_errors


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen är tom."),
        (b" \n\n", "Filen är tom."),
        (b"PK\x03\x04\x14\x00", "Filen är inte en CSV-fil."),
    ],
)
def test_a_file_that_is_not_text_is_refused_before_it_is_read(data, message):
    with pytest.raises(organisation_import.InvalidFile) as refused:
        organisation_import.read_text(data)
    assert refused.value.errors["file"].startswith(message)


def test_applying_is_audited_with_the_file_and_what_changed(app):
    admin = factories.staff(name="Ada Admin")

    organisation_import.apply(admin, example(), filename="org.csv")
    db.session.commit()

    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "organisation.imported")).one()
    assert entry.actor_staff_id == admin.id
    assert entry.detail["filename"] == "org.csv"
    assert entry.detail["created"] == 9
    assert entry.detail["sha256"] == organisation_import.text_hash(example())
    assert [line["line"] for line in entry.detail["lines"]] == list(range(2, 11))


def test_applying_after_min_sip_changed_since_the_check_writes_nothing(app):
    checked = organisation_import.check(example())
    factories.unit("Vårdcentralen Exempel", kind=UnitKind.PRIMARY_CARE)  # someone adds it meanwhile
    db.session.commit()
    before = rows_in_min_sip()

    with pytest.raises(organisation_import.ChangedSinceCheck) as refused:
        organisation_import.apply(None, example(), expected=checked.digest)
    db.session.commit()

    assert rows_in_min_sip() == before
    assert refused.value.report.lines[2].outcome == Outcome.CHANGED


def test_a_file_checked_but_never_applied_is_deleted_after_a_day(app):
    """It holds staff names, HSA-ids and phone numbers: `flask run-jobs` forgets it a day after the upload."""
    from datetime import timedelta

    from citizen_app.models import OrganisationUpload

    administrator = factories.staff(factories.unit(), StaffRole.MEMBER, name="Ida Administratör")
    waiting = organisation_import.keep_upload(administrator, "enheter.csv", EXAMPLE.read_bytes())
    db.session.commit()
    uploaded = waiting.uploaded_at

    assert organisation_import.forget_unapplied(now=uploaded + timedelta(hours=23)) == 0
    assert organisation_import.forget_unapplied(now=uploaded + timedelta(days=1, minutes=1)) == 1
    assert db.session.scalar(select(func.count()).select_from(OrganisationUpload)) == 0
