"""Health checks for the load balancer [issue 18]: ``/healthz`` (the process is up) and ``/readyz`` (the
database answers, its migrations are at head, Redis answers when configured).

Both answer anyone without signing in, read no personal data, write nothing (no audit row, no session, no
cookie) and cost at most one query. The outages are real: a private PostgreSQL cluster that is stopped and
started (tests/support/private_servers.py), a private redis-server that is killed, and a SQLite database
whose migrations stop one step before head.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from citizen_app import create_app, database
from citizen_app.extensions import db
from citizen_app.models import AuditEntry
from citizen_app.services import health
from tests.support.clients import CheckingClient
from tests.support.private_servers import PrivatePostgres, PrivateRedis


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_says_ready_on_a_migrated_database_with_one_query(client, count_queries):
    with count_queries() as queries:
        response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {"status": "ready"}
    assert queries.count == 1, queries.statements
    assert "alembic_version" in queries.statements[0]
    assert "Set-Cookie" not in response.headers


def test_the_checks_need_no_sign_in_and_leave_a_signed_in_session_alone(app, client, count_queries):
    from tests.support import factories

    person = factories.person("Anna Lind")
    client.sign_in_as(person)
    with count_queries() as queries:
        ready = client.get("/readyz")
        alive = client.get("/healthz")
    assert (ready.status_code, alive.status_code) == (200, 200)
    assert len(queries.statements) == 1  # the session's row was not read
    for response in (ready, alive):
        assert "Set-Cookie" not in response.headers
        assert "Anna" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0  # not audited


def test_readyz_is_503_while_the_migrations_are_behind_head(tmp_path):
    url = "sqlite:///" + str(tmp_path / "behind.sqlite")
    (head,) = health.migration_heads()
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    app.test_client_class = CheckingClient
    with app.app_context():
        client = app.test_client()
        assert client.get("/readyz").json == {"status": "unavailable", "reasons": ["migrations_not_at_head"]}
        database.upgrade(url, "0020")  # an older release's schema: upgrade-db has not run yet
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json == {"status": "unavailable", "reasons": ["migrations_not_at_head"]}
        assert client.get("/healthz").status_code == 200  # the process itself is fine: no restart
        database.upgrade(url, head)
        assert client.get("/readyz").status_code == 200
        db.engine.dispose()


@pytest.fixture
def private_postgres():
    server = PrivatePostgres.or_skip(5447)
    try:
        server.create()
        server.start()
        database.upgrade(server.url)
        yield server
    finally:
        server.remove()


def test_readyz_is_503_while_the_database_is_away_and_ready_again_after(private_postgres):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": private_postgres.url, "PROPAGATE_EXCEPTIONS": False})
    app.test_client_class = CheckingClient
    with app.app_context():
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        db.session.remove()
        private_postgres.stop()
        try:
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.json == {"status": "unavailable", "reasons": ["database_unreachable"]}
            assert "Set-Cookie" not in response.headers
            assert client.get("/healthz").status_code == 200
        finally:
            private_postgres.start()
        assert client.get("/readyz").status_code == 200  # back by itself, nothing restarted
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def redis_server():
    server = PrivateRedis.or_skip(6395)
    server.start()
    yield server
    server.kill()


def test_readyz_is_503_while_a_configured_redis_is_away(database_url, redis_server):
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_server.url,
            "PROPAGATE_EXCEPTIONS": False,
        },
    )
    app.test_client_class = CheckingClient
    with app.app_context():
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        redis_server.kill()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json == {"status": "unavailable", "reasons": ["redis_unreachable"]}
        redis_server.start()
        assert client.get("/readyz").status_code == 200
        db.engine.dispose()


def test_readyz_does_not_ask_for_redis_when_none_is_configured(client):
    # The test app has no REDIS_URL (jobs run in-process, limits in memory): ready without Redis.
    assert client.application.config["REDIS_URL"] is None
    assert client.get("/readyz").json == {"status": "ready"}
