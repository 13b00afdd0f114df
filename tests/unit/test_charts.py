"""The SVG bar chart drawn on the server [issue 7]: valid XML, a text alternative with the numbers in words,
every bar labelled with real text, bar lengths proportional to the counts, and all text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from citizen_app.services import charts
from citizen_app.services.charts import Bar

SVG = "{http://www.w3.org/2000/svg}"
BARS = [Bar("Nej", 1), Bar("Delvis", 0), Bar("Ja, helt", 4), Bar("Vet inte", 3)]


def _draw(bars=BARS, title="Fick du veta vad mötet skulle handla om?") -> ET.Element:
    return ET.fromstring(charts.bar_chart("chart-information", title, bars))  # noqa: S314 (our own SVG)


def test_the_chart_is_valid_svg_named_by_its_title_and_description():
    svg = _draw()
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    by_id = {el.get("id"): el for el in svg.iter() if el.get("id")}
    assert by_id[title_id].tag == f"{SVG}title" and by_id[desc_id].tag == f"{SVG}desc"
    assert by_id[title_id].text == "Fick du veta vad mötet skulle handla om?"
    assert by_id[desc_id].text == (
        "Nej: 1 av 8 svar. Delvis: 0 av 8 svar. Ja, helt: 4 av 8 svar. Vet inte: 3 av 8 svar."
    )
    assert list(svg)[:2] == [by_id[title_id], by_id[desc_id]]  # read first by assistive technology


def test_every_bar_has_its_words_and_its_number_as_text():
    svg = _draw()
    labels = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__label"]
    amounts = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__amount"]
    assert labels == ["Nej", "Delvis", "Ja, helt", "Vet inte"]
    assert amounts == ["1 (13\u00a0%)", "0 (0\u00a0%)", "4 (50\u00a0%)", "3 (38\u00a0%)"]


def test_bars_are_proportional_to_the_counts_and_a_step_nobody_chose_has_no_bar():
    svg = _draw()
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart__bar"]
    assert len(widths) == 3  # "Delvis" has 0
    one, four, three = widths
    assert four == charts.BAR_ROOM / 2  # 4 of 8 answers: half the room
    assert abs(four / one - 4) < 0.05 and abs(three / one - 3) < 0.05
    assert max(widths) <= charts.WIDTH


def test_bars_do_not_rely_on_colour():
    svg = _draw()
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart__bar"]
    assert bars, "the chart should have bars to look at"
    for bar in bars:
        assert bar.get("stroke") == "currentColor"  # an outline in the text colour
        assert bar.get("fill") == "url(#chart-information-hatch)"
    (pattern,) = svg.iter(f"{SVG}pattern")
    assert pattern.get("id") == "chart-information-hatch"
    assert any(line.get("stroke") == "currentColor" for line in pattern.iter(f"{SVG}line"))


def test_text_is_escaped_and_long_labels_wrap():
    long_label = "Ja, men bara en del av det som vi hade tänkt prata om på mötet"
    svg = _draw([Bar('<b>"Nej" & nej</b>', 2), Bar(long_label, 1)], title="A & <B>")
    assert svg.find(f"{SVG}title").text == "A & <B>"
    labels = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__label"]
    assert "".join(labels[0].itertext()) == '<b>"Nej" & nej</b>'
    spans = [s.text for s in labels[1].iter(f"{SVG}tspan")]
    assert len(spans) == 2 and " ".join(spans) == long_label
    assert all(len(s) <= charts.CHARS_PER_LINE for s in spans)


def test_the_view_can_pass_its_own_words():
    svg = ET.fromstring(  # noqa: S314 (our own SVG)
        charts.bar_chart(
            "c",
            "Q",
            [Bar("Yes", 1)],
            describe=lambda label, count, total: f"{label}: {count} of {total} answers.",
            amount=lambda count, total: f"{count} ({charts.percent(count, total)}%)",
        )
    )
    assert svg.find(f"{SVG}desc").text == "Yes: 1 of 1 answers."
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart__amount"] == ["1 (100%)"]


def test_percent_rounds_half_up_and_survives_no_answers():
    assert charts.percent(5, 8) == 63
    assert charts.percent(1, 8) == 13
    assert charts.percent(0, 0) == 0
