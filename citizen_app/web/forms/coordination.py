"""Forms of moving the coordination and closing the SIP (web/staff_coordination.py). Shape only; the rules
are in services/coordination_move.py and services/closing.py."""

from __future__ import annotations

from citizen_app.web.forms import Form, Text


class ProposeMoveForm(Form):
    unit = Text()
    reason = Text()


class DeclineMoveForm(Form):
    reason = Text()


class CloseForm(Form):
    """Ending the SIP: not a form of the draft (the draft, if any, is removed), so no revision."""

    reason = Text()
    agreement = Text()
    why_not = Text()
    note = Text()
