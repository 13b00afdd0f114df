"""Forms of the mature-minor pages: the coordinator's "Barnet bestämmer själv" (web/staff_mature_minor.py)
and the child's "Vad får dina vårdnadshavare se?" (web/mature_minor.py). Shape only; the rules are in
services/mature_minor_decisions.py."""

from __future__ import annotations

from citizen_app.web.forms import Choices, DateText, Form, Text


class MatureMinorForm(Form):
    """Recording the decision, or ending it: why, and the day it was decided."""

    reason = Text()
    decided_on = DateText()


class GuardianViewForm(Form):
    """The child's choice of what the guardians see: any of "plan", "meetings", "consent"."""

    shown = Choices()
