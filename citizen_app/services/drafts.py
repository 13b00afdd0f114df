"""The drafts of the question-per-page flows, kept on the server until sent [issue 14].

One store for both flows: asking for a SIP (``REQUEST``: a draft found by its public id, kept after sending
with the case it became) and giving or changing consent (``CONSENT``: one draft per person and case, gone once
given). No size cap of its own: each answer's own length limit (the flow's rules) is the only one.

Every look-up names the author: a draft is the signed-in person's own, and another person's id finds nothing.
Which questions are answered is kept in the answers under ``DONE``, in the flow's order.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from citizen_app.extensions import db
from citizen_app.models import FlowDraft, Person, SipCase

REQUEST = "request"
CONSENT = "consent"
DONE = "_done"  # the answers' key that lists the questions answered


def find(author: Person, flow: str, public_id: str) -> FlowDraft | None:
    """The author's draft with this public id; None for an unknown id or someone else's draft."""
    return db.session.scalar(
        select(FlowDraft).where(
            FlowDraft.public_id == public_id, FlowDraft.flow == flow, FlowDraft.author_id == author.id
        )
    )


def unsent(author: Person, flow: str, case: SipCase | None = None) -> FlowDraft | None:
    """The author's newest draft of the flow not yet sent (for the case, in a flow about one case)."""
    return db.session.scalar(
        select(FlowDraft)
        .where(
            FlowDraft.flow == flow,
            FlowDraft.author_id == author.id,
            FlowDraft.case_id.is_(None) if case is None else FlowDraft.case_id == case.id,
            FlowDraft.submitted_case_id.is_(None),
        )
        .order_by(FlowDraft.id.desc())
    )


def open_draft(author: Person, flow: str, case: SipCase | None = None) -> FlowDraft:
    """The author's unsent draft of the flow (for the case), or a new empty one."""
    draft = unsent(author, flow, case)
    if draft is not None:
        return draft
    draft = FlowDraft(flow=flow, author_id=author.id, case_id=case.id if case else None, answers={})
    try:
        with db.session.begin_nested():
            db.session.add(draft)
            db.session.flush()
    except IntegrityError:
        # The same person's other tab made the case's draft at the same moment (one per person and case).
        found = unsent(author, flow, case)
        if found is None:
            raise
        return found
    return draft


def save(draft: FlowDraft, answers: dict) -> None:
    """Replace the draft's answers (a new dict, so the change is seen and stored)."""
    draft.answers = dict(answers)
    db.session.flush()


def discard(author: Person, flow: str, case: SipCase) -> None:
    """Forget the author's draft for the case (given, withdrawn, or started again)."""
    db.session.execute(
        delete(FlowDraft)
        .where(FlowDraft.flow == flow, FlowDraft.author_id == author.id, FlowDraft.case_id == case.id)
        .execution_options(synchronize_session="fetch")
    )


def answered(answers: dict) -> list[str]:
    """The questions answered so far."""
    done = answers.get(DONE)
    return [step for step in done if isinstance(step, str)] if isinstance(done, list) else []


def with_answer(answers: dict, values: dict, step: str, steps: Sequence[str]) -> dict:
    """The answers with one question's values added and the question marked answered, in the flow's order."""
    done = set(answered(answers)) | {step}
    return {**answers, **values, DONE: [s for s in steps if s in done]}


def first_unanswered(steps: Sequence[str], answers: dict) -> str | None:
    """The first question of the flow not yet answered; None when every one is."""
    done = set(answered(answers))
    return next((step for step in steps if step not in done), None)
