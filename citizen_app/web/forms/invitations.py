"""Forms of a guest's invitation page, opened with a personal link (web/invitations.py). Shape only; the
rules are in services/meetings.py and services/preparation.py."""

from __future__ import annotations

from citizen_app.web.forms import Form, Text


class GuestAnswerForm(Form):
    status = Text()


class TopicForm(Form):
    text = Text()
