"""In-app messages. ``notify`` is the one function every part of Min SIP calls to tell someone something.

Delivery channels (Web Push comes in a later issue) register with ``register_channel`` and are called for
every new message, so callers never change when a channel is added.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import Notification, NotificationKind, Person, SipCase, StaffUser, utcnow
from citizen_app.services import N_, NotFound, mature_minor
from citizen_app.services.row_counts import rows_changed

Channel = Callable[[Notification], None]
_channels: list[Channel] = []


def register_channel(channel: Channel) -> None:
    if channel not in _channels:
        _channels.append(channel)


def notify(
    recipient: Person | StaffUser,
    kind: NotificationKind,
    case: SipCase | None = None,
    data: dict | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Create a message for ``recipient``. With ``dedupe_key``, a repeated call does nothing.

    A guardian of a child who consents themself is told only what the child lets them see [DA 4.2]: any other
    message to them is not made (None), wherever it was sent from.
    """
    if (
        case is not None
        and isinstance(recipient, Person)
        and not mature_minor.may_tell(recipient, kind, case)
    ):
        return None
    if dedupe_key is not None:
        exists = db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key))
        if exists is not None:
            return None
    message = Notification(
        recipient_person_id=recipient.id if isinstance(recipient, Person) else None,
        recipient_staff_id=recipient.id if isinstance(recipient, StaffUser) else None,
        kind=kind,
        case_id=case.id if case is not None else None,
        data=data or {},
        dedupe_key=dedupe_key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # the same reminder raced in from another worker
        return None
    for channel in _channels:
        channel(message)
    return message


def _owner_clause(actor: Person | StaffUser):
    if isinstance(actor, StaffUser):
        return Notification.recipient_staff_id == actor.id
    return Notification.recipient_person_id == actor.id


def unread_count(actor: Person | StaffUser) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(_owner_clause(actor), Notification.read_at.is_(None))
        )
        or 0
    )


def list_for(actor: Person | StaffUser, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(_owner_clause(actor))
            .options(selectinload(Notification.case).joinedload(SipCase.subject))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def openable_cases(actor: Person | StaffUser, messages: list[Notification]) -> set[int]:
    """The SIPs among these messages that the reader may still open: a message stays, but its "Gå till
    SIP:en" would lead to "Sidan finns inte" once the reader has lost the SIP (a parent whose child turned 18
    or who lost custody, a representative whose decision ended; staff no longer in the unit, or of a unit the
    consent no longer names). A few queries however many messages (access.roles_for_many and
    staff_roles_for_many; ``list_for`` loads each case with its person)."""
    cases = list({message.case.id: message.case for message in messages if message.case is not None}.values())
    if not cases:
        return set()
    if isinstance(actor, StaffUser):
        access.staff_roles_for_many(actor, cases)
        return {case.id for case in cases if access.can(actor, Action.STAFF_VIEW_CASE, case)}
    access.roles_for_many(actor, cases)
    return {case.id for case in cases if access.can(actor, Action.VIEW_CASE, case)}


def mark_read(actor: Person | StaffUser, public_id: str) -> Notification:
    """Mark one of the actor's own messages as read. Someone else's message is "not found"."""
    message = db.session.scalar(
        select(Notification).where(Notification.public_id == public_id, _owner_clause(actor))
    )
    if message is None:
        raise NotFound(N_("Meddelandet finns inte."))
    if message.read_at is None:
        message.read_at = utcnow()
        db.session.flush()
    return message


def mark_all_read(actor: Person | StaffUser) -> int:
    changed = rows_changed(
        update(Notification)
        .where(_owner_clause(actor), Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return changed or 0
