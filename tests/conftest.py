"""Shared fixtures: the app on a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL), a clean
database for every test, the page-checking client, and a query counter."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from sqlalchemy import event, text

from citizen_app import create_app, database
from citizen_app.extensions import db
from citizen_app.models import Base
from tests.support.clients import CheckingClient


def _own_services_per_worker() -> None:
    """pytest-xdist runs the suite in several processes (pyproject: ``-n``). Each worker gets a PostgreSQL
    database and a Redis db of its own, derived from TEST_DATABASE_URL and TEST_REDIS_URL, so workers never
    empty each other's tables. Set here, before any test module reads the environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", … (unset without xdist)
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    shared = os.environ.get("TEST_DATABASE_URL")
    if shared:
        from sqlalchemy import create_engine, make_url

        base = make_url(shared)
        name = f"{base.database}_{worker}"
        admin = create_engine(shared, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        os.environ["TEST_DATABASE_URL"] = base.set(database=name).render_as_string(hide_password=False)
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    head, _, db_number = redis_url.rpartition("/")
    if db_number.isdigit():  # count down from the given db: 15, 14, 13 …
        os.environ["TEST_REDIS_URL"] = f"{head}/{int(db_number) - number}"


_own_services_per_worker()


def pytest_sessionstart(session) -> None:
    """The app only reads compiled catalogues (.mo). Compile the checkout's .po files once, as the README's
    ``pybabel compile -d translations`` does, so the tests see the English as the .po has it now. Under
    pytest-xdist only the controlling process does it (before the workers start): no two write the files."""
    if hasattr(session.config, "workerinput"):
        return
    translations = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations")
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "-d", translations], check=True
    )


def pytest_collection_modifyitems(config, items) -> None:
    """A browser test that fails gets one more try; no other test does.

    Headless Chromium on a loaded two-core CI machine drops events now and then: a DevTools push never
    delivered, a service worker whose install did not finish in time, once a page that did not show the action
    it showed in every other run (stops 21-23 each failed CI on one such test, a different one each time, and
    each passed on every rerun here). A real failure fails twice and still fails CI; a rerun is listed as
    "RERUN" in the summary (-ra), so a test that starts needing one is seen. Unit and web tests are never
    rerun: their failures are never the browser's."""
    for item in items:
        if item.get_closest_marker("browser") is not None and item.get_closest_marker("flaky") is None:
            item.add_marker(pytest.mark.flaky(reruns=1))


def _database_url(tmp_dir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or "sqlite:///" + os.path.join(tmp_dir, "test.sqlite")


@pytest.fixture(scope="session")
def database_url():
    with tempfile.TemporaryDirectory() as tmp:
        url = _database_url(tmp)
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            _drop_everything()
            database.upgrade(url)
            db.engine.dispose()
        yield url
        with app.app_context():
            db.engine.dispose()


def _drop_everything() -> None:
    """Start from empty so the migrations really run from nothing (also on a reused PostgreSQL)."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def app(database_url):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "localhost"})
    app.test_client_class = CheckingClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 (names from our own metadata)


@pytest.fixture
def client(app) -> CheckingClient:
    return app.test_client()


@pytest.fixture
def demo_data(app):
    from citizen_app.services.demo import load_demo_data

    load_demo_data()
    db.session.commit()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run while the test runs (use as ``with count_queries() as q``)."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
