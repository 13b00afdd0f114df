"""The calendar file for a meeting [issue 14]: RFC 5545 lines of at most 75 octets, read back unchanged."""

from datetime import UTC, datetime

from icalendar import Calendar

from citizen_app.models import Meeting
from citizen_app.services import meetings


def test_a_long_place_with_swedish_letters_is_folded_and_reads_back_the_same(app):
    where = "Vårdcentralen Norra, Storgatan 12, våning 3, rum 314; fråga i receptionen, ta hissen till höger"
    meeting = Meeting(
        public_id="m" * 22, starts_at=datetime(2026, 12, 17, 12, 30, tzinfo=UTC), length_minutes=90
    )
    body = meetings.ics(meeting, "Möte i Min SIP", where)
    assert all(len(line.encode("utf-8")) <= 75 for line in body.split("\r\n")), body
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == where
    assert str(event["SUMMARY"]) == "Möte i Min SIP"
    assert event.decoded("DTSTART") == datetime(2026, 12, 17, 12, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 17, 14, 0, tzinfo=UTC)
