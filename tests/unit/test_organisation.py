"""The county's organisation as an administrator keeps it [issue 18]: principals, units and their intake,
staff and their roles, administrators, deactivated accounts, and the audit of every change
(services/organisation.py). Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    IntakeNeed,
    Principal,
    PrincipalKind,
    StaffMembership,
    StaffRole,
    StaffUser,
    UnitKind,
    WebSession,
)
from citizen_app.models.base import utcnow
from citizen_app.services import (
    access_log,
    administrators,
    audit,
    demo,
    identity,
    intake_rules,
    organisation,
    people,
)
from citizen_app.services.organisation import (
    PrincipalAnswers,
    StaffAnswers,
    UnitAnswers,
)
from citizen_app.services.web_sessions import Change, apply, new_id
from tests.support import factories

ADMIN_NUMBER = demo.test_identity_number(date(1975, 10, 12), 980)
NUMBER = demo.test_identity_number(date(1975, 10, 12), 982)  # a staff member's, in the test series
OTHER_NUMBER = demo.test_identity_number(date(1980, 1, 1), 983)


@pytest.fixture
def admin(app):
    member = people.create_staff(ADMIN_NUMBER, "Ada Administratör", hsa_id="SE2321000032-9000", is_admin=True)
    db.session.flush()
    return member


def _region(admin, name="Region Norr", hsa_id=""):
    return organisation.add_principal(admin, PrincipalAnswers(name, PrincipalKind.REGION.value, hsa_id))


def _errors(call) -> dict[str, str]:
    with pytest.raises(organisation.InvalidOrganisation) as refused:
        call()
    return refused.value.errors


# ---- principals ------------------------------------------------------------------------------------------


def test_an_administrator_adds_a_principal_with_its_hsa_id_in_capitals(admin):
    region = _region(admin, hsa_id=" se2321000032-0001 ")
    assert (region.name, region.kind, region.hsa_id) == (
        "Region Norr",
        PrincipalKind.REGION,
        "SE2321000032-0001",
    )


def test_two_principals_cannot_have_the_same_name_or_hsa_id(admin):
    _region(admin, hsa_id="SE2321000032-0001")
    errors = _errors(
        lambda: organisation.add_principal(
            admin, PrincipalAnswers("Region Norr", "region", "SE2321000032-0001")
        )
    )
    assert errors == {
        "name": organisation.PRINCIPAL_NAME_TAKEN,
        "hsa_id": organisation.PRINCIPAL_HSA_ID_TAKEN,
    }


def test_a_principal_needs_a_name_a_known_kind_and_a_well_formed_hsa_id(admin):
    errors = _errors(lambda: organisation.add_principal(admin, PrincipalAnswers("  ", "landsting", "12345")))
    assert errors == {
        "name": organisation.NAME_MISSING,
        "kind": organisation.KIND_UNKNOWN,
        "hsa_id": organisation.HSA_ID_MALFORMED,
    }


def test_a_principal_keeps_its_own_name_and_hsa_id_when_changed(admin):
    region = _region(admin, hsa_id="SE2321000032-0001")
    organisation.change_principal(
        admin, region, PrincipalAnswers("Region Norr", "municipality", "SE2321000032-0001")
    )
    assert region.kind == PrincipalKind.MUNICIPALITY


# ---- units and their intake ------------------------------------------------------------------------------


def _unit_answers(name: str, **fields) -> UnitAnswers:
    return UnitAnswers(name=name, kind=fields.pop("kind", UnitKind.SOCIAL_SERVICES.value), **fields)


def test_an_administrator_adds_a_unit_with_contact_details_and_fast_vardkontakt(admin):
    region = _region(admin)
    unit = organisation.add_unit(
        admin,
        region,
        _unit_answers(
            "Vårdcentralen Syd",
            kind=UnitKind.PRIMARY_CARE.value,
            hsa_id="SE2321000032-1001",
            address="Storgatan 1, 123 45 Exempelstad",
            phone="010-111 22 33",
            email="vc.syd@exempel.se",
            fixed_care_contact=True,
        ),
    )
    assert unit.principal_id == region.id
    assert (unit.kind, unit.hsa_id, unit.address, unit.phone, unit.email) == (
        UnitKind.PRIMARY_CARE,
        "SE2321000032-1001",
        "Storgatan 1, 123 45 Exempelstad",
        "010-111 22 33",
        "vc.syd@exempel.se",
    )
    assert unit.is_fixed_care_contact


def test_two_units_cannot_have_the_same_name_even_under_different_principals(admin):
    organisation.add_unit(admin, _region(admin), _unit_answers("Socialtjänsten"))
    other = _region(admin, name="Region Söder")
    errors = _errors(lambda: organisation.add_unit(admin, other, _unit_answers("Socialtjänsten")))
    assert errors == {"name": organisation.UNIT_NAME_TAKEN}


def test_a_unit_with_an_unknown_kind_a_bad_phone_or_e_mail_is_refused_with_a_message_for_each(admin):
    errors = _errors(
        lambda: organisation.add_unit(
            admin,
            _region(admin),
            _unit_answers(
                "Enheten", kind="sjukstuga", phone="ring mig", email="inte-en-adress", intake_needs=("pets",)
            ),
        )
    )
    assert errors == {
        "kind": organisation.KIND_UNKNOWN,
        "phone": organisation.PHONE_MALFORMED,
        "email": organisation.EMAIL_MALFORMED,
        "intake_needs": organisation.NEED_UNKNOWN,
    }


def test_a_unit_marked_as_intake_unit_for_children_receives_childrens_requests(admin):
    municipality = organisation.add_principal(admin, PrincipalAnswers("Norrby kommun", "municipality"))
    social = organisation.add_unit(admin, municipality, _unit_answers("Socialtjänsten Norrby"))
    children = organisation.add_unit(
        admin, municipality, _unit_answers("Barn och familj Norrby", intake_needs=(IntakeNeed.CHILD.value,))
    )
    organisation.add_unit(admin, municipality, _unit_answers("Vuxenenheten", default_intake=False))
    for unit in (social, children):
        member = organisation.add_staff(
            admin, StaffAnswers(f"Samordnare {unit.id}", hsa_id=f"SE2120000001-{unit.id}")
        )
        organisation.give_role(admin, member, unit.public_id, StaffRole.COORDINATOR.value)
    organisation.change_unit(admin, social, _unit_answers("Socialtjänsten Norrby", default_intake=True))

    child_needs = intake_rules.needs_of(leaving_hospital=False, is_child=True)
    adult_needs = intake_rules.needs_of(leaving_hospital=False, is_child=False)
    assert intake_rules.receiving_unit(child_needs, []) == children.id
    assert intake_rules.receiving_unit(adult_needs, []) == social.id
    assert organisation.intake_of(children).needs == {IntakeNeed.CHILD}
    assert organisation.intake_of(social).is_default


def test_marking_a_need_on_a_unit_moves_it_from_the_unit_that_had_it(admin):
    region = _region(admin)
    first = organisation.add_unit(admin, region, _unit_answers("Första", intake_needs=("child",)))
    second = organisation.add_unit(admin, region, _unit_answers("Andra", intake_needs=("child", "adult")))
    assert organisation.intake_of(first).needs == set()
    assert organisation.intake_of(second).needs == {IntakeNeed.CHILD, IntakeNeed.ADULT}
    organisation.change_unit(admin, second, _unit_answers("Andra", intake_needs=("adult",)))
    assert organisation.intake_of(second).needs == {IntakeNeed.ADULT}
    assert [rule.need for rule in intake_rules.configuration().rules] == [IntakeNeed.ADULT]


def test_a_deactivated_coordinator_does_not_make_their_unit_receive_requests(admin):
    region = _region(admin)
    unit = organisation.add_unit(admin, region, _unit_answers("Barnenheten", intake_needs=("child",)))
    member = organisation.add_staff(admin, StaffAnswers("Sam Ordnare", hsa_id="SE2321000032-2001"))
    organisation.give_role(admin, member, unit.public_id, "coordinator")
    assert intake_rules.receiving_unit([IntakeNeed.CHILD], []) == unit.id
    organisation.deactivate(admin, member)
    assert intake_rules.receiving_unit([IntakeNeed.CHILD], []) is None


# ---- staff -----------------------------------------------------------------------------------------------


def test_a_staff_member_added_with_an_identity_number_is_stored_only_as_its_hash(admin):
    member = organisation.add_staff(
        admin, StaffAnswers("Kim Kurator", identity_number=NUMBER[:8] + "-" + NUMBER[8:], title="Kurator")
    )
    assert member.identity_hash == identity.identity_hash(NUMBER)
    assert people.find_staff_by_identity(NUMBER) is member
    stored = db.session.execute(select(StaffUser.__table__).where(StaffUser.id == member.id)).one()
    assert NUMBER not in " ".join(str(value) for value in stored)


def test_a_staff_member_needs_an_hsa_id_or_an_identity_number_to_sign_in(admin):
    assert _errors(lambda: organisation.add_staff(admin, StaffAnswers("Kim Kurator"))) == {
        "hsa_id": organisation.NO_WAY_TO_SIGN_IN
    }


def test_duplicate_hsa_ids_and_identity_numbers_of_staff_are_refused(admin):
    organisation.add_staff(admin, StaffAnswers("Kim", hsa_id="SE2321000032-2001", identity_number=NUMBER))
    errors = _errors(
        lambda: organisation.add_staff(
            admin, StaffAnswers("Kim två", hsa_id="se2321000032-2001", identity_number=NUMBER)
        )
    )
    assert errors == {
        "hsa_id": organisation.STAFF_HSA_ID_TAKEN,
        "identity_number": organisation.IDENTITY_TAKEN,
    }
    errors = _errors(lambda: organisation.add_staff(admin, StaffAnswers("Kim tre", identity_number="123")))
    assert errors == {"identity_number": organisation.IDENTITY_MALFORMED}


def test_changing_a_staff_member_without_a_new_number_keeps_the_stored_one(admin):
    member = organisation.add_staff(admin, StaffAnswers("Kim", identity_number=NUMBER))
    organisation.change_staff(admin, member, StaffAnswers("Kim Kurator", hsa_id="SE2321000032-2001"))
    assert member.identity_hash == identity.identity_hash(NUMBER)
    assert (member.display_name, member.hsa_id) == ("Kim Kurator", "SE2321000032-2001")


def test_roles_per_unit_are_given_changed_and_removed(admin):
    unit = organisation.add_unit(admin, _region(admin), _unit_answers("Enheten"))
    member = organisation.add_staff(admin, StaffAnswers("Kim", hsa_id="SE2321000032-2001"))
    organisation.give_role(admin, member, unit.public_id, "member")
    organisation.give_role(admin, member, unit.public_id, "coordinator")
    assert [(m.unit_id, m.role) for m in organisation.memberships_of(member)] == [
        (unit.id, StaffRole.COORDINATOR)
    ]
    organisation.remove_role(admin, member, unit.public_id)
    assert organisation.memberships_of(member) == []
    assert _errors(lambda: organisation.give_role(admin, member, "x" * 22, "boss")) == {
        "unit": organisation.UNIT_UNKNOWN,
        "role": organisation.ROLE_UNKNOWN,
    }


def test_staff_are_found_by_part_of_their_name_or_hsa_id_a_page_at_a_time(admin):
    for n in range(30):
        organisation.add_staff(admin, StaffAnswers(f"Person {n:02d}", hsa_id=f"SE2321000032-3{n:03d}"))
    first = organisation.search_staff("person", 1)
    assert (first.total, first.pages, len(first.staff)) == (30, 2, organisation.STAFF_PAGE_SIZE)
    assert len(organisation.search_staff("person", 2).staff) == 30 - organisation.STAFF_PAGE_SIZE
    assert [s.display_name for s in organisation.search_staff("se2321000032-3007").staff] == ["Person 07"]
    assert organisation.search_staff("100%").total == 0  # a wildcard is a character, not "anything"


# ---- administrators --------------------------------------------------------------------------------------


def test_the_last_administrator_cannot_be_removed(admin):
    assert _errors(lambda: organisation.remove_administrator(admin, admin)) == {
        "administrator": organisation.LAST_ADMINISTRATOR
    }
    assert admin.is_admin


def test_an_administrator_can_step_down_once_another_is_appointed(admin):
    other = organisation.add_staff(admin, StaffAnswers("Bo Bas", hsa_id="SE2321000032-2001"))
    organisation.appoint_administrator(admin, other)
    assert administrators.is_admin(other)
    organisation.remove_administrator(admin, admin)
    assert not administrators.is_admin(admin)


def test_a_deactivated_administrator_does_not_count_as_the_one_that_must_remain(admin):
    other = organisation.add_staff(admin, StaffAnswers("Bo Bas", hsa_id="SE2321000032-2001"))
    organisation.appoint_administrator(admin, other)
    organisation.deactivate(admin, other)
    assert _errors(lambda: organisation.remove_administrator(admin, admin)) == {
        "administrator": organisation.LAST_ADMINISTRATOR
    }


def test_an_administrator_named_in_the_configuration_lets_the_last_marked_one_step_down(app, admin):
    organisation.add_staff(admin, StaffAnswers("Cia Config", hsa_id="SE2321000032-7777"))
    app.config["ADMIN_HSA_IDS"] = "se2321000032-7777"
    organisation.remove_administrator(admin, admin)
    assert not administrators.is_admin(admin)


def test_an_administrator_by_configuration_is_not_removed_on_the_page(app, admin):
    configured = organisation.add_staff(admin, StaffAnswers("Cia Config", hsa_id="SE2321000032-7777"))
    app.config["ADMIN_HSA_IDS"] = "SE2321000032-7777"
    assert _errors(lambda: organisation.remove_administrator(admin, configured)) == {
        "administrator": organisation.ADMIN_BY_CONFIGURATION
    }


def test_an_administrator_cannot_deactivate_themself(admin):
    assert _errors(lambda: organisation.deactivate(admin, admin)) == {"active": organisation.NOT_YOURSELF}


def test_the_last_administrator_cannot_be_deactivated_by_someone_else(app, admin):
    # Someone who is administrator only through the configuration, and the configuration then changes.
    configured = organisation.add_staff(admin, StaffAnswers("Cia Config", hsa_id="SE2321000032-7777"))
    app.config["ADMIN_HSA_IDS"] = "SE2321000032-7777"
    organisation.remove_administrator(admin, admin)
    app.config["ADMIN_HSA_IDS"] = ""
    admin.is_admin = True
    assert _errors(lambda: organisation.deactivate(configured, admin)) == {
        "administrator": organisation.LAST_ADMINISTRATOR
    }


# ---- deactivating ----------------------------------------------------------------------------------------


def _open_session(member: StaffUser) -> None:
    apply(Change(create=(new_id(), member.get_id(), "{}")), utcnow())


def test_deactivating_a_staff_member_ends_all_their_sessions_and_keeps_their_roles(admin):
    unit = organisation.add_unit(admin, _region(admin), _unit_answers("Enheten"))
    member = organisation.add_staff(admin, StaffAnswers("Kim", hsa_id="SE2321000032-2001"))
    organisation.give_role(admin, member, unit.public_id, "coordinator")
    db.session.commit()
    _open_session(member)
    _open_session(member)
    _open_session(admin)

    assert organisation.deactivate(admin, member) == 2
    assert not member.is_active
    sessions = lambda who: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(WebSession).where(WebSession.actor_id == who.get_id())
    )
    assert (sessions(member), sessions(admin)) == (0, 1)
    assert db.session.scalar(select(func.count()).select_from(StaffMembership)) == 1

    organisation.reactivate(admin, member)
    assert member.is_active


# ---- sign-in by HSA-id -----------------------------------------------------------------------------------


def test_the_first_sign_in_with_an_hsa_id_links_the_identity_of_the_imported_staff_member(admin):
    member = organisation.add_staff(admin, StaffAnswers("Kim", hsa_id="SE2321000032-2001"))
    assert member.identity_hash is None
    assert people.staff_for_sign_in(NUMBER, "se2321000032-2001") is member
    assert member.identity_hash == identity.identity_hash(NUMBER)
    # The next time, the number alone finds them; the same HSA-id with another number finds nobody.
    assert people.staff_for_sign_in(NUMBER, None) is member
    assert people.staff_for_sign_in(OTHER_NUMBER, "SE2321000032-2001") is None


# ---- the audit of every change ---------------------------------------------------------------------------


def test_every_change_is_audited_without_a_case_and_shown_newest_first_with_who_did_it(admin):
    region = _region(admin)
    unit = organisation.add_unit(admin, region, _unit_answers("Enheten"))
    member = organisation.add_staff(admin, StaffAnswers("Kim Kurator", hsa_id="SE2321000032-2001"))
    organisation.give_role(admin, member, unit.public_id, "member")
    organisation.deactivate(admin, member)

    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == [
        "organisation.principal_added",
        "organisation.unit_added",
        "organisation.staff_added",
        "organisation.role_given",
        "organisation.staff_deactivated",
    ]
    assert all(e.case_id is None and e.actor_staff_id == admin.id for e in entries)
    assert NUMBER not in str([e.detail for e in entries])

    changes = organisation.latest_changes()
    assert [(c.who, c.what, c.unit) for c in changes] == [
        ("Ada Administratör", "Kim Kurator", None),
        ("Ada Administratör", "Kim Kurator", "Enheten"),
        ("Ada Administratör", "Kim Kurator", None),
        ("Ada Administratör", "Enheten", None),
        ("Ada Administratör", "Region Norr", None),
    ]
    sentence = access_log.sentence_for(changes[0].action) % {"who": changes[0].who}
    assert sentence == "Ada Administratör stängde av en persons konto."


def test_changes_to_sips_are_not_among_the_organisations_changes(admin):
    case = factories.case(factories.person(), factories.unit())
    audit.record(admin, "case.read", case)
    audit.record(admin, "push.subscribed")
    assert organisation.latest_changes() == []


def test_two_administrators_saving_the_same_name_at_once_get_a_message_not_an_error(admin, monkeypatch):
    """Both pass the checks before either has saved; the database's unique constraint stops the second, who
    is told to read the page again. (The race is made here by letting the second skip the check.)"""
    _region(admin, name="Region Syd")
    db.session.commit()
    passed_the_check = ("Region Syd", PrincipalKind.REGION, None)
    monkeypatch.setattr(organisation, "_checked_principal", lambda answers, own_id: passed_the_check)

    assert _errors(lambda: _region(admin, name="Region Syd")) == {"name": organisation.SAVED_BY_SOMEONE_ELSE}
    # The session works again, and the first region is still there, once.
    same_name = select(func.count()).select_from(Principal).where(Principal.name == "Region Syd")
    assert db.session.scalar(same_name) == 1
