"""Configuration: production refuses to start without its secrets, MINSIP_ENV is checked, and the demo
sign-in page cannot exist on a production app."""

from __future__ import annotations

import os
import re

import pytest

from citizen_app import create_app, database
from citizen_app.config import ConfigError
from citizen_app.extensions import db
from tests.support.clients import CheckingClient

REQUIRED = ("SECRET_KEY", "IDENTITY_HASH_KEY", "IDENTITY_ENCRYPTION_KEY", "DATABASE_URL")


@pytest.fixture
def clean_env(monkeypatch):
    """No MINSIP_* or OIDC settings from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("MINSIP_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def production_env(clean_env, tmp_path):
    clean_env.setenv("MINSIP_SECRET_KEY", "a-long-random-production-secret")
    clean_env.setenv("MINSIP_IDENTITY_HASH_KEY", "a-long-random-hash-key")
    clean_env.setenv("MINSIP_IDENTITY_ENCRYPTION_KEY", "cHJvZHVjdGlvbi1lbmNyeXB0aW9uLWtleS0zMi1ieXQ=")
    clean_env.setenv("MINSIP_DATABASE_URL", "sqlite:///" + str(tmp_path / "production.sqlite"))
    return clean_env


def _serve(app):
    app.test_client_class = CheckingClient
    return app.app_context()


@pytest.fixture
def production_client(production_env):
    app = create_app("production")
    with _serve(app):
        database.upgrade()  # sessions live in the database
        yield app.test_client()
        db.engine.dispose()


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without_a_secret(production_env, missing):
    production_env.delenv("MINSIP_" + missing)
    with pytest.raises(ConfigError, match="MINSIP_" + missing):
        create_app("production")


def test_production_is_the_default_mode(clean_env):
    with pytest.raises(ConfigError, match="Production needs"):
        create_app()


@pytest.mark.parametrize("value", ["staging", "Production", "prod", ""])
def test_an_unknown_minsip_env_is_refused(clean_env, value):
    clean_env.setenv("MINSIP_ENV", value)
    with pytest.raises(ConfigError, match="MINSIP_ENV must be production, demo or test"):
        create_app()


def test_minsip_env_chooses_the_mode(clean_env, tmp_path):
    clean_env.setenv("MINSIP_ENV", "demo")
    clean_env.setenv("MINSIP_DATABASE_URL", "sqlite:///" + str(tmp_path / "demo.sqlite"))
    app = create_app()
    assert app.config["MINSIP_MODE"] == "demo"
    assert app.config["DEMO_LOGIN_ENABLED"] is True


def test_production_has_no_test_identity_page(production_client):
    assert production_client.get("/logga-in/testidentitet").status_code == 404


def test_production_refuses_a_test_identity_post(production_client):
    html = production_client.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = production_client.post(
        "/logga-in/testidentitet", data={"identity": "p:x", "csrf_token": token}
    )
    assert response.status_code == 404
    with production_client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize("path", ["/logga-in", "/personal/logga-in"])
def test_production_sign_in_pages_show_no_test_link(production_client, path):
    html = production_client.get(path).get_data(as_text=True)
    assert "testidentitet" not in html
    assert "Testläge" not in html
    # Nothing configured for e-ID either: the page says sign-in does not work, not a broken button.
    assert "Inloggningen fungerar inte just nu" in html


def test_a_config_override_cannot_open_the_test_page_in_production(production_env):
    app = create_app("production", {"DEMO_LOGIN_ENABLED": True})
    with _serve(app):
        client = app.test_client()
        assert client.get("/logga-in/testidentitet").status_code == 404
        assert "testidentitet" not in client.get("/logga-in").get_data(as_text=True)
        db.engine.dispose()


def test_production_with_e_id_settings_offers_e_id(production_env):
    production_env.setenv("MINSIP_OIDC_ISSUER", "https://e-id.example.se")
    production_env.setenv("MINSIP_OIDC_CLIENT_ID", "min-sip")
    production_env.setenv("MINSIP_OIDC_CLIENT_SECRET", "secret")
    app = create_app("production")
    with _serve(app):
        client = app.test_client()
        assert 'href="/logga-in/e-legitimation/invanare"' in client.get("/logga-in").get_data(as_text=True)
        staff_page = client.get("/personal/logga-in").get_data(as_text=True)
        assert 'href="/logga-in/e-legitimation/personal"' in staff_page  # staff fall back to the same client
        db.engine.dispose()


def test_production_session_cookie_is_secure_httponly_and_lax(production_client):
    response = production_client.get("/logga-in")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("minsip_session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in flags
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_behind_a_proxy_the_forwarded_address_and_scheme_are_trusted(monkeypatch):
    from flask import request

    from citizen_app import create_app, database

    for hops, expected in ((0, ("127.0.0.1", "http")), (1, ("203.0.113.7", "https"))):
        app = create_app("test", {"PROXY_HOPS": hops})

        @app.route("/whoami")
        def whoami():
            return f"{request.remote_addr} {request.scheme}"

        response = app.test_client().get(
            "/whoami", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        )
        assert tuple(response.get_data(as_text=True).split()) == expected
