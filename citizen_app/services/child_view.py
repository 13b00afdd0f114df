"""What the child thinks about the SIP: "Jag vill / Jag vill inte / Jag vet inte" and their own words.

The child's opinion is not consent (the guardians with custody consent), but it must be heard and shown next
to the consent [DA 4.2] [SIP.md 4]. A guardian with custody can write it down for the child; a child who has
their own access states it themself. Every answer is kept; the latest one is the child's view now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, String, cast, literal, null, select, true, union_all
from sqlalchemy.orm import joinedload

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import ChildAnswer, ChildView, Person, PreparationAnswer, SipCase, Voice
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


# --- The child's voice, in one place [issue 13] ----------------------------------------------------------

# The order of the child's questions in "Min röst" (services/preparation.CHILD_THEMES), kept here so this
# module does not import preparation (which imports the access links and the consent rules).
_THEME_ORDER = (
    "important",
    "works",
    "not_working",
    "want_to_happen",
    "who_at_meeting",
    "attend",
    "who_tells",
    "not_talk_about",
)


@dataclass(frozen=True)
class SharedAnswer:
    theme: str
    text: str
    attend: str = ""  # the child's choice for "attend" (all / part / phone / message), else ""


@dataclass(frozen=True)
class ChildVoice:
    """What the child has said, as much as this reader may read [DA 4.2] [issue 13].

    Two things the child says: what they think of the SIP ("Jag vill / Jag vill inte / Jag vet inte", the
    latest ``ChildView``, written by the child or a guardian next to the consent), and their own answers in
    "Min röst". Of those answers the child decides, one by one, which the guardians may read ("Mina
    föräldrar får läsa det här"); the child reads all of their own. The case page and the consent page both
    show this object, so they never disagree.
    """

    name: str  # the child's first name
    is_own: bool  # the child reads their own voice
    view: ChildAnswer | None
    own_words: str
    written_by: str | None  # who wrote the view down: a guardian, or the child
    written_at: datetime | None
    answers: tuple[SharedAnswer, ...]

    @property
    def is_empty(self) -> bool:
        return self.view is None and not self.answers


def voice_for(reader: Person, case: SipCase, today: date | None = None) -> ChildVoice | None:
    """The child's voice for the child themself or a guardian with custody; None for anyone else, or when
    the SIP is not about a child. One query.

    The rule for the answers is preparation.child_answers_for's: the child reads all, a guardian only what
    the child chose to share (never "inte prata om"); tests/unit/test_child_voice.py holds them together.
    """
    day = today or date.today()
    if case.subject is None or not case.subject.is_child_on(day):
        return None
    roles = access.roles_of(reader, case, day)
    is_own = Role.CHILD_SELF in roles
    if not is_own and Role.GUARDIAN_WITH_CUSTODY not in roles:
        return None
    views = (
        select(
            literal("view").label("source"),
            cast(ChildView.answer, String).label("key"),
            ChildView.own_words.label("text"),
            cast(null(), JSON).label("choice"),
            ChildView.at.label("at"),
            Person.display_name.label("by_name"),
            true().label("shared"),
        )
        .join(Person, Person.id == ChildView.recorded_by_id)
        .where(ChildView.case_id == case.id)
    )
    answers = select(
        literal("answer"),
        PreparationAnswer.theme,
        PreparationAnswer.text,
        PreparationAnswer.choice,
        PreparationAnswer.updated_at,
        cast(null(), String),
        PreparationAnswer.guardians_may_see,
    ).where(PreparationAnswer.case_id == case.id, PreparationAnswer.voice == Voice.CHILD)
    rows = db.session.execute(union_all(views, answers)).all()
    latest = max((r for r in rows if r.source == "view"), key=lambda r: r.at, default=None)
    shared = {
        r.key: SharedAnswer(
            r.key, r.text or "", (r.choice or {}).get("attend", "") if r.key == "attend" else ""
        )
        for r in rows
        if r.source == "answer" and (is_own or r.shared) and (r.text or (r.choice or {}).get("attend"))
    }
    return ChildVoice(
        name=(case.subject.display_name.split() or [""])[0],
        is_own=is_own,
        view=_child_answer(latest.key) if latest else None,
        own_words=latest.text if latest else "",
        written_by=latest.by_name if latest else None,
        written_at=latest.at if latest else None,
        answers=tuple(shared[t] for t in _THEME_ORDER if t in shared),
    )


def _child_answer(stored: str) -> ChildAnswer:
    """The stored value of the view's answer column: the enum's name (as SQLAlchemy stores it) or value."""
    return ChildAnswer[stored] if stored in ChildAnswer.__members__ else ChildAnswer(stored)
