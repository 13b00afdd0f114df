""" "Vem har läst om mig" [issue 13] [QUALITY 4]: the About page promises "Du kan se vem som har läst".

The person, a guardian with custody and a legal representative see each staff read and change of the SIP:
who, at which unit, when and what, in plain words, newest first, 25 a page. Nobody else sees it (a relative,
a parent without custody, the child, another family, staff). The page stays within 8 queries with 200
entries, and within LIX 35.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from citizen_app.extensions import db
from citizen_app.models import AuditEntry, ParticipantRole, RepresentativeType, StaffRole, Step, UnitKind
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import audit, consent, intake, meetings
from tests.support import factories

ADULT_NEED = "Ingrid sover dåligt och har stora skulder."
CHILD_NEED = "Tilda är hemma från skolan varje dag."


@pytest.fixture
def county(app):
    """Kent coordinates at Socialtjänsten; Sofia is the counsellor at Björkskolan, which takes part."""
    social = factories.unit("Socialtjänsten")
    school = factories.unit("Björkskolan", kind=UnitKind.SCHOOL)
    clinic = factories.unit("Vårdcentralen Norra", kind=UnitKind.PRIMARY_CARE)
    kent = factories.staff(social, StaffRole.COORDINATOR, "Kent Olofsson")
    sofia = factories.staff(school, StaffRole.MEMBER, "Sofia Åberg")
    # Vera works at two units; only one of them has to do with these SIPs.
    vera = factories.staff(clinic, StaffRole.MEMBER, "Vera Nilsson")
    db.session.add(factories.StaffMembership(staff_id=vera.id, unit_id=school.id, role=StaffRole.MEMBER))
    db.session.flush()
    return {"social": social, "school": school, "clinic": clinic, "kent": kent, "sofia": sofia, "vera": vera}


@pytest.fixture
def families(county):
    """An adult's SIP and a child's SIP, the people around them, and a stranger with a SIP of their own."""
    kent, social, school = county["kent"], county["social"], county["school"]
    who = {}
    ingrid = factories.person("Ingrid Holm", age=45)
    adult_case = factories.case(ingrid, social, kent, step=Step.PREPARATION, need_description=ADULT_NEED)
    factories.participant(adult_case, ParticipantRole.PERSON, person_=ingrid)
    factories.participant(adult_case, ParticipantRole.UNIT, unit_=school)
    who["pers"] = (ingrid, adult_case)
    for column, kind in (
        ("godm", RepresentativeType.GOD_MAN),
        ("forv", RepresentativeType.FORVALTARE),
        ("ffm", RepresentativeType.FRAMTIDSFULLMAKT),
    ):
        representative = factories.representative_of(ingrid, kind, name=f"Ställföreträdare {column}")
        who[column] = (representative, adult_case)
    expired = factories.representative_of(
        ingrid, RepresentativeType.GOD_MAN, valid_until=datetime.now(UTC).date() - timedelta(days=1)
    )
    who["expr"] = (expired, adult_case)
    relative = factories.person("Rut Närstående", age=50)
    factories.participant(adult_case, ParticipantRole.RELATIVE, person_=relative)
    who["rel"] = (relative, adult_case)

    tilda = factories.child("Tilda Holm", age=14)
    child_case = factories.case(tilda, social, kent, step=Step.CONSENT, need_description=CHILD_NEED)
    factories.participant(child_case, ParticipantRole.CHILD, person_=tilda)
    factories.participant(child_case, ParticipantRole.UNIT, unit_=school)
    who["chld"] = (tilda, child_case)
    who["cust"] = (factories.guardian_of(tilda, custody=True, name="Hanna Holm"), child_case)
    who["nocu"] = (factories.guardian_of(tilda, custody=False, name="Per Utan"), child_case)

    stranger = factories.person("Fia Främling", age=45)
    factories.case(stranger, social, need_description="Fia behöver hjälp.")
    who["citz"] = (stranger, adult_case)
    who["coor"] = (kent, adult_case)
    who["part"] = (county["sofia"], child_case)
    db.session.commit()
    return who


def _url(case, page: int | None = None) -> str:
    return f"/sip/{case.public_id}/vem-har-last" + (f"?sida={page}" if page is not None else "")


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _lines(response) -> list[str]:
    return [" ".join(li.get_text(" ").split()) for li in _soup(response).select("main ul.events li")]


def _log(case, staff, action: str, at: datetime) -> None:
    entry = audit.record(staff, action, case)
    entry.at = at


# ---- who may read it: the access matrix of the page (as tests/unit/test_access_matrix.py, in HTTP)

# Columns as in test_access_matrix.py. 200 = the page; 404 = "not found", as for any SIP page one may not
# see; 403 = staff on a citizen page.
ACCESS = """
                 pers chld cust nocu godm forv ffm  expr rel  coor part citz
vem-har-last     200  404  200  404  200  200  200  404  404  403  403  404
case-page-link   Y    .    Y    -    Y    Y    Y    -    -    -    -    -
"""


def _parse(table: str) -> dict[str, dict[str, str]]:
    lines = [line for line in table.strip("\n").splitlines() if line.strip()]
    columns = lines[0].split()
    return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in (line.split() for line in lines[1:])}


MATRIX = _parse(ACCESS)


@pytest.mark.parametrize("column", list(MATRIX["vem-har-last"]))
def test_who_may_read_the_log(client, families, county, column):
    actor, case = families[column]
    _log(case, county["kent"], "case.read", datetime.now(UTC))
    db.session.commit()
    client.sign_in_as(actor)
    response = client.get(_url(case))
    assert response.status_code == int(MATRIX["vem-har-last"][column]), column
    if response.status_code != 200:
        main = _soup(response).main.get_text(" ")  # the header names the one signed in, of course
        assert "Kent Olofsson" not in main and "läste i SIP:en" not in main
        assert case.subject.display_name not in main
        assert client.get(_url(case, 2)).status_code == response.status_code


@pytest.mark.parametrize("column", [c for c, cell in MATRIX["case-page-link"].items() if cell != "-"])
def test_the_case_page_links_to_the_log_for_those_who_may_read_it(client, families, column):
    actor, case = families[column]
    client.sign_in_as(actor)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert (f'href="{_url(case)}"' in html) is (MATRIX["case-page-link"][column] == "Y")


def test_signed_out_visitors_are_sent_to_sign_in(client, families):
    _person, case = families["pers"]
    response = client.get(_url(case))
    assert response.status_code in (302, 303)
    assert "Ingrid Holm" not in response.get_data(as_text=True)


def test_a_guessed_id_is_not_found(client, families):
    person, _case = families["pers"]
    client.sign_in_as(person)
    assert client.get("/sip/" + "A" * 22 + "/vem-har-last").status_code == 404


def test_a_suggestion_not_yet_agreed_to_shows_no_log(client, county):
    """Until the person says yes to a relative's suggestion only they may look at it, and no log is kept for
    them to read yet: the policy gives VIEW_ACCESS_LOG to nobody then."""
    person = factories.person("Bo Berg")
    case = factories.case(person, county["social"], awaiting_person_agreement=True)
    client.sign_in_as(person)
    assert client.get(_url(case)).status_code == 404
    assert f'href="{_url(case)}"' not in client.get(f"/sip/{case.public_id}").get_data(as_text=True)


# ---- what it says


def test_the_person_reads_who_did_what_at_which_unit_newest_first(client, families, county):
    ingrid, case = families["pers"]
    kent, sofia, vera = county["kent"], county["sofia"], county["vera"]
    # Real services write the entries: a coordinator reads the SIP, the person consents, a meeting is set.
    intake.get_case(kent, case.public_id)
    consent.give(
        ingrid,
        case,
        [county["social"].public_id, county["school"].public_id],
        ["social"],
        datetime.now(UTC).date() + timedelta(days=200),
    )
    meetings.set_meeting(
        kent,
        case,
        starts_at=datetime.now(UTC) + timedelta(days=7),
        length_minutes=60,
        mode="in_person",
        place="Storgatan 1",
    )
    intake.get_case(sofia, case.public_id)
    intake.get_case(vera, case.public_id)
    moments = datetime.now(UTC) - timedelta(minutes=30)
    for n, entry in enumerate(
        db.session.query(AuditEntry).filter_by(case_id=case.id).order_by(AuditEntry.id).all()
    ):
        entry.at = moments + timedelta(minutes=n)  # a clear order, even where the clock did not move
    db.session.commit()

    client.sign_in_as(ingrid)
    response = client.get(_url(case))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    soup = _soup(response)
    assert soup.h1.get_text(strip=True) == "Vem har läst om mig"
    lines = [re.sub(r"^\d\d:\d\d ", "", line) for line in _lines(response)]
    assert lines == [
        # Vera works at the clinic too, but it is Björkskolan that takes part in this SIP.
        "Vera Nilsson på Björkskolan läste i SIP:en.",
        "Sofia Åberg på Björkskolan läste i SIP:en.",
        "Kent Olofsson på Socialtjänsten bokade en tid för mötet.",
        "Kent Olofsson läste i SIP:en.",  # his unit is named on his first line of the page
    ]  # the person's own "yes" is not a staff read: it is not listed
    assert soup.select_one("main ul.events time")["datetime"].startswith(str(datetime.now(UTC).year))
    assert "Äldre" not in soup.main.get_text() and "Nyare" not in soup.main.get_text()


def test_a_guardian_and_a_god_man_read_it_about_the_one_they_act_for(client, families, county):
    for column in ("cust", "godm"):
        actor, case = families[column]
        _log(case, county["kent"], "case.read", datetime.now(UTC))
        db.session.commit()
        client.sign_in_as(actor)
        response = client.get(_url(case))
        assert response.status_code == 200
        soup = _soup(response)
        assert soup.h1.get_text(" ", strip=True) == f"Vem har läst om {case.subject.display_name}"
        assert case.subject.display_name not in soup.title.get_text()  # titles name nobody
        assert _lines(response)[0].endswith("Kent Olofsson på Socialtjänsten läste i SIP:en.")


def test_the_log_is_paged_25_at_a_time_with_plain_links(client, families, county):
    ingrid, case = families["pers"]
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for n in range(60):
        _log(case, county["kent"], "case.read" if n % 2 else "meeting.set", start + timedelta(minutes=n))
    db.session.commit()
    client.sign_in_as(ingrid)

    first = client.get(_url(case))
    assert len(_lines(first)) == 25
    assert _lines(first)[0].startswith("09:59")  # 08:59 UTC is 09:59 in Stockholm in November, the newest
    nav = _soup(first).select_one("main nav")
    assert [(a.get_text(strip=True), a["href"]) for a in nav.find_all("a")] == [("Äldre", _url(case, 2))]

    second = client.get(_url(case, 2))
    assert len(_lines(second)) == 25
    assert _lines(second)[0].startswith("09:34")
    links = [(a.get_text(strip=True), a["href"]) for a in _soup(second).select_one("main nav").find_all("a")]
    assert links == [("Nyare", _url(case)), ("Äldre", _url(case, 3))]

    # Each page names the unit the first time someone appears on it, then only the name.
    assert [line[6:] for line in _lines(second)[:2]] == [
        "Kent Olofsson på Socialtjänsten bokade en tid för mötet.",
        "Kent Olofsson läste i SIP:en.",
    ]

    third = client.get(_url(case, 3))
    assert len(_lines(third)) == 10
    assert _lines(third)[-1].startswith("09:00")  # the oldest
    links = [(a.get_text(strip=True), a["href"]) for a in _soup(third).select_one("main nav").find_all("a")]
    assert links == [("Nyare", _url(case, 2))]

    assert client.get(_url(case, 4)).status_code == 404
    assert client.get(_url(case, 0)).status_code == 404
    assert client.get(_url(case, 99999999)).status_code == 404
    assert len(_lines(client.get(_url(case) + "?sida=tre"))) == 25  # not a number: the first page


def test_the_log_groups_lines_by_day(client, families, county):
    ingrid, case = families["pers"]
    _log(case, county["kent"], "case.read", datetime(2026, 11, 2, 23, 30, tzinfo=UTC))  # 3 Nov in Sweden
    _log(case, county["kent"], "case.read", datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    db.session.commit()
    client.sign_in_as(ingrid)
    days = [h2.get_text(strip=True) for h2 in _soup(client.get(_url(case))).select("main h2")]
    assert days[:2] == ["3 november 2026", "2 november 2026"]


def test_an_empty_log_says_so_plainly(client, families):
    ingrid, case = families["pers"]
    client.sign_in_as(ingrid)
    response = client.get(_url(case))
    assert "Ingen i personalen har läst eller ändrat något än." in response.get_data(as_text=True)
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= 35, f"LIX {readability.lix:.1f} ({readability})"


def test_a_full_page_is_plain_swedish(client, families, county):
    """25 lines by five staff members of units with long names: the page stays within LIX 35."""
    ingrid, case = families["pers"]
    psychiatry = factories.unit("Psykiatrin Centrum", kind=UnitKind.PSYCHIATRY)
    staff = [
        county["kent"],
        county["sofia"],
        county["vera"],
        factories.staff(psychiatry, StaffRole.COORDINATOR, "Rita Samuelsson"),
        factories.staff(county["clinic"], StaffRole.MEMBER, "Hugo Ström"),
    ]
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    actions = ["case.read", "meeting.set", "invitation.sent", "case.read", "plan.draft_started"]
    for n in range(25):
        _log(case, staff[n % 5], actions[(n // 5) % len(actions)], start + timedelta(hours=n * 5))
    db.session.commit()
    client.sign_in_as(ingrid)
    response = client.get(_url(case))
    assert len(_lines(response)) == 25
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= 35, f"LIX {readability.lix:.1f} ({readability})"


def test_the_page_reads_in_english(client, families, county):
    ingrid, case = families["pers"]
    _log(case, county["kent"], "case.read", datetime.now(UTC))
    db.session.commit()
    client.sign_in_as(ingrid)
    client.get("/sprak/en")
    response = client.get(_url(case))
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert _lines(response)[0].endswith("Kent Olofsson at Socialtjänsten read the SIP.")


def test_the_start_page_leads_to_the_log_of_each_sip_one_may_read(client, families):
    ingrid, adult_case = families["pers"]
    client.sign_in_as(ingrid)
    assert f'href="{_url(adult_case)}"' in client.get("/").get_data(as_text=True)
    guardian, child_case = families["cust"]
    client.sign_in_as(guardian)
    assert f'href="{_url(child_case)}"' in client.get("/").get_data(as_text=True)
    child, _ = families["chld"]
    client.sign_in_as(child)
    assert f'href="{_url(child_case)}"' not in client.get("/").get_data(as_text=True)


def test_a_page_of_25_stays_within_eight_queries_with_200_entries(client, families, county, count_queries):
    ingrid, case = families["pers"]
    staff = [county["kent"], county["sofia"], county["vera"]]
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for n in range(200):
        _log(case, staff[n % 3], "case.read", start + timedelta(minutes=n))
    db.session.commit()
    client.sign_in_as(ingrid)
    for page in (1, 2, 8):
        url = _url(case, page)  # read before counting: the test's own objects are reloaded after a request
        db.session.commit()
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(_lines(response)) == 25
        assert queries.count <= 8, (page, queries.count, queries.statements)


def test_the_start_page_asks_about_several_sips_within_eight_queries(client, families, county, count_queries):
    """A guardian with a SIP of her own and two children's: one link per SIP she may read, and the roles
    for all of them are worked out together (not two queries a SIP)."""
    guardian, child_case = families["cust"]
    own = factories.case(guardian, county["social"])
    brother = factories.child("Ture Holm", age=10)
    db.session.add(
        factories.Relationship(
            holder_id=guardian.id,
            subject_id=brother.id,
            kind=factories.RelationKind.GUARDIAN,
            has_custody=True,
        )
    )
    second = factories.case(brother, county["social"])
    urls = [_url(own), _url(child_case), _url(second)]
    db.session.commit()
    client.sign_in_as(guardian)
    with count_queries() as queries:
        html = client.get("/").get_data(as_text=True)
    assert all(f'href="{url}"' in html for url in urls)
    assert queries.count <= 8, queries.statements
