"""The start page's overview for a signed-in person: their own SIPs, then each child's (guardians) and each
represented person's, each group saying who the reader is and each SIP who started it [issue 13].

Whose SIPs the person may follow, and which of them they may see, is services/cases.followed_by's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from citizen_app.models import Person, RepresentativeType, SipCase
from citizen_app.pages.reader_words import origin_of, role_words
from citizen_app.services import cases
from citizen_app.services.history import Sentence
from citizen_app.services.readers import ReaderKind

# How the overview's groups read: a child's guardian, a represented person's representative.
_OVERVIEW_KIND = {"child": ReaderKind.GUARDIAN, "represented": ReaderKind.REPRESENTATIVE}


@dataclass
class OverviewGroup:
    """One person whose SIPs the signed-in person may follow, and how they are related."""

    subject: Person
    relation: str  # "self", "child", "child_no_custody", "represented"
    representative_type: RepresentativeType | None = None
    cases: list[SipCase] = field(default_factory=list)
    # Who started each SIP, in the words of the step "requested" for this reader (by case id).
    started: dict[int, Sentence] = field(default_factory=dict)
    # "Du svarar för Karl Nyström. Du är god man." (None for the person's own SIPs).
    role: Sentence | None = None


def overview_for(person: Person, today: date | None = None) -> list[OverviewGroup]:
    """The person's own SIPs, then each child's (guardians) and each represented person's. Two queries, and
    a third for the names of others who asked for one of these SIPs (another guardian, say)."""
    followed = cases.followed_by(person, today)
    groups = [OverviewGroup(f.subject, f.relation, f.representative_type) for f in followed]
    found = cases.cases_about([f.subject.id for f in followed if f.sees_cases])
    by_subject: dict[int, list[SipCase]] = {}
    for case in found:
        if case.subject_id is not None:
            by_subject.setdefault(case.subject_id, []).append(case)
    names = cases.names_of(
        {c.requested_by_person_id for c in found if c.requested_by_person_id}
        - {person.id}
        - {g.subject.id for g in groups}
    )
    names.update({g.subject.id: g.subject.display_name for g in groups})
    for group, follows in zip(groups, followed, strict=True):
        group.role = role_words(
            _OVERVIEW_KIND.get(group.relation), group.subject.display_name, group.representative_type
        )
        if follows.sees_cases:
            group.cases = by_subject.get(group.subject.id, [])
            for case in group.cases:
                requester = case.requested_by_person_id
                group.started[case.id] = origin_of(
                    case,
                    person.id,
                    group.subject.id,
                    group.subject.display_name,
                    requester,
                    names.get(requester) if requester is not None else None,
                ).label
    return groups
