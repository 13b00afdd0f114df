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
from citizen_app.services import NotAllowed, access_links, cases, outreach, preparation, readers
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.preparation import (
    AgendaItemForm,
    ChildCodeForm,
    GuestForm,
    MarkForm,
    MoveForm,
    ShareAgendaForm,
    SuggestionForm,
    ThemeAnswerForm,
    WhereHowForm,
    WhoComesForm,
)
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


def _subject_name(case) -> str | None:
    """Whom the case is about, as the questions name them: None when it is the signed-in person themself."""
    if case.subject_id == current_user.id or case.subject is None:
        return None
    return case.subject.display_name


def _about(case) -> dict:
    """What every preparation page shows: the case, and whom it is about."""
    return {"case": case, "subject_name": _subject_name(case)}


def _start_url(public_id: str) -> str:
    return url_for("preparation.show_preparation", public_id=public_id)


# --- The start page ------------------------------------------------------------------------------------


@bp.route(BASE)
@citizen
def show_preparation(public_id: str):
    case = _case(public_id)
    return form_page(
        "preparation/show_preparation.html",
        **_about(case),
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
    if request.method == "POST":
        form = ThemeAnswerForm()
        try:
            preparation.save_answer(current_user, case, theme, form.text.data)
        except preparation.InvalidAnswer as invalid:
            add_errors(form, invalid.errors)
        if form.autosave.data and _is_htmx():
            # Saved as the person writes (htmx, on change): only the small status line changes.
            return form_page("preparation/_saved.html", form)
        if not form.page_errors:
            flash(_("Svaret är sparat."), "success")
            if index + 1 < len(themes):
                return redirect(_theme_url(public_id, themes[index + 1]), 303)
            return redirect(_start_url(public_id), 303)
    else:
        saved = preparation.answers(case, preparation.Voice.PERSON).get(theme)
        form = ThemeAnswerForm(data={"text": saved.text if saved else ""})
    previous = themes[index - 1] if index else None
    return form_page(
        "preparation/answer_theme.html",
        **_about(case),
        form=form,
        theme=theme,
        number=index + 1,
        total=len(themes),
        back=_theme_url(public_id, previous) if previous else _start_url(public_id),
    )


# --- "Det här vill jag prata om": the ordered agenda ------------------------------------------------------


def _talk_about_page(case, form=None, share_form=None, moved=None):
    """The agenda page with its two forms: a thing to add (``form``) and whether relatives see the list."""
    talk = preparation.AgendaList.TALK_ABOUT
    return form_page(
        "preparation/talk_about.html",
        **_about(case),
        form=form or AgendaItemForm(formdata=None),
        share_form=share_form or ShareAgendaForm.of(preparation.relatives_see_agenda(case)),
        items=preparation.agenda(case, talk),
        suggestions=preparation.agenda(case, talk, preparation.SuggestionStatus.PENDING),
        moved=moved,
    )


@bp.route(BASE + "/att-prata-om", methods=["GET", "POST"])
@citizen
@creates
def talk_about(public_id: str):
    case = _case(public_id)
    if request.method == "POST":
        form = AgendaItemForm()
        try:
            preparation.add_item(current_user, case, preparation.AgendaList.TALK_ABOUT, form.text.data)
        except preparation.InvalidAnswer as invalid:
            add_errors(form, invalid.errors)
            return _talk_about_page(case, form)
        flash(_("Det är tillagt i listan."), "success")
        return redirect(url_for(".talk_about", public_id=public_id), 303)
    moved = session.pop(MOVED, None)  # a note for this one page, like a flashed message: not a form
    return _talk_about_page(case, moved=moved)


@bp.route(BASE + f"/att-prata-om/{ITEM}/flytta", methods=["POST"])
@citizen
def move_item(public_id: str, item_id: str):
    """Up or down one place. The new place is said in a status message, and the keyboard stays at the moved
    item's button, so Enter moves it on: htmx keeps the focus there; without JavaScript the new page opens
    with the focus on that button (its #id), which then also reads out the status as its description."""
    case = _case(public_id)
    direction = MoveForm().direction.data
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
    on = MarkForm().marked
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
    form = SuggestionForm()
    if not form.validate():
        abort(400)
    answer = form.answer.data
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
    share_form = ShareAgendaForm()
    if not share_form.validate():
        # What was sent is none of the choices: the saved one stays checked, with the error next to it.
        share_form.share.data = "yes" if preparation.relatives_see_agenda(case) else "no"
        return _talk_about_page(case, share_form=share_form)
    share = share_form.share.data
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
    form = AgendaItemForm()
    if request.method == "POST":
        try:
            preparation.add_item(current_user, case, preparation.AgendaList.NOT_TALK_ABOUT, form.text.data)
        except preparation.InvalidAnswer as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Det är tillagt i listan."), "success")
            return redirect(url_for(".not_talk_about", public_id=public_id), 303)
    return form_page(
        "preparation/not_talk_about.html",
        **_about(case),
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
    return form_page("preparation/remove_item.html", **_about(case), item=item, back=back)


# --- Who should come -------------------------------------------------------------------------------------


def _who_comes_page(case, form=None, guest_form=None):
    """The page with its two forms: who comes (``form``) and a guest to add (``guest_form``).

    When one of them was posted and refused, the other one is shown empty, as it always was."""
    if form is None and guest_form is None:
        saved = preparation.answers(case, preparation.Voice.PERSON).get(preparation.WHO_COMES)
        form = WhoComesForm.of(saved.choice if saved else None)
    return form_page(
        "preparation/who_comes.html",
        **_about(case),
        form=form or WhoComesForm.of(None),
        guest_form=guest_form or GuestForm(formdata=None),
        units=preparation.covered_units(case),
        guests=preparation.guests(case),
    )


@bp.route(BASE + "/vilka-kommer", methods=["GET", "POST"])
@citizen
def who_comes(public_id: str):
    case = _case(public_id)
    if request.method == "POST":
        form = WhoComesForm()
        try:
            preparation.save_who_comes(
                current_user, case, form.units.data, form.support_person.data, form.coordinator_wish.data
            )
        except preparation.InvalidAnswer as invalid:
            add_errors(form, invalid.errors)
            return _who_comes_page(case, form=form)
        flash(_("Det är sparat."), "success")
        return redirect(url_for(".who_comes", public_id=public_id), 303)
    return _who_comes_page(case)


@bp.route(BASE + "/vilka-kommer/narstaende", methods=["POST"])
@citizen
@creates
def add_guest(public_id: str):
    case = _case(public_id)
    form = GuestForm()
    try:
        guest = preparation.add_guest(
            current_user, case, form.guest_name.data, form.guest_contact.data, form.is_support_person
        )
    except preparation.InvalidAnswer as invalid:
        add_errors(form, GuestForm.errors_of(invalid.errors))
        return _who_comes_page(case, guest_form=form)
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
    return form_page("preparation/remove_guest.html", **_about(case), guest=guest)


# --- Where and how -----------------------------------------------------------------------------------------


@bp.route(BASE + "/var-och-hur", methods=["GET", "POST"])
@citizen
def where_how(public_id: str):
    case = _case(public_id)
    if request.method == "POST":
        form = WhereHowForm()
        try:
            preparation.save_where_how(
                current_user,
                case,
                form.place.data,
                form.times_not_working.data,
                form.interpreter.data,
                form.adaptations,
            )
        except preparation.InvalidAnswer as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Det är sparat."), "success")
            return redirect(url_for(".where_how", public_id=public_id), 303)
    else:
        saved = preparation.answers(case, preparation.Voice.PERSON).get(preparation.WHERE_HOW)
        form = WhereHowForm.of(saved.choice if saved else None)
    return form_page("preparation/where_how.html", **_about(case), form=form)


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
    """A new code for the child [issue 18]: Min SIP sends it by SMS or e-mail to the number or address the
    guardian types, when it can send at all (services/outreach.py). When it cannot (the demo), the code is
    shown once, in the answer to the POST, and the page says so: it is never stored, put in a URL or a cookie.
    """
    case = _child_case(public_id)
    code = None
    can_send = outreach.any_on()
    form = (
        ChildCodeForm()
        if request.method == "POST"
        else ChildCodeForm(data={"address": outreach.known_contact(case.subject)})
    )
    if request.method == "POST":
        try:
            send_to = outreach.parse_for_sending(form.address.data, "address") if can_send else None
        except outreach.InvalidContact as invalid:
            add_errors(form, invalid.errors)
        else:
            try:
                made = preparation.give_child_code(current_user, case)
            except NotAllowed:
                abort(404)
            if send_to is None:
                code = access_links.show_code(made.secret)
            else:
                outreach.send_child_code(
                    current_user, case, send_to, access_links.show_code(made.secret), _enter_code_address()
                )
                flash(
                    _(
                        "Koden är skickad till %(address)s. En gammal kod fungerar inte längre.",
                        address=send_to.shown,
                    ),
                    "success",
                )
                return redirect(url_for(".child_code", public_id=public_id), 303)
    html, status = form_page(
        "preparation/child_code.html",
        form,
        **_about(case),
        code=code,
        can_send=can_send,
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
    return form_page(
        "preparation/show_summary.html",
        **_about(case),
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
