"""Who may do what to which SIP — the one access policy, deny by default [QUALITY 4].

Every view and every service asks ``can(actor, action, case)`` (or ``require``). An actor's roles towards a
case are worked out from facts in the database (custody, mandates, participation, unit membership,
coordinator assignment); each role then grants a fixed set of actions in ``POLICY``. A role not in the table,
or an action not granted to any of the actor's roles, is denied.

Rules that depend on more than the relationship (consent in force, the step of the case, a plan being
approved) live in the services; this module answers only "is this actor in a position to ask?".
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date

from flask import g, has_request_context

from citizen_app.models import ParticipantRole, Person, RelationKind, RepresentativeType, SipCase, StaffUser
from citizen_app.models.units import StaffRole
from citizen_app.services import N_, NotAllowed, mature_minor
from citizen_app.services.relations import (
    PersonTies,
    StaffTies,
    person_ties,
    person_ties_for_many,
    staff_ties,
    staff_ties_for_many,
)


class Role(enum.StrEnum):
    PERSON = "person"  # the adult the SIP is about
    CHILD_SELF = "child_self"  # the child the SIP is about, signed in themselves
    GUARDIAN_WITH_CUSTODY = "guardian_with_custody"
    GUARDIAN_WITHOUT_CUSTODY = "guardian_without_custody"
    REPRESENTATIVE = "representative"  # god man or förvaltare with a valid mandate
    REPRESENTATIVE_FUTURE_POWER = "representative_future_power"  # framtidsfullmakt: not for health care
    RELATIVE = "relative"  # a relative taking part in the case
    COORDINATOR = "coordinator"  # the case's current coordinator
    UNIT_COORDINATOR = "unit_coordinator"  # a coordinator of the unit that owns the case
    UNIT_MEMBER = "unit_member"  # other staff of the owning unit
    # Staff of a unit taking part in the case, while the consent in force names their unit [DA 4.2]: before
    # consent, after a withdrawal or an expiry, or once the person leaves the unit out, they are OTHER_STAFF.
    PARTICIPATING_STAFF = "participating_staff"
    OTHER_STAFF = "other_staff"


class Action(enum.StrEnum):
    # citizen side
    VIEW_CASE = "view_case"
    CANCEL_REQUEST = "cancel_request"
    ACCEPT_SUGGESTION = "accept_suggestion"
    GIVE_CONSENT = "give_consent"
    WITHDRAW_CONSENT = "withdraw_consent"
    RECORD_CHILD_VIEW = "record_child_view"
    GIVE_OWN_CHILD_VIEW = "give_own_child_view"
    GIVE_CHILD_ACCESS = "give_child_access"
    PREPARE_MEETING = "prepare_meeting"
    VIEW_PLAN = "view_plan"
    APPROVE_PLAN = "approve_plan"
    COMMENT_PLAN = "comment_plan"
    SHARE_PLAN = "share_plan"
    GIVE_FEEDBACK = "give_feedback"
    REPORT_PROBLEM = "report_problem"
    VIEW_ACCESS_LOG = "view_access_log"
    VIEW_INVITATION = "view_invitation"
    ANSWER_INVITATION = "answer_invitation"
    SUGGEST_TOPIC = "suggest_topic"
    # issue 15: mature minors
    VIEW_CONSENT = "view_consent"  # the consent page: what is in force, each answer, the history
    CHOOSE_GUARDIAN_VIEW = "choose_guardian_view"  # a mature minor chooses what the guardians see
    # staff side
    STAFF_VIEW_CASE = "staff_view_case"
    STAFF_ACCEPT_CASE = "staff_accept_case"
    STAFF_FORWARD_CASE = "staff_forward_case"
    STAFF_CHANGE_COORDINATOR = "staff_change_coordinator"
    STAFF_RECORD_CONSENT = "staff_record_consent"
    STAFF_INVITE = "staff_invite"
    STAFF_ANSWER_INVITATION = "staff_answer_invitation"
    STAFF_DOCUMENT_PLAN = "staff_document_plan"
    STAFF_CLOSE_CASE = "staff_close_case"
    STAFF_HANDLE_PROBLEM = "staff_handle_problem"
    # issue 16: the kind of compulsory psychiatric care during the SIP [DA 3.6.1]
    STAFF_RECORD_COMPULSORY_CARE = "staff_record_compulsory_care"
    # issue 16: the current coordinator proposes (and withdraws) moving the coordination [VN]; a coordinator
    # of the target unit answers (services/coordination_move.py checks that unit).
    STAFF_MOVE_COORDINATION = "staff_move_coordination"
    # issue 16: mark an action of the plan started / done / not done (services/action_follow_up.py narrows it
    # to the coordinator and the staff of the action's responsible unit, while the consent covers the unit)
    STAFF_FOLLOW_ACTION = "staff_follow_action"


A = Action

# What the person themself may do; guardians with custody and valid representatives act in their place.
_ACTING_FOR_THE_PERSON = frozenset(
    {
        A.VIEW_CASE,
        A.VIEW_CONSENT,
        A.CANCEL_REQUEST,
        A.ACCEPT_SUGGESTION,
        A.GIVE_CONSENT,
        A.WITHDRAW_CONSENT,
        A.PREPARE_MEETING,
        A.VIEW_PLAN,
        A.APPROVE_PLAN,
        A.COMMENT_PLAN,
        A.SHARE_PLAN,
        A.GIVE_FEEDBACK,
        A.REPORT_PROBLEM,
        A.VIEW_ACCESS_LOG,
        A.VIEW_INVITATION,
    }
)

_COORDINATING = frozenset(
    {
        A.STAFF_VIEW_CASE,
        A.STAFF_ACCEPT_CASE,
        A.STAFF_FORWARD_CASE,
        A.STAFF_CHANGE_COORDINATOR,
        A.STAFF_RECORD_CONSENT,
        A.STAFF_INVITE,
        A.STAFF_DOCUMENT_PLAN,
        A.STAFF_CLOSE_CASE,
        A.STAFF_HANDLE_PROBLEM,
        A.STAFF_RECORD_COMPULSORY_CARE,
        # The coordinator may also give a child their own code ("Min röst") [issue 5].
        A.GIVE_CHILD_ACCESS,
        A.STAFF_MOVE_COORDINATION,
    }
)

POLICY: dict[Role, frozenset[Action]] = {
    Role.PERSON: _ACTING_FOR_THE_PERSON,
    # A child signs in to give their own view [DA 4.2]; the guardians consent and decide for them.
    Role.CHILD_SELF: frozenset(
        {
            A.VIEW_CASE,
            A.VIEW_CONSENT,
            A.GIVE_OWN_CHILD_VIEW,
            A.VIEW_PLAN,
            A.GIVE_FEEDBACK,
            A.REPORT_PROBLEM,
            A.VIEW_INVITATION,
        }
    ),
    Role.GUARDIAN_WITH_CUSTODY: _ACTING_FOR_THE_PERSON | {A.RECORD_CHILD_VIEW, A.GIVE_CHILD_ACCESS},
    # Without custody a parent has no say in the child's care, and sees nothing of the case [DA 4.2].
    Role.GUARDIAN_WITHOUT_CUSTODY: frozenset(),
    Role.REPRESENTATIVE: _ACTING_FOR_THE_PERSON,
    # The consent service narrows what a framtidsfullmakt may consent to (no health care).
    Role.REPRESENTATIVE_FUTURE_POWER: _ACTING_FOR_THE_PERSON,
    # Relatives see their invitation, not the case, consent or plan [issue 5].
    Role.RELATIVE: frozenset({A.VIEW_INVITATION, A.ANSWER_INVITATION, A.SUGGEST_TOPIC, A.GIVE_FEEDBACK}),
    Role.COORDINATOR: _COORDINATING,
    Role.UNIT_COORDINATOR: frozenset(
        {A.STAFF_VIEW_CASE, A.STAFF_ACCEPT_CASE, A.STAFF_FORWARD_CASE, A.STAFF_CHANGE_COORDINATOR}
    ),
    Role.UNIT_MEMBER: frozenset({A.STAFF_VIEW_CASE}),
    Role.PARTICIPATING_STAFF: frozenset({A.STAFF_VIEW_CASE, A.STAFF_ANSWER_INVITATION}),
    Role.OTHER_STAFF: frozenset(),
}

# A mature minor [DA 4.2] [issue 15]: once the coordinator has recorded that the child has the age and
# maturity to consent (services/mature_minor.py), the child consents and withdraws themself and chooses what
# the guardians see. The guardians keep only that there is a SIP and who coordinates it (and their own problem
# reports), plus what the child shows them (``GUARDIAN_SEES``).
MATURE_MINOR_POLICY: dict[Role, frozenset[Action]] = {
    Role.CHILD_SELF: POLICY[Role.CHILD_SELF] | {A.GIVE_CONSENT, A.WITHDRAW_CONSENT, A.CHOOSE_GUARDIAN_VIEW},
    Role.GUARDIAN_WITH_CUSTODY: frozenset({A.VIEW_CASE, A.REPORT_PROBLEM}),
}
GUARDIAN_SEES: dict[str, frozenset[Action]] = {
    mature_minor.PLAN: frozenset({A.VIEW_PLAN}),
    mature_minor.MEETINGS: frozenset({A.VIEW_INVITATION, A.PREPARE_MEETING, A.GIVE_FEEDBACK}),
    mature_minor.CONSENT: frozenset({A.VIEW_CONSENT}),
}
_MATURE_MINOR_ROLES = frozenset(MATURE_MINOR_POLICY)

Actor = Person | StaffUser | None


def roles_of(actor: Actor, case: SipCase, today: date | None = None) -> frozenset[Role]:
    """The roles ``actor`` holds towards ``case``, cached for the request."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    key = (actor.get_id(), case.id)
    cache = _request_cache()
    if cache is not None and key in cache:
        return cache[key]
    day = today or date.today()
    if isinstance(actor, StaffUser):
        roles = _staff_roles(actor, case, day)
    else:
        roles = _person_roles(actor, case, day)
    if cache is not None:
        cache[key] = roles
    return roles


def roles_for_many(person: Person, cases: list[SipCase], today: date | None = None) -> None:
    """Work out the person's roles towards many cases in two queries and keep them for the request.

    The same rules as ``roles_of`` (it then answers from the cache); for a page that lists several SIPs and
    asks ``can`` about each, which would otherwise cost two queries a SIP.
    """
    cache = _request_cache()
    if cache is None or not getattr(person, "is_authenticated", False) or isinstance(person, StaffUser):
        return
    day = today or date.today()
    todo = [case for case in cases if (person.get_id(), case.id) not in cache]
    ties = person_ties_for_many(person, todo)
    for case in todo:
        cache[(person.get_id(), case.id)] = _person_roles(person, case, day, ties[case.id])


def _person_roles(
    person: Person, case: SipCase, day: date, ties: PersonTies | None = None
) -> frozenset[Role]:
    roles: set[Role] = set()
    if person.id == case.subject_id:
        # A relative's suggestion is still shown to the person, who must agree to it.
        roles.add(Role.CHILD_SELF if person.is_child_on(day) else Role.PERSON)
    if case.subject_id is None:
        return frozenset(roles)  # a suggestion nobody is linked to yet: only staff may see it
    ties = ties if ties is not None else person_ties(person, case)
    subject_is_child = case.subject is not None and case.subject.is_child_on(day)
    for rel in ties.relationships:
        if rel.kind == RelationKind.GUARDIAN and subject_is_child:
            roles.add(Role.GUARDIAN_WITH_CUSTODY if rel.has_custody else Role.GUARDIAN_WITHOUT_CUSTODY)
        elif rel.kind == RelationKind.REPRESENTATIVE and rel.is_valid_on(day):
            if rel.representative_type == RepresentativeType.FRAMTIDSFULLMAKT:
                roles.add(Role.REPRESENTATIVE_FUTURE_POWER)
            else:
                roles.add(Role.REPRESENTATIVE)
    if ParticipantRole.RELATIVE in ties.participant_roles or ParticipantRole.SUPPORT_PERSON in (
        ties.participant_roles
    ):
        roles.add(Role.RELATIVE)
    return frozenset(roles)


def staff_roles_for_many(staff: StaffUser, cases: list[SipCase], today: date | None = None) -> None:
    """Work out a staff member's roles towards many cases in a few queries and keep them for the request.

    The same rules as ``roles_of`` (which then answers from the cache, and so does ``can``): the ties are read
    for all cases at once (``staff_ties_for_many``) and the consent of the cases with a taking-part unit is
    asked at once (the consent rules' ``_cases_naming_one_of``). For a list of SIPs (the workbench) that asks
    ``can`` about each. ``case.subject`` should be loaded.
    """
    cache = _request_cache()
    if cache is None or not getattr(staff, "is_authenticated", False) or not isinstance(staff, StaffUser):
        return
    day = today or date.today()
    todo = [case for case in cases if (staff.get_id(), case.id) not in cache]
    if not todo:
        return
    ties = staff_ties_for_many(staff.id, todo, {m.unit_id: m.role for m in staff.memberships})
    taking_part = [case for case in todo if ties[case.id].in_participating_unit]
    covered: set[int] = set()
    if taking_part:
        covered = _consent_covers_many(
            {case.id: ties[case.id].participating_unit_ids for case in taking_part}, taking_part, day
        )
    for case in todo:
        cache[(staff.get_id(), case.id)] = _staff_roles_from(ties[case.id], case.id in covered)


def _staff_roles(staff: StaffUser, case: SipCase, day: date) -> frozenset[Role]:
    ties = staff_ties(staff.id, case)
    covered = ties.in_participating_unit and _consent_covers(ties.participating_unit_ids, case, day)
    return _staff_roles_from(ties, covered)


def _staff_roles_from(ties: StaffTies, consent_covers_their_unit: bool) -> frozenset[Role]:
    roles: set[Role] = set()
    if ties.is_coordinator:
        roles.add(Role.COORDINATOR)
    if ties.owning_unit_role == StaffRole.COORDINATOR:
        roles.add(Role.UNIT_COORDINATOR)
    elif ties.owning_unit_role == StaffRole.MEMBER:
        roles.add(Role.UNIT_MEMBER)
    if ties.in_participating_unit and consent_covers_their_unit:
        roles.add(Role.PARTICIPATING_STAFF)
    return frozenset(roles) or frozenset({Role.OTHER_STAFF})


# Whether the consent in force names one of a unit's ids. services/consent.py gives this module the rule when
# it is imported (``answer_consent_coverage_with``): the consent rules ask this module who may consent, so
# this module cannot import them without an import cycle.
_consent_names_one_of: Callable[[frozenset[str], SipCase, date], bool] | None = None
# The same rule for many cases at once: {case id: unit public ids}, the cases, the day → the covered case ids.
_ManyRule = Callable[[dict[int, frozenset[str]], list[SipCase], date], set[int]]
_consent_names_for_many: _ManyRule | None = None


def answer_consent_coverage_with(
    rule: Callable[[frozenset[str], SipCase, date], bool], for_many: _ManyRule | None = None
) -> None:
    global _consent_names_one_of, _consent_names_for_many
    _consent_names_one_of = rule
    _consent_names_for_many = for_many


def _consent_covers_many(units: dict[int, frozenset[str]], cases: list[SipCase], day: date) -> set[int]:
    """``_consent_covers`` for many cases: the ids of those whose consent names one of their units."""
    if _consent_names_for_many is None:
        return {case.id for case in cases if _consent_covers(units[case.id], case, day)}
    return _consent_names_for_many(units, cases, day)


def _consent_covers(unit_public_ids: frozenset[str], case: SipCase, day: date) -> bool:
    """Whether the consent in force names one of these units. No sharing with a party it does not cover."""
    if _consent_names_one_of is None:
        return False  # deny by default: without the consent rules, no consent covers anyone
    return _consent_names_one_of(unit_public_ids, case, day)


def allowed_actions(actor: Actor, case: SipCase) -> frozenset[Action]:
    granted: set[Action] = set()
    roles = roles_of(actor, case)
    policy = _mature_minor_policy(case) if roles & _MATURE_MINOR_ROLES else POLICY
    for role in roles:
        granted |= policy.get(role, frozenset())
    # A suggestion from a relative is only the person's to see until they agree [issue 3].
    if case.awaiting_person_agreement:
        granted &= {A.VIEW_CASE, A.VIEW_CONSENT, A.ACCEPT_SUGGESTION, A.CANCEL_REQUEST} | _COORDINATING_READ
        # Units the relative named are told nothing before the person agrees (no consent exists yet); only
        # the owning unit, which must reach the person, may read it.
        if not roles & _OWNING_UNIT_ROLES:
            granted -= _COORDINATING_READ
    return frozenset(granted)


def _mature_minor_policy(case: SipCase) -> dict[Role, frozenset[Action]]:
    """The policy for the child and guardians of a case: the mature minor's while a decision is in force."""
    view = mature_minor.guardian_view(case)
    if view is None:
        return POLICY
    shown = frozenset().union(*(GUARDIAN_SEES[topic] for topic in view.topics))
    return {
        **POLICY,
        Role.CHILD_SELF: MATURE_MINOR_POLICY[Role.CHILD_SELF],
        Role.GUARDIAN_WITH_CUSTODY: MATURE_MINOR_POLICY[Role.GUARDIAN_WITH_CUSTODY] | shown,
    }


_OWNING_UNIT_ROLES = frozenset({Role.COORDINATOR, Role.UNIT_COORDINATOR, Role.UNIT_MEMBER})


# Staff may read a suggestion, link the person it is about, or send it on; nothing more until the person
# agrees.
_COORDINATING_READ = frozenset({A.STAFF_VIEW_CASE, A.STAFF_ACCEPT_CASE, A.STAFF_FORWARD_CASE})


def can(actor: Actor, action: Action, case: SipCase) -> bool:
    return action in allowed_actions(actor, case)


def require(actor: Actor, action: Action, case: SipCase) -> None:
    """Raise NotAllowed unless the policy grants ``action``. Views turn it into a 404 for citizens."""
    if not can(actor, action, case):
        raise NotAllowed(N_("Du har inte behörighet till det här."))


def forget_roles() -> None:
    """Drop the request's cached roles: call after a change of ties (a new coordinator, a linked person)."""
    if has_request_context():
        g.pop("access_roles", None)


def _request_cache() -> dict | None:
    if not has_request_context():
        return None
    if "access_roles" not in g:
        g.access_roles = {}
    return g.access_roles


# issue 16: the plan's actions are followed. Staff of the case may ask; services/action_follow_up.may_mark
# allows only the coordinator and the staff of the action's responsible unit (covered by the consent).
for _role in (Role.COORDINATOR, Role.UNIT_COORDINATOR, Role.UNIT_MEMBER, Role.PARTICIPATING_STAFF):
    POLICY[_role] = POLICY[_role] | {A.STAFF_FOLLOW_ACTION}
