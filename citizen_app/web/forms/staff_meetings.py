"""Forms of the coordinator's meeting pages and a unit's answer to an invitation (web/staff_meetings.py).
Shape only; the rules are in services/meetings.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from wtforms.validators import ValidationError

from citizen_app.services import N_
from citizen_app.web.forms import Choices, Form, Text

# Staff type the time as it is in Sweden; it is stored in UTC.
LOCAL = ZoneInfo("Europe/Stockholm")


class _When:
    """A date and a time typed in Swedish local time (fields ``date``, ``time``), read as one UTC moment."""

    date: Text
    time: Text

    def validate_date(self, field) -> None:
        typed = field.data.strip()
        if typed:
            try:
                date.fromisoformat(typed)
            except ValueError:
                raise ValidationError(N_("Skriv datumet som år-månad-dag, till exempel 2026-12-01")) from None

    def validate_time(self, field) -> None:
        """The time is read only when the date could be (as one moment, both or nothing)."""
        if self.date.errors or not self.date.data.strip():
            return
        try:
            time.fromisoformat(field.data.strip())
        except ValueError:
            raise ValidationError(N_("Skriv tiden som timmar och minuter, till exempel 13:30")) from None

    @property
    def unreadable(self) -> bool:
        return bool(self.date.errors or self.time.errors)

    @property
    def starts_at(self) -> datetime | None:
        """The date and time typed in Swedish local time, as UTC; None when they are missing or unreadable."""
        if self.unreadable or not self.date.data.strip():
            return None
        day = date.fromisoformat(self.date.data.strip())
        clock = time.fromisoformat(self.time.data.strip())
        return datetime.combine(day, clock, tzinfo=LOCAL).astimezone(UTC)


class MeetingForm(_When, Form):
    date = Text()
    time = Text()
    length = Text()
    mode = Text()
    place = Text()
    video_link = Text()
    phone = Text()
    interpreter_language = Text()
    other_needs = Text()
    interpreter_booked = Text()

    @property
    def length_minutes(self) -> int | None:
        return int(self.length.data) if self.length.data.strip().isdigit() else None

    @classmethod
    def of(cls, meeting) -> MeetingForm:
        """The form filled in from the planned meeting, or empty with 60 minutes for a new one."""
        if meeting is None:
            return cls(data={"length": "60"})
        local = meeting.starts_at.astimezone(LOCAL)
        return cls(
            data={
                "date": local.date().isoformat(),
                "time": local.strftime("%H:%M"),
                "length": str(meeting.length_minutes),
                "mode": meeting.mode.value,
                "place": meeting.place,
                "video_link": meeting.video_link,
                "phone": meeting.phone,
                "interpreter_language": meeting.interpreter_language,
                "interpreter_booked": "yes" if meeting.interpreter_booked else "",
                "other_needs": meeting.other_needs,
            }
        )


class InviteForm(Form):
    parties = Choices()


class AnswerInvitationForm(Form):
    """Coming, by phone, not coming (who instead), or "Vi känner inte personen" (the note optional)."""

    status = Text()
    who_comes = Text()
    replacement = Text()
    note = Text()


class HeldForm(_When, Form):
    """The meeting was held: what happened with the consent at its start (services/meeting_consent.py), and,
    before the booked start, when it really was [issue 16]."""

    date = Text()
    time = Text()
    consent_outcome = Text()
    consent_reason = Text()


class PastMeetingForm(_When, Form):
    """A meeting that already happened [issue 16]: when, how long, how and where, and the consent at its
    start."""

    date = Text()
    time = Text()
    length = Text()
    mode = Text()
    place = Text()
    video_link = Text()
    phone = Text()
    consent_outcome = Text()
    consent_reason = Text()

    @property
    def length_minutes(self) -> int | None:
        return int(self.length.data) if self.length.data.strip().isdigit() else None


class SendToForm(Form):
    """A mobile number or an e-mail address to send a relative's link or a child's code to."""

    address = Text(N_("Mobilnummer eller e-postadress"))
