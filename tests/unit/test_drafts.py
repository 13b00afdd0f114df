"""The drafts of the question-per-page flows (services/drafts.py) [issue 14]: kept on the server, as long as
the answers are, and only ever the author's own."""

from __future__ import annotations

import pytest

from citizen_app.extensions import db
from citizen_app.models import Step
from citizen_app.services import drafts
from tests.support import factories


@pytest.fixture
def two_cases(app):
    social = factories.unit("Socialtjänsten")
    ada = factories.person("Ada Berg", age=45)
    bo = factories.person("Bo Berg", age=50)
    cases = (factories.case(ada, social, step=Step.CONSENT), factories.case(bo, social, step=Step.CONSENT))
    db.session.commit()
    return ada, bo, cases


def _from_the_database(draft):
    db.session.commit()
    db.session.expire_all()
    return db.session.get(type(draft), draft.id)


def test_a_consent_draft_of_10000_characters_is_kept_whole(two_cases):
    ada, _bo, (case, _) = two_cases
    long_text = ("Inget om min äldre bror, hans skola eller hans vård på Östra sjukhuset. " * 150)[:10_000]
    answers = {
        "units": ["a"],
        "exclusions": long_text,
        "other_parties": "Försäkringskassan",
        "_done": ["parties"],
    }
    drafts.save(drafts.open_draft(ada, drafts.CONSENT, case), answers)
    kept = _from_the_database(drafts.unsent(ada, drafts.CONSENT, case))
    assert kept.answers == answers and len(kept.answers["exclusions"]) == 10_000


def test_one_consent_draft_per_person_and_case(two_cases):
    ada, _bo, (case, other_case) = two_cases
    first = drafts.open_draft(ada, drafts.CONSENT, case)
    assert drafts.open_draft(ada, drafts.CONSENT, case).id == first.id
    assert drafts.open_draft(ada, drafts.CONSENT, other_case).id != first.id
    assert drafts.open_draft(ada, drafts.REQUEST).case_id is None  # a request is about no case yet


def test_another_person_never_finds_a_draft_even_with_its_id(two_cases):
    ada, bo, (case, _) = two_cases
    request = drafts.open_draft(ada, drafts.REQUEST)
    drafts.save(request, {"need": "Adas behov"})
    consent = drafts.open_draft(ada, drafts.CONSENT, case)
    drafts.save(consent, {"exclusions": "Adas hemlighet"})
    db.session.commit()

    assert drafts.find(ada, drafts.REQUEST, request.public_id) is request
    assert drafts.find(bo, drafts.REQUEST, request.public_id) is None
    assert drafts.find(ada, drafts.CONSENT, request.public_id) is None  # one flow's id is not the other's
    assert drafts.unsent(bo, drafts.REQUEST) is None
    assert drafts.unsent(bo, drafts.CONSENT, case) is None
    # Bo's own draft for the same case is a new one; Ada's stays as it was, and so does his discarding.
    assert drafts.open_draft(bo, drafts.CONSENT, case).id != consent.id
    drafts.discard(bo, drafts.CONSENT, case)
    assert _from_the_database(consent).answers == {"exclusions": "Adas hemlighet"}


def test_a_discarded_consent_draft_is_gone_and_the_next_one_starts_empty(two_cases):
    ada, _bo, (case, _) = two_cases
    drafts.save(drafts.open_draft(ada, drafts.CONSENT, case), {"exclusions": "x"})
    drafts.discard(ada, drafts.CONSENT, case)
    assert drafts.unsent(ada, drafts.CONSENT, case) is None
    assert drafts.open_draft(ada, drafts.CONSENT, case).answers == {}
