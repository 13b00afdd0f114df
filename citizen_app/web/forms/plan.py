"""The forms of the citizen's plan pages (web/plan.py): a comment on the draft, approving the draft that was
read, and which relatives may read the plan. The rules are in services/plans.py and pages/plan.py."""

from __future__ import annotations

from citizen_app.web.forms import Choices, Form, LongText, Text

# Far above the service's limit on a comment; a bigger body is not a comment.
MAX_COMMENT_FIELD = 10_000


class CommentForm(Form):
    """ "Det här vill jag ändra"."""

    comment = LongText(limit=MAX_COMMENT_FIELD)


class ApproveForm(Form):
    """ "Jag har läst planen och håller med": the version and the fingerprint of what the page showed."""

    version = Text()
    fingerprint = Text()

    @property
    def number(self) -> int:
        """The version number read; 0 (no version) when it is not a number."""
        try:
            return int(self.version.data)
        except ValueError:
            return 0


class ShareForm(Form):
    """The relatives checked (their public ids); every one left unchecked no longer sees the plan."""

    shared = Choices()
