"""Forms of the staff side's intake: take, forward, change coordinator, link a person, record a consent,
start a SIP (web/staff.py). Shape only; the rules are in services/intake.py and services/staff_consent.py."""

from __future__ import annotations

from wtforms.validators import AnyOf, InputRequired

from citizen_app.services import N_
from citizen_app.web.forms import Choices, DateText, Form, Text


class AcceptCaseForm(Form):
    coordinator = Text(validators=[InputRequired(N_("Välj vem som ska bli samordnare"))])


class ChangeCoordinatorForm(Form):
    coordinator = Text(validators=[InputRequired(N_("Välj vem som ska bli ny samordnare"))])


class ForwardCaseForm(Form):
    unit = Text()
    reason = Text()


class LinkPersonForm(Form):
    identity_number = Text()
    name = Text()


class RecordConsentForm(Form):
    consenter = Text()
    method = Text()
    given_on = DateText()
    units = Choices()
    other_parties = Text()
    categories = Choices()
    exclusions = Text()
    valid_until = DateText()


class StartCaseForm(Form):
    identity_number = Text()
    name = Text()
    need = Text()
    discharge_date = DateText()
    urgent = Text(validators=[AnyOf(("yes", "no"), N_("Välj om det är bråttom"))])
    unit = Text()  # the unit where the SIP is coordinated (services/intake.start_units)
    compulsory_care = Text()  # "" or a CompulsoryCare value


class CompulsoryCareForm(Form):
    compulsory_care = Text()


class WorkbenchFilterForm(Form):
    """The start page's filter (a GET form: pass ``formdata=request.args``). Unknown values are ignored by
    services/workbench.Filters.parse, so it has no errors."""

    steg = Text(N_("Steg"))
    namn = Text(N_("Sök på namn"), description=N_("Skriv hela eller en del av namnet."))
