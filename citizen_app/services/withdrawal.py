"""Withdrawing consent [DA 4.2]: the one step that needs both consent and meetings.

Meetings asks consent before it invites (no invitation without consent in force), so consent cannot import
meetings. Withdrawing closes the SIP (consent.record_withdrawal), cancels every open invitation and tells the
invited (meetings.cancel_open_invitations [issue 4]), then tells everyone the consent was withdrawn
(consent.tell_of_withdrawal) — in that order, as before.
"""

from __future__ import annotations

from datetime import date

from citizen_app.models import ConsentEvent, Person, SipCase
from citizen_app.services import consent, meetings


def withdraw(actor: Person, case: SipCase, today: date | None = None) -> ConsentEvent:
    """Withdraw at once: the SIP closes with reason "samtycke återkallat"; everyone is told."""
    event, shared_with = consent.record_withdrawal(actor, case, today)
    meetings.cancel_open_invitations(case)
    consent.tell_of_withdrawal(case, shared_with)
    return event
