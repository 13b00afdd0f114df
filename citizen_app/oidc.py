"""OpenID Connect sign-in against the county's e-ID broker (BankID / Freja eID), for citizens and staff.

The authorization code flow with PKCE (S256), ``state`` and ``nonce``, done by authlib's Flask client:
``state`` and the PKCE verifier live in the (signed) session between the redirect and the return, the ID
token's signature, issuer, audience, expiry and nonce are checked against the provider's discovery document.

Two audiences, each with its own client settings (the broker may give staff a separate client):
- ``invanare`` (citizens): OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET;
- ``personal`` (staff): STAFF_OIDC_* (falling back to the citizen settings, see config.py).
Both read the personal identity number from the claim named by OIDC_IDENTITY_CLAIM and the name from
OIDC_NAME_CLAIM, from the ID token or, if the broker only puts them there, from the userinfo endpoint.

Everything that can go wrong on the way (a forged or stale ``state``, an error or a cancel at the provider, a
provider that cannot be reached, a bad token, a missing or malformed identity number) becomes ``SignInFailed``
with a reason, so the web layer can show a clear page and never a 500.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App, OAuthError
from flask import current_app
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from citizen_app.services import identity

log = logging.getLogger(__name__)

# The URL word for each kind of user, and the prefix of its client settings in the config.
_CONFIG_PREFIX = {"invanare": "OIDC_", "personal": "STAFF_OIDC_"}
AUDIENCES = tuple(_CONFIG_PREFIX)
_EXTENSION = "minsip.oidc"
_TIMEOUT_SECONDS = 10

Reason = Literal["state", "cancelled", "provider", "unreachable", "token", "identity"]


class SignInFailed(Exception):
    """The e-ID sign-in could not be completed; ``reason`` says which kind of failure it was."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason


class NotConfigured(Exception):
    """No OpenID Connect client is configured for this audience."""


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    identity_claim: str
    name_claim: str
    hsa_claim: str = ""  # staff only: the claim with the HSA-id, if the broker gives one [issue 18]


@dataclass(frozen=True)
class VerifiedIdentity:
    """What the e-ID broker vouched for: a normalised 12-digit identity number and a display name; for staff
    also the HSA-id when the broker gives it (None otherwise)."""

    identity_number: str
    name: str
    hsa_id: str | None = None


def settings_for(audience: str) -> Settings:
    config = current_app.config
    prefix = _CONFIG_PREFIX.get(audience)
    if prefix is None:
        raise NotConfigured(audience)
    issuer = config.get(prefix + "ISSUER")
    client_id = config.get(prefix + "CLIENT_ID")
    if not issuer or not client_id:
        raise NotConfigured(audience)
    return Settings(
        issuer=issuer.rstrip("/"),
        client_id=client_id,
        client_secret=config.get(prefix + "CLIENT_SECRET") or "",
        scopes=config.get("OIDC_SCOPES") or "openid",
        identity_claim=config["OIDC_IDENTITY_CLAIM"],
        name_claim=config["OIDC_NAME_CLAIM"],
        hsa_claim=(config.get("STAFF_OIDC_HSA_CLAIM") or "") if audience == "personal" else "",
    )


def is_configured(audience: str) -> bool:
    try:
        settings_for(audience)
    except NotConfigured:
        return False
    return True


def _client(audience: str) -> tuple[FlaskOAuth2App, Settings]:
    """The authlib client for ``audience``, one per app and settings (it caches the discovery document)."""
    settings = settings_for(audience)
    clients: dict = current_app.extensions.setdefault(_EXTENSION, {})
    cached = clients.get(audience)
    if cached is not None and cached[1] == settings:
        return cached
    scopes = settings.scopes if "openid" in settings.scopes.split() else "openid " + settings.scopes
    client = FlaskOAuth2App(
        FlaskIntegration(f"minsip_{audience}"),
        name=f"minsip_{audience}",
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256", "default_timeout": _TIMEOUT_SECONDS},
    )
    clients[audience] = (client, settings)
    return client, settings


def _load_metadata(client: FlaskOAuth2App, settings: Settings) -> dict:
    metadata = client.load_server_metadata()
    # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer we were configured with.
    if str(metadata.get("issuer", "")).rstrip("/") != settings.issuer:
        client.server_metadata.clear()  # fetch again next time, the broker may be mid-change
        raise SignInFailed("provider", "issuer in discovery document does not match OIDC_ISSUER")
    return metadata


def begin(audience: str, redirect_uri: str) -> Response:
    """Redirect to the broker's authorize endpoint; ``state``, nonce and PKCE verifier go in the session."""
    client, settings = _client(audience)
    try:
        _load_metadata(client, settings)
        return client.authorize_redirect(redirect_uri)
    except requests.RequestException as error:
        log.warning("e-ID broker not reachable for %s: %s", audience, error)
        raise SignInFailed("unreachable", str(error)) from error
    except (AuthlibBaseError, ValueError, KeyError, RuntimeError) as error:
        log.warning("e-ID sign-in could not start for %s: %s", audience, error)
        raise SignInFailed("provider", str(error)) from error


def finish(audience: str) -> VerifiedIdentity:
    """On return from the broker: check state, exchange the code (over HTTP), verify the ID token and read
    the identity number. Raises ``SignInFailed`` for every kind of failure."""
    client, settings = _client(audience)
    try:
        _load_metadata(client, settings)
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:
            # No ID token (or no nonce in our state): nothing verified who signed in.
            raise SignInFailed("token", "no verified ID token")
        if not claims.get(settings.identity_claim):
            claims = _with_userinfo(client, token, claims)
    except SignInFailed:
        raise
    except MismatchingStateError as error:
        log.warning("e-ID sign-in with unknown or reused state for %s", audience)
        raise SignInFailed("state") from error
    except OAuthError as error:
        reason: Reason = "cancelled" if error.error == "access_denied" else "provider"
        log.warning("e-ID broker answered with an error for %s: %s", audience, error.error)
        raise SignInFailed(reason, str(error.error)) from error
    except requests.RequestException as error:
        log.warning("e-ID broker not reachable for %s: %s", audience, error)
        raise SignInFailed("unreachable", str(error)) from error
    except (AuthlibBaseError, JoseError, ValueError, KeyError, RuntimeError, TypeError) as error:
        log.warning("e-ID token for %s could not be verified: %s", audience, error)
        raise SignInFailed("token", str(error)) from error
    return _identity_from(claims, settings)


def _with_userinfo(client: FlaskOAuth2App, token: dict, claims: dict) -> dict:
    """Some brokers put the identity number only in the userinfo answer. Its ``sub`` must be the ID token's
    (OpenID Connect Core 1.0, section 5.3.2), or it may describe someone else."""
    userinfo = dict(client.userinfo(token=token))
    if userinfo.get("sub") != claims.get("sub"):
        raise SignInFailed("token", "userinfo sub differs from ID token sub")
    return {**userinfo, **claims}


def _identity_from(claims: dict, settings: Settings) -> VerifiedIdentity:
    raw = claims.get(settings.identity_claim)
    if not isinstance(raw, str) or not raw.strip():
        log.warning("e-ID claims lack %r", settings.identity_claim)
        raise SignInFailed("identity", "missing identity claim")
    try:
        number = identity.normalise(raw)
    except identity.InvalidIdentityNumber as error:
        log.warning("e-ID claim %r is not a valid identity number", settings.identity_claim)
        raise SignInFailed("identity", "invalid identity number") from error
    name = claims.get(settings.name_claim)
    if not isinstance(name, str) or not name.strip():
        given, family = claims.get("given_name"), claims.get("family_name")
        name = " ".join(part for part in (given, family) if isinstance(part, str) and part.strip())
    hsa_id = claims.get(settings.hsa_claim) if settings.hsa_claim else None
    hsa_id = hsa_id.strip().upper() if isinstance(hsa_id, str) and hsa_id.strip() else None
    return VerifiedIdentity(identity_number=number, name=name.strip(), hsa_id=hsa_id)
