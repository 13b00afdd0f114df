"""Forms of the consent pages (web/consent.py): the four questions of the flow, the summary's "Ja, jag
samtycker", confirming a consent staff wrote down, and the child's view. Shape only: every rule and message is
in services/consent.py and services/child_view.py. A checkbox list may repeat; any other field sent twice, or
hundreds of checkboxes, is malformed (400, nothing saved)."""

from __future__ import annotations

from citizen_app.web.forms import Form, StrictChoices, StrictText, Text


class QuestionForm(Form):
    """One question of the flow, filled in from the draft's answers when the page is opened."""

    @property
    def values(self) -> dict:
        """What was sent, by field name, as the service reads it: a checkbox list once each, sorted."""
        return {
            field.name: sorted(set(field.data)) if isinstance(field, StrictChoices) else field.data
            for field in self
        }

    @classmethod
    def of(cls, answers: dict) -> QuestionForm:
        return cls(data={name: value for name, value in answers.items() if value is not None})


class PartiesForm(QuestionForm):
    units = StrictChoices()
    other_parties = StrictText()


class CategoriesForm(QuestionForm):
    categories = StrictChoices()


class ExclusionsForm(QuestionForm):
    exclusions = StrictText()


class PeriodForm(QuestionForm):
    period = StrictText()
    until = StrictText()


QUESTIONS: dict[str, type[QuestionForm]] = {
    "parties": PartiesForm,
    "categories": CategoriesForm,
    "exclusions": ExclusionsForm,
    "period": PeriodForm,
}


class GiveForm(Form):
    """The summary's "Ja, jag samtycker": the token of the consent the summary was shown for."""

    based_on = Text()


class ConfirmRecordedForm(Form):
    """Confirming a consent staff wrote down: which one."""

    event = Text()


class ChildViewForm(Form):
    answer = StrictText()
    own_words = StrictText()
