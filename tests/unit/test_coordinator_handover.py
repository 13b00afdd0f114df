"""When an administrator closes a coordinator's account, their open SIPs are not left without anyone knowing
[issue 18 follow-up]: the unit's other coordinators are told and their workbench marks the SIP until one of
them chooses a new coordinator. The administrator sees beforehand how many SIPs that is, and which units have
no other coordinator. A closed account is never the one told (services/recipients.py)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from citizen_app import access
from citizen_app.extensions import db
from citizen_app.models import Notification, StaffRole, StaffUser, Step
from citizen_app.models.notifications import NotificationKind
from citizen_app.pages import workbench as words
from citizen_app.services import intake, notifications, organisation, recipients, workbench
from citizen_app.services.workbench import Filters, WaitKind
from tests.support import factories


@pytest.fixture
def admin(app):
    return factories.administrator()


@pytest.fixture
def unit(app):
    return factories.unit("Socialtjänsten Norr")


@pytest.fixture
def leaving(unit):
    return factories.staff(unit, StaffRole.COORDINATOR, "Lena Slutar")


@pytest.fixture
def colleague(unit):
    return factories.staff(unit, StaffRole.COORDINATOR, "Kim Kvar")


def _open_sips(leaving, unit, count=2):
    return [
        factories.case(factories.person(f"Person {n}"), unit, leaving, step=Step.PREPARATION)
        for n in range(count)
    ]


def _gone_messages(staff) -> list[Notification]:
    return [m for m in notifications.list_for(staff) if m.kind == NotificationKind.STAFF_COORDINATOR_GONE]


def _waits(app, staff) -> dict[str, list[WaitKind]]:
    with app.test_request_context("/personal/"):
        access.forget_roles()
        roles = {m.unit_id: m.role for m in staff.memberships}
        bench = workbench.workbench_for(staff, roles, Filters(), date.today())
        return {row.case.subject.display_name: [w.kind for w in row.waits] for row in bench.mine.rows}


def test_the_administrator_is_told_how_many_open_sips_the_coordinator_leaves(admin, unit, leaving, colleague):
    sips = _open_sips(leaving, unit, 3)
    factories.case(factories.person("Avslutad"), unit, leaving, step=Step.CLOSED)  # a closed SIP: not counted
    assert organisation.handover_of(leaving) == organisation.Handover(3, [])
    assert organisation.open_sips_coordinated_by(leaving) == sips


def test_a_unit_with_no_other_coordinator_is_named_before_the_account_is_closed(admin, unit, leaving):
    _open_sips(leaving, unit, 1)
    assert organisation.handover_of(leaving) == organisation.Handover(1, ["Socialtjänsten Norr"])


def test_closing_a_coordinators_account_tells_the_units_other_coordinators_about_each_open_sip(
    app, admin, unit, leaving, colleague
):
    sips = _open_sips(leaving, unit, 2)
    organisation.deactivate(admin, leaving)
    told = _gone_messages(colleague)
    assert sorted(m.case_id for m in told) == sorted(s.id for s in sips)
    assert all(m.data == {"name": "Lena Slutar"} for m in told)
    assert _gone_messages(leaving) == []  # the closed account is not told


def test_the_workbench_marks_the_sip_until_a_new_coordinator_is_chosen(app, admin, unit, leaving, colleague):
    first, second = _open_sips(leaving, unit, 2)
    assert _waits(app, colleague) == {"Person 0": [], "Person 1": []}
    organisation.deactivate(admin, leaving)
    assert _waits(app, colleague) == {
        "Person 0": [WaitKind.COORDINATOR_GONE],
        "Person 1": [WaitKind.COORDINATOR_GONE],
    }
    with app.test_request_context("/personal/"):
        assert words.wait_words(workbench.Wait(WaitKind.COORDINATOR_GONE)) == (
            "Samordnaren kan inte logga in längre – välj en ny samordnare"
        )
        access.forget_roles()
        intake.change_coordinator(colleague, first, colleague.public_id)
    db.session.flush()
    assert _waits(app, colleague) == {"Person 0": [], "Person 1": [WaitKind.COORDINATOR_GONE]}


def test_a_closed_account_is_not_among_those_a_unit_is_told_through(admin, unit, leaving, colleague):
    assert recipients.unit_coordinators(unit.id) == [colleague, leaving]
    organisation.deactivate(admin, leaving)
    assert recipients.unit_coordinators(unit.id) == [colleague]
    assert recipients.unit_staff(unit.id) == [colleague]


def test_two_administrators_closing_the_account_at_once_tell_the_unit_once(
    app, admin, unit, leaving, colleague
):
    """PostgreSQL only (SQLite lets one writer in at a time, so the two never overlap there). The first
    administrator's request has closed the account but not committed; the second reads the account as still
    open meanwhile and closes it too. Without the conditional update both told Kim: two messages a SIP."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (set TEST_DATABASE_URL)")
    second_admin = factories.administrator("Bo Administratör")
    sips = _open_sips(leaving, unit, 2)
    db.session.commit()
    ids = {"first": admin.id, "second": second_admin.id, "leaving": leaving.id}
    written, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def close_as(who: str, hold: bool) -> None:
        try:
            with app.app_context():
                member = db.session.get(StaffUser, ids["leaving"])
                assert member is not None and member.deactivated_at is None  # read before the other commits
                if not hold:
                    written.wait(10)
                organisation.deactivate(db.session.get(StaffUser, ids[who]), member)
                if hold:
                    written.set()
                    release.wait(10)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported by the test thread below
            errors.append(error)

    # The second request reads the open account, then waits until the first has closed it (not committed).
    second_thread = threading.Thread(target=close_as, args=("second", False))
    first_thread = threading.Thread(target=close_as, args=("first", True))
    second_thread.start()
    first_thread.start()
    written.wait(10)
    time.sleep(0.5)  # the second is now waiting for the first's row lock
    release.set()
    first_thread.join(20)
    second_thread.join(20)
    assert errors == []

    db.session.expire_all()
    told = _gone_messages(colleague)
    assert sorted(m.case_id for m in told) == sorted(sip.id for sip in sips)
