"""Where a question-per-page flow goes: next, back, and back to the check page [issue 14].

Both flows (asking for a SIP, giving consent) are the GOV.UK pattern: one question per page, a back link on
every page, and a check page ("Kontrollera dina svar", "Det här samtycker du till") listing every answer with
an "Ändra" link. This module holds only the order of the pages; the answers are kept by services/drafts.py and
each question's rules stay in its service. A place is a step's name, ``START`` (the page before the first
question) or ``CHECK`` (the check page); the view turns it into its own URL.

- "Fortsätt" leads to the next question, and from the last one to the check page.
- "Tillbaka" leads to the question before, and from the first one to the start page.
- An "Ändra" link from the check page carries ``?fran=kontrollera``: from that question both "Fortsätt" and
  "Tillbaka" return to the check page, so changing one answer does not walk the person through the rest.
- The check page cannot be reached before every question is answered: it sends the person to the first
  question still open (``first_open``).
- A notice: when the service has something to tell about an answer (a request whose units all belong to one
  principal, services/requests.one_principal_only), "Fortsätt" leads first to a page that says so
  (``notice(step)``); from there the person goes on to where "Fortsätt" would have led (``after_notice``),
  or back to the question to change the answer. Nothing is saved on that page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from citizen_app.services import drafts

START = "start"
CHECK = "check"
RETURN_TO_CHECK = "kontrollera"  # the value of ?fran= on the check page's "Ändra" links
NOTICE = ":notice"  # a step's name + this is the place of the page with a notice about its answer


def notice(step: str) -> str:
    """The place of the notice page after ``step``."""
    return step + NOTICE


def notice_of(place: str) -> str | None:
    """The step whose notice page ``place`` is (None: it is no notice page)."""
    return place.removesuffix(NOTICE) if place.endswith(NOTICE) else None


@dataclass(frozen=True)
class Flow:
    steps: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.steps or {START, CHECK} & set(self.steps) or len(set(self.steps)) != len(self.steps):
            raise ValueError(f"a flow needs distinct steps other than {START!r} and {CHECK!r}: {self.steps}")

    def after(self, step: str, *, returning: bool = False, with_notice: bool = False) -> str:
        """Where "Fortsätt" leads from ``step`` once its answer is saved: its notice page first when the
        service has something to tell about the answer (``with_notice``)."""
        if with_notice:
            return notice(step)
        position = self.steps.index(step)
        if returning or position == len(self.steps) - 1:
            return CHECK
        return self.steps[position + 1]

    def after_notice(self, step: str, *, returning: bool = False) -> str:
        """Where "Fortsätt" on the notice page of ``step`` leads: where its own "Fortsätt" would have."""
        return self.after(step, returning=returning)

    def back(self, step: str, *, returning: bool = False) -> str:
        """Where the back link of ``step`` leads."""
        position = self.steps.index(step)
        if returning:
            return CHECK
        return START if position == 0 else self.steps[position - 1]

    @property
    def last(self) -> str:
        """The question the check page's back link leads to."""
        return self.steps[-1]

    def is_answered(self, step: str, answers: dict) -> bool:
        return step in drafts.answered(answers)

    def first_open(self, answers: dict, needs_answer: Callable[[str], bool] | None = None) -> str | None:
        """The first question not answered yet, or whose answer no longer holds (``needs_answer``); None when
        the check page may be shown."""
        done = set(drafts.answered(answers))
        for step in self.steps:
            if step not in done or (needs_answer is not None and needs_answer(step)):
                return step
        return None

    def answered(self, answers: dict, values: dict, step: str) -> dict:
        """The answers with ``step``'s values added and the step marked answered."""
        return drafts.with_answer(answers, values, step, self.steps)


def returning(fran: str | None) -> bool:
    """Whether the page was opened from the check page's "Ändra" link (its ``fran`` parameter)."""
    return fran == RETURN_TO_CHECK
