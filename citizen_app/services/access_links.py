"""Single-purpose, expiring links and codes for people who do not sign in with e-ID [issue 5].

- A child's own access ("Min röst"): opens only the child's pages of one case.
- A relative's invitation link: opens only that relative's invitation to one meeting.

The secret is shown once, when it is made; only its SHA-256 is stored, so the database opens nothing.
Opening is rate-limited in the web layer; here a link is refused when it is unknown, revoked, expired or used
for another purpose. Every creation, use and revocation is in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import AccessLink, LinkPurpose, Person, SipCase, StaffUser, utcnow
from citizen_app.services import N_, DomainError, audit

CHILD_ACCESS_DAYS = 30
RELATIVE_LINK_DAYS = 60  # long enough to reach past the meeting; the meeting page says when it was
# A child types the code on a phone: 10 characters from an alphabet without look-alikes (0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class LinkNotValid(DomainError):
    """Unknown, expired, revoked or for something else. One message for all, so a guess learns nothing."""

    def __init__(self) -> None:
        super().__init__(N_("Länken eller koden fungerar inte. Den kan vara för gammal. Be om en ny."))


@dataclass(frozen=True)
class NewLink:
    link: AccessLink
    secret: str  # shown once; never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(normalise(secret).encode()).hexdigest()


def normalise(secret: str) -> str:
    """A typed code may have spaces, dashes or small letters; a link's secret is used as it is."""
    cleaned = secret.strip()
    if len(cleaned.replace("-", "").replace(" ", "")) <= CODE_LENGTH + 2:
        return cleaned.replace("-", "").replace(" ", "").upper()
    return cleaned


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def show_code(code: str) -> str:
    """Grouped for reading aloud and typing: ABCDE-FGHJK."""
    return f"{code[:5]}-{code[5:]}"


def create(
    purpose: LinkPurpose,
    case: SipCase,
    created_by: Person | StaffUser,
    *,
    person: Person | None = None,
    invitation_id: int | None = None,
    days: int,
    as_code: bool = False,
) -> NewLink:
    secret = new_code() if as_code else secrets.token_urlsafe(32)
    link = AccessLink(
        purpose=purpose,
        secret_hash=_hash(secret),
        case_id=case.id,
        person_id=person.id if person else None,
        invitation_id=invitation_id,
        created_by_person_id=created_by.id if isinstance(created_by, Person) else None,
        created_by_staff_id=created_by.id if isinstance(created_by, StaffUser) else None,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(link)
    db.session.flush()
    audit.record(created_by, f"access_link.created.{purpose.value}", case, link=link.public_id)
    return NewLink(link=link, secret=secret)


def open_link(secret: str, purpose: LinkPurpose, now: datetime | None = None) -> AccessLink:
    """The link this secret opens, for this purpose only; LinkNotValid otherwise."""
    if not secret or len(secret) > 200:
        raise LinkNotValid()
    link = db.session.scalar(select(AccessLink).where(AccessLink.secret_hash == _hash(secret)))
    moment = now or utcnow()
    if link is None or link.purpose != purpose or link.revoked_at is not None or link.expires_at <= moment:
        raise LinkNotValid()
    link.last_used_at = moment
    audit.record(
        None, f"access_link.used.{purpose.value}", db.session.get(SipCase, link.case_id), link=link.public_id
    )
    return link


def still_valid(link_id: int, purpose: LinkPurpose, now: datetime | None = None) -> AccessLink:
    """Re-check a link remembered in the session, on every request: revoking works at once."""
    link = db.session.get(AccessLink, link_id)
    moment = now or utcnow()
    if link is None or link.purpose != purpose or link.revoked_at is not None or link.expires_at <= moment:
        raise LinkNotValid()
    return link


def revoke_all(case: SipCase, purpose: LinkPurpose, actor: Person | StaffUser | None, **match) -> int:
    """Stop every open link of this kind for the case (e.g. when a guardian makes a new code)."""
    query = select(AccessLink).where(
        AccessLink.case_id == case.id, AccessLink.purpose == purpose, AccessLink.revoked_at.is_(None)
    )
    for column, value in match.items():
        query = query.where(getattr(AccessLink, column) == value)
    links = list(db.session.scalars(query))
    now = utcnow()
    for link in links:
        link.revoked_at = now
    if links:
        audit.record(actor, f"access_link.revoked.{purpose.value}", case, count=len(links))
    return len(links)


def active_links(case: SipCase, purpose: LinkPurpose) -> list[AccessLink]:
    now = utcnow()
    return list(
        db.session.scalars(
            select(AccessLink)
            .where(
                AccessLink.case_id == case.id,
                AccessLink.purpose == purpose,
                AccessLink.revoked_at.is_(None),
                AccessLink.expires_at > now,
            )
            .order_by(AccessLink.created_at)
        )
    )


# Names the web layer uses (it does not import models).
CHILD_PAGES = LinkPurpose.CHILD_PAGES
RELATIVE_INVITATION = LinkPurpose.RELATIVE_INVITATION
