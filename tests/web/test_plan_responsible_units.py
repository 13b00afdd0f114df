"""Who does it, on the coordinator's page [issue 12]: "Vem gör det?" lists only the units the consent in force
covers, and a tampered form naming another unit of the SIP is refused (422) with a plain message, the typed
text kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, PlanGoal, StaffRole, Step, UnitKind
from citizen_app.services import consent, plans
from tests.support import factories


@pytest.fixture
def sip(app):
    """Anna's consent covers the social services and the school; the youth clinic takes part but is not
    covered. Kim's draft has one goal."""
    social = factories.unit("Socialtjänsten Norr")
    school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
    clinic = factories.unit("Ungdomsmottagningen", kind=UnitKind.PRIMARY_CARE)
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    anna = factories.person("Anna Lind", age=45)
    case = factories.case(anna, social, kim, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    factories.participant(case, ParticipantRole.UNIT, unit_=clinic)
    until = date.today() + timedelta(days=300)
    consent.give(anna, case, [social.public_id, school.public_id], ["social", "school"], until)
    case.step = Step.MEETING_HELD
    plan = plans.start_draft(kim, case)
    goal = plans.add_goal(kim, case, plan, "long", "Jag vill bo kvar hemma")
    db.session.commit()
    return {"case": case, "kim": kim, "goal": goal, "school": school, "clinic": clinic}


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_vem_gor_det_lists_only_covered_units_and_a_tampered_form_is_refused(client, sip):
    client.sign_in_as(sip["kim"])
    url = f"/personal/sip/{sip['case'].public_id}/planen/1/mal/{sip['goal'].public_id}/insatser"
    page = client.get(url)
    offered = [o.get_text(strip=True) for o in _soup(page).select("#responsible_unit option[value!='']")]
    assert offered == ["Ekskolan", "Socialtjänsten Norr"]  # not the youth clinic: no consent for it

    form = _soup(page).find("form", action=url)
    tampered = {
        **{i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")},
        "what": "Samtal om sömn",
        "responsible": "municipality",
        "responsible_unit": sip["clinic"].public_id,
    }
    refused = client.post(url, data=tampered)
    assert refused.status_code == 422
    summary = [(a["href"], a.get_text(" ", strip=True)) for a in _soup(refused).select(".error-summary a")]
    assert summary == [("#responsible_unit", "Samtycket gäller inte den här verksamheten. Välj en annan.")]
    assert _soup(refused).find(id="what").get_text() == "Samtal om sömn"
    assert db.session.scalars(select(PlanGoal)).one().actions == []

    covered = {**tampered, "responsible_unit": sip["school"].public_id}
    assert client.post(url, data=covered).status_code == 303
    assert [a.what for a in db.session.scalars(select(PlanGoal)).one().actions] == ["Samtal om sömn"]
