"""Forms of the child's own pages "Min röst" (web/child.py). Shape only: how long an answer may be and which
choices there are for "Vill du vara med på mötet?" are rules of services/preparation.py; whether a code opens
anything is decided by services/access_links.py.
"""

from __future__ import annotations

from wtforms.validators import ValidationError

from citizen_app.services import N_
from citizen_app.web.forms import Form, Text


class EnterCodeForm(Form):
    """The code from a guardian, typed with or without the dash, in small or big letters. It is never shown
    again on the page (the input has no value): a code on a screen is a code someone else can read."""

    code = Text()

    def validate_code(self, field) -> None:
        if not field.data.strip():
            raise ValidationError(N_("Skriv din kod"))


class ChildAnswerForm(Form):
    """One of the child's questions: a text, or a choice ("attend"); and whether the guardians may read it."""

    text = Text()
    choice = Text()
    share = Text()

    @property
    def guardians_may_see(self) -> bool:
        return self.share.data == "yes"

    @classmethod
    def of(cls, saved) -> ChildAnswerForm:
        """The form filled in from the child's saved answer (a PreparationAnswer), or empty."""
        if saved is None:
            return cls(formdata=None)
        return cls(
            formdata=None,
            data={
                "text": saved.text or "",
                "choice": (saved.choice or {}).get("attend", ""),
                "share": "yes" if saved.guardians_may_see else "",
            },
        )
