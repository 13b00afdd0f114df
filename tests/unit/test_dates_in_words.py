"""Dates and times as each language writes them [issue 13]: Swedish "kl. 13.30", English "at 13:30"."""

from datetime import UTC, datetime

import pytest
from flask import session


@pytest.mark.parametrize(
    "lang,expected",
    [("sv", "17 december 2026 kl. 13.30"), ("en", "17 December 2026 at 13:30")],
)
def test_a_meeting_time_is_written_as_the_readers_language_writes_it(app, lang, expected):
    with app.test_request_context("/"):
        session["lang"] = lang
        rendered = app.jinja_env.from_string("{{ moment | localdatetime }}").render(
            moment=datetime(2026, 12, 17, 12, 30, tzinfo=UTC)  # 13.30 in Sweden in winter
        )
    assert rendered == expected
