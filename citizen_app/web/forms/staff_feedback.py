"""Forms of the staff side's feedback pages (web/staff_feedback.py): the period of the results, and the answer
to a reported problem. Shape only; the rules are in services/staff_feedback.py and services/problems.py."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import Optional

from citizen_app.web.forms import Form, Text


class ProblemAnswerForm(Form):
    answer = Text()
    version = IntegerField(validators=[Optional()])  # the report as the page showed it (no lost update)


class ProblemStatusForm(Form):
    version = IntegerField(validators=[Optional()])


class PeriodForm(Form):
    """The months of the results page. It is chosen in the query string (a GET), so the view fills it with
    ``data=``; the form is there for the fields' errors."""

    fran = Text()
    till = Text()
