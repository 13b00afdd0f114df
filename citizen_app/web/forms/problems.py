"""The form of "Rapportera ett problem" (web/problems.py). Which kinds there are and how long the text may
be is decided in services/problems.py."""

from __future__ import annotations

from citizen_app.web.forms import Form, Text


class ReportForm(Form):
    kind = Text()
    text = Text()
