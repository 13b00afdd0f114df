"""Alembic migrations run from empty to head, back to base and up again, and give the schema the models
describe [QUALITY 5]. On SQLite by default; on PostgreSQL when TEST_DATABASE_URL is set.

Every downgrade is also run on a database with data [issue 12]: it keeps every row and value the older schema
has a place for, and refuses (changing nothing) before it drops any table or column that holds data, unless
MINSIP_DOWNGRADE_DISCARD names the revision (citizen_app/migrations/keep_data.py).

Each test gets its own throw-away database (a temporary SQLite file, or a new PostgreSQL database on the same
server), so the shared test database is never touched.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, date, datetime, time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Time,
    create_engine,
    inspect,
    make_url,
    select,
    text,
)

from citizen_app import database
from citizen_app.migrations.keep_data import ACCEPT_ENV, DowngradeRefused
from citizen_app.models import Base


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite")
        return
    name = "minsip_migrations_" + secrets.token_hex(4)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True, "render_as_batch": True}
            )
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(database.alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_upgrade_downgrade_and_upgrade_again(empty_database_url):
    url = empty_database_url
    model_tables = {t.name for t in Base.metadata.sorted_tables}

    database.upgrade(url)
    assert _tables(url) - {"alembic_version"} == model_tables

    database.downgrade(url, "base")
    assert _tables(url) - {"alembic_version"} == set()

    database.upgrade(url)
    assert _tables(url) - {"alembic_version"} == model_tables
    assert _schema_differences(url) == []


def test_after_upgrade_the_schema_matches_the_models(empty_database_url):
    database.upgrade(empty_database_url)
    differences = _schema_differences(empty_database_url)
    assert differences == [], "migrations and models disagree; write a migration for:\n" + "\n".join(
        map(repr, differences)
    )


def test_every_step_can_be_undone_and_redone(empty_database_url):
    """The stairway: up one revision, down one, up again — so each downgrade really undoes its upgrade."""
    url = empty_database_url
    revisions = _revisions()
    assert revisions, "no migrations found"
    previous = "base"
    for revision in revisions:
        database.upgrade(url, revision)
        tables_after_upgrade = _tables(url)
        database.downgrade(url, previous)
        database.upgrade(url, revision)
        assert _tables(url) == tables_after_upgrade, revision
        previous = revision
    assert _schema_differences(url) == []


def test_the_comparison_would_see_a_missing_migration(empty_database_url):
    """compare_metadata must be able to fail: drop a table the models have, and it must report it."""
    database.upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE audit_entry"))
    finally:
        engine.dispose()
    differences = _schema_differences(empty_database_url)
    assert any(d[0] == "add_table" and d[1].name == "audit_entry" for d in differences), differences


# --- Downgrades on a database with data [issue 12] ---------------------------------------------------------


def _value_for(column):
    """A representative, non-empty value of the column's type (what a real row would hold)."""
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return 7
    if isinstance(kind, Numeric | Float):
        return 1.5
    if isinstance(kind, DateTime):
        return datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
    if isinstance(kind, Date):
        return date(2026, 5, 4)
    if isinstance(kind, Time):
        return time(3, 2, 1)
    if isinstance(kind, JSON):
        return {"kept": [1, "två"]}
    if isinstance(kind, LargeBinary):
        return b"kept"
    if isinstance(kind, String):
        return f"kept {column.table.name}.{column.name}"[: kind.length or 200]
    raise AssertionError(f"no test value for {column.table.name}.{column.name} ({kind!r}): add one here")


def _fill(url: str) -> None:
    """A row in every table with every column set (nullable ones too), foreign keys pointing at rows made
    before: a table without rows gets one, and a column an upgrade added to existing rows gets a value. The
    schema is read from the database, so each revision is filled in its own shape."""
    engine = create_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.begin() as conn:
            rows: dict[str, dict] = {}
            for table in tables.sorted_tables:
                if table.name == "alembic_version":
                    continue
                found = conn.execute(select(table).limit(1)).first()
                values = {}
                for column in table.columns:
                    if found is not None and found._mapping[column.name] is not None:
                        continue
                    link = next(iter(column.foreign_keys), None)
                    if link is not None:
                        target = rows.get(link.column.table.name)
                        if target is None and link.column.table.name == table.name and found is not None:
                            target = dict(found._mapping)  # a link to its own table: the row itself
                        assert target is not None or column.nullable, f"{table.name}.{column.name}"
                        values[column.name] = target[link.column.name] if target else None
                    elif not (column.primary_key and isinstance(column.type, Integer)):
                        values[column.name] = _value_for(column)
                if found is None:
                    conn.execute(table.insert().values(values))
                elif values:
                    conn.execute(table.update().values(values))  # the only row
                rows[table.name] = dict(conn.execute(select(table).limit(1)).first()._mapping)
    finally:
        engine.dispose()


def _snapshot(url: str) -> dict[str, dict[str, list]]:
    """Every value in the database: {table: {column: [value of each row, in primary-key order]}}."""
    engine = create_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as conn:
            found = {}
            for table in tables.sorted_tables:
                if table.name == "alembic_version":
                    continue
                rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                found[table.name] = {c.name: [row._mapping[c.name] for row in rows] for c in table.columns}
            return found
    finally:
        engine.dispose()


def _current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _kept(before: dict, after: dict) -> list[str]:
    """What the older schema still has a place for but holds differently (must be empty)."""
    return [
        f"{table}.{column}"
        for table, columns in after.items()
        for column, values in columns.items()
        if table in before and column in before[table] and values != before[table][column]
    ]


def _by_table(names: set[str]) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for name in sorted(names):
        table, _, column = name.partition(".")
        tables.setdefault(table, []).append(column)
    return {t: c if len(c) <= 3 else [f"{len(c)} columns"] for t, c in tables.items()}


def test_every_downgrade_keeps_the_data_it_can_and_refuses_to_drop_data(empty_database_url, monkeypatch):
    """Up to each revision, put data in every table and column, down one revision, up again."""
    url = empty_database_url
    monkeypatch.delenv(ACCEPT_ENV, raising=False)
    script = ScriptDirectory.from_config(database.alembic_config(url))
    previous = "base"
    for revision in _revisions():
        database.upgrade(url, revision)
        _fill(url)
        before = _snapshot(url)

        refusal = None
        try:
            database.downgrade(url, previous)
        except DowngradeRefused as refused:
            refusal = str(refused)
            assert _current_revision(url) == revision and _snapshot(url) == before, (
                "a refusal changes nothing"
            )
            monkeypatch.setenv(ACCEPT_ENV, revision)
            database.downgrade(url, previous)
            monkeypatch.delenv(ACCEPT_ENV)
        after = _snapshot(url)

        dropped = {f"{t}.{c}" for t, columns in before.items() for c in columns if c not in after.get(t, {})}
        # Drops a migration declares harmless (NOTHING_LOST: "table" or "table.column") need no refusal.
        harmless = set(getattr(script.get_revision(revision).module, "NOTHING_LOST", {}))
        lost = {name for name in dropped if name not in harmless and name.split(".")[0] not in harmless}
        if lost:
            assert refusal is not None, f"{revision} dropped data without asking: {_by_table(lost)}"
            assert f"revision {revision}" in refusal and f"{ACCEPT_ENV}={revision}" in refusal, refusal
            assert all(name.split(".")[0] in refusal for name in lost), (sorted(lost), refusal)
        else:
            assert refusal is None, f"{revision} refused although it drops no data: {refusal}"
        assert _kept(before, after) == [], f"downgrading {revision} changed data it kept"

        database.upgrade(url, revision)
        assert _kept(after, _snapshot(url)) == [], f"upgrading to {revision} again changed data"
        previous = revision
    assert _schema_differences(url) == []


def _at_0009_with_a_sent_plan(url: str) -> None:
    database.upgrade(url, "0009")
    _fill(url)  # the plan version's sent_at is set: it was sent to the person for reading


def test_downgrading_0009_refuses_while_any_plan_has_been_sent(empty_database_url, monkeypatch):
    monkeypatch.delenv(ACCEPT_ENV, raising=False)
    _at_0009_with_a_sent_plan(empty_database_url)
    with pytest.raises(DowngradeRefused) as refused:
        database.downgrade(empty_database_url, "0008")
    assert (
        "1 value(s) in plan_version.sent_at (which plan versions were sent to the person for reading)"
        in str(refused.value)
    )
    assert f"set {ACCEPT_ENV}=0009" in str(refused.value)
    assert _current_revision(empty_database_url) == "0009"

    monkeypatch.setenv(ACCEPT_ENV, "0009")  # the operator accepts the loss
    database.downgrade(empty_database_url, "0008")
    assert _current_revision(empty_database_url) == "0008"
    assert _snapshot(empty_database_url)["plan_version"]["number"] == [7]  # the plan itself is kept


def test_downgrading_0009_goes_ahead_when_no_plan_has_been_sent(empty_database_url, monkeypatch):
    monkeypatch.delenv(ACCEPT_ENV, raising=False)
    _at_0009_with_a_sent_plan(empty_database_url)
    engine = create_engine(empty_database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE plan_version SET sent_at = NULL"))
    engine.dispose()
    database.downgrade(empty_database_url, "0008")
    assert _current_revision(empty_database_url) == "0008"


def test_a_request_about_a_person_not_yet_identified_stops_the_downgrade_of_0002(
    empty_database_url, monkeypatch
):
    """The older schema needs a person on every SIP: no setting can make room for such a request."""
    database.upgrade(empty_database_url, "0002")
    _fill(empty_database_url)
    engine = create_engine(empty_database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE sip_case SET subject_id = NULL"))
    engine.dispose()
    monkeypatch.setenv(ACCEPT_ENV, "all")
    with pytest.raises(DowngradeRefused, match="about a person not yet identified"):
        database.downgrade(empty_database_url, "0001")
    assert _current_revision(empty_database_url) == "0002"


def test_downgrading_0021_refuses_while_a_unit_is_marked_fast_vardkontakt(empty_database_url, monkeypatch):
    """unit.is_fixed_care_contact is never NULL: only a unit marked true is data the downgrade would lose."""
    monkeypatch.delenv(ACCEPT_ENV, raising=False)
    url = empty_database_url
    database.upgrade(url, "0021")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO principal (public_id, name, kind) VALUES ('p1', 'Region', 'REGION')"))
        conn.execute(
            text(
                "INSERT INTO unit (public_id, principal_id, name, kind, is_fixed_care_contact) "
                "SELECT 'u1', id, 'Vårdcentralen', 'PRIMARY_CARE', true FROM principal"
            )
        )
    with pytest.raises(DowngradeRefused) as refused:
        database.downgrade(url, "0022")
    assert "1 unit(s) in table unit marked fast vårdkontakt" in str(refused.value)
    assert f"{ACCEPT_ENV}=0021" in str(refused.value) and _current_revision(url) == "0021"
    with engine.begin() as conn:
        conn.execute(text("UPDATE unit SET is_fixed_care_contact = false"))
    engine.dispose()
    database.downgrade(url, "0022")  # a unit not marked loses nothing
    assert _current_revision(url) == "0022"
