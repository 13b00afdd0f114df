"""The form classes of the citizen pages (citizen_app/web/forms/): what they read from a POST, and the few
field types and helpers they added to the form layer (LongText, Form.was_posted, form_page)."""

from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import MultiDict

from citizen_app.services import N_, question_sets
from citizen_app.web.forms import Form, LongText, Text, add_errors, form_page
from citizen_app.web.forms.feedback import feedback_form
from citizen_app.web.forms.plan import ApproveForm, CommentForm


def _posted(app, data):
    return app.test_request_context("/", method="POST", data=MultiDict(data))


def test_a_long_text_is_cut_at_its_limit_and_loses_its_nul_characters(app):
    class NoteForm(Form):
        note = LongText(limit=10)

    with _posted(app, {"note": "Hej\x00 då, och mycket mer"}):
        assert NoteForm().note.data == "Hej då, o"  # cut first, then the NUL dropped: as the view did
    with _posted(app, {"other": "x"}):
        assert NoteForm().note.data == ""


def test_a_plan_comment_keeps_far_more_than_the_service_allows_so_the_service_says_too_long(app):
    with _posted(app, {"comment": "a" * 3000}):
        assert len(CommentForm().comment.data) == 3000
    with _posted(app, {"comment": "a" * 50_000}):
        assert len(CommentForm().comment.data) == 10_000


@pytest.mark.parametrize(("typed", "number"), [("3", 3), (" 12 ", 12), ("tre", 0), ("", 0), ("3.5", 0)])
def test_the_version_approved_is_the_number_sent_or_none_at_all(app, typed, number):
    with _posted(app, {"version": typed, "fingerprint": "abc"}):
        form = ApproveForm()
        assert form.number == number
        assert form.fingerprint.data == "abc"


class DeviceForm(Form):
    device = Text()


def test_a_form_was_posted_only_when_the_request_carries_form_fields(app):
    with _posted(app, {"device": "abc"}):
        assert DeviceForm().was_posted
    with app.test_request_context(
        "/", method="POST", data=json.dumps({"endpoint": "x"}), content_type="application/json"
    ):
        assert not DeviceForm().was_posted
    with app.test_request_context(
        "/", method="POST", data=b"", content_type="application/x-www-form-urlencoded"
    ):
        assert not DeviceForm().was_posted
    with app.test_request_context("/?device=abc", method="GET"):
        assert not DeviceForm().was_posted


def test_a_form_page_is_422_with_errors_and_200_without(app):
    template = "problems/report_problem.html"
    with _posted(app, {"kind": "other", "text": "Ingen kom."}):
        from citizen_app.web.forms.problems import ReportForm

        form = ReportForm()
        context = {"case": {"public_id": "a" * 22}, "kinds": ["other"]}
        assert form_page(template, form, **context)[1] == 200
        add_errors(form, {"text": N_("Skriv vad som hände")})
        html, status = form_page(template, form, **context)
        assert status == 422
        assert 'id="text-error"' in html and "Ingen kom." in html


def test_the_questionnaire_has_a_field_for_every_question_in_the_sets_order(app):
    question_set = question_sets.newest("adult")
    with _posted(app, {"overall": "5", "free_text": "Bra möte", "not_a_question": "x"}):
        form = feedback_form(question_set)()
        answers = form.answers()
    assert list(answers) == [question.id for question in question_set.questions]
    assert answers["overall"] == "5" and answers["free_text"] == "Bra möte"
    assert "not_a_question" not in answers


def test_answer_at_least_one_question_is_shown_at_the_first_question(app):
    question_set = question_sets.newest("adult")
    first = question_set.questions[0].id
    with _posted(app, {}):
        form = feedback_form(question_set)()
        form.add_service_errors({"form": N_("Svara på minst en fråga")})
        assert form.page_errors == {first: "Svara på minst en fråga"}


def test_a_question_id_that_would_hide_part_of_the_form_is_refused():
    class Question:
        id = "data"

    class Set:
        questions = [Question()]

    with pytest.raises(ValueError, match="data"):
        feedback_form(Set())
