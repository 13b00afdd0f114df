"""What happened, in words, for whoever reads it (services/history.py) [issue 13].

Every event kind, every step a step change can reach and every closing reason has its own sentence, for
every reader, whoever did it. No sentence is a generic one ("Något ändrades."), none claims the reader did
what someone else did, and each is translated. The sentences are rendered through the template macro the
case page uses, in Swedish and in English.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from citizen_app.models import ClosingReason, EventKind, Initiator, Step
from citizen_app.services import history, timeline
from citizen_app.services.readers import Reader, ReaderKind
from tests.support import factories

READER_ID, OTHER_ID, STAFF_ID = 1, 2, 3
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GENERIC = {"", "Något ändrades.", "Något har hänt.", "Något har hänt i en SIP.", "Anteckning.", "Nytt steg:"}
READERS = [Reader(kind, READER_ID, "Karl Nyström") for kind in ReaderKind]
ACTORS = {
    "the reader": {"actor_person_id": READER_ID, "actor_name": "Läsaren Själv"},
    "someone else": {"actor_person_id": OTHER_ID, "actor_name": "Johan Berg"},
    "staff": {"actor_staff_id": STAFF_ID},
    "nobody": {},
}
# What each kind carries when the services record it (timeline.REQUIRED_DATA and the services' data).
DATA = {
    EventKind.ACCEPTED: {"coordinator": "Kent Olofsson"},
    EventKind.COORDINATOR_CHANGED: {"coordinator": "Rita Samuelsson"},
    EventKind.FORWARDED: {"from": "Socialtjänsten", "to": "Psykiatrin", "reason": "De kan hjälpa dig."},
    EventKind.MEETING_BOOKED: {"starts_at": "2026-12-17T12:30:00+00:00"},
    EventKind.MEETING_CHANGED: {"starts_at": "2026-12-18T12:30:00+00:00", "new_time": True},
    EventKind.NOTE: {"text": "Vi ringer dig på fredag."},
    EventKind.DISCHARGE_LINKED: {"discharge_date": "2026-12-20", "earlier": ""},
    EventKind.COMPULSORY_CARE_RECORDED: {"kind": "lpt"},
    EventKind.MOVE_PROPOSED: {"from": "Vårdcentralen", "to": "Socialtjänsten", "reason": "Boendet"},
    EventKind.MOVE_DECLINED: {"to": "Socialtjänsten", "reason": "Vi känner inte personen."},
    EventKind.MOVE_WITHDRAWN: {"to": "Socialtjänsten"},
    EventKind.COORDINATION_MOVED: {"coordinator": "Kent Olofsson", "to": "Socialtjänsten"},
}


def _variants():
    """(label, event kind, step, data) for every kind, every step of a step change, every closing reason."""
    for kind in EventKind:
        if kind == EventKind.STEP_CHANGED:
            for step in Step:
                yield f"step_changed:{step.value}", kind, step, {}
            yield "step_changed:consent:expired", kind, Step.CONSENT, {"reason": "consent_expired"}
        elif kind == EventKind.CLOSED:
            for reason in ClosingReason:
                yield f"closed:{reason.value}", kind, Step.CLOSED, {"reason": reason.value}
        else:
            yield kind.value, kind, None, DATA.get(kind, {})
    yield (
        "meeting_changed:same_time",
        EventKind.MEETING_CHANGED,
        None,
        {
            "starts_at": "2026-12-17T12:30:00+00:00",
            "new_time": False,
        },
    )


def _case(initiated_by: Initiator = Initiator.PERSON):
    return SimpleNamespace(
        initiated_by=initiated_by,
        owning_unit=SimpleNamespace(name="Sjukhuset, avdelning 4"),
        closing_note="Familjen flyttar.",
    )


def _render(app, sentence: history.Sentence, locale: str = "sv") -> str:
    template = app.jinja_env.from_string('{% from "cases/_words.html" import say %}{{ say(s) }}')
    with app.test_request_context(), force_locale(locale):
        return " ".join(template.render(s=sentence).split())


def _told(app, reader, kind, step, data, actor, initiated_by=Initiator.PERSON, locale="sv"):
    event = history.Event(at=AT, kind=kind, step=step, data=data, **ACTORS[actor])
    (line,) = history.lines([event], reader, _case(initiated_by))
    return _render(app, line.sentence, locale), line


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.kind.value)
def test_every_event_has_its_own_true_sentence_for_every_reader(app, reader):
    told_by_someone_else = {}
    for (label, kind, step, data), actor in itertools.product(_variants(), ACTORS):
        swedish, _line = _told(app, reader, kind, step, data, actor)
        english, _line = _told(app, reader, kind, step, data, actor, locale="en")
        where = f"{reader.kind}/{label}/{actor}: {swedish!r}"
        assert swedish not in GENERIC and "%(" not in swedish, where
        assert english != swedish, f"not translated: {where}"
        if actor != "the reader":
            assert not re.match(r"Du\b", swedish), f"says the reader did it: {where}"
        if actor == "someone else":
            told_by_someone_else[label] = swedish
    # One sentence per kind of happening: two different happenings never read the same.
    seen: dict[str, str] = {}
    for label, sentence in told_by_someone_else.items():
        assert sentence not in seen, f"{label} and {seen.get(sentence)} both say {sentence!r}"
        seen[sentence] = label


@pytest.mark.parametrize(
    ("kind", "step", "data", "you", "someone_else"),
    [
        (EventKind.REQUESTED, Step.REQUESTED, {}, "Du bad om en SIP.", "Johan Berg bad om en SIP."),
        (EventKind.CANCELLED, Step.CLOSED, {}, "Du avbröt SIP:en.", "Johan Berg avbröt SIP:en."),
        (
            EventKind.CLOSED,
            Step.CLOSED,
            {"reason": "consent_withdrawn"},
            "Du tog tillbaka ditt ja. SIP:en är avslutad.",
            "Johan Berg tog tillbaka sitt ja. SIP:en är avslutad.",
        ),
        (
            EventKind.STEP_CHANGED,
            Step.PREPARATION,
            {},
            "Du sa ja. Nu gäller samtycket.",
            "Johan Berg sa ja. Nu gäller samtycket.",
        ),
        (
            EventKind.STEP_CHANGED,
            Step.PLAN_APPROVED,
            {"way": "person_in_app"},
            "Du godkände planen.",
            "Johan Berg godkände planen.",
        ),
    ],
)
def test_the_one_who_did_it_reads_du_and_everyone_else_reads_the_name(
    app, kind, step, data, you, someone_else
):
    guardian = Reader(ReaderKind.GUARDIAN, READER_ID, "Elsa Berg")
    assert _told(app, guardian, kind, step, data, "the reader")[0] == you
    assert _told(app, guardian, kind, step, data, "someone else")[0] == someone_else


def test_the_plan_is_sent_to_those_who_act_for_the_person_and_written_for_the_child(app):
    for kind in (ReaderKind.PERSON, ReaderKind.GUARDIAN, ReaderKind.REPRESENTATIVE):
        reader = Reader(kind, READER_ID, "Elsa Berg")
        told = _told(app, reader, EventKind.STEP_CHANGED, Step.PLAN_DOCUMENTED, {"version": 1}, "staff")[0]
        assert told == "Planen skickades till dig."
    child = Reader(ReaderKind.CHILD, READER_ID, "Elsa Berg")
    assert (
        _told(app, child, EventKind.STEP_CHANGED, Step.PLAN_DOCUMENTED, {}, "staff")[0]
        == "Planen är skriven."
    )


def test_a_booked_meeting_says_when_in_the_readers_language_and_time(app):
    reader = Reader(ReaderKind.PERSON, READER_ID, "Karl Nyström")
    data = DATA[EventKind.MEETING_BOOKED]  # 12:30 UTC is 13:30 in Sweden in December
    assert _told(app, reader, EventKind.MEETING_BOOKED, None, data, "staff")[0] == (
        "Mötet är bokat till 17 december 2026 kl. 13.30."
    )
    assert _told(app, reader, EventKind.MEETING_BOOKED, None, data, "staff", locale="en")[0].startswith(
        "The meeting is booked for 17 December 2026"
    )


def test_a_suggestion_from_someone_close_is_told_without_claiming_who_asked(app):
    person = Reader(ReaderKind.PERSON, READER_ID, "Anna Lind")
    god_man = Reader(ReaderKind.REPRESENTATIVE, READER_ID, "Anna Lind")
    told = _told(app, person, EventKind.REQUESTED, Step.REQUESTED, {}, "someone else", Initiator.RELATIVE)[0]
    assert told == "Någon som står dig nära föreslog en SIP."
    told = _told(app, god_man, EventKind.REQUESTED, Step.REQUESTED, {}, "someone else", Initiator.RELATIVE)[0]
    assert told == "Någon som står Anna Lind nära föreslog en SIP."


def test_an_acceptance_without_a_name_does_not_leave_a_gap(app):
    """The demo once had an "accepted" event with no name: "blev samordnare." with nothing before it."""
    reader = Reader(ReaderKind.GUARDIAN, READER_ID, "Elsa Berg")
    assert (
        _told(app, reader, EventKind.ACCEPTED, Step.CONSENT, {}, "staff")[0] == "SIP:en fick en samordnare."
    )


def test_a_forward_and_a_closing_for_another_reason_show_the_words_staff_wrote(app):
    reader = Reader(ReaderKind.PERSON, READER_ID, "Karl Nyström")
    _text, line = _told(app, reader, EventKind.FORWARDED, Step.REQUESTED, DATA[EventKind.FORWARDED], "staff")
    assert line.detail == "De kan hjälpa dig."
    _text, line = _told(app, reader, EventKind.CLOSED, Step.CLOSED, {"reason": "other"}, "staff")
    assert line.detail == "Familjen flyttar."


def test_the_timeline_refuses_an_event_that_could_not_be_told(app):
    case = factories.case(factories.person())
    kim = factories.staff()
    with pytest.raises(ValueError, match="step"):
        timeline.record(case, EventKind.STEP_CHANGED, kim)
    with pytest.raises(ValueError, match="coordinator"):
        timeline.record(case, EventKind.ACCEPTED, kim, step=Step.CONSENT)
    with pytest.raises(ValueError, match="reason"):
        timeline.record(case, EventKind.CLOSED, kim, step=Step.CLOSED)
    with pytest.raises(ValueError, match="starts_at"):
        timeline.record(case, EventKind.MEETING_BOOKED, kim)
