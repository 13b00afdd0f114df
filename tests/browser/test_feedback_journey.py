"""The acceptance journey of issue 7, in a real browser: after a meeting the young person answers "Tyck till
om mötet" on their own pages, and the coordinator's results page shows a chart once 5 young people answered.

Sara Holm has custody of Oskar (12). Each run starts from fresh demo data and sets up its own SIP for Oskar
through the services, inside the live server: Sara asks for it, Kent Olofsson (Socialtjänsten Exempelstad)
accepts and becomes coordinator, Sara consents, and the meeting was held yesterday (set while it was still
ahead, then marked held, as Kent does on the meeting page). Marking it held asks Oskar for feedback. Sara
gives Oskar his own code.

Then, on a 360 px phone with the keyboard alone:
1. Oskar types his code on "Min röst", finds "Tyck till om mötet" on his start page, answers the youth
   questions (radios moved with the arrow keys; every step of the picture scale has words), skips one,
   writes a few words of his own and sends. He sees the thank-you page; its address holds no id. His start
   page no longer asks him.
2. Three more young people's answers come in for Kent's unit in the same month (follow-up meetings marked
   held, each answered through feedback.submit): four in all. Kent signs in, chooses his unit, "Barn och
   unga" and the meeting's month: "För få svar för att visa", no chart, no table, not even the count.
3. A fifth answer comes in. Kent asks again: one SVG chart per question (role=img, named by its title and
   described by the numbers in words), and a table with the same numbers — the test checks the chart's
   description against the table's cells, and both against the answers given.

Every page passes ``check_page`` (axe-core with zero violations, no CSP problem, no sideways scrolling);
Oskar's pages with the children's bar (LIX ≤ 28). The questionnaire and the results are also checked at
1280 px. The journey runs with JavaScript and again without [issue 7; QUALITY 1, 2].
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from tests.browser.conftest import (
    HEIGHT,
    WIDTHS,
    check_key_page,
    check_page,
    check_page_at_every_width,
    choose_radio,
    focus_is,
    h1_text,
    main_text,
    press_enter_and_load,
    requested_accepted_and_consented,
    sign_in_with_the_keyboard,
    tab_to,
    tab_to_button,
    tab_to_link,
)

pytestmark = pytest.mark.browser

GUARDIAN = "Sara Holm"
CHILD = "Oskar Holm"
COORDINATOR = "Kent Olofsson"
OWNING_UNIT = "Socialtjänsten Exempelstad"
SCHOOL = "Björkskolan"

# The youth scale's steps as the question set file names them (young.v1.toml): id → words.
FACES = {"1": "Inte alls", "2": "Lite", "3": "Mitt emellan", "4": "Ganska mycket", "5": "Jättemycket"}
YES_NO = {"yes": "Ja", "no": "Nej", "unsure": "Vet inte"}
SCALE_QUESTIONS = {  # question id → (its words, its scale), in the order of the form
    "information": ("Visste du vad mötet skulle handla om?", FACES),
    "listened": ("Lyssnade de vuxna på dig?", FACES),
    "said_own": ("Fick du säga det du ville?", FACES),
    "cooperation": ("Hjälps de vuxna åt nu?", FACES),
    "meaningful": ("Blev det bättre för dig?", FACES),
    "knows_coordinator": ("Vet du vem du kan fråga om din plan?", YES_NO),
    "overall": ("Var det ett bra möte?", FACES),
}

# Oskar's answers, typed in the browser. He skips "cooperation".
OSKARS_ANSWERS = {
    "information": "4",
    "listened": "5",
    "said_own": "3",
    "meaningful": "2",
    "knows_coordinator": "yes",
    "overall": "4",
}
OSKARS_WORDS = "Det var bra att jag fick prata."

# Four more young people's answers, sent through the service (the fifth makes the group big enough).
OTHER_ANSWERS = [
    {"information": "5", "listened": "4", "said_own": "4", "cooperation": "3", "overall": "5"},
    {"information": "3", "listened": "4", "cooperation": "2", "knows_coordinator": "no", "overall": "3"},
    {"information": "4", "listened": "2", "said_own": "1", "meaningful": "3", "knows_coordinator": "unsure"},
    {
        "listened": "5",
        "said_own": "5",
        "cooperation": "4",
        "meaningful": "4",
        "knows_coordinator": "yes",
        "overall": "4",
        "free_text": "Mötet var för långt.",
    },
]


def _expected_counts() -> dict[str, dict[str, int]]:
    """Per question, how many of the five chose each step's words."""
    everyone = [OSKARS_ANSWERS, *OTHER_ANSWERS]
    return {
        question: {
            words: sum(1 for a in everyone if a.get(question) == step) for step, words in scale.items()
        }
        for question, (_, scale) in SCALE_QUESTIONS.items()
    }


# --- Data, made through the services in the live server ---------------------------------------------------


def _oskars_sip_after_the_meeting(live_server) -> tuple[str, str, str]:
    """Sara asks for a SIP, Kent accepts, Sara consents, the meeting is held, Sara gives Oskar a code.

    Returns the case id, Oskar's code as shown to him, and the meeting's month ("2026-03").
    """
    from citizen_app.extensions import db
    from citizen_app.models import utcnow
    from citizen_app.services import access_links, preparation

    with live_server.app.app_context():
        sara, kent, _units, case = requested_accepted_and_consented(
            GUARDIAN,
            CHILD,
            COORDINATOR,
            need="Oskar vill inte gå till skolan. Han sover dåligt.",
            requested=(OWNING_UNIT, SCHOOL),
            consented=(OWNING_UNIT, SCHOOL),
        )
        # Yesterday, moved back a little when the follow-ups (up to an hour later) would fall in another
        # month: all five answers must share the meeting month.
        starts_at = utcnow() - timedelta(days=1)
        if (starts_at + timedelta(hours=1)).month != starts_at.month:
            starts_at -= timedelta(hours=2)
        _hold_a_meeting(kent, case, starts_at)
        code = preparation.give_child_code(sara, case)
        db.session.commit()
        found = (case.public_id, access_links.show_code(code.secret), starts_at.strftime("%Y-%m"))
        db.session.remove()
    return found


def _hold_a_meeting(kent, case, starts_at) -> None:
    """Set while it was still ahead (a time in the past is refused), then marked held after it began."""
    from citizen_app.services import meetings

    meetings.set_meeting(
        kent,
        case,
        starts_at=starts_at,
        length_minutes=60,
        mode="in_person",
        place="Socialtjänsten, rum 3",
        now=starts_at - timedelta(days=2),
    )
    meetings.mark_held(
        kent, case, now=starts_at + timedelta(minutes=50), confirmation=meetings.CONSENT_CONFIRMED
    )


def _more_young_answers(live_server, case_id: str, answers: list[dict[str, str]]) -> None:
    """Follow-up meetings of Oskar's SIP (same unit, same month), each answered anonymously by the service.

    Each follow-up starts a little after the one before, so it is the case's current meeting when held.
    """
    from sqlalchemy import func, select

    from citizen_app.extensions import db
    from citizen_app.models import Meeting, SipCase, StaffUser
    from citizen_app.services import feedback

    with live_server.app.app_context():
        case = db.session.scalar(select(SipCase).where(SipCase.public_id == case_id))
        kent = db.session.scalar(select(StaffUser).where(StaffUser.display_name == COORDINATOR))
        for form in answers:
            last = db.session.scalar(select(func.max(Meeting.starts_at)).where(Meeting.case_id == case.id))
            _hold_a_meeting(kent, case, last + timedelta(minutes=10))
            asked = feedback.open_request_in_case(case.subject, case)
            assert asked is not None and asked.audience.value == "young", "the held meeting asks the child"
            assert feedback.submit(asked, form) is True
        db.session.commit()
        db.session.remove()


def _young_answers_stored(live_server) -> int:
    from sqlalchemy import func, select

    from citizen_app.extensions import db
    from citizen_app.models import FeedbackAnswer

    with live_server.app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(FeedbackAnswer).where(FeedbackAnswer.question_set == "young")
        )
        db.session.remove()
    return count


# --- 1. The young person answers -------------------------------------------------------------------------


def child_opens_min_rost(page, code: str) -> None:
    page.goto("/min-rost")
    assert h1_text(page) == "Skriv din kod"
    check_page(page, child=True, label="Skriv din kod")
    tab_to(page, "the code field", "el.id === 'code'")
    page.keyboard.type(code)
    tab_to_button(page, "Öppna")
    press_enter_and_load(page)
    assert code.replace("-", "") not in page.url, "the code must not stay in the address"
    assert h1_text(page) == "Min röst"


def child_finds_the_questionnaire(page) -> None:
    notice = page.locator("main .notice", has_text="Vad tyckte du om mötet?")
    assert notice.count() == 1, "after the meeting the start page asks what the child thought"
    check_page(page, child=True, label="Min röst, after the meeting")
    tab_to_link(page, "Tyck till om mötet")
    press_enter_and_load(page)
    assert h1_text(page) == "Vad tyckte du om mötet?"
    assert "/tyck-till/" in page.url


def every_step_has_words(page) -> None:
    """The picture scale: every radio has a label with visible words; the pictures are only decoration."""
    radios = page.locator("main form input[type=radio]")
    expected = sum(len(scale) for _, scale in SCALE_QUESTIONS.values())
    assert radios.count() == expected, f"{radios.count()} radios, expected {expected}"
    for radio in radios.all():
        radio_id = radio.get_attribute("id")
        label = page.locator(f"label[for='{radio_id}']")
        assert label.count() == 1, f"radio #{radio_id} has no label"
        words = " ".join(label.inner_text().split())
        assert words, f"the label of #{radio_id} has no text"
        assert label.locator(".feedback-step__words").is_visible(), f"the words of #{radio_id} are hidden"
        for picture in label.locator("svg").all():
            assert picture.get_attribute("aria-hidden") == "true", "a picture repeats the words: hidden"
    legends = [" ".join(t.split()) for t in page.locator("main form legend").all_inner_texts()]
    assert legends == [text for text, _ in SCALE_QUESTIONS.values()], legends
    pictures = page.locator("main form label svg.feedback-picture")
    assert pictures.count() == expected, "the young person's scale has a picture next to every step's words"


def child_answers(page) -> None:
    check_page_at_every_width(page, child=True, label="the youth questionnaire")
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    every_step_has_words(page)
    for question, step in OSKARS_ANSWERS.items():
        choose_radio(page, question, SCALE_QUESTIONS[question][1][step])
    tab_to(page, "the free text", "el.id === 'free_text'")
    page.keyboard.type(OSKARS_WORDS)
    for question in SCALE_QUESTIONS:
        chosen = page.locator(f"main input[name='{question}']:checked")
        if question in OSKARS_ANSWERS:
            assert chosen.get_attribute("value") == OSKARS_ANSWERS[question], question
        else:
            assert chosen.count() == 0, f"{question} was skipped and should stay unanswered"
    check_page(page, child=True, label="the youth questionnaire, filled in")
    tab_to_button(page, "Skicka")
    press_enter_and_load(page)


def child_sees_the_thanks(page, case_id: str) -> None:
    assert h1_text(page) == "Tack för dina svar!"
    path = page.evaluate("location.pathname")
    assert path == "/min-rost/tyck-till/tack", f"the thank-you page's address holds no id: {path}"
    assert "Ingen får veta vad just du har svarat." in main_text(page)
    check_page(page, child=True, label="thank you")
    tab_to_link(page, "Tillbaka")
    press_enter_and_load(page)
    assert h1_text(page) == "Min röst"
    assert page.evaluate("location.pathname") == f"/min-rost/sip/{case_id}"
    assert page.locator("main .notice", has_text="Vad tyckte du om mötet?").count() == 0, "asked only once"
    assert page.get_by_role("link", name="Tyck till om mötet").count() == 0
    check_page(page, child=True, label="Min röst, answered")


# --- 2 and 3. The coordinator's results ------------------------------------------------------------------


def _choose_in_select(page, field_id: str, option: str) -> None:
    """A <select> moved with the arrow keys (up or down, towards ``option``) until it is chosen."""
    tab_to(page, f"the field #{field_id}", f"el.id === {field_id!r}")
    texts = [" ".join(t.split()) for t in page.locator(f"#{field_id} option").all_inner_texts()]
    assert option in texts, f"{option!r} is not among {texts}"
    chosen = f"el.options[el.selectedIndex].text.trim() === {option!r}"
    for _ in range(len(texts)):
        if focus_is(page, chosen):
            return
        here = page.evaluate("document.activeElement.selectedIndex")
        page.keyboard.press("ArrowDown" if texts.index(option) > here else "ArrowUp")
    assert focus_is(page, chosen), f"the arrow keys never chose {option!r} in #{field_id}"


def coordinator_asks_for_the_young_answers(page, month: str) -> None:
    """From "Personal": the results page; his unit, "Barn och unga" and the meeting's month."""
    sign_in_with_the_keyboard(page, COORDINATOR)
    assert h1_text(page) == "Personal"
    tab_to_link(page, "Svar från Tyck till om mötet")
    press_enter_and_load(page)
    assert h1_text(page) == "Svar från Tyck till om mötet"
    check_page(page, label="results, nothing chosen yet")
    month_words = format_date(date.fromisoformat(month + "-01"), "LLLL y", locale="sv")
    _choose_in_select(page, "enhet", OWNING_UNIT)
    choose_radio(page, "grupp", "Barn och unga")
    _choose_in_select(page, "fran", month_words)
    _choose_in_select(page, "till", month_words)
    show_the_answers(page)


def show_the_answers(page) -> None:
    tab_to_button(page, "Visa svaren")
    press_enter_and_load(page)
    assert h1_text(page) == "Svar från Tyck till om mötet"
    heading = " ".join(page.locator("main h2#results-heading").inner_text().split())
    assert heading == f"Barn och unga: {OWNING_UNIT}", heading


def coordinator_sees_too_few(page) -> None:
    text = main_text(page)
    assert "För få svar för att visa." in text
    assert "svar kom in" not in text, "with so few answers not even the count is shown"
    assert page.locator("main svg.chart").count() == 0, "no chart below 5 answers"
    assert page.locator("main table").count() == 0, "no table below 5 answers"
    assert OSKARS_WORDS not in text, "no free text below 5 answers"
    check_key_page(page, "results, too few answers")


def _table(result) -> dict[str, tuple[int, str]]:
    """The table of one question: the step's words → (count, share)."""
    rows = {}
    for row in result.locator("table tbody tr").all():
        words = " ".join(row.locator("th").inner_text().split())
        count, share = (" ".join(t.split()) for t in row.locator("td").all_inner_texts())
        rows[words] = (int(count), share)
    return rows


def _described(chart, scale: dict[str, str]) -> dict[str, tuple[int, int]]:
    """The chart's text alternative: "Lite: 1 av 5 svar. …" → the step's words → (count, total)."""
    desc = " ".join(chart.locator("desc").text_content().split())
    said = {}
    for words in scale.values():
        found = re.search(re.escape(words) + r": (\d+) av (\d+) svar\.", desc)
        assert found, f"the chart's description does not give {words!r}: {desc!r}"
        said[words] = (int(found.group(1)), int(found.group(2)))
    return said


def coordinator_sees_the_chart(page) -> None:
    text = main_text(page)
    assert "För få svar för att visa." not in text
    assert "5 svar kom in under tiden du valde." in text
    expected = _expected_counts()
    charts = page.locator("main svg.chart")
    assert charts.count() == len(SCALE_QUESTIONS), "one chart per question with a scale"
    for question, (words, scale) in SCALE_QUESTIONS.items():
        result = page.locator(f"main #question-{question}")
        assert " ".join(result.locator("h3").inner_text().split()) == words
        chart = result.locator("svg.chart")
        assert chart.get_attribute("role") == "img"
        title_id, desc_id = chart.get_attribute("aria-labelledby").split()
        assert chart.locator(f"title#{title_id}").text_content() == words, (
            "the chart is named by its question"
        )
        assert chart.locator(f"desc#{desc_id}").count() == 1, "the chart is described in words"
        # Found by role and name, as a screen reader would announce it.
        assert page.get_by_role("img", name=re.compile("^" + re.escape(words))).count() == 1

        table = _table(result)
        said = _described(chart, scale)
        answered = sum(expected[question].values())
        assert list(table) == list(scale.values()), f"{question}: the table has a row per step, in order"
        for step_words, count in expected[question].items():
            assert table[step_words][0] == count, f"{question}/{step_words}: table {table[step_words]}"
            assert said[step_words] == (count, answered), f"{question}/{step_words}: chart said {said}"
        # The amounts written next to the bars are the table's numbers too.
        amounts = [" ".join(t.split()) for t in chart.locator(".chart__amount").all_text_contents()]
        assert amounts == [f"{count} ({share})" for count, share in table.values()], amounts
        assert f"{answered} svarade på frågan." in " ".join(result.locator(".hint").inner_text().split())
    texts = [" ".join(t.split()) for t in page.locator("main .result__texts li").all_inner_texts()]
    assert texts == sorted([OSKARS_WORDS, OTHER_ANSWERS[-1]["free_text"]], key=str.casefold), texts
    check_key_page(page, "results with charts")


# --- The journey -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_young_person_answers_after_the_meeting_and_staff_see_the_chart_from_five_answers(
    new_page, live_server, javascript
):
    live_server.reset_demo_data()  # each run counts its own five answers
    case_id, code, month = _oskars_sip_after_the_meeting(live_server)

    oskar = new_page(javascript=javascript)  # Oskar's phone, not signed in
    child_opens_min_rost(oskar, code)
    child_finds_the_questionnaire(oskar)
    child_answers(oskar)
    child_sees_the_thanks(oskar, case_id)
    assert _young_answers_stored(live_server) == 1

    _more_young_answers(live_server, case_id, OTHER_ANSWERS[:3])
    assert _young_answers_stored(live_server) == 4
    kent = new_page(javascript=javascript)
    coordinator_asks_for_the_young_answers(kent, month)
    coordinator_sees_too_few(kent)

    _more_young_answers(live_server, case_id, OTHER_ANSWERS[3:])
    assert _young_answers_stored(live_server) == 5
    show_the_answers(kent)  # the same choices, asked again
    coordinator_sees_the_chart(kent)
