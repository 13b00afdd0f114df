"""The test-identity page signs in demo people; signed in, the start page is the person's overview."""

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import Person, StaffUser


def _person(name):
    return db.session.scalar(select(Person).where(Person.display_name == name))


def test_a_guardian_sees_each_childs_sip_with_its_step(client, demo_data):
    client.sign_in_with_demo_page(_person("Maria Berg"))
    html = client.get("/").get_data(as_text=True)
    assert "Elsa Berg" in html
    assert "Samtycke" in html  # Elsa's case is at the consent step


def test_a_parent_without_custody_is_told_why_no_sip_is_shown(client, demo_data):
    client.sign_in_with_demo_page(_person("Peter Holm"))
    html = client.get("/").get_data(as_text=True)
    assert "Oskar Holm" in html
    assert "inte vårdnaden" in html


def test_staff_land_on_the_personal_page(client, demo_data):
    staff = db.session.scalar(select(StaffUser).where(StaffUser.display_name == "Kent Olofsson"))
    client.sign_in_with_demo_page(staff)
    response = client.get("/")
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Personal</h1>" in html


def test_an_unknown_choice_gets_a_clear_message(client, demo_data):
    token = client.csrf_token("/logga-in/testidentitet")
    response = client.post("/logga-in/testidentitet", data={"identity": "p:nobody", "csrf_token": token})
    assert response.status_code == 422
    assert "Det finns ett problem" in response.get_data(as_text=True)


def test_sign_out_clears_the_session_and_site_data(client, demo_data):
    client.sign_in_with_demo_page(_person("Anna Lind"))
    token = client.csrf_token("/")
    response = client.post("/logga-ut", data={"csrf_token": token})
    assert response.status_code == 303
    assert '"storage"' in response.headers["Clear-Site-Data"]
    assert "Dina SIP:ar" not in client.get("/").get_data(as_text=True)


def test_sign_out_without_csrf_token_is_refused(client, demo_data):
    client.sign_in_with_demo_page(_person("Anna Lind"))
    response = client.post("/logga-ut")
    assert response.status_code == 400
    assert "Sidan var öppen för länge" in response.get_data(as_text=True)
