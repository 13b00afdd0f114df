"""The words a citizen's page says to its reader about whose SIP it is [issue 13]: who the reader is towards
the SIP's person, and who started the SIP.

Who the reader is (services/readers.py) follows from the access policy's roles; this module only puts it
into sentences, which the case page and the start page's overview show as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from citizen_app.models import Initiator, RepresentativeType, SipCase
from citizen_app.services import N_
from citizen_app.services.history import Sentence, say
from citizen_app.services.readers import ReaderKind


def role_words(kind: ReaderKind | None, name: str, rep_type: RepresentativeType | None) -> Sentence | None:
    """ "Du svarar för Karl Nyström. Du är god man." — who the reader is towards the SIP's person."""
    if kind == ReaderKind.GUARDIAN:
        return say(N_("Du svarar för %(name)s. Du är vårdnadshavare."), name=name)
    if kind == ReaderKind.REPRESENTATIVE:
        if rep_type == RepresentativeType.GOD_MAN:
            return say(N_("Du svarar för %(name)s. Du är god man."), name=name)
        if rep_type == RepresentativeType.FORVALTARE:
            return say(N_("Du svarar för %(name)s. Du är förvaltare."), name=name)
        if rep_type == RepresentativeType.FRAMTIDSFULLMAKT:
            return say(N_("Du svarar för %(name)s. Du har en framtidsfullmakt."), name=name)
        return say(N_("Du svarar för %(name)s. Du är ställföreträdare."), name=name)
    if kind == ReaderKind.CHILD:
        return say(N_("Det här är din SIP. Dina föräldrar säger ja till den. Du får säga vad du tycker."))
    if kind == ReaderKind.RELATIVE:
        return say(N_("Du är närstående till %(name)s."), name=name)
    return None


# --- Who started the SIP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    label: Sentence  # the step "requested" in the list of steps: "Du har bett om en SIP"
    about: Sentence  # a sentence on the case page: "Personalen på Sjukhuset startade SIP:en."


def origin_of(
    case: SipCase,
    reader_id: int,
    subject_id: int | None,
    subject_name: str,
    requester_id: int | None,
    requester_name: str | None,
    unit: str | None = None,
) -> Origin:
    """Who started the SIP, told to this reader: staff, the reader, someone named, or someone close."""
    if case.initiated_by == Initiator.STAFF:
        return Origin(
            say(N_("Personalen har startat SIP:en")),
            say(N_("Personalen på %(unit)s startade SIP:en."), unit=unit)
            if unit
            else say(N_("Personalen startade SIP:en.")),
        )
    if case.initiated_by == Initiator.RELATIVE:
        about = (
            say(N_("Någon som står dig nära föreslog SIP:en."))
            if reader_id == subject_id
            else say(N_("Någon som står %(name)s nära föreslog SIP:en."), name=subject_name)
        )
        return Origin(say(N_("Någon har föreslagit en SIP")), about)
    if case.initiated_by == Initiator.PERSON:
        requester_id, requester_name = subject_id, subject_name  # the person asked, by definition
    if requester_id is not None and requester_id == reader_id:
        return Origin(say(N_("Du har bett om en SIP")), say(N_("Du bad om SIP:en.")))
    if requester_name:
        return Origin(
            say(N_("%(name)s har bett om en SIP"), name=requester_name),
            say(N_("%(name)s bad om SIP:en."), name=requester_name),
        )
    if case.initiated_by == Initiator.GUARDIAN:
        return Origin(
            say(N_("En vårdnadshavare har bett om en SIP")), say(N_("En vårdnadshavare bad om SIP:en."))
        )
    return Origin(
        say(N_("En ställföreträdare har bett om en SIP")), say(N_("En ställföreträdare bad om SIP:en."))
    )
