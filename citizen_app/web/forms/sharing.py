"""The form of "Vem får se din SIP?" (web/sharing.py): which former guardian, and let in or take back. Who may
choose, and whom, is decided in services/coming_of_age.py."""

from __future__ import annotations

from wtforms.validators import ValidationError

from citizen_app.services import N_
from citizen_app.web.forms import Form, Text

CHOICES = ("take_part", "stop")


class SharingForm(Form):
    guardian = Text()
    choice = Text()

    def validate_choice(self, field) -> None:
        if field.data not in CHOICES:
            raise ValidationError(N_("Välj ett svar"))
