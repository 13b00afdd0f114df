"""Backup and restore [issue 18], as the README's production section tells an operator to do it: ``pg_dump``
of a database with data (the demo people and their SIPs), ``pg_restore`` into a new database, and the app on
the restored one reads every SIP, with the identity numbers decrypting and people found at sign-in.

And why the keys belong with the backup: the same dump read with other keys gives no identity number back
and finds nobody by theirs (a returning person would get a second, empty account).

PostgreSQL only (TEST_DATABASE_URL, with pg_dump and pg_restore installed); skipped with a message otherwise.
Its two databases are derived from TEST_DATABASE_URL, created and dropped.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import create_engine, make_url, select, text

from citizen_app import create_app, database
from citizen_app.extensions import db
from citizen_app.models import Person, SipCase
from citizen_app.services import people
from citizen_app.services.demo import load_demo_data
from tests.support.clients import CheckingClient


@pytest.fixture
def two_databases():
    """(the live database, the one a backup is restored into): empty, of this test's own; dropped after."""
    shared = os.environ.get("TEST_DATABASE_URL", "")
    if not shared.startswith("postgresql"):
        pytest.skip("backup and restore need PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...")
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install -y postgresql-client)")
    base = make_url(shared)
    names = [f"{base.database}_backup_live", f"{base.database}_backup_restored"]
    admin = create_engine(shared, isolation_level="AUTOCOMMIT")

    def drop_all() -> None:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop_all()
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    finally:
        drop_all()
        admin.dispose()


def _libpq(url: str) -> str:
    """The URL as pg_dump and psql take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _app(url: str, **config):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "localhost", **config})
    app.test_client_class = CheckingClient
    return app


def _sips_with_identity_numbers() -> dict[str, tuple[str, str]]:
    """Every SIP with a person: its public id -> (the person's name, their identity number, decrypted)."""
    rows = db.session.execute(select(SipCase.public_id, Person).join(Person, SipCase.subject_id == Person.id))
    return {public_id: (person.display_name, people.identity_number_of(person)) for public_id, person in rows}


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout}\n{result.stderr}"


def test_a_dump_restored_into_a_new_database_is_read_by_the_app_with_its_keys(two_databases, tmp_path):
    live, restored = two_databases
    database.upgrade(live)
    app = _app(live)
    with app.app_context():
        load_demo_data()
        db.session.commit()
        before = _sips_with_identity_numbers()
        db.session.remove()
        db.engine.dispose()
    assert len(before) >= 4 and ("Karl Nyström", "194401309879") in before.values()

    dump = tmp_path / "minsip.dump"
    _run("pg_dump", "--format=custom", "--no-owner", "--file", str(dump), _libpq(live))
    _run("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", _libpq(restored), str(dump))

    app = _app(restored)
    with app.app_context():
        client = app.test_client()
        assert client.get("/readyz").json == {"status": "ready"}  # the restored schema is at head
        assert _sips_with_identity_numbers() == before
        karl = people.find_person_by_identity("19440130-9879")  # as e-ID sign-in finds him
        assert karl is not None and karl.display_name == "Karl Nyström"
        # Karl signs in on the restored database and opens his SIP.
        token = client.csrf_token("/logga-in/testidentitet")
        form = {"identity": karl.get_id(), "csrf_token": token}
        signed_in = client.post("/logga-in/testidentitet", data=form)
        assert signed_in.status_code == 303
        (karl_sip,) = [public_id for public_id, (name, _) in before.items() if name == "Karl Nyström"]
        page = client.get(f"/sip/{karl_sip}")
        assert page.status_code == 200 and "Karl" in page.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()

    # The same backup with other keys: the numbers do not decrypt, and nobody is found by theirs.
    other_keys = _app(
        restored,
        IDENTITY_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        IDENTITY_HASH_KEY=secrets.token_urlsafe(48),
    )
    with other_keys.app_context():
        with pytest.raises(InvalidToken):
            _sips_with_identity_numbers()
        assert people.find_person_by_identity("19440130-9879") is None
        db.session.remove()
        db.engine.dispose()
