"""Migration 0016 [issue 14]: the request drafts move into the one draft store, flow_draft, and back again on
a downgrade; consent drafts (the session had them before) stop a downgrade unless their loss is accepted."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from citizen_app import database
from citizen_app.migrations.keep_data import ACCEPT_ENV, DowngradeRefused
from tests.unit.test_migrations import _current_revision, _fill, empty_database_url  # noqa: F401 (a fixture)

DRAFT = "public_id, author_id, answers, created_at, updated_at, submitted_case_id"


def _rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _run(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture
def request_drafts(empty_database_url, monkeypatch):  # noqa: F811 (the fixture imported above)
    """At 0013: a sent request draft (every table has a row, the draft points at the case) and an open one."""
    monkeypatch.delenv(ACCEPT_ENV, raising=False)
    url = empty_database_url
    database.upgrade(url, "0013")
    _fill(url)
    _run(
        url,
        f"INSERT INTO request_draft ({DRAFT})"
        " SELECT 'open-draft', author_id, answers, created_at, updated_at, NULL FROM request_draft",
    )
    drafts = _rows(url, f"SELECT {DRAFT} FROM request_draft ORDER BY id")
    assert len(drafts) == 2 and drafts[0][5] is not None and drafts[1][5] is None
    return url, drafts


def test_request_drafts_keep_their_address_answers_and_case(request_drafts):
    url, before = request_drafts
    database.upgrade(url, "0016")
    assert _rows(url, f"SELECT {DRAFT} FROM flow_draft ORDER BY id") == before
    assert _rows(url, "SELECT DISTINCT flow, case_id FROM flow_draft") == [("request", None)]
    # A new draft gets an id after the copied ones (PostgreSQL's sequence included).
    _run(
        url,
        f"INSERT INTO flow_draft (flow, {DRAFT})"
        " SELECT flow, 'new', author_id, answers, created_at, updated_at, NULL FROM flow_draft"
        " WHERE public_id = 'open-draft'",
    )
    assert len(_rows(url, "SELECT id FROM flow_draft")) == 3


def test_downgrading_copies_the_request_drafts_back(request_drafts):
    url, before = request_drafts
    database.upgrade(url, "0016")
    database.downgrade(url, "0013")
    assert _rows(url, f"SELECT {DRAFT} FROM request_draft ORDER BY id") == before


def test_a_consent_draft_stops_the_downgrade_until_its_loss_is_accepted(request_drafts, monkeypatch):
    url, before = request_drafts
    database.upgrade(url, "0016")
    _run(
        url,
        "INSERT INTO flow_draft (flow, case_id, public_id, author_id, answers, created_at, updated_at)"
        " SELECT 'consent', submitted_case_id, 'consent-draft', author_id, answers, created_at, updated_at"
        " FROM flow_draft WHERE submitted_case_id IS NOT NULL",
    )
    with pytest.raises(DowngradeRefused, match=r"1 value\(s\) in flow_draft.case_id \(consent drafts"):
        database.downgrade(url, "0013")
    assert _current_revision(url) == "0016"

    monkeypatch.setenv(ACCEPT_ENV, "0016")
    database.downgrade(url, "0013")
    assert _rows(url, f"SELECT {DRAFT} FROM request_draft ORDER BY id") == before  # the requests are kept
