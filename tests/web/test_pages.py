"""Every public page renders, passes the page checks and carries the shared layout."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PUBLIC_PAGES = [
    "/",
    "/logga-in",
    "/personal/logga-in",
    "/logga-in/testidentitet",
    "/om-min-sip",
    "/kontakt",
    "/tillganglighet",
    "/ordlista",
    "/utloggad",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_the_shared_layout(client, demo_data, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in html
    assert 'href="/tillganglighet"' in html and 'href="/kontakt"' in html and 'href="/om-min-sip"' in html
    assert "English" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_start_page_explains_sip_when_signed_out(client):
    html = client.get("/").get_data(as_text=True)
    assert "samordnad individuell plan" in html
    assert "Logga in" in html


def test_language_switch_keeps_the_page(client):
    response = client.get("/sprak/en?next=/kontakt")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/kontakt")
    html = client.get("/kontakt").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Svenska" in html


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/sprak/en?next=//evil.example/x")
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]


@pytest.mark.parametrize(
    "bad_next",
    [
        "/%0D%0ASet-Cookie:%20x=1",  # a newline: the header would be split
        "/%0Ax",
        "/a%09b",  # a tab
        "/%5C%5Cevil.example",  # backslashes, which browsers read as slashes
        "/%00",
        "http://[",  # urlsplit refuses this (an unbalanced IPv6 address)
    ],
)
def test_a_bad_next_address_goes_to_the_start_page(client, bad_next):
    response = client.get("/sprak/en?next=" + bad_next)
    assert response.status_code == 303
    assert response.headers["Location"] in ("/", "http://localhost/")
    assert "Set-Cookie: x" not in str(response.headers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.text(max_size=40))
def test_any_next_address_is_answered_with_a_redirect_on_this_site(client, target):
    response = client.get("/sprak/sv", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert not any(ord(ch) < 0x20 for ch in location)


@pytest.mark.parametrize("status,path", [(404, "/finns-inte"), (405, "/logga-ut")])
def test_error_pages_are_plain_swedish_with_a_way_back(client, status, path):
    response = client.get(path)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert 'href="/"' in html and "Gå till startsidan" in html


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "'nonce-"):
        assert part in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert response.headers["Referrer-Policy"]
    assert response.headers["Permissions-Policy"]


def test_static_files_have_fingerprints_and_long_cache(client):
    html = client.get("/").get_data(as_text=True)
    import re

    script = re.search(r'src="(/static/js/app\.[0-9a-f]{10}\.js)"', html).group(1)
    response = client.get(script)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()
    stale = client.get("/static/css/app.0000000000.css")
    assert stale.headers["Cache-Control"] == "no-cache"
    stale.close()
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_pages_with_personal_data_keep_no_htmx_history(client, demo_data):
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import Person

    maria = db.session.scalar(select(Person).where(Person.display_name == "Maria Berg"))
    client.sign_in_with_demo_page(maria)
    assert '<body hx-history="false">' in client.get("/meddelanden").get_data(as_text=True)
    start = client.post("/begar-sip", data={"csrf_token": client.csrf_token("/begar-sip")})
    assert '<body hx-history="false">' in client.get(start.headers["Location"]).get_data(as_text=True)
    assert "<body>" in client.get("/om-min-sip").get_data(as_text=True)
