"""Forms of the person's preparation pages "Inför mötet" (web/preparation.py). Shape only: how long an answer
may be, which units may be chosen and what a guest's contact must look like are rules of
services/preparation.py.

Every text is read as sent, the first value of a field sent twice (as these pages always did).
"""

from __future__ import annotations

from typing import Any

from wtforms.validators import AnyOf

from citizen_app.services import N_, preparation
from citizen_app.web.forms import Choices, Form, Text

YES_NO = ["yes", "no"]


class ThemeAnswerForm(Form):
    """One theme's answer. ``autosave`` is set by htmx when it saves as the person writes."""

    text = Text()
    autosave = Text()


class AgendaItemForm(Form):
    """One thing to add to "Det här vill jag prata om" or "Det här vill jag inte prata om"."""

    text = Text()


class MoveForm(Form):
    """Up or down one place; the service refuses any other direction."""

    direction = Text()


class MarkForm(Form):
    """The answer "yes" marks the item most important; anything else takes the mark away."""

    on = Text()

    @property
    def marked(self) -> bool:
        return self.on.data == "yes"


class SuggestionForm(Form):
    """A relative's suggestion: "Ta med" (yes) or "Ta inte med" (no). Only the two buttons send it, so
    anything else is a malformed request, not an answer."""

    answer = Text(validators=[AnyOf(YES_NO)])


class ShareAgendaForm(Form):
    """May invited relatives see the agenda: yes or no."""

    share = Text(validators=[AnyOf(YES_NO, message=N_("Välj ja eller nej"))])

    @classmethod
    def of(cls, relatives_see: bool) -> ShareAgendaForm:
        return cls(formdata=None, data={"share": "yes" if relatives_see else "no"})


class WhoComesForm(Form):
    """The units the person wants at the meeting (checkboxes), a support person and a wished coordinator."""

    units = Choices()
    support_person = Text()
    coordinator_wish = Text()

    @classmethod
    def of(cls, saved: dict[str, Any] | None) -> WhoComesForm:
        """The form filled in from the saved answer, or empty."""
        return cls(formdata=None, data=saved or {})


class GuestForm(Form):
    """Someone close to invite. The service names its errors "name" and "contact": see ``errors_of``."""

    guest_name = Text()
    guest_contact = Text()
    guest_support = Text()

    @property
    def is_support_person(self) -> bool:
        return self.guest_support.data == "yes"

    @staticmethod
    def errors_of(errors: dict[str, str]) -> dict[str, str]:
        """The service's errors under this form's field names."""
        return {"guest_" + name: message for name, message in errors.items()}


class WhereHowForm(Form):
    """Where and how the meeting should be, with one text per kind of adaptation (ADAPTATIONS)."""

    place = Text()
    times_not_working = Text()
    interpreter = Text()
    adaptation_communicative = Text()
    adaptation_cognitive = Text()
    adaptation_physical = Text()

    @property
    def adaptations(self) -> dict[str, str]:
        """Kind of adaptation → what was written, for every kind the service knows."""
        return {kind: self["adaptation_" + kind].data for kind in preparation.ADAPTATIONS}

    @classmethod
    def of(cls, saved: dict[str, Any] | None) -> WhereHowForm:
        """The form filled in from the saved answer, or empty."""
        saved = saved or {}
        data = {name: saved.get(name, "") for name in ("place", "times_not_working", "interpreter")}
        data.update({"adaptation_" + kind: text for kind, text in (saved.get("adaptations") or {}).items()})
        return cls(formdata=None, data=data)


class ChildCodeForm(Form):
    """Where to send the child's code: the child's mobile number or e-mail address (services/outreach.py)."""

    address = Text(N_("Barnets mobilnummer eller e-postadress"))
