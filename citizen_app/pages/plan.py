"""What each page of the citizen's plan shows, and to whom [issue 6] [SIP.md 5]. The rules are in plans.py.

Who reads the plan, and how:
- "full": the person, a guardian with custody, a valid representative (Action.VIEW_PLAN). They read the
  version in force, a draft (and comment on it or approve it), every version and the print view.
- "child": the child the SIP is about, signed in (Role.CHILD_SELF). A simpler page: the goals and who
  helps. No versions, no print view, no forms.
- "shared": a relative taking part in the case whom the person shared the plan with. Approved versions
  only (a draft is not settled yet), and no forms. When the share is taken back the plan is "not found".
Everyone else, a parent without custody too, gets "not found", as for any case they may not see.

The plan page must stay within 8 SQL statements however big the plan is: the case, the actor's ties and
the unread count take 5 (sign-in and header included), then services/plan_reading.py reads one for every
version (with its pending decisions), one for the goals with their actions and units, and one for the
comments on a draft.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.models import PlanVersion, SipCase, VersionStatus
from citizen_app.services import N_, NotFound, action_follow_up, cases, plan_reading, plans

FULL = "full"
CHILD = "child"
SHARED = "shared"


def _not_found() -> NotFound:
    return NotFound(N_("Sidan finns inte."))


def _case_and_reader(actor, public_id: str) -> tuple[SipCase, str]:
    """The case and how ``actor`` reads its plan; NotFound when they may not (as cases.get_case_for)."""
    case = cases.find_case(public_id)
    if case is None:
        raise _not_found()
    if access.can(actor, Action.VIEW_PLAN, case):
        return case, CHILD if Role.CHILD_SELF in access.roles_of(actor, case) else FULL
    # A relative cannot see the case, only the plan, and only while the person shares it with them.
    if (
        Role.RELATIVE in access.roles_of(actor, case)
        and not case.awaiting_person_agreement
        and plans.is_shared_with(actor, case)
    ):
        return case, SHARED
    raise _not_found()


def _versions(case: SipCase, reader: str) -> list[PlanVersion]:
    """Every version the reader may see, newest first, each with its pending decisions. One query."""
    found = plan_reading.versions_with_decisions(case)
    if reader == SHARED:
        found = [v for v in found if v.status != VersionStatus.DRAFT]
    else:  # a draft the coordinator is still writing is not shown until it is sent for reading
        found = [v for v in found if v.status != VersionStatus.DRAFT or v.sent_at is not None]
    return found


def state_of(case: SipCase, plan: PlanVersion | None) -> str:
    """How a version stands: "draft", "in_force", "replaced", "ended" (the SIP closed) or "none"."""
    if plan is None:
        return "none"
    if plan.status == VersionStatus.DRAFT:
        return "draft"
    if case.is_closed:
        return "ended" if plan.status == VersionStatus.APPROVED else "replaced"
    return "in_force" if plan.status == VersionStatus.APPROVED else "replaced"


@dataclass
class PlanPage:
    """Everything "Min plan" (and its print view) shows, decided here so the template only displays it."""

    case: SipCase
    reader: str  # FULL, CHILD or SHARED
    is_own: bool  # the signed-in person is the one the SIP is about
    plan: PlanVersion | None  # the version shown
    state: str  # see state_of
    versions: list[PlanVersion]
    newer_draft: PlanVersion | None = None  # a follow-up draft while an approved version applies
    can_comment: bool = False
    can_approve: bool = False
    can_share: bool = False
    fingerprint: str = ""  # of the draft shown, sent with "Jag har läst planen och håller med"
    next_step: str = ""  # what the "Vad händer nu?" box says
    # How each action of the plan in force is going, by the action's public id [issue 16]
    followed: dict[str, action_follow_up.Followed] = field(default_factory=dict)
    # The cache key of the rendered plan body (citizen_app/fragments.py) [issue 17]; None: render it anew
    body_key: str | None = None

    @property
    def subject_name(self) -> str:
        return self.case.subject.display_name if self.case.subject else ""

    @property
    def first_name(self) -> str:
        return (self.subject_name.split() or [""])[0]

    @property
    def is_follow_up_draft(self) -> bool:
        """A draft shown while an earlier version still applies."""
        return self.state == "draft" and any(v.status == VersionStatus.APPROVED for v in self.versions)


def _next_step(page: PlanPage) -> str:
    if page.plan is None:  # state "none"
        return "closed_without_plan" if page.case.is_closed else "wait_for_plan"
    if page.state == "ended":
        return "ended"
    if page.state == "draft":
        return "read_and_approve" if page.can_approve else "wait_for_approval"
    if page.newer_draft is not None and page.reader == FULL:
        return "read_new_version"
    return "follow_up" if page.plan.follow_up_on else "follow_up_not_set"


def plan_page_for(actor, public_id: str, *, draft: bool = False, number: int | None = None) -> PlanPage:
    """ "Min plan": the version in force, or the draft when there is none yet (``draft``: the draft itself;
    ``number``: one given version, for printing it). An ended SIP shows its last approved version as ended."""
    case, reader = _case_and_reader(actor, public_id)
    if draft and reader != FULL:
        raise _not_found()
    versions = _versions(case, reader)
    approved = next((v for v in versions if v.status == VersionStatus.APPROVED), None)
    open_draft = (
        None if case.is_closed else next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    )
    if number is not None:
        shown = next((v for v in versions if v.number == number), None)
        if shown is None:
            raise _not_found()
    elif draft:
        shown = open_draft
    else:
        shown = approved or open_draft
    allowed = access.allowed_actions(actor, case)
    page = PlanPage(
        case=case,
        reader=reader,
        is_own=case.subject_id == actor.id,
        plan=shown,
        state=state_of(case, shown),
        versions=versions,
        newer_draft=open_draft if shown is not None and shown is not open_draft else None,
        can_share=reader == FULL and Action.SHARE_PLAN in allowed,
    )
    if shown is not None:
        plan_reading.load_goals([shown])
        if page.state == "draft" and reader == FULL and number is None:
            page.can_comment = Action.COMMENT_PLAN in allowed
            page.can_approve = Action.APPROVE_PLAN in allowed
            page.fingerprint = plans.fingerprint(shown)
            plan_reading.load_comments(shown)
        if page.state == "in_force":
            page.followed = action_follow_up.statuses(case, shown)
        page.body_key = body_key(page, shown)
    page.next_step = _next_step(page)
    return page


def body_key(page: PlanPage, plan: PlanVersion) -> str | None:
    """Everything ``plan_body`` (templates/plan/_plan.html) shows, as a cache key [issue 17]: the version's
    whole content (plan_reading.content_digest), the reader's words for the person (their own plan, or the
    person's first name) and how each action is going. Not who reads it: two readers share a cached body
    only when theirs would be the same. The language and the template are added by fragments.py. A new
    input of ``plan_body`` must be added here."""
    digest = plan_reading.content_digest(plan)
    if digest is None:
        return None
    followed = sorted((key, now.status.value, now.label) for key, now in page.followed.items())
    return hashlib.sha256(repr((digest, page.is_own, page.first_name, followed)).encode()).hexdigest()


@dataclass
class VersionRow:
    version: PlanVersion
    state: str


@dataclass
class VersionsPage:
    case: SipCase
    is_own: bool
    rows: list[VersionRow]

    @property
    def subject_name(self) -> str:
        return self.case.subject.display_name if self.case.subject else ""


def _reader_of_history(actor, public_id: str) -> tuple[SipCase, str]:
    """Versions, comparisons and print views are for full readers and relatives it is shared with; the
    child has their own simpler page."""
    case, reader = _case_and_reader(actor, public_id)
    if reader == CHILD:
        raise _not_found()
    return case, reader


def versions_page_for(actor, public_id: str) -> VersionsPage:
    case, reader = _reader_of_history(actor, public_id)
    rows = [VersionRow(v, state_of(case, v)) for v in _versions(case, reader)]
    return VersionsPage(case=case, is_own=case.subject_id == actor.id, rows=rows)


@dataclass
class VersionPage:
    """One version compared with the one before: what changed goal by goal, and how each goal went."""

    case: SipCase
    is_own: bool
    version: PlanVersion
    state: str
    previous: PlanVersion | None
    changes: list[plans.GoalChange] = field(default_factory=list)

    @property
    def subject_name(self) -> str:
        return self.case.subject.display_name if self.case.subject else ""

    @property
    def changed(self) -> list[plans.GoalChange]:
        return [c for c in self.changes if c.kind != "unchanged"]

    @property
    def unchanged(self) -> list[plans.GoalChange]:
        return [c for c in self.changes if c.kind == "unchanged"]


def version_page_for(actor, public_id: str, number: int) -> VersionPage:
    case, reader = _reader_of_history(actor, public_id)
    versions = _versions(case, reader)
    current = next((v for v in versions if v.number == number), None)
    if current is None:
        raise _not_found()
    # The version a follow-up started from; a relative only ever compares approved versions.
    previous = next((v for v in versions if v.id == current.based_on_id), None)
    plan_reading.load_goals([v for v in (current, previous) if v is not None])
    return VersionPage(
        case=case,
        is_own=case.subject_id == actor.id,
        version=current,
        state=state_of(case, current),
        previous=previous,
        changes=plans.compare(current, previous),
    )


# --- Sharing with relatives -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relative:
    public_id: str  # the participant's
    name: str
    role: str  # "relative" or "support_person"
    shared: bool


@dataclass
class SharingPage:
    case: SipCase
    is_own: bool
    relatives: list[Relative]

    @property
    def subject_name(self) -> str:
        return self.case.subject.display_name if self.case.subject else ""


def sharing_page_for(actor, public_id: str) -> SharingPage:
    case = cases.get_case_for(actor, public_id, Action.SHARE_PLAN)
    active = plans.shares(case)
    relatives = [
        Relative(p.public_id, p.person.display_name, p.role.value, p.id in active)
        for p in plan_reading.relatives_to_share_with(case)
        if p.person is not None  # always: only relatives with an account are read
    ]
    return SharingPage(case=case, is_own=case.subject_id == actor.id, relatives=relatives)


def save_sharing(actor, case: SipCase, chosen: set[str]) -> None:
    """ "Får se planen" for each relative of the case: ticked shares it, unticked takes it back."""
    for party in plan_reading.relatives_to_share_with(case):
        plans.share_with(actor, case, party.public_id, party.public_id in chosen)
