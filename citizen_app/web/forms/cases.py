"""The citizen's answer to a suggested SIP on the case page (web/cases.py)."""

from __future__ import annotations

from citizen_app.web.forms import Form, Text


class SuggestionAnswerForm(Form):
    """The button pressed: "yes" or "no" (anything else is no answer from this page)."""

    answer = Text()
