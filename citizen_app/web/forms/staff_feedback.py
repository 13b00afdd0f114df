"""Forms of the staff side's feedback pages (web/staff_feedback.py): the answer to a reported problem.
Shape only; the rules are in services/problems.py."""

from __future__ import annotations

from citizen_app.web.forms import Form, Text


class ProblemAnswerForm(Form):
    answer = Text()
