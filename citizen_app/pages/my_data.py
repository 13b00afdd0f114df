""" "Mina uppgifter" [issue 18] [GDPR art. 15, 20]: the page that offers the downloads, the JSON file and the
print view. What goes into them, and who may have it, is services/my_data.py; here are the words: the
file's name and the plain Swedish label of each code in the print view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext

from citizen_app.models import Person
from citizen_app.services import N_, my_data


@dataclass(frozen=True)
class Download:
    """One person the reader may download for: themself (``child_id`` None) or a child in their custody."""

    name: str
    child_id: str | None


@dataclass(frozen=True)
class MyDataPage:
    downloads: list[Download]


def page_for(reader: Person, today: date | None = None) -> MyDataPage:
    return MyDataPage(
        [
            Download(person.display_name, None if person.id == reader.id else person.public_id)
            for person in my_data.subjects_for(reader, today)
        ]
    )


@dataclass(frozen=True)
class PrintView:
    data: dict
    own: bool
    name: str


def print_view_for(reader: Person, child_id: str | None, today: date | None = None) -> PrintView:
    subject = my_data.subject_for(reader, child_id, today)
    return PrintView(my_data.collect(reader, subject, today), subject.id == reader.id, subject.display_name)


@dataclass(frozen=True)
class File:
    name: str
    text: str


def file_for(reader: Person, child_id: str | None, today: date | None = None) -> File:
    """The JSON file (UTF-8, keys in English, values as stored). Its name names nobody."""
    day = today or date.today()
    subject = my_data.subject_for(reader, child_id, day)
    data = my_data.collect(reader, subject, day)
    name = f"min-sip-mina-uppgifter-{day.isoformat()}.json"
    if subject.id != reader.id:
        name = f"min-sip-uppgifter-om-barn-{day.isoformat()}.json"
    return File(name, json.dumps(data, ensure_ascii=False, indent=2))


# The print view's words for the codes in the file, by kind of code. A code without a label is shown as it is.
LABELS: dict[str, dict[str, str]] = {
    "relation": {
        "guardian": N_("förälder"),
        "representative": N_("ställföreträdare"),
        "relative": N_("närstående"),
    },
    "role": {
        "person": N_("SIP:en handlar om dig"),
        "child_self": N_("SIP:en handlar om dig"),
        "guardian_with_custody": N_("Vårdnadshavare"),
        "representative": N_("Ställföreträdare"),
        "representative_future_power": N_("Framtidsfullmakt"),
        "relative": N_("Närstående"),
    },
    "consent": {
        "given": N_("Sa ja"),
        "changed": N_("Ändrade sitt ja"),
        "withdrawn": N_("Tog tillbaka sitt ja"),
        "expired": N_("Slutade gälla"),
        "recorded_by_staff": N_("Personalen skrev in ett ja"),
        "ended_at_18": N_("Slutade gälla vid 18 år"),
        "harm_assessed": N_("Personalen gjorde en menprövning"),
        "declined": N_("Sa nej till SIP"),
        "confirmed_at_meeting": N_("Bekräftades på mötet"),
        "changed_at_meeting": N_("Ändrades på mötet"),
        "not_confirmed_at_meeting": N_("Bekräftades inte på mötet"),
    },
    "event": {
        "requested": N_("SIP:en begärdes"),
        "started_by_staff": N_("Personalen startade SIP:en"),
        "accepted": N_("En samordnare tog SIP:en"),
        "forwarded": N_("SIP:en skickades vidare"),
        "coordinator_changed": N_("Ny samordnare"),
        "step_changed": N_("Nytt steg"),
        "suggestion_accepted": N_("Förslaget fick ett ja"),
        "meeting_booked": N_("Mötet bokades"),
        "meeting_changed": N_("Mötet ändrades"),
        "meeting_held": N_("Mötet hölls"),
        "cancelled": N_("SIP:en avbröts"),
        "closed": N_("SIP:en avslutades"),
        "note": N_("En anteckning"),
        "came_of_age": N_("Personen fyllde 18 år"),
        "mature_minor_decided": N_("Barnet bestämmer själv om samtycket"),
        "mature_minor_ended": N_("Vårdnadshavarna bestämmer igen"),
        "discharge_linked": N_("Dagen för att lämna sjukhuset lades till"),
        "compulsory_care_recorded": N_("Vården skrevs in"),
        "coordination_moved": N_("En annan enhet samordnar nu"),
    },
    "meeting": {"planned": N_("Planerat"), "held": N_("Har varit"), "cancelled": N_("Inställt")},
    "mode": {"in_person": N_("Vi träffas"), "video": N_("Video"), "phone": N_("Telefon")},
    "invitation": {
        "sent": N_("Inte svarat"),
        "accepted": N_("Kommer"),
        "by_phone": N_("Är med på telefon"),
        "declined": N_("Kommer inte"),
        "cancelled": N_("Inställd"),
        "held": N_("Pausad"),
        "not_known": N_("Känner inte personen"),
    },
    "version": {
        "draft": N_("Utkast"),
        "approved": N_("Gäller"),
        "replaced": N_("Har gällt"),
    },
    "term": {"long": N_("På lång sikt"), "short": N_("På kort sikt")},
    "progress": {"started": N_("Pågår"), "done": N_("Klart"), "not_done": N_("Inte gjort")},
    "report": {
        "received": N_("Mottagen"),
        "investigating": N_("Vi tittar på det"),
        "answered": N_("Besvarad"),
    },
}


def label(kind: str, code: object) -> str:
    """The words for a code of this kind in the reader's language, or the code itself."""
    text = str(code) if code is not None else ""
    found = LABELS.get(kind, {}).get(text)
    return gettext(found) if found else text


def labels(kind: str, codes: list) -> str:
    """``label`` of each code, without repeats, joined by commas."""
    said = [label(kind, code) for code in codes]
    return ", ".join(dict.fromkeys(said))
