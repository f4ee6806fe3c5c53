"""The wrap-up (topics, outcome, follow-up, linking an unknown caller) and the advisor's
caseload: thin handlers on the desk's blueprint."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _

from agent_desk import caseload as caseloads
from agent_desk import i18n, records
from agent_desk import wrap_up as wrap_ups
from agent_desk.errors import DeskError
from agent_desk.views import bp, no_store
from customers.models import Contact
from customers.service import CustomerError, SearchResult
from hotline.access import Permission, requires

# What a handler may be refused, with a message to show.
REFUSALS = (DeskError, CustomerError)


@bp.app_template_filter("day")
def day(moment: date | None) -> str:
    """Show a day the reader's way ("7 gru 2026")."""
    return str(format_date(moment, "medium")) if moment is not None else ""


def centre_today() -> date:
    """Return today's date in the centre's time zone."""
    zone = ZoneInfo(current_app.extensions["hotline.settings"].timezone)
    return datetime.now(zone).date()


def wrap_up_form(
    contact: Contact, found: SearchResult | None = None, status: int = 200
) -> Response:
    """Render the wrap-up page of a contact, with what was typed if it came back refused."""
    page = render_template(
        "desk/wrap_up.html",
        contact=contact,
        outcomes=wrap_ups.WRAP_UP_OUTCOMES,
        topics=wrap_ups.WRAP_UP_TOPICS,
        given=request.form if request.method == "POST" else None,
        found=found,
    )
    return no_store(page, status)


def own_contact_or_404(contact_id: int) -> Contact:
    """Return one of the consultant's contacts, or answer 404."""
    return wrap_ups.own_contact(g.consultant, contact_id) or abort(404)


@bp.get("/wrap-up/<int:contact_id>")
@requires(Permission.TAKE_CALLS)
def wrap_up_page(contact_id: int) -> Any:
    """Show the wrap-up form of one of the consultant's contacts, to finish it late."""
    return wrap_up_form(own_contact_or_404(contact_id))


@bp.post("/wrap-up/<int:contact_id>")
@requires(Permission.TAKE_CALLS)
def wrap_up(contact_id: int) -> Any:
    """Save the wrap-up form; a refused one comes back with what was typed in it."""
    contact = own_contact_or_404(contact_id)
    try:
        form = wrap_ups.read_form(
            request.form.get("outcome", ""),
            request.form.get("notes", ""),
            request.form.getlist("topic"),
            request.form.get("follow_up", ""),
            request.form.get("follow_up_on", ""),
            today=centre_today(),
            current=wrap_ups.topics_of(contact),
        )
        wrap_ups.wrap_up(g.consultant, contact.id, form)
    except REFUSALS as exc:
        flash(i18n.refusal_text(exc), "error")
        return wrap_up_form(contact, status=400)
    flash(_("Contact saved."), "ok")
    if contact.customer_id:
        return redirect(url_for("desk.customer", customer_id=contact.customer_id))
    return redirect(url_for("desk.desk"))


@bp.post("/wrap-up/<int:contact_id>/find")
@requires(Permission.CUSTOMER_RECORDS)
def find_caller(contact_id: int) -> Any:
    """Search the customers for an unidentified caller (the search is audited)."""
    contact = own_contact_or_404(contact_id)
    found = records.search(g.consultant, request.form.get("q", ""))
    return wrap_up_form(contact, found=found)


@bp.post("/wrap-up/<int:contact_id>/link")
@requires(Permission.CUSTOMER_RECORDS)
def link_caller(contact_id: int) -> Any:
    """Put the call on the record of the customer the consultant's search found."""
    contact = own_contact_or_404(contact_id)
    try:
        chosen = request.form.get("customer_id", "")
        customer_id = (
            int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 12 else 0
        )
        wrap_ups.link_caller(g.consultant, contact.id, customer_id)
    except REFUSALS as exc:
        flash(i18n.refusal_text(exc), "error")
        return wrap_up_form(contact, status=400)
    flash(_("The call is now on the customer's record."), "ok")
    return redirect(url_for("desk.wrap_up_page", contact_id=contact.id))


@bp.post("/wrap-up/<int:contact_id>/new-customer")
@requires(Permission.CUSTOMER_RECORDS)
def start_customer(contact_id: int) -> Any:
    """Register the unidentified caller as a new customer and put the call on their record."""
    contact = own_contact_or_404(contact_id)
    caller = wrap_ups.NewCaller(
        first_name=request.form.get("first_name", ""),
        last_name=request.form.get("last_name", ""),
        pesel=request.form.get("pesel", ""),
        keep_number=request.form.get("keep_number") == "yes",
    )
    try:
        wrap_ups.start_customer(g.consultant, contact.id, caller)
    except REFUSALS as exc:
        flash(i18n.refusal_text(exc), "error")
        return wrap_up_form(contact, status=400)
    flash(_("New customer started; the call is on their record."), "ok")
    return redirect(url_for("desk.wrap_up_page", contact_id=contact.id))


@bp.get("/my-customers")
@requires(Permission.CUSTOMER_RECORDS)
def my_customers() -> Any:
    """Show the advisor's own customers, each with the last contact and what is due."""
    return no_store(
        render_template(
            "desk/my_customers.html",
            rows=caseloads.caseload(g.consultant),
            owed=caseloads.follow_ups_owed(g.consultant),
            today=centre_today(),
        )
    )


@bp.post("/follow-ups/<int:contact_id>/done")
@requires(Permission.CUSTOMER_RECORDS)
def follow_up_done(contact_id: int) -> Any:
    """Mark a follow-up done."""
    try:
        wrap_ups.finish_follow_up(g.consultant, contact_id)
    except DeskError as exc:
        flash(i18n.refusal_text(exc), "error")
        return redirect(url_for("desk.my_customers"))
    flash(_("Follow-up marked done."), "ok")
    return redirect(url_for("desk.my_customers"))
