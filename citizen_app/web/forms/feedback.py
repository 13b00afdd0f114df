"""The questionnaire after a meeting (web/feedback.py): one field per question of the question set.

The questions come from the set's file, so the form class is made from the set. Which answers are allowed
(a step of the scale, at most so many characters, at least one answer) is decided in services/feedback.py.
"""

from __future__ import annotations

from citizen_app.web.forms import Form, Text, add_errors

# The service's error for the whole form ("answer at least one question").
WHOLE_FORM = "form"


class FeedbackForm(Form):
    """The base of every questionnaire's form; ``feedback_form`` adds the questions."""

    def answers(self) -> dict[str, str]:
        """What was answered, question id → text, as ``feedback.submit`` takes it."""
        return {field.name: field.data for field in self}

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """The service's errors onto the questions. "Answer at least one question" goes on the first
        question, so the error summary links to where the person can start."""
        first = next(iter(self)).name
        on_fields = {first if name == WHOLE_FORM else name: message for name, message in errors.items()}
        add_errors(self, on_fields)


def feedback_form(question_set) -> type[FeedbackForm]:
    """A form class with a text field for each question of the set, in the set's order."""

    class QuestionnaireForm(FeedbackForm):
        pass

    for question in question_set.questions:
        if hasattr(QuestionnaireForm, question.id):  # would shadow what a form is made of (data, errors…)
            raise ValueError(f"question id {question.id!r} cannot be a form field")
        setattr(QuestionnaireForm, question.id, Text())
    return QuestionnaireForm
