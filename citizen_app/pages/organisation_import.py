"""The organisation import pages (web/admin_import.py) [issue 18]: the report of a checked file as a page.

The rules and the report itself are in services/organisation_import.py; this gathers what the page shows and
names it in words: which lines have errors, which change something, how many change nothing, and what Min SIP
has that the file does not mention.
"""

from __future__ import annotations

from dataclasses import dataclass

from citizen_app.services import N_
from citizen_app.services.organisation_import import Absent, Line, Message, Outcome, Report

KIND_WORDS = {"huvudman": N_("Huvudman"), "enhet": N_("Enhet"), "personal": N_("Personal"), "": N_("Okänd")}
OUTCOME_WORDS = {
    Outcome.CREATED: N_("Läggs till"),
    Outcome.CHANGED: N_("Ändras"),
    Outcome.UNCHANGED: N_("Ändras inte"),
    Outcome.ERROR: N_("Fel"),
}
DONE_WORDS = {Outcome.CREATED.value: N_("Ny"), Outcome.CHANGED.value: N_("Ändrad")}
GROUP_HEADINGS = {
    "huvudman": N_("Huvudmän"),
    "enhet": N_("Enheter"),
    "personal": N_("Personal"),
    "": N_("Okänd"),
}
CHANGING = (Outcome.CREATED, Outcome.CHANGED)


@dataclass(frozen=True)
class Group:
    """The lines of one kind (principals, units, staff), shown as one table."""

    kind: str
    heading: str
    lines: list


def grouped(lines: list) -> list[Group]:
    """The lines by kind, in the file's order within each; ``lines`` are Lines or a receipt's dicts."""

    def kind_of(line) -> str:
        return line["kind"] if isinstance(line, dict) else line.kind

    return [
        Group(kind, GROUP_HEADINGS[kind], [line for line in lines if kind_of(line) == kind])
        for kind in GROUP_HEADINGS
        if any(kind_of(line) == kind for line in lines)
    ]


@dataclass(frozen=True)
class CheckPage:
    file_errors: list[Message]
    notes: list[Message]
    with_errors: list[Line]
    changing: list[Group]
    unchanged: int
    created: int
    changed: int
    error_count: int
    not_in_file: list[Absent]

    @property
    def can_apply(self) -> bool:
        return not self.error_count and bool(self.changing)


def check_page(report: Report) -> CheckPage:
    return CheckPage(
        file_errors=report.file_errors,
        notes=report.notes,
        with_errors=[line for line in report.lines if line.errors],
        changing=grouped([line for line in report.lines if line.outcome in CHANGING]),
        unchanged=report.count(Outcome.UNCHANGED),
        created=report.count(Outcome.CREATED),
        changed=report.count(Outcome.CHANGED),
        error_count=report.error_count,
        not_in_file=report.not_in_file,
    )
