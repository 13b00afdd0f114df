"""A form that creates something is taken once [QUALITY 5: a double-clicked submit does not create two
requests, two consents or two feedback answers] [issue 12: every POST that creates something is idempotent].

Every rendered form carries a fresh random token (``new_token``, put in the form by the ``csrf()`` macro).
A view marked ``@creates`` (web/guards.py) first ``claim``s the token for the actor who sent it, in the
request's own transaction, then runs. Its redirect is remembered with ``settle``. A second POST of the same
form finds the claim and is sent where the first one led (``AlreadyReceived``), without running the view.

Why this is safe when both POSTs arrive at the same instant, on two app servers: (actor, token) is unique
in the database. The second insert waits for the first transaction; when that commits, the insert fails and
the second request reads the first one's answer. When the first fails (an invalid form, 4xx), its
transaction rolls back with the claim, so the corrected form can be sent again with the same token.

Why the actor is part of the key: a token is not a secret, and someone else's token must never lead to
that person's page. A token sent by another actor is simply a new claim of its own.

Own code rather than a library: Flask has no well-kept idempotency-key extension that fits the one-commit-
per-request model, and the rule is a few lines.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from citizen_app.extensions import db
from citizen_app.models import FormSubmission, utcnow
from citizen_app.services.row_counts import rows_changed

# Longer than any session lives (12 hours at most, see config.py): a form cannot be sent later than that,
# since its CSRF token belongs to the session.
KEPT_FOR = timedelta(days=1)
MAX_LOCATION = 2000
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class AlreadyReceived(Exception):
    """This actor sent this form before; ``location`` is where that answer led (None: nowhere to return)."""

    def __init__(self, location: str | None) -> None:
        super().__init__(location)
        self.location = location


def new_token() -> str:
    """A fresh token for one rendered form: 128 random bits."""
    return secrets.token_urlsafe(16)


def is_token(value: object) -> bool:
    """Only a token as ``new_token`` makes it is honoured; anything else counts as no token at all."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def claim(actor: str, token: str) -> FormSubmission:
    """Claim ``token`` for ``actor`` in the current transaction, or raise AlreadyReceived.

    Called before the view has written anything. When the claim fails, the request's transaction is rolled
    back whole (not to a savepoint: SQLite's driver commits a savepoint that opens the transaction when it is
    released), and the earlier answer is read in a new one.
    """
    submission = FormSubmission(actor=actor, token=token)
    db.session.add(submission)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        earlier = db.session.scalar(
            select(FormSubmission.location).where(
                FormSubmission.actor == actor, FormSubmission.token == token
            )
        )
        raise AlreadyReceived(earlier) from None
    return submission


def settle(submission: FormSubmission, location: str | None) -> None:
    """The view answered: remember its redirect for a second POST of the same form.

    An answer that is a page rather than a redirect (a one-time code, an htmx fragment) has no place to send a
    second POST to: the claim is let go, and a second POST runs the view again (such views are safe to repeat
    or not marked at all).
    """
    if location is None or len(location) > MAX_LOCATION:
        db.session.delete(submission)
    else:
        submission.location = location
    db.session.flush()


def forget_old(now=None) -> int:
    """Delete the claims older than ``KEPT_FOR``; run by the periodic jobs (reminders.run_all)."""
    cutoff = (now or utcnow()) - KEPT_FOR
    return rows_changed(delete(FormSubmission).where(FormSubmission.created_at < cutoff))
