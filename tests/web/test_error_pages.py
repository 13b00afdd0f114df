"""Every error page is in simple Swedish, says what to do, and has a way back — never a stack trace."""

import pytest
from flask import abort

from citizen_app import create_app
from tests.support.clients import CheckingClient


@pytest.fixture
def failing_client(database_url):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = CheckingClient

    @app.route("/test-fel/<int:status>")
    def fail(status: int):
        if status == 500:
            raise RuntimeError("boom: secret detail")
        abort(status)

    with app.app_context():
        yield app.test_client()


@pytest.mark.parametrize(
    "status,heading",
    [
        (400, "Något blev fel med det du skickade"),
        (403, "Du har inte tillgång till sidan"),
        (404, "Sidan finns inte"),
        (410, "Länken gäller inte längre"),
        (413, "Det du skickade är för stort"),
        (422, "Det du skickade gick inte att använda"),
        (429, "Du har försökt för många gånger"),
        (500, "Något gick fel hos oss"),
    ],
)
def test_error_page(failing_client, status, heading):
    response = failing_client.get(f"/test-fel/{status}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html
    assert "Gå till startsidan" in html
    assert "boom" not in html and "Traceback" not in html


def test_error_pages_in_english(failing_client):
    failing_client.get("/sprak/en?next=/")
    html = failing_client.get("/test-fel/404").get_data(as_text=True)
    assert '<html lang="en">' in html and "Sidan finns inte" not in html


@pytest.mark.parametrize("path", ["//evil.example/x", "/\\evil.example/x"])
def test_the_database_away_page_links_back_to_this_site_only(failing_client, path):
    from bs4 import BeautifulSoup

    from citizen_app import errors

    with failing_client.application.test_request_context(environ_overrides={"PATH_INFO": path}):
        response = errors._database_away_page()
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert response.status_code == 503
    links = [a["href"] for a in page.find_all("a", href=True) if a["href"] != "#main"]
    assert links and all(h.startswith("/") and not h.startswith("//") and "\\" not in h for h in links), links
