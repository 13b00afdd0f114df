"""The order of a question-per-page flow (pages/flow.py) [issue 14]: "Fortsätt", "Tillbaka", the check page's
"Ändra" links that return to it, and no way to the check page before every question is answered."""

from __future__ import annotations

import pytest

from citizen_app.pages.flow import CHECK, RETURN_TO_CHECK, START, Flow, returning

FLOW = Flow(("who", "need", "contact"))


def test_continue_leads_to_the_next_question_and_from_the_last_to_the_check_page():
    assert FLOW.after("who") == "need"
    assert FLOW.after("need") == "contact"
    assert FLOW.after("contact") == CHECK


def test_back_leads_to_the_question_before_and_from_the_first_to_the_start_page():
    assert FLOW.back("contact") == "need"
    assert FLOW.back("need") == "who"
    assert FLOW.back("who") == START
    assert FLOW.last == "contact"  # where the check page's own back link leads


@pytest.mark.parametrize("step", FLOW.steps)
def test_a_question_opened_from_the_check_page_returns_there_both_ways(step):
    """ "Ändra" on the check page: changing one answer does not walk the person through the rest."""
    assert FLOW.after(step, returning=True) == CHECK
    assert FLOW.back(step, returning=True) == CHECK


def test_only_the_check_pages_own_link_counts_as_coming_from_it():
    assert returning(RETURN_TO_CHECK) and RETURN_TO_CHECK == "kontrollera"
    assert not returning(None) and not returning("") and not returning("KONTROLLERA")


def test_the_check_page_waits_for_the_first_question_not_answered():
    assert FLOW.first_open({}) == "who"
    assert FLOW.first_open({"_done": ["who", "contact"]}) == "need"  # answering a later one skips nothing
    assert FLOW.first_open({"_done": ["contact", "need", "who"]}) is None
    assert FLOW.first_open({"_done": "who,need,contact"}) == "who"  # not a list: nothing is answered


def test_an_answer_that_no_longer_holds_is_asked_again():
    """A consent's own end date that has passed since it was answered: the summary sends the person back."""
    answers = {"_done": ["who", "need", "contact"]}
    assert FLOW.first_open(answers, needs_answer=lambda step: step == "need") == "need"
    assert FLOW.first_open(answers, needs_answer=lambda step: False) is None


def test_an_answer_is_kept_with_the_others_and_marked_answered_in_the_flows_order():
    answers = FLOW.answered({"_done": ["contact"], "phone": "070"}, {"need": "Hjälp"}, "need")
    assert answers == {"_done": ["need", "contact"], "phone": "070", "need": "Hjälp"}
    assert FLOW.is_answered("need", answers) and not FLOW.is_answered("who", answers)
    again = FLOW.answered(answers, {"need": "Annan hjälp"}, "need")
    assert again["need"] == "Annan hjälp" and again["_done"] == ["need", "contact"]


@pytest.mark.parametrize("steps", [(), ("who", "who"), ("who", CHECK), (START, "need")])
def test_a_flow_needs_distinct_questions_that_are_not_its_own_places(steps):
    with pytest.raises(ValueError, match="distinct steps"):
        Flow(steps)
