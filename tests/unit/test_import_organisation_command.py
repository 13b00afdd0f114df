"""``flask import-organisation FILE [--apply]`` [issue 18]: the report without --apply, the changes with it,
and a non-zero exit code for a file with errors (click's runner, on the test database)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import AuditEntry, Unit

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "organisation_example.csv"


def units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["import-organisation", *args])


def test_without_apply_it_prints_what_would_change_and_changes_nothing(app):
    result = run(app, str(EXAMPLE))

    assert result.exit_code == 0, result.output
    assert "rad 4: ny: enhet SE2321000099-1001 Vårdcentralen Exempel" in result.output
    assert "Provkörning: 9 nya, 0 ändrade, 0 oförändrade. Inget har ändrats." in result.output
    assert units() == 0


def test_with_apply_it_makes_the_changes_and_a_second_run_changes_nothing(app):
    first = run(app, str(EXAMPLE), "--apply")
    second = run(app, str(EXAMPLE), "--apply")

    assert first.exit_code == 0, first.output
    assert "rad 4: skapad: enhet SE2321000099-1001 Vårdcentralen Exempel" in first.output
    assert "Klart: 9 nya, 0 ändrade, 0 oförändrade." in first.output
    assert "Klart: 0 nya, 0 ändrade, 9 oförändrade." in second.output
    assert units() == 3
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "organisation.imported")).all()
    assert [(e.actor_kind, e.detail["created"]) for e in entries] == [("system", 9), ("system", 0)]


def test_a_changed_field_is_printed_with_the_old_and_the_new_value(app, tmp_path):
    run(app, str(EXAMPLE), "--apply")
    changed = tmp_path / "changed.csv"
    changed.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("Storgatan 1", "Torget 2"), encoding="utf-8"
    )

    result = run(app, str(changed))

    assert "rad 4: ändras: enhet SE2321000099-1001 Vårdcentralen Exempel" in result.output
    assert "    Adress: Storgatan 1, 123 45 Exempelstad -> Torget 2, 123 45 Exempelstad" in result.output


def test_a_file_with_errors_exits_non_zero_and_applies_nothing(app, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("medarbetare;Psykolog", "chef;Psykolog"))

    result = run(app, str(broken), "--apply")

    assert result.exit_code == 1
    assert "rad 8: FEL: personal SE2321000099-5002 Bo Provsson i BUP Exempel" in result.output
    assert "    FEL: Okänd roll ”chef”. Skriv samordnare eller medarbetare." in result.output
    assert "1 fel. Inget har ändrats." in result.output
    assert units() == 0


def test_an_empty_file_is_refused_with_a_message(app, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")

    result = run(app, str(empty))

    assert result.exit_code != 0
    assert "Filen är tom." in result.output
