"""The citizen's plan ("Min plan") [issue 6] [SIP.md 5].

The version in force goal by goal, a draft to comment on ("Det här vill jag ändra") and approve ("Jag har
läst planen och håller med"), every version and what changed between them, a print view, the child's
simpler page, and the person's choice of which relatives may read the plan. Who sees what is decided in
pages/plan.py, the rules in services/plans.py; this module reads its forms (web/forms/plan.py) and renders the
answer.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import plan as plan_pages
from citizen_app.services import NotAllowed, cases, plans
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.plan import ApproveForm, CommentForm, ShareForm
from citizen_app.web.guards import citizen, creates

bp = Blueprint("plan", __name__)

BASE = "/sip/<string(length=22):public_id>/plan"


@bp.route(BASE)
@citizen
def show_plan(public_id: str):
    page = plan_pages.plan_page_for(current_user, public_id)
    if page.reader == plan_pages.CHILD:
        return render_template("plan/show_plan_child.html", page=page)
    return render_template("plan/show_plan.html", page=page, form=CommentForm())


@bp.route(BASE + "/utkast")
@citizen
def show_draft(public_id: str):
    """The draft of a follow-up while the earlier version still applies (the plan page shows that one)."""
    page = plan_pages.plan_page_for(current_user, public_id, draft=True)
    if page.plan is None:
        return redirect(url_for("plan.show_plan", public_id=public_id), 303)
    return render_template("plan/show_plan.html", page=page, form=CommentForm())


@bp.route(BASE + "/utkast/synpunkt", methods=["POST"])
@citizen
@creates
def comment_on_draft(public_id: str):
    """ "Det här vill jag ändra": the coordinator is told and answers before the plan is approved."""
    case = cases.get_case_for(current_user, public_id, Action.COMMENT_PLAN)
    draft = plans.draft(case)
    if draft is None or case.is_closed:
        flash(_("Det finns inget utkast att skriva om. Planen är redan godkänd."), "info")
        return redirect(url_for("plan.show_plan", public_id=public_id), 303)
    form = CommentForm()
    try:
        plans.comment(current_user, case, draft, form.comment.data)
    except plans.InvalidPlan as invalid:
        # The service names the comment "text"; other refusals have only a message.
        add_errors(form, {"comment": invalid.errors.get("text", invalid.message)})
        page = plan_pages.plan_page_for(current_user, public_id, draft=True)
        return form_page("plan/show_plan.html", form, page=page)
    except (NotAllowed, plans.PlanLocked) as refused:
        flash(_(refused.message), "info")
        return redirect(url_for("plan.show_plan", public_id=public_id), 303)
    flash(_("Tack. Din samordnare har fått det du skrev."), "success")
    return redirect(url_for("plan.show_draft", public_id=public_id), 303)


@bp.route(BASE + "/utkast/godkann", methods=["POST"])
@citizen
def approve_draft(public_id: str):
    """Approve the draft the person read. A second click, or an old tab, changes nothing: it lands on the
    approved plan with a calm word (also when both clicks reach two servers at the same instant)."""
    case = cases.get_case_for(current_user, public_id, Action.APPROVE_PLAN)
    form = ApproveForm()
    try:
        approved = plans.approve_as_read(current_user, case, form.number, form.fingerprint.data)
    except plans.PlanChanged as changed:
        flash(_(changed.message), "info")
        return redirect(url_for("plan.show_draft", public_id=public_id), 303)
    except plans.AlreadyApproved as done:
        flash(_(done.message), "info")
        return redirect(url_for("plan.show_plan", public_id=public_id), 303)
    except (NotAllowed, plans.PlanLocked, plans.InvalidPlan) as refused:
        flash(_(refused.message), "info")
        return redirect(url_for("plan.show_plan", public_id=public_id), 303)
    if approved is None:
        flash(_("Planen är redan godkänd."), "info")
    else:
        flash(_("Tack. Planen är godkänd och gäller nu. Den kan inte ändras längre."), "success")
    return redirect(url_for("plan.show_plan", public_id=public_id), 303)


@bp.route(BASE + "/versioner")
@citizen
def list_versions(public_id: str):
    return render_template(
        "plan/list_versions.html", page=plan_pages.versions_page_for(current_user, public_id)
    )


@bp.route(BASE + "/versioner/<int:number>")
@citizen
def show_version(public_id: str, number: int):
    page = plan_pages.version_page_for(current_user, public_id, number)
    return render_template("plan/show_version.html", page=page)


@bp.route(BASE + "/versioner/<int:number>/utskrift")
@citizen
def print_version(public_id: str, number: int):
    """A clean paper copy of one version; the browser prints it (no JavaScript needed)."""
    page = plan_pages.plan_page_for(current_user, public_id, number=number)
    if page.reader == plan_pages.CHILD:
        return redirect(url_for("plan.show_plan", public_id=public_id), 303)
    return render_template("plan/print_plan.html", page=page)


@bp.route(BASE + "/dela", methods=["GET", "POST"])
@citizen
def share_plan(public_id: str):
    """ "Vem får se planen?": per relative, on or off. Turning it off takes the plan back at once."""
    page = plan_pages.sharing_page_for(current_user, public_id)
    if request.method == "POST":
        plan_pages.save_sharing(current_user, page.case, set(ShareForm().shared.data))
        flash(_("Det är sparat."), "success")
        return redirect(url_for("plan.share_plan", public_id=public_id), 303)
    return render_template("plan/share_plan.html", page=page)
