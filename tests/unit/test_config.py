"""Configuration: production refuses to start without its secrets or with weak, malformed or public ones,
MINSIP_ENV is checked, and the demo sign-in page cannot exist on a production app."""

from __future__ import annotations

import base64
import os
import re
import secrets

import pytest
from cryptography.fernet import Fernet

from citizen_app import config, create_app, database
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
    """Good keys, made the way README "Configuration" says."""
    clean_env.setenv("MINSIP_SECRET_KEY", secrets.token_urlsafe(48))
    clean_env.setenv("MINSIP_IDENTITY_HASH_KEY", secrets.token_urlsafe(48))
    clean_env.setenv("MINSIP_IDENTITY_ENCRYPTION_KEY", Fernet.generate_key().decode())
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


MAKE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
MAKE_FERNET = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


def test_production_starts_with_keys_made_as_the_readme_says(production_env):
    app = create_app("production")
    assert app.config["MINSIP_MODE"] == "production"


@pytest.mark.parametrize("name", ["SECRET_KEY", "IDENTITY_HASH_KEY"])
@pytest.mark.parametrize(
    "weak,why",
    [
        pytest.param("a", "is too short", id="one letter"),
        # 42 characters: one short of 32 random bytes as URL-safe text
        pytest.param("Xq3vT9pL2mR8sK1wY6nB4cJ7hG5dF0zA_eU-iO3pQw", "is too short", id="42 characters"),
        pytest.param("a" * 64, "repeats a few characters", id="one letter repeated"),
        pytest.param("abcdefghi" * 5, "repeats a few characters", id="nine letters repeated"),
    ],
)
def test_production_refuses_a_weak_key_and_says_how_to_make_one(production_env, name, weak, why):
    production_env.setenv("MINSIP_" + name, weak)
    with pytest.raises(ConfigError) as refused:
        create_app("production")
    message = str(refused.value)
    assert f"MINSIP_{name} {why}" in message
    assert MAKE_SECRET in message
    if len(weak) > 1:
        assert weak not in message  # a key never goes to the log, not even a bad one


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("not-a-fernet-key", id="a word"),
        pytest.param(secrets.token_urlsafe(48), id="a good secret key, but not a Fernet key"),
        pytest.param(base64.urlsafe_b64encode(secrets.token_bytes(16)).decode(), id="16 bytes, not 32"),
    ],
)
def test_production_refuses_an_invalid_fernet_key_and_says_how_to_make_one(production_env, bad):
    production_env.setenv("MINSIP_IDENTITY_ENCRYPTION_KEY", bad)
    with pytest.raises(ConfigError) as refused:
        create_app("production")
    message = str(refused.value)
    assert "MINSIP_IDENTITY_ENCRYPTION_KEY is not a Fernet key" in message
    assert MAKE_FERNET in message


def test_production_refuses_a_fernet_key_of_repeated_bytes(production_env):
    production_env.setenv("MINSIP_IDENTITY_ENCRYPTION_KEY", base64.urlsafe_b64encode(bytes(32)).decode())
    with pytest.raises(ConfigError, match="MINSIP_IDENTITY_ENCRYPTION_KEY is a Fernet key made of a few"):
        create_app("production")


@pytest.mark.parametrize(
    "name,demo_key",
    [
        ("SECRET_KEY", config._DEMO_SECRETS.secret_key),
        ("IDENTITY_HASH_KEY", config._DEMO_SECRETS.identity_hash_key),
        ("IDENTITY_ENCRYPTION_KEY", config._DEMO_SECRETS.identity_encryption_key),
    ],
)
def test_production_refuses_the_demo_keys(production_env, name, demo_key):
    production_env.setenv("MINSIP_" + name, demo_key)
    with pytest.raises(ConfigError, match="MINSIP_" + name):
        create_app("production")


def test_production_refuses_the_demo_encryption_key_because_it_is_public(production_env):
    """A valid Fernet key, but printed in config.py for everyone to read."""
    production_env.setenv("MINSIP_IDENTITY_ENCRYPTION_KEY", config._DEMO_SECRETS.identity_encryption_key)
    with pytest.raises(ConfigError, match="IDENTITY_ENCRYPTION_KEY is written in Min SIP's source code"):
        create_app("production")


def test_production_refuses_any_key_written_in_the_source(production_env):
    """Long and varied, but public: here the README's command itself, pasted instead of what it prints."""
    production_env.setenv("MINSIP_SECRET_KEY", MAKE_SECRET)
    with pytest.raises(ConfigError, match="MINSIP_SECRET_KEY is written in Min SIP's source code"):
        create_app("production")


def test_production_refuses_the_same_key_for_two_purposes(production_env):
    production_env.setenv("MINSIP_IDENTITY_HASH_KEY", os.environ["MINSIP_SECRET_KEY"])
    with pytest.raises(ConfigError, match="must be three different keys"):
        create_app("production")


def test_every_bad_key_is_named_at_once(production_env):
    production_env.setenv("MINSIP_SECRET_KEY", "a")
    production_env.setenv("MINSIP_IDENTITY_ENCRYPTION_KEY", "b")
    with pytest.raises(ConfigError) as refused:
        create_app("production")
    assert "MINSIP_SECRET_KEY is too short" in str(refused.value)
    assert "MINSIP_IDENTITY_ENCRYPTION_KEY is not a Fernet key" in str(refused.value)


@pytest.mark.parametrize("mode", ["demo", "test"])
def test_demo_and_test_keep_their_public_keys(clean_env, tmp_path, mode):
    clean_env.setenv("MINSIP_DATABASE_URL", "sqlite:///" + str(tmp_path / "demo.sqlite"))
    app = create_app(mode)
    assert app.config["SECRET_KEY"] == config._DEMO_SECRETS.secret_key


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

    from citizen_app import create_app

    for hops, expected in ((0, ("127.0.0.1", "http")), (1, ("203.0.113.7", "https"))):
        app = create_app("test", {"PROXY_HOPS": hops})

        @app.route("/whoami")
        def whoami():
            return f"{request.remote_addr} {request.scheme}"

        response = app.test_client().get(
            "/whoami", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        )
        assert tuple(response.get_data(as_text=True).split()) == expected
