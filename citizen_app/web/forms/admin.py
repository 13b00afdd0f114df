"""Forms of the administration pages (web/admin.py) [issue 18]. Shape only; the rules (unique names and
HSA-ids, kinds, the last administrator) are in services/organisation.py."""

from __future__ import annotations

from citizen_app.services import N_
from citizen_app.web.forms import Form, StrictChoices, StrictText

YES = "yes"


class PrincipalForm(Form):
    name = StrictText(N_("Namn"), description=N_("Skriv namnet så som det ska synas i Min SIP."))
    kind = StrictText(N_("Sort"))
    hsa_id = StrictText(N_("HSA-id (om det finns)"), description=N_("Till exempel SE2321000032-0001."))


class UnitForm(Form):
    name = StrictText(N_("Namn"), description=N_("Namnet som invånare och personal ser."))
    kind = StrictText(N_("Sort av verksamhet"))
    hsa_id = StrictText(N_("HSA-id (om det finns)"), description=N_("Till exempel SE2321000032-1001."))
    address = StrictText(N_("Adress (om ni vill visa den)"))
    phone = StrictText(N_("Telefon (om ni vill visa det)"))
    email = StrictText(N_("E-post (om ni vill visa den)"))
    fixed_care_contact = StrictText(N_("Enheten är fast vårdkontakt"))
    intake_needs = StrictChoices(N_("Tar emot förfrågningar om"))
    default_intake = StrictText(N_("Andra förfrågningar till huvudmannen"))


class StaffSearchForm(Form):
    """The search on the staff list is a GET form: it reads the query string."""

    sok = StrictText(N_("Sök på namn eller HSA-id"))


class StaffForm(Form):
    display_name = StrictText(N_("Namn"))
    hsa_id = StrictText(N_("HSA-id"), description=N_("Till exempel SE2321000032-2001."))
    identity_number = StrictText(N_("Personnummer för inloggning med e-legitimation (om det behövs)"))
    title = StrictText(N_("Titel (om ni vill visa den)"), description=N_("Till exempel Kurator."))
    phone = StrictText(N_("Telefon (om ni vill visa det)"))
    email = StrictText(N_("E-post (om ni vill visa den)"))


class RoleForm(Form):
    unit = StrictText(N_("Enhet"))
    role = StrictText(N_("Roll"))


class ConfirmForm(Form):
    """A button that changes one thing (remove a role, appoint, deactivate): nothing but the CSRF token."""
