"""The child's voice, in one place [issue 13] [DA 4.2]: what the child says in "Min röst" is shown near the
top of the SIP page to those the child shares it with, and the consent page shows the same thing. A
guardian never reads what the child kept for the coordinator."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from citizen_app.extensions import db
from citizen_app.models import RepresentativeType, StaffRole, Step
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import child_view, preparation
from tests.support import factories

SHARED = "Att jag får vara med mina vänner."
KEPT = "Att jag är arg på pappa."
PRIVATE = "Mitt hjärta"


@pytest.fixture
def sip(app):
    social = factories.unit("Socialtjänsten")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    elsa = factories.child("Elsa Berg", age=12)
    maria = factories.guardian_of(elsa, name="Maria Berg")
    peter = factories.guardian_of(elsa, custody=False, name="Peter Berg")
    case = factories.case(elsa, social, kim, step=Step.PREPARATION)
    db.session.commit()
    return {"case": case, "elsa": elsa, "maria": maria, "peter": peter, "kim": kim}


def _answer(sip):
    elsa, case = sip["elsa"], sip["case"]
    preparation.save_child_answer(elsa, case, "important", SHARED, guardians_may_see=True)
    preparation.save_child_answer(elsa, case, "not_working", KEPT, guardians_may_see=False)
    preparation.save_child_answer(elsa, case, "not_talk_about", PRIVATE, guardians_may_see=True)
    preparation.save_child_answer(elsa, case, "attend", "", guardians_may_see=True, choice="part")
    db.session.commit()


def _main(client, url) -> tuple[str, BeautifulSoup]:
    html = client.get(url).get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    return " ".join(soup.find("main").get_text(" ").split()), soup


def test_a_guardian_reads_what_the_child_shared_near_the_top_of_the_sip_page(client, sip):
    _answer(sip)
    client.sign_in_as(sip["maria"])
    text, soup = _main(client, f"/sip/{sip['case'].public_id}")
    headings = [" ".join(h.get_text(" ").split()) for h in soup.find("main").find_all("h2")]
    # Right after what happens now: before the consent, the meeting, the steps and the history.
    assert headings[:3] == ["Det här händer nu", "Vad tycker Elsa?", "Samtycke"]
    assert SHARED in text and "Ja, på en del av mötet" in text
    assert KEPT not in text and PRIVATE not in text
    assert "Du ser bara det som Elsa vill att du ser." in text


def test_the_consent_page_shows_the_same_voice_and_never_says_nobody_wrote(client, sip):
    _answer(sip)
    client.sign_in_as(sip["maria"])
    text, _soup = _main(client, f"/sip/{sip['case'].public_id}/samtycke")
    assert "Vad tycker Elsa?" in text and SHARED in text
    assert "Ingen har skrivit något än." not in text
    assert KEPT not in text and PRIVATE not in text


def test_when_the_child_shared_nothing_the_guardian_is_told_just_that(client, sip):
    preparation.save_child_answer(sip["elsa"], sip["case"], "important", KEPT, guardians_may_see=False)
    db.session.commit()
    client.sign_in_as(sip["maria"])
    for url in (f"/sip/{sip['case'].public_id}", f"/sip/{sip['case'].public_id}/samtycke"):
        text, _soup = _main(client, url)
        assert "Elsa har inte delat något med dig än." in text, url
        assert KEPT not in text and "Ingen har skrivit något än." not in text


def test_the_childs_view_next_to_the_consent_is_part_of_the_voice(client, sip):
    from citizen_app.services import child_view as views

    views.record(sip["maria"], sip["case"], "want", "Hon vill att skolan vet.")
    db.session.commit()
    client.sign_in_as(sip["maria"])
    text, _soup = _main(client, f"/sip/{sip['case'].public_id}")
    assert "Vad tycker Elsa? Jag vill Hon vill att skolan vet. Maria Berg skrev det" in text


def test_the_child_reads_all_of_their_own_answers_in_simple_words(client, sip):
    _answer(sip)
    client.sign_in_as(sip["elsa"])
    response = client.get(f"/sip/{sip['case'].public_id}")
    text, _soup = _main(client, f"/sip/{sip['case'].public_id}")
    assert "Vad tycker du?" in text and SHARED in text and KEPT in text
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= 28, f"LIX {readability.lix:.1f} ({readability})"


@pytest.mark.parametrize("reader", ["elsa", "maria", "peter", "god_man"])
def test_the_voice_follows_the_childs_own_sharing_rule(sip, reader):
    """child_view.voice_for shows a reader the same answers preparation.child_answers_for gives them."""
    _answer(sip)
    if reader == "god_man":
        who = factories.representative_of(sip["elsa"], RepresentativeType.GOD_MAN)
    else:
        who = sip[reader]
    voice = child_view.voice_for(who, sip["case"])
    readable = preparation.child_answers_for(who, sip["case"])
    if reader in ("peter", "god_man"):
        assert voice is None and readable == {}
    else:
        assert voice is not None
        assert {a.theme for a in voice.answers} == {
            t for t, row in readable.items() if row.text or (row.choice or {}).get("attend")
        }


@pytest.mark.parametrize(("reader", "limit"), [("maria", 35), ("elsa", 28)])
def test_the_consent_page_with_the_childs_voice_reads_easily(client, sip, reader, limit):
    _answer(sip)
    client.sign_in_as(sip[reader])
    html = client.get(f"/sip/{sip['case'].public_id}/samtycke").get_data(as_text=True)
    readability = measure(main_text_blocks(html))
    assert readability.lix <= limit, f"LIX {readability.lix:.1f} ({readability})"
    assert readability.longest_sentence_words <= 20, readability.longest_sentence


def test_the_sip_page_with_the_childs_voice_and_a_meeting_stays_within_eight_queries(
    client, sip, count_queries
):
    from datetime import UTC, datetime, timedelta

    from citizen_app.services import meetings

    _answer(sip)
    child_view.record(sip["maria"], sip["case"], "want", "")
    starts = datetime.now(UTC) + timedelta(days=5)
    meetings.set_meeting(
        sip["kim"], sip["case"], starts_at=starts, length_minutes=60, mode="phone", phone="1"
    )
    db.session.commit()
    client.sign_in_as(sip["maria"])
    url = f"/sip/{sip['case'].public_id}"
    with count_queries() as queries:
        html = client.get(url).get_data(as_text=True)
    assert SHARED in html and f'href="{url}/motet"' in html
    assert queries.count <= 8, queries.statements
