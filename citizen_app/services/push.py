"""Web Push (pywebpush + VAPID) [issue 8] [QUALITY 5, 6].

- Every in-app message can also go out as a push, through the one function callers already use
  (notifications.notify): this module registers itself as a delivery channel.
- The payload is generic — "Du har ett nytt meddelande i Min SIP." — plus an opaque id (the message's public
  id). No health details, no unit names, nothing about the case; details load only after sign-in.
- Sending is a background job (services/jobs.py) working from an outbox row, so it never fails or slows the
  user's request. A 404/410 from the push service removes the subscription; other failures are retried with
  back-off (BACKOFF_SECONDS), then given up.
- Delivery is at-least-once. A sender first claims the row for CLAIM_SECONDS (one conditional UPDATE,
  committed before anything is sent), so two senders (a worker and cron, or two cron runs) never send the same
  row at once. A sender that dies mid-send (a killed worker) leaves the row claimed; once the claim has run
  out, cron's ``run_due`` sends it again. The push may then reach the device twice: the service worker shows a
  message id only once (the payload's id is the notification's tag, and it remembers the ids it has shown).
- The person chooses which kinds they want; several devices per person.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from pywebpush import WebPushException, webpush
from sqlalchemy import or_, select, update

from citizen_app.extensions import db
from citizen_app.models import (
    Notification,
    NotificationKind,
    OutboxStatus,
    Person,
    PushOutbox,
    PushPreference,
    PushSubscription,
    utcnow,
)
from citizen_app.services import N_, DomainError, NotFound, audit, jobs, notifications
from citizen_app.services.row_counts import rows_changed

log = logging.getLogger(__name__)

GENERIC_TEXT = "Du har ett nytt meddelande i Min SIP."
TITLE = "Min SIP"
BACKOFF_SECONDS = (30, 120, 600, 3600)  # then give up
# How long a sender holds a row. Longer than one send can take (webpush times out after 10 s); a row left by
# a sender that died goes out again after this. Tests shorten it with the PUSH_CLAIM_SECONDS setting.
CLAIM_SECONDS = 60
KINDS = ("message", "meeting", "plan", "consent", "problem")
DEFAULT_KINDS = KINDS
_KIND_OF = {
    NotificationKind.MEETING_INVITATION: "meeting",
    NotificationKind.MEETING_CHANGED: "meeting",
    NotificationKind.MEETING_CANCELLED: "meeting",
    NotificationKind.MEETING_REMINDER: "meeting",
    NotificationKind.FOLLOW_UP_DUE: "meeting",  # the follow-up is a meeting about the plan
    NotificationKind.PLAN_READY: "plan",
    NotificationKind.PLAN_APPROVED: "plan",
    NotificationKind.CONSENT_EXPIRING: "consent",
    NotificationKind.CONSENT_EXPIRED: "consent",
    NotificationKind.CONSENT_NEEDED: "consent",
    NotificationKind.PROBLEM_ANSWERED: "problem",
    NotificationKind.PROBLEM_STATUS_CHANGED: "problem",
}


class InvalidSubscription(DomainError):
    pass


def kind_of(kind: NotificationKind) -> str:
    return _KIND_OF.get(kind, "message")


def payload_for(message: Notification) -> str:
    """The whole push: a generic sentence and an opaque id. Never anything from the message's data."""
    return json.dumps({"title": TITLE, "body": GENERIC_TEXT, "id": message.public_id}, ensure_ascii=False)


# --- The person's devices and choices ---------------------------------------------------------------------


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_URL_CHARACTERS = re.compile(r"[\x21-\x7e]+")  # printable ASCII: no spaces, control characters or NUL
P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, x, y
AUTH_BYTES = 16


def _decoded_key(text: str) -> bytes | None:
    if not _BASE64URL.fullmatch(text):
        return None
    bare = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
    except (binascii.Error, ValueError):
        return None


def is_valid_subscription(endpoint: str, p256dh: str, auth: str) -> bool:
    """What a browser's PushSubscription looks like. Anything else would only fail later, in the job."""
    if not (0 < len(endpoint) <= 1000 and 0 < len(p256dh) <= 200 and 0 < len(auth) <= 100):
        return False
    if not _URL_CHARACTERS.fullmatch(endpoint):
        return False
    try:
        url = urlsplit(endpoint)
    except ValueError:
        return False
    schemes = ("https", "http") if current_app.config.get("PUSH_ALLOW_HTTP_ENDPOINTS") else ("https",)
    if url.scheme not in schemes or not url.hostname:
        return False
    public_key, secret = _decoded_key(p256dh), _decoded_key(auth)
    return (
        public_key is not None
        and len(public_key) == P256DH_BYTES
        and public_key[0] == 4
        and secret is not None
        and len(secret) == AUTH_BYTES
    )


def subscribe(
    person: Person, endpoint: str, p256dh: str, auth: str, device_label: str = ""
) -> PushSubscription:
    if not is_valid_subscription(endpoint, p256dh, auth):
        raise InvalidSubscription(N_("Aviseringar kunde inte slås på i den här webbläsaren."))
    found = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if found is None:
        found = PushSubscription(person_id=person.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        db.session.add(found)
    else:  # the same browser again (or handed to another person on a shared device)
        found.person_id, found.p256dh, found.auth = person.id, p256dh, auth
    found.device_label = device_label[:100]
    db.session.flush()
    audit.record(person, "push.subscribed", None, device=found.public_id)
    return found


def devices_of(person: Person) -> list[PushSubscription]:
    return list(
        db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.person_id == person.id)
            .order_by(PushSubscription.id)
        )
    )


def unsubscribe(person: Person, public_id: str | None = None, endpoint: str | None = None) -> None:
    query = select(PushSubscription).where(PushSubscription.person_id == person.id)
    if public_id is not None:
        query = query.where(PushSubscription.public_id == public_id)
    elif endpoint is not None:
        query = query.where(PushSubscription.endpoint == endpoint)
    found = db.session.scalar(query)
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    db.session.delete(found)
    db.session.flush()
    audit.record(person, "push.unsubscribed", None, device=found.public_id)


def chosen_kinds(person: Person) -> tuple[str, ...]:
    pref = db.session.get(PushPreference, person.id)
    return tuple(pref.kinds) if pref is not None else DEFAULT_KINDS


def choose_kinds(person: Person, kinds: list[str]) -> None:
    chosen = [k for k in KINDS if k in set(kinds)]
    pref = db.session.get(PushPreference, person.id)
    if pref is None:
        db.session.add(PushPreference(person_id=person.id, kinds=chosen))
    else:
        pref.kinds = chosen
    db.session.flush()


# --- Sending ------------------------------------------------------------------------------------------------


def on_new_message(message: Notification) -> None:
    """The channel notifications.notify calls: queue one push per device, if the person wants this kind."""
    if message.recipient_person_id is None:
        return  # staff read their messages at work; no push
    person = db.session.get_one(Person, message.recipient_person_id)
    if kind_of(message.kind) not in chosen_kinds(person):
        return
    for device in devices_of(person):
        row = PushOutbox(subscription_id=device.id, payload=payload_for(message))
        db.session.add(row)
        db.session.flush()
        jobs.enqueue("citizen_app.services.push.deliver", row.id)


def _vapid() -> tuple[str, dict]:
    key = current_app.config.get("VAPID_PRIVATE_KEY")
    if not key:
        raise RuntimeError("VAPID_PRIVATE_KEY is not set: run `flask --app citizen_app vapid-keys`")
    return key, {"sub": current_app.config.get("VAPID_SUBJECT") or "mailto:min-sip@example.se"}


def _claim_seconds() -> int:
    return int(current_app.config.get("PUSH_CLAIM_SECONDS", CLAIM_SECONDS))


def _not_claimed(moment):
    return or_(PushOutbox.claimed_until.is_(None), PushOutbox.claimed_until <= moment)


def _claim(outbox_id: int, moment) -> bool:
    """Take the row for this sender, or say that someone else has it (or it is done).

    One UPDATE with the conditions in its WHERE: only one sender can win it (PostgreSQL re-checks the WHERE
    after waiting for the other's row lock; SQLite lets one writer at a time). It is committed before the
    send, so every other sender sees the claim. The attempt is counted here: a sender that dies counts too.
    """
    claimed = rows_changed(
        update(PushOutbox)
        .where(PushOutbox.id == outbox_id, PushOutbox.status == OutboxStatus.PENDING, _not_claimed(moment))
        .values(claimed_until=moment + timedelta(seconds=_claim_seconds()), attempts=PushOutbox.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed == 1


def deliver(outbox_id: int, now=None) -> str:
    """Send one push. A job: runs after the commit, in a worker or a pool thread, or from ``run_due``.

    Commits its own work (the claim before sending, the outcome after), because the send in between cannot
    be rolled back. Returns the row's new status, or "skipped" when it was not this sender's to send.
    """
    key, claims = _vapid()
    if not _claim(outbox_id, now or utcnow()):
        return "skipped"
    row = db.session.get_one(PushOutbox, outbox_id)  # the claim just found it
    device = row.subscription
    if device is None:
        row.status = OutboxStatus.GONE
    else:
        _send(row, device, key, claims)
    row.claimed_until = None
    db.session.commit()
    return row.status.value


def _send(row: PushOutbox, device: PushSubscription, key: str, claims: dict) -> None:
    try:
        webpush(
            subscription_info={
                "endpoint": device.endpoint,
                "keys": {"p256dh": device.p256dh, "auth": device.auth},
            },
            data=row.payload,
            vapid_private_key=key,
            vapid_claims=dict(claims),
            content_encoding="aes128gcm",
            ttl=24 * 3600,
            timeout=10,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            row.status = OutboxStatus.GONE
            row.subscription_id = None
            db.session.delete(device)  # the browser unsubscribed or the subscription expired
            return
        _retry_later(row, f"{status}: {error}"[:300])
        return
    except Exception as error:  # network trouble: retry later, never raise into the caller
        _retry_later(row, repr(error)[:300])
        return
    row.status = OutboxStatus.SENT
    device.last_sent_at = utcnow()


def _retry_later(row: PushOutbox, error: str) -> None:
    row.last_error = error
    if row.attempts > len(BACKOFF_SECONDS):
        row.status = OutboxStatus.FAILED
        log.warning("push %s given up after %s attempts", row.id, row.attempts)
        return
    delay = BACKOFF_SECONDS[row.attempts - 1]
    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    jobs.enqueue("citizen_app.services.push.deliver", row.id, delay_seconds=delay)


def run_due(now=None) -> int:
    """Send every pending push whose time has come and that no sender holds: the cron / ``flask run-jobs``
    safety net after restarts, a queue that was away, or a sender that died. Returns how many it sent
    (or tried to send); rows another sender took first are left to it."""
    moment = now or utcnow()
    due = list(
        db.session.scalars(
            select(PushOutbox.id).where(
                PushOutbox.status == OutboxStatus.PENDING,
                PushOutbox.next_attempt_at <= moment,
                _not_claimed(moment),
            )
        )
    )
    return sum(deliver(outbox_id, moment) != "skipped" for outbox_id in due)


notifications.register_channel(on_new_message)
