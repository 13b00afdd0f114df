"""Settings, read from environment variables.

Three modes:
- ``demo``: the README's first command. SQLite in instance/, a test-identity sign-in page, generated keys.
- ``test``: like demo but with a throw-away database chosen by the tests.
- ``production``: the default when MINSIP_ENV is unset. Refuses to start without its secrets, or with a weak,
  malformed or public one (``check_production_keys``), and can never show the test-identity page (see
  ``demo_login_enabled``).
"""

from __future__ import annotations

import base64
import functools
import os
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet

ENV_PREFIX = "MINSIP_"


class ConfigError(RuntimeError):
    """Raised when production configuration is missing a required secret, or has a weak or public one."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    identity_hash_key: str
    identity_encryption_key: str


# Fixed, public keys for demo and test only. Production must set its own (ConfigError otherwise), and refuses
# these and any other key written in the source (see check_production_keys).
_DEMO_SECRETS = Secrets(
    secret_key="demo-only-secret-key-not-for-production",  # noqa: S106 (public on purpose, never in production)
    identity_hash_key="demo-only-identity-hash-key",
    identity_encryption_key="ZGVtby1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU=",
)

# The rule for MINSIP_SECRET_KEY and MINSIP_IDENTITY_HASH_KEY in production [issue 12]: at least 43
# characters (32 random bytes written as URL-safe text: what ``secrets.token_urlsafe(32)`` prints) and at
# least 10 different characters. No rule can prove a key random; this one stops the usual mistakes: a short
# word, one character repeated, a key copied from the source. The one-liners below make keys that always pass.
MIN_KEY_LENGTH = 43
MIN_DIFFERENT_CHARACTERS = 10
MAKE_SECRET_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"  # noqa: S105 (a command)
MAKE_FERNET_KEY = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
_SOURCE_SUFFIXES = (".py", ".toml", ".md", ".mako", ".ini", ".cfg", ".txt", ".html")


@functools.cache
def _source_text() -> str:
    """Every text file of the installed package (and the templates and README beside it, when they are
    there): a key found in it is public, whatever it looks like."""
    package = os.path.dirname(os.path.abspath(__file__))
    project = os.path.dirname(package)
    roots = [package, os.path.join(project, "templates")]
    files = [os.path.join(project, "README.md")]
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            files += [os.path.join(dirpath, name) for name in filenames if name.endswith(_SOURCE_SUFFIXES)]
    parts = []
    for path in files:
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="ignore") as fh:
                parts.append(fh.read())
    return "\n".join(parts)


def _is_public(value: str) -> bool:
    return value in {_DEMO_SECRETS.secret_key, _DEMO_SECRETS.identity_hash_key} or value in _source_text()


def _text_key_problem(value: str) -> str | None:
    if len(value) < MIN_KEY_LENGTH:
        return f"is too short: use at least {MIN_KEY_LENGTH} random characters"
    if len(set(value)) < MIN_DIFFERENT_CHARACTERS:
        return f"repeats a few characters: use at least {MIN_DIFFERENT_CHARACTERS} different random ones"
    if _is_public(value):
        return "is written in Min SIP's source code (a demo or example key), so it is public"
    return None


def _fernet_key_problem(value: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(value.encode())
        Fernet(value.encode())
    except ValueError:  # binascii.Error is a ValueError too
        return "is not a Fernet key (32 random bytes, URL-safe base64, 44 characters)"
    if len(set(raw)) < MIN_DIFFERENT_CHARACTERS:
        return "is a Fernet key made of a few repeated bytes, not random ones"
    if value == _DEMO_SECRETS.identity_encryption_key or value in _source_text():
        return "is written in Min SIP's source code (a demo or example key), so it is public"
    return None


def check_production_keys(keys: Secrets) -> None:
    """Refuse to start production with a weak, malformed or public key [issue 12]. The message names each bad
    variable and how to make a good key, never the key itself (it may end up in a log)."""
    problems = []
    for name, value in (("SECRET_KEY", keys.secret_key), ("IDENTITY_HASH_KEY", keys.identity_hash_key)):
        problem = _text_key_problem(value)
        if problem:
            problems.append(f"{ENV_PREFIX}{name} {problem}. Make one with: {MAKE_SECRET_KEY}")
    problem = _fernet_key_problem(keys.identity_encryption_key)
    if problem:
        problems.append(f"{ENV_PREFIX}IDENTITY_ENCRYPTION_KEY {problem}. Make one with: {MAKE_FERNET_KEY}")
    if len({keys.secret_key, keys.identity_hash_key, keys.identity_encryption_key}) < 3:
        problems.append(
            f"{ENV_PREFIX}SECRET_KEY, {ENV_PREFIX}IDENTITY_HASH_KEY and {ENV_PREFIX}IDENTITY_ENCRYPTION_KEY "
            "must be three different keys: make each one on its own."
        )
    if problems:
        raise ConfigError("Production refuses to start with these keys:\n- " + "\n- ".join(problems))


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _seconds(name: str, default: str) -> float:
    try:
        return float(_env(name, default) or default)
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}{name} must be a number of seconds, e.g. {default}") from None


def _check_register(config: dict, production: bool) -> None:
    """One register source at most; over HTTP with credentials, and in production over https only."""
    if config["REGISTER_FILE"] and config["REGISTER_URL"]:
        raise ConfigError(
            f"Set either {ENV_PREFIX}REGISTER_FILE or {ENV_PREFIX}REGISTER_URL, not both: "
            "the population register is read from one source."
        )
    url = config["REGISTER_URL"]
    if not url:
        return
    if not url.startswith(("https://", "http://")):
        raise ConfigError(
            f"{ENV_PREFIX}REGISTER_URL must be an http(s) address, e.g. https://register.example.se/v1"
        )
    if production and not url.startswith("https://"):
        raise ConfigError(
            f"{ENV_PREFIX}REGISTER_URL must use https in production: it carries identity numbers."
        )
    has_token = bool(config["REGISTER_TOKEN"])
    has_password = bool(config["REGISTER_USERNAME"] and config["REGISTER_PASSWORD"])
    if not has_token and not has_password:
        raise ConfigError(
            f"{ENV_PREFIX}REGISTER_URL needs credentials: {ENV_PREFIX}REGISTER_TOKEN, or "
            f"{ENV_PREFIX}REGISTER_USERNAME and {ENV_PREFIX}REGISTER_PASSWORD."
        )
    if config["REGISTER_TIMEOUT"] <= 0:
        raise ConfigError(f"{ENV_PREFIX}REGISTER_TIMEOUT must be a number of seconds above 0.")


def build_config(mode: str | None, instance_path: str, overrides: dict | None = None) -> dict:
    """Return the Flask config for ``mode`` ("production", "demo" or "test")."""
    mode = mode or _env("ENV", "production")
    if mode not in {"production", "demo", "test"}:
        raise ConfigError(f"MINSIP_ENV must be production, demo or test, not {mode!r}")
    production = mode == "production"
    log_level = (_env("LOG_LEVEL", "INFO") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"MINSIP_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")

    if production:
        missing = [
            ENV_PREFIX + n
            for n in ("SECRET_KEY", "IDENTITY_HASH_KEY", "IDENTITY_ENCRYPTION_KEY", "DATABASE_URL")
            if not _env(n)
        ]
        if missing:
            raise ConfigError("Production needs these environment variables: " + ", ".join(missing))
        secrets = Secrets(
            secret_key=_env("SECRET_KEY") or "",
            identity_hash_key=_env("IDENTITY_HASH_KEY") or "",
            identity_encryption_key=_env("IDENTITY_ENCRYPTION_KEY") or "",
        )
        check_production_keys(secrets)
    else:
        secrets = Secrets(
            secret_key=_env("SECRET_KEY", _DEMO_SECRETS.secret_key) or "",
            identity_hash_key=_env("IDENTITY_HASH_KEY", _DEMO_SECRETS.identity_hash_key) or "",
            identity_encryption_key=_env("IDENTITY_ENCRYPTION_KEY", _DEMO_SECRETS.identity_encryption_key)
            or "",
        )

    default_db = "sqlite:///" + os.path.join(instance_path, "minsip.sqlite")
    config: dict = {
        "MINSIP_MODE": mode,
        "SECRET_KEY": secrets.secret_key,
        "IDENTITY_HASH_KEY": secrets.identity_hash_key,
        "IDENTITY_ENCRYPTION_KEY": secrets.identity_encryption_key,
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # The test-identity page exists only outside production; nothing in the environment can turn it on
        # for a production app, because this value is computed from the mode, not read from a variable.
        "DEMO_LOGIN_ENABLED": not production,
        # Sessions [QUALITY 4]: Secure, HttpOnly, SameSite=Lax, 30 min idle, 12 h absolute.
        "SESSION_COOKIE_SECURE": production or _env("COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "minsip_session",
        # The session lives on the server (sessions.py); the cookie holds only its id. A signed-in session's
        # cookie lasts as long as the absolute limit; both limits are checked against the server's times.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
        "WTF_CSRF_SSL_STRICT": production,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "LANGUAGES": ("sv", "en"),
        # OpenID Connect against the county's e-ID broker (BankID / Freja eID).
        "OIDC_ISSUER": _env("OIDC_ISSUER"),
        "OIDC_CLIENT_ID": _env("OIDC_CLIENT_ID"),
        "OIDC_CLIENT_SECRET": _env("OIDC_CLIENT_SECRET"),
        "OIDC_IDENTITY_CLAIM": _env("OIDC_IDENTITY_CLAIM", "personal_identity_number"),
        "OIDC_NAME_CLAIM": _env("OIDC_NAME_CLAIM", "name"),
        "OIDC_SCOPES": _env("OIDC_SCOPES", "openid profile"),
        "STAFF_OIDC_ISSUER": _env("STAFF_OIDC_ISSUER") or _env("OIDC_ISSUER"),
        "STAFF_OIDC_CLIENT_ID": _env("STAFF_OIDC_CLIENT_ID") or _env("OIDC_CLIENT_ID"),
        "STAFF_OIDC_CLIENT_SECRET": _env("STAFF_OIDC_CLIENT_SECRET") or _env("OIDC_CLIENT_SECRET"),
        # The staff claim with the HSA-id [issue 18]: a staff member added by HSA-id alone is found by it at
        # their first sign-in, which links their e-ID to them. Empty: staff are found by identity number only.
        "STAFF_OIDC_HSA_CLAIM": _env("STAFF_OIDC_HSA_CLAIM", "hsa_id"),
        # Rate limits [QUALITY 4]; REDIS_URL shares the counters between app servers.
        "RATELIMIT_STORAGE_URI": _env("REDIS_URL") or os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SIGN_IN_RATE_LIMIT": _env("SIGN_IN_RATE_LIMIT", "10 per minute"),
        "REDIS_URL": _env("REDIS_URL") or os.environ.get("REDIS_URL"),
        # How many reverse proxies in front of the app may set X-Forwarded-For/-Proto/-Host. Needed for
        # https return addresses at e-ID sign-in and per-person rate limits. 0: trust no forwarding header.
        "PROXY_HOPS": int(_env("PROXY_HOPS", "0") or "0"),
        # Web Push [issue 8]: keys from `flask vapid-keys`; the subject is a contact address.
        # Without keys (demo, test) the app makes a key pair once and keeps it in instance/ (vapid.json).
        "VAPID_PRIVATE_KEY": _env("VAPID_PRIVATE_KEY"),
        "VAPID_PUBLIC_KEY": _env("VAPID_PUBLIC_KEY"),
        "VAPID_SUBJECT": _env("VAPID_SUBJECT", "mailto:minsip@example.se"),
        # Background jobs: "rq" with REDIS_URL, else "thread" (in-process after the commit); tests use "sync".
        "JOBS_BACKEND": _env("JOBS_BACKEND"),
        # Mature minors [issue 15] [DA 4.2]: whether the county lets the coordinator record that a child
        # consents themself, and the age from which that is usual (a hint on the staff page, not a limit).
        "MATURE_MINORS_ALLOWED": _env("MATURE_MINORS_ALLOWED", "1") != "0",
        "MATURE_MINOR_AGE_HINT": int(_env("MATURE_MINOR_AGE_HINT", "15") or "15"),
        # Administrators of the county's organisation by HSA-id (comma-separated) [issue 18]: the first one of
        # a new installation; others are appointed on the administration pages.
        "ADMIN_HSA_IDS": _env("ADMIN_HSA_IDS", ""),
        # Retention [issue 18] (services/retention.py): days a closed SIP is kept after the day it closed, and
        # days an audit entry is kept. The README says why the defaults are two and five years.
        "RETENTION_CLOSED_SIP_DAYS": int(_env("RETENTION_CLOSED_SIP_DAYS", "730") or "730"),
        "RETENTION_AUDIT_DAYS": int(_env("RETENTION_AUDIT_DAYS", "1825") or "1825"),
        # Logs [issue 18] (logs.py): JSON lines on standard error at this level; WARNING drops access lines.
        "LOG_LEVEL": log_level,
        # E-mail and SMS [issue 18] (services/outreach.py). Without MINSIP_SMTP_HOST no e-mail is sent,
        # without MINSIP_SMS_GATEWAY_URL no SMS: the pages then say so and show the link or code instead.
        "SMTP_HOST": _env("SMTP_HOST"),
        # Implicit TLS (SMTPS, port 465) when MINSIP_SMTP_SSL=1; else STARTTLS on 587 unless turned off.
        "SMTP_SSL": _env("SMTP_SSL", "0") == "1",
        "SMTP_PORT": int(_env("SMTP_PORT") or ("465" if _env("SMTP_SSL", "0") == "1" else "587")),
        "SMTP_USERNAME": _env("SMTP_USERNAME"),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "SMTP_STARTTLS": _env("SMTP_STARTTLS", "1") != "0",
        # A CA bundle (PEM) to check the mail server's certificate against, for a county's own CA; else the
        # system's.
        "SMTP_CA_FILE": _env("SMTP_CA_FILE") or None,
        "MAIL_FROM": _env("MAIL_FROM", "Min SIP <no-reply@minsip.example.se>"),
        # An HTTP gateway with the 46elks API: POST form-encoded from/to/message, HTTP basic auth.
        "SMS_GATEWAY_URL": _env("SMS_GATEWAY_URL"),  # e.g. https://api.46elks.com/a1/sms
        "SMS_GATEWAY_USERNAME": _env("SMS_GATEWAY_USERNAME"),
        "SMS_GATEWAY_PASSWORD": _env("SMS_GATEWAY_PASSWORD"),
        "SMS_SENDER": _env("SMS_SENDER", "MinSIP"),  # 3-11 letters or digits, or a phone number
        # The address put in every e-mail and SMS (the app's start page), e.g. https://minsip.region.se
        "PUBLIC_URL": _env("PUBLIC_URL"),
        # At most one e-mail and one SMS about new messages per person per this many minutes.
        "OUTREACH_QUIET_MINUTES": int(_env("OUTREACH_QUIET_MINUTES", "60") or "60"),
        "SERVICE_CONTACT_EMAIL": _env("CONTACT_EMAIL", "minsip@example.se"),
        "SERVICE_CONTACT_PHONE": _env("CONTACT_PHONE", "010-123 45 67"),
        "SERVICE_ORGANISATION": _env("ORGANISATION", "Region Exempel och länets kommuner"),
        # Who is whose guardian with custody: the population register [issue 18]
        # (services/population_register). A file extract (CSV or JSON) or the county's register service over
        # HTTP; with neither, the relations in the database stay as they are (the demo, a pilot without one).
        "REGISTER_FILE": _env("REGISTER_FILE") or None,
        "REGISTER_URL": _env("REGISTER_URL") or None,
        "REGISTER_TOKEN": _env("REGISTER_TOKEN") or None,
        "REGISTER_USERNAME": _env("REGISTER_USERNAME") or None,
        "REGISTER_PASSWORD": _env("REGISTER_PASSWORD") or None,
        "REGISTER_TIMEOUT": _seconds("REGISTER_TIMEOUT", "5"),
        "REGISTER_CA_BUNDLE": _env("REGISTER_CA_BUNDLE") or None,
    }
    if mode == "test":
        config.update(
            TESTING=True,
            # A test chooses its register itself (a file, or the register server in tests/support).
            REGISTER_FILE=None,
            REGISTER_URL=None,
            SQLALCHEMY_DATABASE_URI=os.environ.get("TEST_DATABASE_URL")
            or "sqlite:///" + os.path.join(instance_path, "test.sqlite"),
            RATELIMIT_STORAGE_URI="memory://",
            JOBS_BACKEND=os.environ.get("TEST_JOBS_BACKEND") or "sync",
            REDIS_URL=None,
        )
    _check_register(config, production)
    if overrides:
        config.update(overrides)
    return config
