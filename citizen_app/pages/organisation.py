"""Words and page objects of the administration pages [issue 18]: the kinds of principal and unit, the roles,
the intake needs, and the latest changes as plain sentences. The rules are in services/organisation.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from citizen_app.models import IntakeNeed, PrincipalKind, StaffRole, UnitKind
from citizen_app.services import N_, access_log, organisation

# What the principal's page says about its kind, in a sentence of its own.
PRINCIPAL_IS: dict[str, str] = {
    PrincipalKind.MUNICIPALITY.value: N_("Det här är en kommun."),
    PrincipalKind.REGION.value: N_("Det här är en region."),
    PrincipalKind.OTHER.value: N_("Det här är en annan sorts huvudman än kommun eller region."),
}

PRINCIPAL_KINDS: dict[str, str] = {
    PrincipalKind.MUNICIPALITY.value: N_("Kommun"),
    PrincipalKind.REGION.value: N_("Region"),
    PrincipalKind.OTHER.value: N_("Annan, till exempel en myndighet eller en friskola"),
}

UNIT_KINDS: dict[str, str] = {
    UnitKind.PRIMARY_CARE.value: N_("Vårdcentral"),
    UnitKind.SOCIAL_SERVICES.value: N_("Socialtjänst"),
    UnitKind.PSYCHIATRY.value: N_("Psykiatri"),
    UnitKind.CHILD_PSYCHIATRY.value: N_("Barn- och ungdomspsykiatri (BUP)"),
    UnitKind.HOSPITAL.value: N_("Sjukhus"),
    UnitKind.HOME_CARE.value: N_("Hemtjänst eller kommunens hälso- och sjukvård"),
    UnitKind.SCHOOL.value: N_("Skola"),
    UnitKind.SOCIAL_INSURANCE.value: N_("Försäkringskassan"),
    UnitKind.EMPLOYMENT.value: N_("Arbetsförmedlingen"),
    UnitKind.OTHER.value: N_("Annan verksamhet"),
}

ROLES: dict[str, str] = {
    StaffRole.COORDINATOR.value: N_("Samordnare"),
    StaffRole.MEMBER.value: N_("Medarbetare"),
}

NEEDS: dict[str, str] = {
    IntakeNeed.CHILD.value: N_("Barn (under 18 år)"),
    IntakeNeed.ADULT.value: N_("Vuxna"),
    IntakeNeed.DISCHARGE.value: N_("Personer som snart ska skrivas ut från sjukhus"),
}


def principal_is(value: str) -> str:
    return _(PRINCIPAL_IS.get(value, PRINCIPAL_IS[PrincipalKind.OTHER.value]))


@dataclass(frozen=True)
class ChangeLine:
    at: datetime
    sentence: str
    what: str


def latest_changes() -> list[ChangeLine]:
    """The administration's start page: who changed what, when, newest first."""
    lines = []
    for change in organisation.latest_changes():
        who = change.who or _("Min SIP")
        sentence = _(access_log.sentence_for(change.action), who=who)
        what = f"{change.what} ({change.unit})" if change.unit else change.what
        lines.append(ChangeLine(change.at, sentence, what))
    return lines
