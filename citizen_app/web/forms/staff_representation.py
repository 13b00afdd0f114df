"""Forms of the staff pages about who can consent for an adult (web/staff_representation.py) [issue 15]. Shape
only; the rules are in services/representation.py and services/consent.py."""

from __future__ import annotations

from citizen_app.web.forms import Choices, DateText, Form, Text


class AbilityForm(Form):
    can_consent = Text()  # "yes" or "no"
    reason = Text()
    assessed_on = DateText()


class HarmAssessmentForm(Form):
    reason = Text()
    units = Choices()
    other_parties = Text()
    categories = Choices()
    exclusions = Text()
    valid_until = DateText()


class RepresentativeForm(Form):
    """A god man, förvaltare or framtidsfullmakt, from the decision [issue 18]."""

    kind = Text()  # a RepresentativeType value
    identity_number = Text()
    name = Text()
    mandate = Choices()  # Mandate values (god man, förvaltare)
    valid_from = DateText()
    valid_until = DateText()
    reference = Text()


class EndRepresentativeForm(Form):
    """The last day a representative's decision holds [issue 18]."""

    last_day = DateText()
