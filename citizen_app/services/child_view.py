"""What the child thinks about the SIP: "Jag vill / Jag vill inte / Jag vet inte" and their own words.

The child's opinion is not consent (the guardians with custody consent), but it must be heard and shown next
to the consent [DA 4.2] [SIP.md 4]. A guardian with custody can write it down for the child; a child who has
their own access states it themself. Every answer is kept; the latest one is the child's view now.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import ChildAnswer, ChildView, Person, SipCase
from citizen_app.services import N_, InvalidInput, NotAllowed, audit

MAX_WORDS = 2000


class InvalidChildView(InvalidInput):
    pass


def can_record(actor: Person, case: SipCase) -> bool:
    allowed = access.allowed_actions(actor, case)
    return not case.is_closed and bool({Action.RECORD_CHILD_VIEW, Action.GIVE_OWN_CHILD_VIEW} & allowed)


def record(actor: Person, case: SipCase, answer: str, own_words: str = "") -> ChildView:
    if not can_record(actor, case):
        raise NotAllowed(N_("Du kan inte skriva vad barnet tycker i den här SIP:en."))
    errors: dict[str, str] = {}
    if answer not in {a.value for a in ChildAnswer}:
        errors["answer"] = N_("Välj Jag vill, Jag vill inte eller Jag vet inte")
    if len(own_words) > MAX_WORDS:
        errors["own_words"] = N_("Skriv högst 2000 tecken")
    if errors:
        raise InvalidChildView(errors)
    view = ChildView(
        case_id=case.id, recorded_by_id=actor.id, answer=ChildAnswer(answer), own_words=own_words.strip()
    )
    db.session.add(view)
    db.session.flush()
    audit.record(actor, "child_view.recorded", case, view=view.public_id)
    return view


def latest(case: SipCase) -> ChildView | None:
    """The child's view now: the newest answer, with who wrote it down."""
    return db.session.scalar(
        select(ChildView)
        .where(ChildView.case_id == case.id)
        .options(joinedload(ChildView.recorded_by))
        .order_by(ChildView.at.desc(), ChildView.id.desc())
        .limit(1)
    )


def history(case: SipCase) -> list[ChildView]:
    return list(
        db.session.scalars(
            select(ChildView)
            .where(ChildView.case_id == case.id)
            .options(joinedload(ChildView.recorded_by))
            .order_by(ChildView.at, ChildView.id)
        )
    )
