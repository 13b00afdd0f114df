"""The forms of "Inför mötet" and the child's "Min röst" (web/forms/preparation.py, web/forms/child.py): they
read what was posted and check its shape; what is allowed is decided by services/preparation.py."""

from __future__ import annotations

from types import SimpleNamespace

from werkzeug.datastructures import MultiDict

from citizen_app.services import preparation
from citizen_app.web.forms.child import ChildAnswerForm, EnterCodeForm
from citizen_app.web.forms.preparation import (
    GuestForm,
    ShareAgendaForm,
    SuggestionForm,
    WhereHowForm,
    WhoComesForm,
)


def _posted(app, **fields):
    return app.test_request_context("/", method="POST", data=MultiDict(fields))


def test_where_and_how_has_a_text_for_every_kind_of_adaptation_the_service_knows(app):
    written = {"adaptation_" + kind: f"Om {kind}" for kind in preparation.ADAPTATIONS}
    with _posted(app, place="home", **written):
        form = WhereHowForm()
        assert form.adaptations == {kind: f"Om {kind}" for kind in preparation.ADAPTATIONS}


def test_where_and_how_comes_back_filled_in_from_what_was_saved(app):
    saved = {"place": "video", "interpreter": "arabiska", "adaptations": {"physical": "Hiss"}}
    with app.test_request_context("/"):
        form = WhereHowForm.of(saved)
        assert (form.place.data, form.interpreter.data) == ("video", "arabiska")
        assert form.times_not_working.data == ""
        assert form.adaptation_physical.data == "Hiss"


def test_the_units_chosen_are_read_as_sent_and_the_service_decides_which_are_allowed(app):
    with _posted(app, units=["unit-a", "unit-b"], support_person="Moster"):
        form = WhoComesForm()
        assert form.validate()
        assert form.units.data == ["unit-a", "unit-b"]
        assert form.coordinator_wish.data == ""


def test_a_guests_errors_from_the_service_land_on_the_guest_fields(app):
    with _posted(app, guest_name="", guest_contact="12"):
        form = GuestForm()
        assert not form.is_support_person
        errors = GuestForm.errors_of({"name": "Skriv namnet", "contact": "Skriv ett telefonnummer"})
        assert errors == {"guest_name": "Skriv namnet", "guest_contact": "Skriv ett telefonnummer"}


def test_sharing_the_list_is_yes_or_no_and_nothing_else(app):
    for sent, valid in (("yes", True), ("no", True), ("kanske", False), ("", False)):
        with _posted(app, share=sent):
            form = ShareAgendaForm()
            assert form.validate() is valid, sent
            if not valid:
                assert form.page_errors == {"share": "Välj ja eller nej"}


def test_a_suggestion_is_only_taken_or_left(app):
    with _posted(app, answer="kanske"):
        assert not SuggestionForm().validate()
    with _posted(app, answer="no"):
        assert SuggestionForm().validate()


def test_a_child_who_types_no_code_is_asked_for_one(app):
    with _posted(app, code="   "):
        form = EnterCodeForm()
        assert not form.validate()
        assert form.page_errors == {"code": "Skriv din kod"}
    with _posted(app, code="abcde-fghjk"):
        assert EnterCodeForm().validate()


def test_a_childs_saved_answer_comes_back_with_the_choice_to_share_it(app):
    saved = SimpleNamespace(text="Fotboll", choice={"attend": "part"}, guardians_may_see=True)
    with app.test_request_context("/"):
        form = ChildAnswerForm.of(saved)
        assert (form.text.data, form.choice.data, form.guardians_may_see) == ("Fotboll", "part", True)
        assert not ChildAnswerForm.of(None).guardians_may_see
    with _posted(app, text="Hej", share="ja"):
        assert not ChildAnswerForm().guardians_may_see  # only the checkbox's own value "yes" shares
