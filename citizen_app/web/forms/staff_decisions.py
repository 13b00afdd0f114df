"""Forms of the staff side's decisions (web/staff_decisions.py). Shape only; the rules are in
services/decisions.py."""

from __future__ import annotations

from citizen_app.web.forms import Form, Text


class DecisionForm(Form):
    decision = Text()
