"""Forms of "Begär en SIP" (web/requests.py): one form per question, and the check page's. Shape only: every
rule and message is in services/requests.py. Only "units" may repeat (checkboxes); any other field sent twice,
or hundreds of checkboxes, is malformed (400, nothing saved)."""

from __future__ import annotations

from citizen_app.web.forms import Form, StrictChoices, StrictText


class QuestionForm(Form):
    """A question's form, filled in from the saved answers when the page is opened again."""

    @property
    def values(self) -> dict:
        """What was sent, by field name, as the service reads it."""
        return {field.name: field.data for field in self}

    @classmethod
    def of(cls, answers: dict, answered: bool) -> QuestionForm:
        """The saved answers as the form sends them (a yes/no as "yes" or "no"); empty when not answered."""
        form = cls()
        for field in form if answered else ():
            value = answers.get(field.name)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            field.data = value if value is not None else ""
        return form


class WhoForm(QuestionForm):
    for_whom = StrictText()
    close_name = StrictText()
    close_contact = StrictText()


class NeedForm(QuestionForm):
    need = StrictText()


class ServicesForm(QuestionForm):
    units = StrictChoices()
    other_services = StrictText()

    @classmethod
    def of(cls, answers: dict, answered: bool) -> QuestionForm:
        form = super().of(answers, answered)
        if answered:  # "Vet inte" is one of the boxes
            dont_know = ["dont_know"] if answers.get("dont_know") else []
            form.units.data = list(answers.get("units") or []) + dont_know
        return form


class UrgencyForm(QuestionForm):
    urgent = StrictText()
    leaving_hospital = StrictText()
    discharge_date = StrictText()


class ContactForm(QuestionForm):
    contact_way = StrictText()
    phone = StrictText()
    email = StrictText()
    interpreter = StrictText()
    interpreter_language = StrictText()
    adaptations = StrictText()


QUESTIONS: dict[str, type[QuestionForm]] = {
    "who": WhoForm,
    "need": NeedForm,
    "services": ServicesForm,
    "urgency": UrgencyForm,
    "contact": ContactForm,
}


class SendForm(Form):
    """The check page's "Skicka": nothing but the button (CSRF and the submission id are checked before)."""
