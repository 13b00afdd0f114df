"""The form of the test-identity page (web/auth.py, demo mode only)."""

from __future__ import annotations

from citizen_app.services import N_
from citizen_app.web.forms import Form, Text

NO_SUCH_IDENTITY = N_("Välj en testperson")


class TestIdentityForm(Form):
    identity = Text()
