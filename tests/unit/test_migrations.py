"""Alembic migrations run from empty to head, back to base and up again, and give the schema the models
describe [QUALITY 5]. On SQLite by default; on PostgreSQL when TEST_DATABASE_URL is set.

Each test gets its own throw-away database (a temporary SQLite file, or a new PostgreSQL database on the same
server), so the shared test database is never touched.
"""

from __future__ import annotations

import os
import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url, text

from citizen_app import database
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
