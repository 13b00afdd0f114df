"""The person's preparation pages "Inför mötet" [issue 5] [SIP.md 6] [ST 2] [DA 4.3].

The person (or a guardian with custody, or a representative) answers one theme per screen, orders what must
be talked about, keeps a list of what must not come up (for the coordinator only), says who should come and
where and how, and sees it all on one page to print. A guardian can also give the child a code for the
child's own pages. Every part is saved on its own by a plain POST; htmx only adds saving on change and keeps
focus on a moved item. The rules, and who may read what, live in services/preparation.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from citizen_app.access import Action
from citizen_app.pages import preparation as preparation_page
from citizen_app.services import NotAllowed, access_links, cases, preparation, readers
from citizen_app.web import forms
from citizen_app.web.forms import text as _text
from citizen_app.web.forms import translated as _translated
from citizen_app.web.guards import citizen, creates

bp = Blueprint("preparation", __name__)

BASE = "/sip/<string(length=22):public_id>/infor-motet"
ITEM = "<string(length=22):item_id>"
MOVED = "agenda_moved"  # session key: the last move, shown once as a status message after the redirect
# A theme in a URL is kebab-case: /fraga/works-well.
THEME_SLUGS = ", ".join(
    repr(t.replace("_", "-")) for t in preparation.PERSON_THEMES + preparation.GUARDIAN_THEMES
)


def _case(public_id: str):
    """The case, if this person may prepare its meeting; 404 for everyone else (also without custody)."""
    case = cases.get_case_for(current_user, public_id, Action.PREPARE_MEETING)
    if not preparation.can_prepare(current_user, case):
        flash(_("SIP:en är avslutad. Du kan inte förbereda ett möte."), "info")
        abort(redirect(url_for("cases.show_case", public_id=public_id), 303))
    return case


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _render(template: str, case, errors: dict[str, str] | None = None, **context):
    return forms.render_form(
        template, errors or {}, case=case, subject_name=forms.subject_name(case), **context
    )


def _start_url(public_id: str) -> str:
    return url_for("preparation.show_preparation", public_id=public_id)


# --- The start page ------------------------------------------------------------------------------------


@bp.route(BASE)
@citizen
def show_preparation(public_id: str):
    case = _case(public_id)
    return _render(
        "preparation/show_preparation.html",
        case,
        themes=preparation.themes_for(current_user, case),
        progress=preparation.progress(current_user, case),
        may_give_code=preparation.can_give_child_code(current_user, case),
        reader_words=preparation_page.preparation_words(readers.reader_of(current_user, case)),
    )


# --- One theme per screen ------------------------------------------------------------------------------


def _theme_url(public_id: str, theme: str) -> str:
    return url_for(".answer_theme", public_id=public_id, theme=theme.replace("_", "-"))


@bp.route(BASE + f"/fraga/<any({THEME_SLUGS}):theme>", methods=["GET", "POST"])
@citizen
def answer_theme(public_id: str, theme: str):
    case = _case(public_id)
    theme = theme.replace("-", "_")
    themes = preparation.themes_for(current_user, case)
    if theme not in themes:
        abort(404)
    index = themes.index(theme)
    errors: dict[str, str] = {}
    if request.method == "POST":
        text = _text("text")
        try:
            preparation.save_answer(current_user, case, theme, text)
        except preparation.InvalidAnswer as invalid:
            errors = _translated(invalid.errors)
        if request.form.get("autosave") and _is_htmx():
            # Saved as the person writes (htmx, on change): only the small status line changes.
            return forms.render_form("preparation/_saved.html", errors)
        if not errors:
            flash(_("Svaret är sparat."), "success")
            if index + 1 < len(themes):
                return redirect(_theme_url(public_id, themes[index + 1]), 303)
            return redirect(_start_url(public_id), 303)
    else:
        saved = preparation.answers(case, preparation.Voice.PERSON).get(theme)
        text = saved.text if saved else ""
    previous = themes[index - 1] if index else None
    return _render(
        "preparation/answer_theme.html",
        case,
        errors,
        theme=theme,
        text=text,
        number=index + 1,
        total=len(themes),
        back=_theme_url(public_id, previous) if previous else _start_url(public_id),
    )


# --- "Det här vill jag prata om": the ordered agenda ------------------------------------------------------


def _talk_about_page(case, errors=None, form=None, moved=None):
    talk = preparation.AgendaList.TALK_ABOUT
    return _render(
        "preparation/talk_about.html",
        case,
        errors,
        form=form or {},
        items=preparation.agenda(case, talk),
        suggestions=preparation.agenda(case, talk, preparation.SuggestionStatus.PENDING),
        relatives_see=preparation.relatives_see_agenda(case),
        moved=moved,
    )


@bp.route(BASE + "/att-prata-om", methods=["GET", "POST"])
@citizen
@creates
def talk_about(public_id: str):
    case = _case(public_id)
    if request.method == "POST":
        try:
            preparation.add_item(current_user, case, preparation.AgendaList.TALK_ABOUT, _text("text"))
        except preparation.InvalidAnswer as invalid:
            return _talk_about_page(case, _translated(invalid.errors), {"text": _text("text")})
        flash(_("Det är tillagt i listan."), "success")
        return redirect(url_for(".talk_about", public_id=public_id), 303)
    moved = session.pop(MOVED, None)
    return _talk_about_page(case, moved=moved)


@bp.route(BASE + f"/att-prata-om/{ITEM}/flytta", methods=["POST"])
@citizen
def move_item(public_id: str, item_id: str):
    """Up or down one place. The new place is said in a status message, and the keyboard stays at the moved
    item's button, so Enter moves it on: htmx keeps the focus there; without JavaScript the new page opens
    with the focus on that button (its #id), which then also reads out the status as its description."""
    case = _case(public_id)
    direction = _text("direction")
    try:
        place, total = preparation.move(current_user, case, item_id, direction)
    except preparation.InvalidAnswer:
        abort(400)
    moved = {
        "id": item_id,
        "direction": direction,
        "text": preparation.item(current_user, case, item_id).text,
        "place": place,
        "total": total,
        # htmx keeps focus on the button used; at the top or the bottom that button is gone: the other one.
        "focus": _button_left(direction, place, total),
    }
    if _is_htmx():
        return _talk_about_page(case, moved=moved)
    session[MOVED] = {**moved, "new_page": True}
    button = f"{moved['focus']}-{item_id}"  # the id of the button in talk_about.html
    return redirect(url_for(".talk_about", public_id=public_id, _anchor=button), 303)


def _button_left(direction: str, place: int, total: int) -> str:
    at_edge = (direction == "up" and place == 1) or (direction == "down" and place == total)
    if at_edge:
        return "down" if direction == "up" else "up"
    return direction


@bp.route(BASE + f"/att-prata-om/{ITEM}/viktigast", methods=["POST"])
@citizen
def mark_item(public_id: str, item_id: str):
    case = _case(public_id)
    on = _text("on") == "yes"
    item = preparation.mark_most_important(current_user, case, item_id, on)
    if on:
        flash(_("”%(text)s” är markerad som viktigast.", text=item.text), "success")
    else:
        flash(_("”%(text)s” är inte längre markerad som viktigast.", text=item.text), "success")
    return redirect(url_for(".talk_about", public_id=public_id, _anchor="item-" + item_id), 303)


@bp.route(BASE + f"/forslag/{ITEM}", methods=["POST"])
@citizen
@creates
def decide_suggestion(public_id: str, item_id: str):
    """A relative's suggestion: "Ta med" puts it last on the agenda; "Ta inte med" leaves it out."""
    case = _case(public_id)
    answer = _text("answer")
    if answer not in ("yes", "no"):
        abort(400)
    preparation.decide_suggestion(current_user, case, item_id, accept=answer == "yes")
    if answer == "yes":
        flash(_("Förslaget finns nu sist i listan."), "success")
    else:
        flash(_("Förslaget är inte med i listan."), "success")
    return redirect(url_for(".talk_about", public_id=public_id), 303)


@bp.route(BASE + "/dela", methods=["POST"])
@citizen
def share_agenda(public_id: str):
    case = _case(public_id)
    share = _text("share")
    if share not in ("yes", "no"):
        return _talk_about_page(case, {"share": _("Välj ja eller nej")})
    preparation.set_relatives_see_agenda(current_user, case, share == "yes")
    if share == "yes":
        flash(_("Närstående som är bjudna får se listan."), "success")
    else:
        flash(_("Närstående som är bjudna får inte se listan."), "success")
    return redirect(url_for(".talk_about", public_id=public_id), 303)


# --- "Det här vill jag inte prata om": for the coordinator only --------------------------------------------


@bp.route(BASE + "/inte-prata-om", methods=["GET", "POST"])
@citizen
@creates
def not_talk_about(public_id: str):
    case = _case(public_id)
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    if request.method == "POST":
        try:
            preparation.add_item(current_user, case, preparation.AgendaList.NOT_TALK_ABOUT, _text("text"))
        except preparation.InvalidAnswer as invalid:
            errors, form = _translated(invalid.errors), {"text": _text("text")}
        else:
            flash(_("Det är tillagt i listan."), "success")
            return redirect(url_for(".not_talk_about", public_id=public_id), 303)
    return _render(
        "preparation/not_talk_about.html",
        case,
        errors,
        form=form,
        items=preparation.agenda(case, preparation.AgendaList.NOT_TALK_ABOUT),
    )


@bp.route(BASE + f"/punkt/{ITEM}/ta-bort", methods=["GET", "POST"])
@citizen
def remove_item(public_id: str, item_id: str):
    """Removing asks first [STYLE]; both lists use this page."""
    case = _case(public_id)
    item = preparation.item(current_user, case, item_id)
    private = item.list == preparation.AgendaList.NOT_TALK_ABOUT
    back = url_for(".not_talk_about" if private else ".talk_about", public_id=public_id)
    if request.method == "POST":
        preparation.remove_item(current_user, case, item_id)
        flash(_("”%(text)s” är borttagen.", text=item.text), "success")
        return redirect(back, 303)
    return _render("preparation/remove_item.html", case, item=item, back=back)


# --- Who should come -------------------------------------------------------------------------------------


def _who_comes_page(case, errors=None, form=None):
    saved = preparation.answers(case, preparation.Voice.PERSON).get(preparation.WHO_COMES)
    if form is None:
        form = dict(saved.choice) if saved else {}
    return _render(
        "preparation/who_comes.html",
        case,
        errors,
        form=form,
        units=preparation.covered_units(case),
        guests=preparation.guests(case),
    )


@bp.route(BASE + "/vilka-kommer", methods=["GET", "POST"])
@citizen
def who_comes(public_id: str):
    case = _case(public_id)
    if request.method == "POST":
        form = {
            "units": [u for u in request.form.getlist("units") if isinstance(u, str)],
            "support_person": _text("support_person"),
            "coordinator_wish": _text("coordinator_wish"),
        }
        try:
            preparation.save_who_comes(
                current_user, case, form["units"], form["support_person"], form["coordinator_wish"]
            )
        except preparation.InvalidAnswer as invalid:
            return _who_comes_page(case, _translated(invalid.errors), form)
        flash(_("Det är sparat."), "success")
        return redirect(url_for(".who_comes", public_id=public_id), 303)
    return _who_comes_page(case)


@bp.route(BASE + "/vilka-kommer/narstaende", methods=["POST"])
@citizen
@creates
def add_guest(public_id: str):
    case = _case(public_id)
    name, contact = _text("guest_name"), _text("guest_contact")
    try:
        guest = preparation.add_guest(current_user, case, name, contact, _text("guest_support") == "yes")
    except preparation.InvalidAnswer as invalid:
        errors = {"guest_" + field: _(message) for field, message in invalid.errors.items()}
        form = {"guest_name": name, "guest_contact": contact, "guest_support": _text("guest_support")}
        return _who_comes_page(case, errors, form)
    flash(_("%(name)s är tillagd.", name=guest.name), "success")
    return redirect(url_for(".who_comes", public_id=public_id, _anchor="guests"), 303)


@bp.route(BASE + f"/vilka-kommer/narstaende/{ITEM}/ta-bort", methods=["GET", "POST"])
@citizen
def remove_guest(public_id: str, item_id: str):
    case = _case(public_id)
    guest = next((g for g in preparation.guests(case) if g.public_id == item_id), None)
    if guest is None:
        abort(404)
    if request.method == "POST":
        preparation.remove_guest(current_user, case, item_id)
        flash(_("%(name)s är borttagen.", name=guest.name), "success")
        return redirect(url_for(".who_comes", public_id=public_id, _anchor="guests"), 303)
    return _render("preparation/remove_guest.html", case, guest=guest)


# --- Where and how -----------------------------------------------------------------------------------------


@bp.route(BASE + "/var-och-hur", methods=["GET", "POST"])
@citizen
def where_how(public_id: str):
    case = _case(public_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {name: _text(name) for name in ("place", "times_not_working", "interpreter")}
        adaptations = {kind: _text("adaptation_" + kind) for kind in preparation.ADAPTATIONS}
        form.update({"adaptation_" + kind: text for kind, text in adaptations.items()})
        try:
            preparation.save_where_how(
                current_user, case, form["place"], form["times_not_working"], form["interpreter"], adaptations
            )
        except preparation.InvalidAnswer as invalid:
            errors = _translated(invalid.errors)
        else:
            flash(_("Det är sparat."), "success")
            return redirect(url_for(".where_how", public_id=public_id), 303)
    else:
        saved = preparation.answers(case, preparation.Voice.PERSON).get(preparation.WHERE_HOW)
        choice = saved.choice if saved else {}
        form = {name: choice.get(name, "") for name in ("place", "times_not_working", "interpreter")}
        form.update({"adaptation_" + k: v for k, v in (choice.get("adaptations") or {}).items()})
    return _render("preparation/where_how.html", case, errors, form=form)


# --- The child's own code ("Min röst") ---------------------------------------------------------------------


def _child_case(public_id: str):
    case = _case(public_id)
    if not preparation.can_give_child_code(current_user, case):
        abort(404)
    return case


def _enter_code_address() -> str:
    """Where the child types the code (the child's pages are a blueprint of their own)."""
    try:
        return url_for("child.enter_code", _external=True)
    except BuildError:
        return url_for("start.show_start", _external=True).rstrip("/") + "/min-rost"


@bp.route(BASE + "/barnets-kod", methods=["GET", "POST"])
@citizen
def child_code(public_id: str):
    """A new code is shown once, in the answer to the POST: it is never stored, put in a URL or a cookie."""
    case = _child_case(public_id)
    code = None
    if request.method == "POST":
        try:
            made = preparation.give_child_code(current_user, case)
        except NotAllowed:
            abort(404)
        code = access_links.show_code(made.secret)
    html, status = _render(
        "preparation/child_code.html",
        case,
        code=code,
        address=_enter_code_address(),
        links=access_links.active_links(case, access_links.CHILD_PAGES),
    )
    return html, status, {"Cache-Control": "no-store"}


@bp.route(BASE + "/barnets-kod/stang", methods=["POST"])
@citizen
def close_child_code(public_id: str):
    case = _child_case(public_id)
    if preparation.close_child_codes(current_user, case):
        flash(_("Koden är stängd. Den fungerar inte längre."), "success")
    return redirect(url_for(".child_code", public_id=public_id), 303)


# --- Everything on one page, to print or show at the meeting -----------------------------------------------


def _shared_child_answers(case) -> dict:
    """The child's answers this guardian may read, in the order of the child's questions, empty ones out."""
    shared = preparation.child_answers_for(current_user, case)
    return {
        theme: shared[theme]
        for theme in preparation.CHILD_THEMES
        if theme in shared and (shared[theme].text or shared[theme].choice)
    }


def _chosen_unit_names(public_ids: list[str]) -> list[str]:
    """The names of the units the person chose, in the form's order (by name); a unit since removed is left
    out."""
    return sorted(preparation.unit_names(public_ids).values())


@bp.route(BASE + "/sammanfattning")
@citizen
def show_summary(public_id: str):
    case = _case(public_id)
    saved = preparation.answers(case, preparation.Voice.PERSON)
    who = saved.get(preparation.WHO_COMES)
    who_choice = who.choice if who else {}
    where = saved.get(preparation.WHERE_HOW)
    return _render(
        "preparation/show_summary.html",
        case,
        themes=preparation.themes_for(current_user, case),
        answers={theme: row.text for theme, row in saved.items()},
        items=preparation.agenda(case, preparation.AgendaList.TALK_ABOUT),
        private=preparation.private_list_for(current_user, case),
        who=who_choice,
        chosen_units=_chosen_unit_names(who_choice.get("units") or []),
        guests=preparation.guests(case),
        where=where.choice if where else {},
        # A guardian also reads what the child chose to share with the parents; None for everyone else.
        child_answers=_shared_child_answers(case) if preparation.is_guardian(current_user, case) else None,
        # To show the page at the meeting, the person can leave out what is for the coordinator only.
        show_private=request.args.get("privat") != "nej",
    )
