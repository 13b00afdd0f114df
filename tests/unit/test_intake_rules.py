"""Issue 16: intake is county configuration; any staff member starts a SIP; discharge; compulsory care.

Rules tested without HTTP: which unit receives a request (services/intake_rules.py), a SIP started by staff
(services/intake.start_case), the discharge rules (services/discharge.py) and the exceptions of [DA 3.6]
(services/compulsory_care.py, services/requests.one_principal_only).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CaseEvent,
    CompulsoryCare,
    EventKind,
    IntakeDefault,
    IntakeNeed,
    IntakeRule,
    Notification,
    NotificationKind,
    PrincipalKind,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.services import (
    NotAllowed,
    compulsory_care,
    consent,
    discharge,
    intake,
    intake_rules,
    people,
    requests,
)
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
TODAY = date(2026, 11, 23)


def _with_coordinator(unit):
    factories.staff(unit, StaffRole.COORDINATOR, name=f"Samordnare {unit.name}")
    return unit


# ---- which unit receives a request -------------------------------------------------------------------------


@pytest.fixture
def county(app):
    """A municipality and a region with two units each, each unit with a coordinator."""
    units = {
        "soc": factories.unit("Socialtjänsten Ö", UnitKind.SOCIAL_SERVICES, PrincipalKind.MUNICIPALITY),
        "barn": factories.unit("Barn och unga Ö", UnitKind.SOCIAL_SERVICES, PrincipalKind.MUNICIPALITY),
        "vc": factories.unit("Vårdcentralen Ö", UnitKind.PRIMARY_CARE, PrincipalKind.REGION),
        "psyk": factories.unit("Psykiatrin Ö", UnitKind.PSYCHIATRY, PrincipalKind.REGION),
    }
    units["barn"].principal = units["soc"].principal  # one municipality, one region
    units["vc"].principal = units["psyk"].principal
    db.session.flush()
    for unit in units.values():
        _with_coordinator(unit)
    return units


def _configure(units, order):
    """The same configuration, its rows inserted in ``order``."""
    rows = {
        "discharge": lambda: intake_rules.set_rule(IntakeNeed.DISCHARGE, units["vc"].name),
        "child": lambda: intake_rules.set_rule(IntakeNeed.CHILD, units["barn"].name),
        "soc": lambda: intake_rules.set_default(units["soc"].name),
        "psyk": lambda: intake_rules.set_default(units["psyk"].name),
    }
    for name in order:
        rows[name]()


def test_the_rules_are_tried_discharge_first_then_the_age(app, county):
    _configure(county, ["discharge", "child", "soc", "psyk"])
    needs = intake_rules.needs_of
    assert intake_rules.receiving_unit(needs(True, True), []) == county["vc"].id
    assert intake_rules.receiving_unit(needs(False, True), []) == county["barn"].id
    # No rule for adults: the default of the chosen unit's principal, whatever else was chosen first.
    assert intake_rules.receiving_unit(needs(False, False), [county["psyk"]]) == county["psyk"].id
    # Someone not yet identified (a relative's suggestion): no age, so only the discharge rule could match.
    assert intake_rules.needs_of(False, None) == []


def test_with_units_of_both_principals_the_municipalitys_default_comes_first(app, county):
    _configure(county, ["soc", "psyk"])
    chosen = [county["psyk"], county["vc"], county["barn"]]
    assert intake_rules.receiving_unit([IntakeNeed.ADULT], chosen) == county["soc"].id
    assert intake_rules.receiving_unit([IntakeNeed.ADULT], list(reversed(chosen))) == county["soc"].id


def test_without_a_chosen_unit_any_principals_default_in_the_fixed_order(app, county):
    _configure(county, ["psyk"])
    assert intake_rules.receiving_unit([IntakeNeed.ADULT], []) == county["psyk"].id
    assert intake_rules.receiving_unit([IntakeNeed.ADULT], [county["soc"]]) == county["psyk"].id


def test_a_rule_whose_unit_has_no_coordinator_is_passed_over(app, county):
    empty = factories.unit("Vårdcentralen utan samordnare", UnitKind.PRIMARY_CARE, PrincipalKind.REGION)
    intake_rules.set_rule(IntakeNeed.DISCHARGE, empty.name)
    intake_rules.set_default(county["psyk"].name)
    assert intake_rules.receiving_unit([IntakeNeed.DISCHARGE], []) == county["psyk"].id


def test_the_lookup_does_not_depend_on_the_order_rows_were_made(app, county):
    """Shuffled insert order, shuffled chosen units: always the same unit."""
    everything = ["discharge", "child", "soc", "psyk"]
    seen = set()
    for seed in range(6):
        db.session.query(IntakeRule).delete()
        db.session.query(IntakeDefault).delete()
        order = everything[:]
        random.Random(seed).shuffle(order)
        _configure(county, order)
        chosen = [county["vc"], county["psyk"], county["soc"]]
        random.Random(seed + 100).shuffle(chosen)
        seen.add(
            (
                intake_rules.receiving_unit([IntakeNeed.ADULT], chosen),
                intake_rules.receiving_unit([IntakeNeed.DISCHARGE, IntakeNeed.ADULT], chosen),
                intake_rules.receiving_unit([IntakeNeed.CHILD], chosen),
            )
        )
    assert seen == {(county["soc"].id, county["vc"].id, county["barn"].id)}


def test_nothing_configured_is_what_happened_for_no_unit_before(app):
    """No configuration: the first unit with a coordinator, municipality first, then by name; none at all
    when no unit has a coordinator (the request waits: "Ingen enhet än")."""
    region = factories.unit("A-kliniken", UnitKind.PSYCHIATRY, PrincipalKind.REGION)
    assert intake_rules.receiving_unit([IntakeNeed.ADULT], [region]) is None
    _with_coordinator(region)
    later = _with_coordinator(factories.unit("Ö-socialtjänsten"))
    first = _with_coordinator(factories.unit("B-socialtjänsten"))
    assert intake_rules.receiving_unit([IntakeNeed.ADULT], [region, later]) == first.id


def test_a_sent_request_lands_in_the_configured_unit(app, county):
    _configure(county, ["discharge", "child", "soc", "psyk"])
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid)
    draft = requests.open_draft(mum)
    answers = {
        "who": {"for_whom": "child:" + kid.public_id},
        "need": {"need": "Elsa mår dåligt."},
        "services": {"units": [county["psyk"].public_id]},  # chosen first, but the child rule decides
        "urgency": {"urgent": "no", "leaving_hospital": "no"},
        "contact": {"contact_way": "app", "interpreter": "no"},
    }
    for step, values in answers.items():
        assert requests.save_step(mum, draft, step, values) == {}
    case = requests.submit(mum, draft)
    assert case.owning_unit_id == county["barn"].id


def test_a_request_with_no_unit_anywhere_waits_without_a_unit(app):
    ada = factories.person("Ada")
    draft = requests.open_draft(ada)
    for step, values in {
        "who": {"for_whom": "self"},
        "need": {"need": "Hjälp"},
        "services": {"units": ["dont_know"]},
        "urgency": {"urgent": "no", "leaving_hospital": "no"},
        "contact": {"contact_way": "app", "interpreter": "no"},
    }.items():
        assert requests.save_step(ada, draft, step, values) == {}
    assert requests.submit(ada, draft).owning_unit_id is None


# ---- any staff member starts a SIP -------------------------------------------------------------------------


@pytest.fixture
def scene(app):
    school = factories.unit("Björkskolan", UnitKind.SCHOOL, PrincipalKind.MUNICIPALITY)
    social = factories.unit("Socialtjänsten", UnitKind.SOCIAL_SERVICES, PrincipalKind.MUNICIPALITY)
    health = factories.unit("Vårdcentralen", UnitKind.PRIMARY_CARE, PrincipalKind.REGION)
    ward = factories.unit("Avdelning 4", UnitKind.HOSPITAL, PrincipalKind.REGION)
    health.is_fixed_care_contact = True
    return {
        "school": school,
        "social": social,
        "health": health,
        "ward": ward,
        "counsellor": factories.staff(school, StaffRole.MEMBER, name="Sofia Kurator"),
        "kent": factories.staff(social, StaffRole.COORDINATOR, name="Kent Samordnare"),
        "vera": factories.staff(health, StaffRole.COORDINATOR, name="Vera Samordnare"),
        "hugo": factories.staff(ward, StaffRole.COORDINATOR, name="Hugo Avdelning"),
    }


def _number(person):
    return people.identity_number_of(person)


def test_the_start_form_offers_every_unit_with_a_coordinator(app, scene):
    assert [u.name for u in intake.start_units()] == ["Avdelning 4", "Socialtjänsten", "Vårdcentralen"]


@freeze_time(NOW)
def test_any_staff_member_starts_a_sip_and_it_waits_for_the_chosen_units_coordinators(app, scene):
    kid = factories.child("Oskar")
    started = intake.start_case(
        scene["counsellor"],
        _number(kid),
        "",
        "Oskar är ofta borta från skolan.",
        unit_public_id=scene["social"].public_id,
    )
    case = started.case
    assert started.outcome == "sent"
    assert (case.owning_unit_id, case.step, case.requested_by_staff_id) == (
        scene["social"].id,
        Step.REQUESTED,
        scene["counsellor"].id,
    )
    assert case.coordinator_assignments == []
    told = db.session.query(Notification).filter_by(kind=NotificationKind.NEW_REQUEST_FOR_UNIT).one()
    assert told.recipient_staff_id == scene["kent"].id
    assert intake.queue_for(scene["kent"])[0].case.id == case.id
    started_event = db.session.query(CaseEvent).filter_by(case_id=case.id).one()
    assert (started_event.kind, started_event.data) == (
        EventKind.STARTED_BY_STAFF,
        {"unit": "Björkskolan"},
    )


@freeze_time(NOW)
def test_the_starters_unit_takes_part_so_the_consent_can_name_it(app, scene):
    """A school counsellor's SIP: the school takes part, so the guardians' consent, the invitation and the
    plan's actions can name it (a staff-started SIP had only the coordinating unit, a dead end for the
    school)."""
    kid = factories.child("Oskar")
    case = intake.start_case(
        scene["counsellor"],
        _number(kid),
        "",
        "Oskar är ofta borta.",
        unit_public_id=scene["social"].public_id,
    ).case
    assert [u.name for u in consent.parties_of(case)] == ["Björkskolan", "Socialtjänsten"]
    own = intake.start_case(
        scene["kent"], _number(factories.person("Ada")), "", "Hjälp", unit_public_id=scene["social"].public_id
    ).case
    assert [u.name for u in consent.parties_of(own)] == ["Socialtjänsten"], "the coordinating unit only once"


def test_a_coordinator_of_the_chosen_unit_becomes_the_coordinator(app, scene):
    ada = factories.person("Ada")
    started = intake.start_case(
        scene["kent"], _number(ada), "", "Hjälp hemma", unit_public_id=scene["social"].public_id
    )
    assert started.outcome == "coordinator" and started.case.step == Step.CONSENT
    assert [a.staff_id for a in started.case.coordinator_assignments] == [scene["kent"].id]


def test_a_coordinator_starting_for_another_unit_sends_it_there(app, scene):
    ada = factories.person("Ada")
    started = intake.start_case(
        scene["kent"], _number(ada), "", "Hjälp", unit_public_id=scene["health"].public_id
    )
    assert started.outcome == "sent" and started.case.step == Step.REQUESTED


def test_a_unit_without_coordinator_cannot_be_chosen(app, scene):
    ada = factories.person("Ada")
    errors = intake.new_case_errors(_number(ada), "", "Hjälp", unit_public_id=scene["school"].public_id)
    assert errors == {"unit": "Välj enheten där samordnaren ska finnas"}


# ---- discharge ---------------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_the_discharge_day_may_be_30_days_back_and_a_year_ahead(app):
    assert discharge.allowed_range(TODAY) == (date(2026, 10, 24), date(2027, 11, 23))
    assert discharge.date_error(date(2026, 10, 24), TODAY) is None
    assert discharge.date_error(date(2027, 11, 23), TODAY) is None
    assert discharge.date_error(date(2026, 10, 23), TODAY) == "Skriv ett datum inom ett år från i dag"
    assert discharge.date_error(date(2027, 11, 24), TODAY) == "Skriv ett datum inom ett år från i dag"


@freeze_time(NOW)
def test_a_discharge_sip_is_coordinated_by_a_fast_vardkontakt_not_the_ward(app, scene):
    karl = factories.person("Karl", age=82)
    at_discharge = {"discharge_date": TODAY + timedelta(days=2)}
    errors = intake.new_case_errors(
        _number(karl), "", "Hjälp hemma", unit_public_id=scene["ward"].public_id, **at_discharge
    )
    assert errors == {"unit": discharge.NOT_A_FIXED_CARE_CONTACT}
    with pytest.raises(intake.InvalidAnswers):
        intake.start_case(
            scene["hugo"],
            _number(karl),
            "",
            "Hjälp hemma",
            unit_public_id=scene["ward"].public_id,
            **at_discharge,
        )
    assert db.session.query(SipCase).count() == 0
    started = intake.start_case(
        scene["hugo"],
        _number(karl),
        "",
        "Hjälp hemma",
        unit_public_id=scene["health"].public_id,
        **at_discharge,
    )
    assert started.outcome == "sent" and started.case.owning_unit_id == scene["health"].id
    assert started.case.discharge_date == TODAY + timedelta(days=2)
    # Without a discharge day the ward may coordinate.
    ada = factories.person("Ada")
    assert (
        intake.start_case(
            scene["hugo"], _number(ada), "", "Hjälp", unit_public_id=scene["ward"].public_id
        ).outcome
        == "coordinator"
    )


@freeze_time(NOW)
def test_a_person_admitted_with_an_open_sip_gets_the_day_added_to_it(app, scene):
    karl = factories.person("Karl", age=82)
    existing = intake.start_case(
        scene["kent"], _number(karl), "", "Hjälp hemma", unit_public_id=scene["social"].public_id
    ).case
    db.session.query(Notification).delete()
    day = TODAY + timedelta(days=3)
    linked = intake.start_case(
        scene["hugo"],
        _number(karl),
        "",
        "Behöver hjälp efter sjukhuset",
        unit_public_id=scene["ward"].public_id,
        discharge_date=day,
    )
    assert linked.outcome == "linked" and linked.case.id == existing.id
    assert db.session.query(SipCase).count() == 1 and existing.discharge_date == day
    told = db.session.query(Notification).filter_by(kind=NotificationKind.DISCHARGE_LINKED).one()
    assert told.recipient_staff_id == scene["kent"].id  # its coordinator, not the ward's choice of unit
    event = db.session.query(CaseEvent).filter_by(case_id=existing.id, kind=EventKind.DISCHARGE_LINKED).one()
    assert event.data["discharge_date"] == day.isoformat() and event.visible_to_person
    assert db.session.query(AuditEntry).filter_by(action="case.link_discharge").count() == 1


@freeze_time(NOW)
def test_before_anyone_took_the_open_sip_its_units_coordinators_are_told(app, scene):
    karl = factories.person("Karl", age=82)
    factories.case(karl, scene["social"])  # a request still waiting in the queue
    intake.start_case(scene["hugo"], _number(karl), "", "Hjälp", discharge_date=TODAY + timedelta(days=1))
    told = db.session.query(Notification).filter_by(kind=NotificationKind.DISCHARGE_LINKED).one()
    assert told.recipient_staff_id == scene["kent"].id


@freeze_time(NOW)
def test_a_closed_sip_is_not_linked(app, scene):
    karl = factories.person("Karl", age=82)
    factories.case(karl, scene["social"], step=Step.CLOSED)
    started = intake.start_case(
        scene["hugo"],
        _number(karl),
        "",
        "Hjälp",
        unit_public_id=scene["health"].public_id,
        discharge_date=TODAY,
    )
    assert started.outcome == "sent" and db.session.query(SipCase).count() == 2


# ---- compulsory psychiatric care [DA 3.6.1] ----------------------------------------------------------------


@freeze_time(NOW)
def test_the_kind_of_compulsory_care_is_recorded_when_starting(app, scene):
    ada = factories.person("Ada")
    case = intake.start_case(
        scene["kent"],
        _number(ada),
        "",
        "Hjälp",
        unit_public_id=scene["social"].public_id,
        compulsory_kind="lpt",
    ).case
    assert case.compulsory_care == CompulsoryCare.LPT
    assert intake.new_case_errors(
        _number(ada), "", "Hjälp", unit_public_id=scene["social"].public_id, compulsory_kind="tvang"
    ) == {"compulsory_care": "Välj bland alternativen"}


@freeze_time(NOW)
def test_at_discharge_to_open_compulsory_care_there_is_no_sip(app, scene):
    """LPT 7 a § / LRV 12 a §: a coordinated care plan (samordnad vårdplan) instead [DA 3.6.1]."""
    ada = factories.person("Ada")
    for kind in ("open_lpt", "open_lrv"):
        errors = intake.new_case_errors(
            _number(ada), "", "Hjälp", TODAY, unit_public_id=scene["health"].public_id, compulsory_kind=kind
        )
        assert errors == {"compulsory_care": compulsory_care.COORDINATED_CARE_PLAN_INSTEAD}
    # In hospital under LPT, or open care without a discharge: a SIP as any other.
    assert (
        intake.new_case_errors(
            _number(ada), "", "Hjälp", TODAY, unit_public_id=scene["health"].public_id, compulsory_kind="lpt"
        )
        == {}
    )
    assert (
        intake.new_case_errors(
            _number(ada), "", "Hjälp", unit_public_id=scene["social"].public_id, compulsory_kind="open_lpt"
        )
        == {}
    )


@freeze_time(NOW)
def test_the_coordinator_records_the_kind_on_the_case_and_only_staff_read_it(app, scene):
    ada = factories.person("Ada")
    case = intake.start_case(
        scene["kent"], _number(ada), "", "Hjälp", unit_public_id=scene["social"].public_id
    ).case
    compulsory_care.record(scene["kent"], case, CompulsoryCare.OPEN_LPT)
    assert case.compulsory_care == CompulsoryCare.OPEN_LPT
    event = db.session.query(CaseEvent).filter_by(kind=EventKind.COMPULSORY_CARE_RECORDED).one()
    assert event.data == {"kind": "open_lpt"} and not event.visible_to_person
    compulsory_care.record(scene["kent"], case, None)  # it has ended
    assert case.compulsory_care is None
    with pytest.raises(NotAllowed):
        compulsory_care.record(scene["hugo"], case, CompulsoryCare.LPT)


@freeze_time(NOW)
def test_open_compulsory_care_cannot_be_recorded_on_a_discharge_sip(app, scene):
    karl = factories.person("Karl")
    case = intake.start_case(
        scene["vera"],
        _number(karl),
        "",
        "Hjälp",
        unit_public_id=scene["health"].public_id,
        discharge_date=TODAY,
    ).case
    with pytest.raises(compulsory_care.InvalidCompulsoryCare) as refused:
        compulsory_care.record(scene["vera"], case, CompulsoryCare.OPEN_LRV)
    assert refused.value.errors == {"compulsory_care": compulsory_care.COORDINATED_CARE_PLAN_INSTEAD}
    # Nor can a discharge day be added to a SIP in open compulsory care.
    compulsory_care.record(scene["vera"], case, CompulsoryCare.LPT)
    case.discharge_date = None
    compulsory_care.record(scene["vera"], case, CompulsoryCare.OPEN_LPT)
    errors = intake.new_case_errors(
        _number(karl), "", "Hjälp", TODAY, unit_public_id=scene["health"].public_id
    )
    assert errors == {"discharge_date": compulsory_care.COORDINATED_CARE_PLAN_INSTEAD}


# ---- a need of one principal only [DA 3.6.2] ---------------------------------------------------------------


def test_units_of_one_principal_point_to_another_plan(app, scene):
    kinds = {
        "social+school": [scene["social"], scene["school"]],
        "health+ward": [scene["health"], scene["ward"]],
        "both": [scene["social"], scene["health"]],
    }
    found = {
        name: requests.one_principal_only({"units": [u.public_id for u in units]})
        for name, units in kinds.items()
    }
    assert found == {
        "social+school": PrincipalKind.MUNICIPALITY,
        "health+ward": PrincipalKind.REGION,
        "both": None,
    }
    assert requests.one_principal_only({"units": [scene["health"].public_id], "dont_know": True}) is None
    assert requests.one_principal_only({"units": []}) is None
    other = factories.unit("Försäkringskassan", UnitKind.SOCIAL_INSURANCE, PrincipalKind.OTHER)
    assert requests.one_principal_only({"units": [other.public_id]}) is None


# ---- the county configures it: flask intake ---------------------------------------------------------------


def test_flask_intake_sets_rules_defaults_and_fast_vardkontakt(app, county):
    runner = app.test_cli_runner()
    for args in (
        ["intake", "rule", "discharge", county["vc"].name],
        ["intake", "default", county["soc"].name],
        ["intake", "fast-vardkontakt", county["vc"].name],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "Saved." in result.output, result.output
    shown = runner.invoke(args=["intake", "show"]).output
    assert "discharge: Vårdcentralen Ö" in shown and ": Socialtjänsten Ö" in shown
    assert county["vc"].is_fixed_care_contact
    assert intake_rules.receiving_unit([IntakeNeed.DISCHARGE], []) == county["vc"].id
    unknown = runner.invoke(args=["intake", "default", "Finns inte"])
    assert unknown.exit_code != 0 and "Enheten finns inte." in unknown.output
    assert runner.invoke(args=["intake", "rule", "pets", county["vc"].name]).exit_code != 0
    runner.invoke(args=["intake", "remove-rule", "discharge"])
    assert intake_rules.receiving_unit([IntakeNeed.DISCHARGE], []) == county["soc"].id
