"""Feedback after a meeting [issue 7] [SIP.md 7]: everyone who took part is asked once, answers are anonymous,
one answer per person and meeting, results only from 5 answers, question sets are versioned data.
And problem reports [SIP.md 8]: to the coordinator's unit, with status and answer, all in the audit log."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import inspect, select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import (
    Audience,
    AuditEntry,
    FeedbackAnswer,
    FeedbackRequest,
    NotificationKind,
    ParticipantRole,
    ProblemStatus,
    StaffRole,
    Step,
)
from citizen_app.services import (
    NotAllowed,
    NotFound,
    consent,
    feedback,
    meetings,
    notifications,
    preparation,
    problems,
    question_sets,
)
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEETING = NOW + timedelta(days=2)


def _held_meeting(kid_case=False):
    social = factories.unit("Socialtjänsten")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    if kid_case:
        subject = factories.child("Elsa", age=14)
        voices = [factories.guardian_of(subject, name="Mamma"), factories.guardian_of(subject, name="Pappa")]
    else:
        subject = factories.person("Anna")
        voices = [subject]
    case = factories.case(subject, social, coordinator=coordinator, step=Step.CONSENT)
    for voice in voices:
        consent.give(voice, case, [social.public_id], ["social"], date(2027, 6, 1), today=NOW.date())
    guest = preparation.add_guest(voices[0], case, "Bengt", "070-123 45 67", support_person=False)
    meeting = meetings.set_meeting(
        coordinator, case, starts_at=MEETING, length_minutes=60, mode="phone", phone="010-1", now=NOW
    )
    (sent,) = meetings.invite(coordinator, meeting, [guest.public_id])
    sent.invitation.status = "accepted"
    return case, meeting, coordinator, voices, social


def _hold(meeting, coordinator, case):
    with freeze_time(MEETING + timedelta(hours=1)):
        meetings.mark_held(coordinator, case, confirmation=meetings.CONSENT_CONFIRMED)


def _answer_form(value="4"):
    return {"information": value, "listened": value, "overall": value, "free_text": "Bra möte"}


def test_everyone_on_the_citizen_side_who_took_part_is_asked_once(app):
    with freeze_time(NOW):
        case, meeting, coordinator, (mum, dad), _ = _held_meeting(kid_case=True)
    _hold(meeting, coordinator, case)
    asked = db.session.scalars(select(FeedbackRequest).where(FeedbackRequest.meeting_id == meeting.id)).all()
    assert sorted(r.audience.value for r in asked) == ["adult", "adult", "relative", "young"]
    assert NotificationKind.FEEDBACK_REQUESTED in {n.kind for n in notifications.list_for(mum)}
    feedback.request_after_meeting(meeting)  # running again asks nobody twice
    assert len(db.session.scalars(select(FeedbackRequest)).all()) == 4


def test_an_answer_has_no_link_to_the_person_or_the_case(app, caplog):
    """Assert the anonymity on the table itself, the audit log and the log output."""
    columns = {c.key for c in inspect(FeedbackAnswer).columns}
    assert columns == {
        "id",
        "question_set",
        "set_version",
        "audience",
        "month",
        "unit_ids",
        "answers",
        "free_text",
    }
    with freeze_time(NOW):
        case, meeting, coordinator, (anna,), _ = _held_meeting()
    _hold(meeting, coordinator, case)
    (request,) = feedback.open_requests_for(anna)
    audit_before = db.session.scalars(select(AuditEntry.id)).all()
    with caplog.at_level(logging.DEBUG):
        assert feedback.submit(request, _answer_form())
    assert caplog.records == [] or all(anna.public_id not in r.getMessage() for r in caplog.records)
    assert db.session.scalars(select(AuditEntry.id)).all() == audit_before  # nothing audited about an answer
    (stored,) = db.session.scalars(select(FeedbackAnswer)).all()
    assert stored.month == "2026-11" and stored.audience == Audience.ADULT
    assert case.public_id not in repr(stored.__dict__) and anna.public_id not in repr(stored.__dict__)
    assert request.answered is True
    assert set(inspect(FeedbackRequest).columns.keys()) >= {"answered"}
    assert not any("at" in c.key.split("_") for c in inspect(FeedbackRequest).columns)  # no time to join by


def test_one_answer_per_person_and_meeting(app):
    with freeze_time(NOW):
        case, meeting, coordinator, (anna,), _ = _held_meeting()
    _hold(meeting, coordinator, case)
    (request,) = feedback.open_requests_for(anna)
    assert feedback.submit(request, _answer_form()) is True
    assert feedback.submit(request, _answer_form("1")) is False
    assert len(db.session.scalars(select(FeedbackAnswer)).all()) == 1
    assert feedback.open_requests_for(anna) == []


def test_a_double_submit_from_two_servers_stores_one_answer(app):
    with freeze_time(NOW):
        case, meeting, coordinator, (anna,), _ = _held_meeting()
    _hold(meeting, coordinator, case)
    (request,) = feedback.open_requests_for(anna)
    request_id = request.id  # read now: the threads must not touch this session's objects
    db.session.commit()
    results: list[bool] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    # Two app servers, made before the threads start (making apps is not meant to run in parallel).
    servers = [
        create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}) for _ in "ab"
    ]

    def send(server) -> None:
        try:
            with server.app_context():
                mine = db.session.get(FeedbackRequest, request_id)
                barrier.wait(5)
                results.append(feedback.submit(mine, _answer_form()))
                time.sleep(0.2)
                db.session.commit()
                db.session.remove()
                db.engine.dispose()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(server,)) for server in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors, errors
    assert sorted(results) == [False, True]
    db.session.expire_all()
    assert len(db.session.scalars(select(FeedbackAnswer)).all()) == 1


def test_an_empty_or_wrong_answer_is_refused(app):
    with freeze_time(NOW):
        case, meeting, coordinator, (anna,), _ = _held_meeting()
    _hold(meeting, coordinator, case)
    (request,) = feedback.open_requests_for(anna)
    with pytest.raises(feedback.InvalidFeedback):
        feedback.submit(request, {})
    with pytest.raises(feedback.InvalidFeedback):
        feedback.submit(request, {"information": "99"})
    assert request.answered is False


def _answers(count, unit_id, month="2026-11", value="5", free="Tack"):
    for _ in range(count):
        db.session.add(
            FeedbackAnswer(
                question_set="adult",
                set_version=1,
                audience=Audience.ADULT,
                month=month,
                unit_ids=[unit_id],
                answers={"overall": value},
                free_text={"free_text": free},
            )
        )
    db.session.flush()


def test_results_only_from_five_answers_in_the_group(app):
    unit = factories.unit("Socialtjänsten")
    other = factories.unit("Skolan")
    _answers(4, unit.id)
    _answers(3, other.id)
    few = feedback.results("adult", unit.id, "2026-11", "2026-11")
    assert few.total == 4 and not few.enough and few.questions == [] and few.free_texts == []
    assert "för få svar" in feedback.results_csv(few, "sv") and "Tack" not in feedback.results_csv(few, "sv")
    _answers(1, unit.id)
    enough = feedback.results("adult", unit.id, "2026-11", "2026-11")
    assert enough.enough and enough.total == 5
    overall = next(r for r in enough.questions if r.question.id == "overall")
    assert [n for _, n in overall.counts] == [0, 0, 0, 0, 5]
    assert enough.free_texts == ["Tack"] * 5
    assert '"Ja, helt",5' in feedback.results_csv(enough, "sv")
    assert not feedback.results("adult", unit.id, "2026-12", "2026-12").enough  # another period


def test_question_sets_are_versioned_and_old_answers_stay_readable(tmp_path: Path):
    source = question_sets.DIRECTORY / "adult.v1.toml"
    (tmp_path / "adult.v1.toml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    newer = source.read_text(encoding="utf-8").replace("version = 1", "version = 2")
    newer = newer.replace('id = "listened"', 'id = "heard"')
    (tmp_path / "adult.v2.toml").write_text(newer, encoding="utf-8")
    question_sets.load_all.cache_clear()
    try:
        assert question_sets.newest("adult", tmp_path).version == 2
        old = question_sets.get("adult", 1, tmp_path)
        assert old.question("listened") is not None
        assert question_sets.newest("adult", tmp_path).question("listened") is None
    finally:
        question_sets.load_all.cache_clear()


def test_a_question_set_file_must_match_its_name(tmp_path: Path):
    (tmp_path / "adult.v3.toml").write_text(
        (question_sets.DIRECTORY / "adult.v1.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    question_sets.load_all.cache_clear()
    try:
        with pytest.raises(question_sets.BadQuestionSet):
            question_sets.load_all(tmp_path)
    finally:
        question_sets.load_all.cache_clear()


def test_every_youth_step_has_words_as_well_as_a_picture():
    young = question_sets.newest("young")
    for question in young.questions:
        for step in question.steps:
            assert step.picture and step.label["sv"] and step.label["en"]


# --- Problem reports -------------------------------------------------------------------------------


def test_a_problem_report_goes_to_the_coordinators_unit_and_is_answered(app):
    social = factories.unit("Socialtjänsten")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    outsider = factories.staff(factories.unit("Annan"), StaffRole.COORDINATOR, name="Annan")
    anna = factories.person("Anna")
    case = factories.case(anna, social, coordinator=coordinator, step=Step.PREPARATION)
    with pytest.raises(problems.InvalidReport):
        problems.report(anna, case, "nonsense", "")
    report = problems.report(anna, case, "invited_did_not_come", "Skolan kom inte.")
    assert report.status == ProblemStatus.RECEIVED
    assert NotificationKind.PROBLEM_RECEIVED in {n.kind for n in notifications.list_for(coordinator)}
    assert problems.queue_for(coordinator) == [report]
    assert problems.queue_for(outsider) == []
    with pytest.raises(NotFound):
        problems.get_for_staff(outsider, report.public_id)
    found = problems.get_for_staff(coordinator, report.public_id)
    problems.start_looking(coordinator, found)
    assert found.status == ProblemStatus.INVESTIGATING
    problems.answer(coordinator, found, "Vi har pratat med skolan.")
    assert found.status == ProblemStatus.ANSWERED
    assert NotificationKind.PROBLEM_ANSWERED in {n.kind for n in notifications.list_for(anna)}
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case.id)).all()
    assert {"problem.reported", "problem.read", "problem.investigating", "problem.answered"} <= set(actions)


def test_a_problem_report_about_a_sip_no_unit_has_taken_is_refused_and_nothing_is_stored(app):
    # A request sent while no unit in the county had a coordinator is owned by no unit: nobody could read
    # or answer a report, so the person is told, and the form keeps what they wrote.
    anna = factories.person("Anna")
    case = factories.case(anna, owning_unit=None, step=Step.REQUESTED)
    with pytest.raises(problems.InvalidReport) as refused:
        problems.report(anna, case, "no_initiative", "Ingen har hört av sig.")
    assert set(refused.value.errors) == {"text"}
    assert problems.reports_of(anna, case) == []


def test_only_those_who_may_report_see_the_reports(app):
    social = factories.unit("Socialtjänsten")
    kid = factories.child("Elsa")
    apart = factories.guardian_of(kid, custody=False, name="Utan vårdnad")
    mum = factories.guardian_of(kid, name="Mamma")
    case = factories.case(kid, social, step=Step.PREPARATION)
    factories.participant(case, ParticipantRole.GUARDIAN, person_=mum)
    problems.report(mum, case, "other", "Något annat")
    with pytest.raises(NotAllowed):
        problems.report(apart, case, "other", "x")
    assert problems.reports_of(apart, case) == []
    assert len(problems.reports_of(mum, case)) == 1


# --- Finding the requests for the pages ----------------------------------------------------------------


def test_the_lists_show_only_the_persons_own_open_requests_with_their_meeting(app):
    with freeze_time(NOW):
        case, meeting, coordinator, (mum, dad), _ = _held_meeting(kid_case=True)
    _hold(meeting, coordinator, case)
    (listed,) = feedback.open_requests_listed(mum)
    assert listed.meeting == meeting and listed.case == case and listed.request.person_id == mum.id
    kid = case.subject
    young = feedback.open_request_in_case(kid, case)
    assert young is not None and young.audience == Audience.YOUNG
    assert feedback.case_of(young) == case
    assert feedback.request_in_case(kid, case, young.public_id) == young
    with pytest.raises(NotFound):
        feedback.request_in_case(mum, case, young.public_id)  # the child's request is the child's own
    other_kid = factories.child("Annan", age=14)
    other_case = factories.case(other_kid, factories.unit("Annan enhet"), step=Step.CONSENT)
    with pytest.raises(NotFound):
        feedback.request_in_case(kid, other_case, young.public_id)
    assert feedback.open_request_in_case(kid, other_case) is None
    feedback.submit(listed.request, _answer_form())
    assert feedback.open_requests_listed(mum) == []


def test_a_report_is_found_only_by_those_who_may_read_the_case_reports(app):
    social = factories.unit("Socialtjänsten")
    anna = factories.person("Anna")
    case = factories.case(anna, social, step=Step.PREPARATION)
    other = factories.person("Bo")
    other_case = factories.case(other, social, step=Step.PREPARATION)
    report = problems.report(anna, case, problems.KINDS[0], "Ingen hörde av sig.")
    assert problems.report_of(anna, case, report.public_id) == report
    with pytest.raises(NotFound):
        problems.report_of(other, other_case, report.public_id)
    with pytest.raises(NotFound):
        problems.report_of(other, case, report.public_id)
    assert problems.KINDS == (
        "no_initiative",
        "invited_did_not_come",
        "bad_treatment",
        "plan_not_followed",
        "other",
        "sip_stopped",
    )
