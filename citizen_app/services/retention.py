"""Retention: how long Min SIP keeps a closed SIP, and the audit log [issue 18] [GDPR art. 5.1 e].

- A closed SIP is kept ``RETENTION_CLOSED_SIP_DAYS`` days after the day it closed (Swedish days), whichever
  way it ended: closed by the coordinator (services/closing.py), cancelled or a suggestion declined
  (services/requests.py), "Jag vill inte ha en SIP nu" (services/declining.py), consent withdrawn
  (services/consent.py). Each of them moves the SIP to ``Step.CLOSED`` with a timeline event of that step;
  that event's time is when it closed. On the day after ``kept_until`` the SIP is removed, with every row
  that belongs to it.
- What belongs to a SIP is read from the SQLAlchemy metadata, not listed by hand: every row whose foreign key
  points at a removed row is removed too, table by table, so a new table cannot be forgotten. Two foreign
  keys are cleared instead (``_CLEARED``): a newer SIP that followed the removed one ("Jag har ändrat mig")
  stays, without the link; and an audit entry stays for its own period, without the SIP.
- The feedback statistics are kept: a ``feedback_answer`` has no column pointing at a person, a SIP or a
  meeting (models/feedback.py), so it is anonymous already and nothing of it is removed. Who was asked
  (``feedback_request``) goes with the meeting.
- A person is removed when nothing ties them to Min SIP any more: no row of any other table points at them
  (no SIP, no relationship, no audit entry still kept), they are not signed in, and their record is older
  than the SIP period. Only their own belongings go with them (``_BELONGINGS``: messages, devices and
  notification settings, e-mail/SMS choices and outbox, drafts).
- A problem report made without a SIP is kept as long as a closed SIP, counted from its last change.
- Audit entries are kept ``RETENTION_AUDIT_DAYS`` days, then removed by the same job.

``run(today, apply=False)`` is the dry run: it reports what would go and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import Column, Table, and_, delete, exists, func, literal, not_, select, update

from citizen_app.extensions import db
from citizen_app.models import AuditEntry, Base, CaseEvent, ProblemReport, SipCase, Step, WebSession

SWEDISH_TIME = ZoneInfo("Europe/Stockholm")
# Two years after closing: a complaint to IVO about the care is normally made within two years
# (patientsäkerhetslagen 7 kap. 12 §), and a person who asks for a new SIP within that time finds the old
# one. The principals' own records keep the SIP as long as the law asks them; Min SIP is the person's copy.
DEFAULT_CLOSED_SIP_DAYS = 730
# Five years: the log of who read what must outlive the SIP, so that reading without a reason can still be
# found and followed up after the SIP is gone (HSLF-FS 2016:40 4 kap. 9 §, systematic log follow-up).
DEFAULT_AUDIT_DAYS = 1825
BATCH = 200  # SIPs removed per round: every IN list stays small

# Foreign keys that are cleared (set to NULL) instead of removing the row that has them.
_CLEARED = {("sip_case", "previous_case_id"), ("audit_entry", "case_id")}
# What a person owns that goes with them when nothing else ties them to Min SIP.
_BELONGINGS = {
    "notification",
    "push_subscription",
    "push_preference",
    "flow_draft",
    "contact_choice",
    "message_outbox",
}


def closed_sip_days() -> int:
    if has_app_context():
        return int(current_app.config.get("RETENTION_CLOSED_SIP_DAYS", DEFAULT_CLOSED_SIP_DAYS))
    return DEFAULT_CLOSED_SIP_DAYS


def audit_days() -> int:
    if has_app_context():
        return int(current_app.config.get("RETENTION_AUDIT_DAYS", DEFAULT_AUDIT_DAYS))
    return DEFAULT_AUDIT_DAYS


def closed_on(closed_at: datetime) -> date:
    """The Swedish day a SIP closed."""
    return closed_at.astimezone(SWEDISH_TIME).date()


def kept_until(closed_at: datetime) -> date:
    """The last day Min SIP keeps a SIP that closed at ``closed_at``; it is removed the day after."""
    return closed_on(closed_at) + timedelta(days=closed_sip_days())


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), SWEDISH_TIME).astimezone(UTC)


@dataclass
class Report:
    """What a run removed (or, in a dry run, would remove). Public ids and counts only, never names."""

    applied: bool
    sip_days: int
    audit_days: int
    sips: list[str] = field(default_factory=list)  # the removed SIPs' public ids
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # table -> rows removed
    cleared: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # "table.column" -> rows
    people: int = 0
    audit_entries: int = 0


def _closing_times():
    """Each closed SIP's id, public id and when it closed (its last event of step "closed"; a SIP closed
    before events had steps falls back to its last change)."""
    closed_at = (
        select(CaseEvent.case_id, func.max(CaseEvent.at).label("at"))
        .where(CaseEvent.step == Step.CLOSED)
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    when = func.coalesce(closed_at.c.at, SipCase.updated_at)
    return closed_at, when


def due_sips(today: date) -> list[tuple[int, str]]:
    """The closed SIPs whose ``kept_until`` is before ``today``: (id, public id), oldest first."""
    closed_at, when = _closing_times()
    cutoff = _start_of(today - timedelta(days=closed_sip_days()))
    return [
        (row.id, row.public_id)
        for row in db.session.execute(
            select(SipCase.id, SipCase.public_id)
            .outerjoin(closed_at, closed_at.c.case_id == SipCase.id)
            .where(SipCase.step == Step.CLOSED, when < cutoff)
            .order_by(when, SipCase.id)
        )
    ]


def due_reports_without_sip(today: date) -> list[int]:
    """Problem reports made without a SIP ("nobody took the initiative") last changed more than the SIP
    period ago: kept as long as a closed SIP, counted from their last change."""
    cutoff = _start_of(today - timedelta(days=closed_sip_days()))
    return list(
        db.session.scalars(
            select(ProblemReport.id).where(ProblemReport.case_id.is_(None), ProblemReport.updated_at < cutoff)
        )
    )


def _children(table: Table) -> list[tuple[Table, Column, Column]]:
    """Every (child table, its foreign key column, the referred column) pointing at ``table``."""
    found = []
    for child in Base.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is table:
                found.append((child, fk.parent, fk.column))
    return found


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _primary_key(table: Table) -> Column:
    (pk,) = table.primary_key.columns
    return pk


@dataclass
class _Plan:
    remove: dict[str, set] = field(default_factory=lambda: defaultdict(set))  # table -> primary keys
    clear: dict[tuple[str, str], set] = field(default_factory=lambda: defaultdict(set))


def _collect(plan: _Plan, table: Table, keys: set) -> None:
    """Add ``keys`` of ``table`` and, following the foreign keys, every row that points at them."""
    new = keys - plan.remove[table.name]
    if not new:
        return
    plan.remove[table.name] |= new
    for child, column, referred in _children(table):
        if referred is not _primary_key(table):
            continue  # every foreign key of the schema refers to a primary key; a change would be noticed
        pk = _primary_key(child)
        ids = set(db.session.scalars(select(pk).where(column.in_(list(new)))))
        if not ids:
            continue
        fk = next(iter(column.foreign_keys))
        if (child.name, column.name) in _CLEARED or fk.ondelete == "SET NULL":
            plan.clear[(child.name, column.name)] |= ids
        else:
            _collect(plan, child, ids)


def _carry_out(plan: _Plan, report: Report) -> None:
    tables = Base.metadata.tables
    for (table_name, column_name), ids in plan.clear.items():
        ids = ids - plan.remove[table_name]
        report.cleared[f"{table_name}.{column_name}"] += len(ids)
        if ids:
            table = tables[table_name]
            db.session.execute(
                update(table).where(_primary_key(table).in_(list(ids))).values({column_name: None})
            )
    for table in reversed(Base.metadata.sorted_tables):  # children before their parents
        removed = plan.remove.get(table.name)
        if not removed:
            continue
        report.rows[table.name] += len(removed)
        pk = _primary_key(table)
        ordered = sorted(removed)
        for start in range(0, len(ordered), 500):
            db.session.execute(delete(table).where(pk.in_(ordered[start : start + 500])))


def _unreferenced_people(today: date) -> list[int]:
    """People nothing ties to Min SIP any more (see the module's docstring)."""
    person = _table("person")
    ties = [
        ~exists().where(column == person.c.id)
        for child, column, _referred in _children(person)
        if child.name not in _BELONGINGS
    ]
    signed_in = exists().where(WebSession.actor_id == literal("p:").concat(person.c.public_id))
    cutoff = _start_of(today - timedelta(days=closed_sip_days()))
    return list(
        db.session.scalars(
            select(person.c.id).where(person.c.created_at < cutoff, not_(signed_in), and_(*ties))
        )
    )


def run(today: date, apply: bool = False) -> Report:
    """Remove (``apply``) what is past its period, or report it (a dry run): the dry run does the same work
    inside a savepoint and rolls it back, so its report is exactly what ``apply`` would remove and nothing
    changes. The caller commits."""
    if apply:
        return _run(today, Report(applied=True, sip_days=closed_sip_days(), audit_days=audit_days()))
    savepoint = db.session.begin_nested()
    try:
        return _run(today, Report(applied=False, sip_days=closed_sip_days(), audit_days=audit_days()))
    finally:
        savepoint.rollback()
        db.session.expire_all()


def _run(today: date, report: Report) -> Report:
    due = due_sips(today)
    report.sips = [public_id for _id, public_id in due]
    for start in range(0, len(due), BATCH):
        plan = _Plan()
        _collect(plan, _table("sip_case"), {case_id for case_id, _public in due[start : start + BATCH]})
        _carry_out(plan, report)
    reports = due_reports_without_sip(today)
    if reports:
        plan = _Plan()
        _collect(plan, _table("problem_report"), set(reports))
        _carry_out(plan, report)
    people = _unreferenced_people(today)
    if people:
        plan = _Plan()
        _collect(plan, _table("person"), set(people))
        _carry_out(plan, report)
        report.people = len(people)
    old_entries = AuditEntry.at < _start_of(today - timedelta(days=audit_days()))
    report.audit_entries = (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(old_entries)) or 0
    )
    if report.audit_entries:
        report.rows["audit_entry"] += report.audit_entries
        db.session.execute(delete(AuditEntry).where(old_entries))
    db.session.expire_all()
    return report


def run_daily(today: date) -> int:
    """The daily job (``flask run-jobs``, beside the other housekeeping): remove what is due; how many SIPs
    went."""
    return len(run(today, apply=True).sips)
