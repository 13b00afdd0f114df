"""Staff read "Tyck till om mötet" [issue 7] [SIP.md 7]: per unit, period and group, a chart and a table per
question and the free texts — only when at least 5 answered; below that not even the count, on the page or in
the CSV. Staff see only the units they work in.

Answers are made directly as rows: how they get there is tested in tests/unit/test_feedback_rules.py.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import Audience, FeedbackAnswer, StaffRole
from citizen_app.plain_language import main_text_blocks, measure
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FREE_TEXT = "Skönt att alla lyssnade"
RESULTS = "/personal/tyck-till"
CSV = "/personal/tyck-till/ladda-ner"


@pytest.fixture(autouse=True)
def frozen():
    """The default period counts back from today; sessions count from the sign-in, so freeze both."""
    with freeze_time(NOW):
        yield


@pytest.fixture
def units(app):
    social = factories.unit("Socialtjänsten Norr")
    school = factories.unit("Ekskolan")
    return {
        "social": social,
        "school": school,
        "kim": factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare"),
        "li": factories.staff(social, StaffRole.MEMBER, name="Li Medarbetare"),
        "outsider": factories.staff(school, StaffRole.COORDINATOR, name="Bo Annan"),
    }


def _answers(count: int, unit, month: str = "2026-11", values=("5",), free: str | None = FREE_TEXT) -> None:
    """``count`` anonymous adult answers for ``unit``; ``values`` cycle over the answers to "information"."""
    for n in range(count):
        db.session.add(
            FeedbackAnswer(
                question_set="adult",
                set_version=1,
                audience=Audience.ADULT,
                month=month,
                unit_ids=[unit.id],
                answers={"information": values[n % len(values)], "knows_coordinator": "yes"},
                free_text={"free_text": f"{free} {n}"} if free else {},
            )
        )
    db.session.flush()


def _get(client, url, **params):
    return client.get(url, query_string=params)


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _main_text(response) -> str:
    return " ".join(_soup(response).find("main").get_text(" ").split())


def test_the_results_page_shows_the_chart_and_the_table_when_the_group_reaches_5_answers(client, units):
    _answers(5, units["social"], values=("5", "5", "5", "4", "1"))
    client.sign_in_as(units["kim"])
    response = _get(client, RESULTS, enhet=units["social"].public_id, grupp="adult")
    assert response.status_code == 200
    soup = _soup(response)
    information = soup.find(id="question-information")
    assert information.find("h3").get_text(strip=True) == "Fick du veta vad mötet skulle handla om?"
    assert information.find("svg", attrs={"role": "img"}) is not None
    rows = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in information.tbody.find_all("tr")}
    assert rows == {
        "Nej, inte alls": "1",
        "Nej, inte så mycket": "0",
        "Delvis": "0",
        "Ja, ganska mycket": "1",
        "Ja, helt": "3",
    }
    text = _main_text(response)
    assert "5 svar kom in" in text
    assert f"{FREE_TEXT} 0" in text and f"{FREE_TEXT} 4" in text
    assert "För få svar" not in text
    # A question nobody answered has no chart, only the words that nobody answered it.
    assert soup.find(id="question-listened").find("svg") is None


def test_the_default_period_is_the_last_12_months(client, units):
    _answers(5, units["social"], month="2025-11")  # 13 months back: outside
    client.sign_in_as(units["li"])  # a member of the unit, not a coordinator, may read it too
    response = _get(client, RESULTS)
    soup = _soup(response)
    assert soup.find("select", id="fran").find("option", selected=True)["value"] == "2025-12"
    assert soup.find("select", id="till").find("option", selected=True)["value"] == "2026-11"
    assert "För få svar för att visa" in _main_text(response)
    wider = _get(
        client, RESULTS, enhet=units["social"].public_id, grupp="adult", fran="2025-11", till="2026-11"
    )
    assert "5 svar kom in" in _main_text(wider)


def test_with_4_answers_it_says_too_few_and_shows_no_numbers_or_free_text_in_the_page_or_the_csv(
    client, units
):
    _answers(4, units["social"])
    client.sign_in_as(units["kim"])
    params = {"enhet": units["social"].public_id, "grupp": "adult", "fran": "2026-11", "till": "2026-11"}
    response = _get(client, RESULTS, **params)
    assert response.status_code == 200
    soup = _soup(response)
    text = _main_text(response)
    assert "För få svar för att visa" in text
    assert soup.find("main").find("svg") is None and soup.find("main").find("table") is None
    assert FREE_TEXT not in text
    section = soup.find(id="results-heading").parent.get_text(" ")
    assert not re.search(r"\d", section.replace("5", "")), "no count of the answers, not even 4"
    assert "ladda-ner" not in response.get_data(as_text=True)

    download = _get(client, CSV, **params)
    assert download.status_code == 200
    body = download.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows == [["question", "answer", "count"], ["-", "för få svar för att visa", ""]]
    assert FREE_TEXT not in body


def test_the_csv_has_the_same_numbers_and_says_nothing_about_anyone_in_its_name(client, units):
    _answers(5, units["social"], values=("5", "4"))
    client.sign_in_as(units["kim"])
    download = _get(
        client, CSV, enhet=units["social"].public_id, grupp="adult", fran="2026-01", till="2026-11"
    )
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = download.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="tyck-till-adult-2026-01-2026-11.csv"'
    assert units["social"].public_id not in disposition and "Kim" not in disposition
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    information = {r[1]: r[2] for r in rows if r[0] == "Fick du veta vad mötet skulle handla om?"}
    assert information["Ja, helt"] == "3" and information["Ja, ganska mycket"] == "2"
    assert sorted(r[1] for r in rows if r[0] == "free_text") == [f"{FREE_TEXT} {n}" for n in range(5)]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_free_text_that_a_spreadsheet_would_run_as_a_formula_is_exported_as_plain_text(client, units, start):
    hostile = start + 'HYPERLINK("https://evil.example","Klicka")'
    _answers(5, units["social"], free=hostile)
    client.sign_in_as(units["kim"])
    download = _get(
        client, CSV, enhet=units["social"].public_id, grupp="adult", fran="2026-01", till="2026-11"
    )
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    free_texts = [r[1] for r in rows if r[0] == "free_text"]
    assert len(free_texts) == 5
    assert all(text.startswith("'" + start) for text in free_texts), free_texts


def _described_numbers(svg, soup) -> tuple[str, dict[str, str]]:
    """The chart's name and the numbers its text alternative says in words ("Ja, helt: 3 av 5 svar.")."""
    title_id, desc_id = svg["aria-labelledby"].split()
    title = soup.find(id=title_id)
    desc = soup.find(id=desc_id)
    assert title.name == "title" and desc.name == "desc" and title.parent is svg and desc.parent is svg
    said = dict(re.findall(r"([^.:]+): (\d+) av \d+ svar\.", desc.get_text()))
    return title.get_text(), {label.strip(): count for label, count in said.items()}


def test_the_chart_has_a_text_alternative_and_its_numbers_equal_the_tables(client, units):
    _answers(7, units["social"], values=("5", "3", "5", "2", "yes"))  # "yes" is no step here: not counted
    client.sign_in_as(units["kim"])
    soup = _soup(_get(client, RESULTS, enhet=units["social"].public_id, grupp="adult"))
    charts = soup.find_all("svg", attrs={"role": "img"})
    assert len(charts) == 2  # the two questions anyone answered
    for svg in charts:
        block = svg.find_parent(class_="result")
        title, said = _described_numbers(svg, soup)
        assert title == block.find("h3").get_text(strip=True)
        table = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in block.tbody.find_all("tr")}
        assert said == table
        # The words next to the bars are real text too, one per step.
        drawn = [t.get_text() for t in svg.find_all("text", class_="chart__label")]
        assert drawn == list(table)
    information = soup.find(id="question-information")
    _, said = _described_numbers(information.find("svg"), soup)
    assert said["Ja, helt"] == "3" and said["Delvis"] == "2" and said["Nej, inte så mycket"] == "1"


def test_in_english_the_questions_steps_and_text_alternative_are_english(client, units):
    _answers(5, units["social"])
    client.sign_in_as(units["kim"])
    with client.session_transaction() as session:
        session["lang"] = "en"
    soup = _soup(_get(client, RESULTS, enhet=units["social"].public_id))
    information = soup.find(id="question-information")
    assert information.find("h3").get_text(strip=True) == "Were you told what the meeting would be about?"
    desc = information.find("desc").get_text()
    assert "Yes, completely: 5 of 5 answers." in desc


def test_staff_of_another_unit_cannot_see_the_units_results(client, units):
    _answers(6, units["social"])
    client.sign_in_as(units["outsider"])
    page = _get(client, RESULTS)
    options = [o.get_text(strip=True) for o in _soup(page).find("select", id="enhet").find_all("option")]
    assert options == ["Ekskolan"]
    assert FREE_TEXT not in _main_text(page)
    assert _get(client, RESULTS, enhet=units["social"].public_id).status_code == 404
    download = _get(client, CSV, enhet=units["social"].public_id, grupp="adult")
    assert download.status_code == 404 and FREE_TEXT not in download.get_data(as_text=True)


def test_citizens_cannot_open_the_results(client, units):
    client.sign_in_as(factories.person("Anna Lind"))
    assert _get(client, RESULTS).status_code == 403
    assert _get(client, CSV).status_code == 403


def test_a_period_that_runs_backwards_is_refused(client, units):
    _answers(5, units["social"])
    client.sign_in_as(units["kim"])
    response = _get(client, RESULTS, enhet=units["social"].public_id, fran="2026-11", till="2026-01")
    assert response.status_code == 422
    soup = _soup(response)
    assert soup.find(class_="error-summary").find("a")["href"] == "#till"
    assert soup.find("title").get_text().startswith("Fel:")
    assert FREE_TEXT not in _main_text(response)


def test_the_start_page_leads_to_the_results_and_the_problem_reports(client, units):
    client.sign_in_as(units["kim"])
    links = {a["href"] for a in _soup(client.get("/personal/")).find("main").find_all("a")}
    assert {RESULTS, "/personal/rapporterade-problem"} <= links


def test_the_results_page_is_plain_swedish(client, units):
    _answers(5, units["social"])
    client.sign_in_as(units["kim"])
    html = _get(client, RESULTS, enhet=units["social"].public_id).get_data(as_text=True)
    assert measure(main_text_blocks(html)).lix <= 35
