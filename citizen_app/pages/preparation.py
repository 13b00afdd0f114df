"""The person's preparation pages "Inför mötet" [issue 5] [issue 13]: the words at the start that say whose
answers these are. What the person may answer, and who reads it, is services/preparation.py's.
"""

from __future__ import annotations

from citizen_app.services import N_
from citizen_app.services.history import Sentence, say
from citizen_app.services.readers import Reader, ReaderKind


def preparation_words(reader: Reader) -> list[Sentence]:
    """The start of "Inför mötet": whose answers these are. The questions say "du"; someone who answers
    for another person is told that they are about that person [issue 13]."""
    name = reader.subject_name
    if reader.kind == ReaderKind.REPRESENTATIVE:
        return [
            say(N_("Här tänker du efter före mötet. Vad är viktigt för %(name)s?"), name=name),
            say(N_("Frågorna säger du, men de handlar om %(name)s."), name=name),
            say(N_("Skriv det %(name)s tycker, så gott du vet. Fråga %(name)s om det går."), name=name),
        ]
    if reader.kind == ReaderKind.GUARDIAN:
        return [
            say(
                N_("Här tänker du efter före mötet. Vad behöver %(name)s och familjen hjälp med?"), name=name
            ),
            say(N_("Svaren är dina, som vårdnadshavare. De handlar om hur %(name)s har det."), name=name),
        ]
    return [
        say(N_("Här kan du tänka efter före mötet. Vad vill du ha hjälp med? Vad är viktigt för dig?")),
        say(N_("Dina svar gör att mötet handlar om det du tycker är viktigt.")),
    ]
