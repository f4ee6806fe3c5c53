"""The desk's administration: people, customers, offices and their imports (administrators),
the FAQ editor and its imports (content editors), and a supervisor's reassignment of a
customer's advisor."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.utils import secure_filename

from administration import people, register
from administration.content import FAQ_FIELDS, OFFICE_FIELDS, problem_texts
from administration.fields import FieldErrors, field_name
from administration.imports import ADMIN_TARGETS, FAQ_TARGETS, start_admin_import
from administration.people import PERSON_FIELDS, ROLE_NAMES
from administration.register import CUSTOMER_FIELDS
from consultants.models import Consultant
from customers.audit import audit
from customers.models import REGISTRATION_STATUSES, Customer
from customers.service import mask_pesel
from hotline.access import Permission, requires
from hotline.db import db
from hotline.settings import instance_dir
from hotline.speech import LANGUAGES
from knowledge import editor
from knowledge.imports import ImportRequestError, import_status, recent_imports
from routing.extension import services as routing_services

bp = Blueprint("admin", __name__, url_prefix="/desk", template_folder="templates")
# Form fields sent as several checkboxes, joined into one list as a CSV cell would be.
LIST_FIELDS = ("roles", "languages")


@bp.before_request
def load_person() -> None:
    """Make the signed-in person g.consultant for the desk's page frame."""
    g.consultant = current_user if current_user.is_authenticated else None


def given(form: MultiDict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """Return the fields a form sent, lists joined; a field not sent is left out (a checkbox
    list counts as sent when the form marks it with NAME_sent)."""
    fields = {name: form[name] for name in names if name in form and name not in LIST_FIELDS}
    for name in LIST_FIELDS:
        if name in names and f"{name}_sent" in form:
            fields[name] = ",".join(form.getlist(name))
    return fields


def saved_message(changed: list[str]) -> str:
    """Return what a save changed, field by field, in the reader's words."""
    if not changed:
        return str(_("Nothing changed."))
    names = list(dict.fromkeys(field_name(name) for name in changed))
    return str(_("Saved: %(fields)s.", fields=", ".join(names)))


def actor() -> int:
    """Return the id of the person acting."""
    return int(g.consultant.id)


# Administration home ---------------------------------------------------------------------


@bp.get("/admin/")
@requires(Permission.ADMINISTER)
def index() -> str:
    """Show the administration's sections."""
    return render_template("admin/index.html", people=people.people())


# People ----------------------------------------------------------------------------------


@bp.route("/admin/people/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_person() -> Any:
    """Create an account, then show its one-time password once."""
    if request.method == "GET":
        return person_form(None)
    try:
        values = people.read_person(given(request.form, PERSON_FIELDS), None)
        person, password = people.create_person(values, actor())
    except FieldErrors as exc:
        return person_form(None, exc.reasons), 400
    return render_template("admin/password.html", person=person, password=password, new=True)


def person_form(person: Consultant | None, problems: list[str] | None = None) -> str:
    """Render the form for a person, new or existing."""
    return render_template(
        "admin/person.html", person=person, problems=problems or [], languages=LANGUAGES,
        roles=ROLE_NAMES, offices=editor.offices(), form=request.form,
    )  # fmt: skip


@bp.route("/admin/people/<int:person_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def person(person_id: int) -> Any:
    """Show and change a person's account: details, roles, active or disabled."""
    found = db.session.get(Consultant, person_id) or abort(404)
    if request.method == "GET":
        return person_form(found)
    try:
        values = people.read_person(given(request.form, PERSON_FIELDS), found)
        changed = people.update_person(found, values, actor(), routing_services().engine)
    except FieldErrors as exc:
        return person_form(found, exc.reasons), 400
    flash(saved_message(changed), "ok")
    return redirect(url_for("admin.person", person_id=person_id))


@bp.post("/admin/people/<int:person_id>/password")
@requires(Permission.ADMINISTER)
def reset_password(person_id: int) -> str:
    """Give a person a new one-time password, shown once."""
    found = db.session.get(Consultant, person_id) or abort(404)
    password = people.reset_password(found, actor())
    return render_template("admin/password.html", person=found, password=password, new=False)


# Customers -------------------------------------------------------------------------------


def customer_form(customer: Customer | None, problems: list[str] | None = None) -> str:
    """Render the form for a customer, new or existing (PESEL masked)."""
    return render_template(
        "admin/customer.html", customer=customer, problems=problems or [], languages=LANGUAGES,
        statuses=REGISTRATION_STATUSES, advisors=register.advisors(), offices=editor.offices(),
        masked=mask_pesel(customer.pesel) if customer else "", form=request.form,
    )  # fmt: skip


@bp.route("/admin/customers/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_customer() -> Any:
    """Register a customer."""
    if request.method == "GET":
        return customer_form(None)
    try:
        values = register.read_customer(given(request.form, CUSTOMER_FIELDS), None)
        customer = register.create_customer(values, actor())
    except FieldErrors as exc:
        return customer_form(None, exc.reasons), 400
    flash(_("%(name)s is registered.", name=customer.full_name), "ok")
    return redirect(url_for("admin.customer", customer_id=customer.id))


@bp.route("/admin/customers/<int:customer_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def customer(customer_id: int) -> Any:
    """Show and correct a customer's register entry; each look and change is audited."""
    found = db.session.get(Customer, customer_id) or abort(404)
    if request.method == "GET":
        with db.transaction():
            audit(actor(), found.id, "customer.view", {"where": "administration"})
        return customer_form(found)
    fields = given(request.form, CUSTOMER_FIELDS)
    if not fields.get("pesel", "").strip() or "*" in fields.get("pesel", ""):
        fields.pop("pesel", None)  # the masked PESEL shown is not a new one
    try:
        values = register.read_customer(fields, found)
        changed = register.update_customer(found, values, actor())
    except FieldErrors as exc:
        return customer_form(found, exc.reasons), 400
    flash(saved_message(changed), "ok")
    return redirect(url_for("admin.customer", customer_id=customer_id))


@bp.route("/customers/<int:customer_id>/advisor", methods=["GET", "POST"])
@requires(Permission.SUPERVISE)
def reassign_advisor(customer_id: int) -> Any:
    """Give a customer another advisor, with the reason, audited (supervisors)."""
    found = db.session.get(Customer, customer_id) or abort(404)
    problems: list[str] = []
    if request.method == "POST":
        raw = request.form.get("advisor_id", "").strip()
        try:
            advisor_id = int(raw) if raw else None
            register.reassign_advisor(found, advisor_id, actor(), request.form.get("reason", ""))
        except FieldErrors as exc:
            problems = exc.reasons
        except ValueError:
            problems = [_("Choose a consultant from the list.")]
        else:
            flash(_("Advisor reassigned."), "ok")
            return redirect(url_for("admin.reassign_advisor", customer_id=customer_id))
    else:
        with db.transaction():
            audit(actor(), found.id, "customer.view", {"where": "advisor reassignment"})
    return render_template(
        "admin/advisor.html", customer=found, advisors=register.advisors(), problems=problems,
        current=db.session.get(Consultant, found.advisor_id) if found.advisor_id else None,
    ), (400 if problems else 200)  # fmt: skip


# Offices ---------------------------------------------------------------------------------


@bp.get("/admin/offices")
@requires(Permission.ADMINISTER)
def offices() -> str:
    """List the offices."""
    return render_template("admin/offices.html", offices=editor.offices())


@bp.route("/admin/offices/<code>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def office(code: str) -> Any:
    """Show and change an office (or create one under a new code)."""
    code = code.upper()
    found = next((o for o in editor.offices() if o.code == code), None)
    if request.method == "POST":
        form = request.form
        details = editor.OfficeDetails(
            code=code, name=form.get("name", ""), address=form.get("address", ""),
            phone=form.get("phone", "").strip() or None,
            opening_hours=form.get("opening_hours", ""),
            hours_by_language={
                language: form.get(f"hours_{language}", "") for language in LANGUAGES
                if language != "pl" and f"hours_{language}" in form
            },
            region_code=form.get("region_code"), city=form.get("city"),
        )  # fmt: skip
        try:
            editor.save_office(details)
        except editor.EditError as exc:
            return render_template("admin/office.html", office=found, code=code,
                                   problems=problem_texts(exc.reasons),
                                   languages=LANGUAGES), 400  # fmt: skip
        flash(_("Office saved; callers hear it within a minute."), "ok")
        return redirect(url_for("admin.office", code=code))
    return render_template(
        "admin/office.html", office=found, code=code, problems=[], languages=LANGUAGES
    )


# Imports of people, customers and offices -----------------------------------------------------


def start_upload(allowed: tuple[str, ...], back: str, shown: str) -> Any:
    """Keep an uploaded CSV and start its import (a target of those allowed on this page);
    go to the run's page, or back to the list with the reason."""
    upload = request.files.get("file")
    target = request.form.get("target", "")
    if upload is None or not upload.filename:
        flash(_("Choose a file to import."), "error")
        return redirect(url_for(back))
    folder = instance_dir() / "imports" / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (secure_filename(upload.filename) or "upload.csv")
    path.write_bytes(upload.read())
    try:
        run = start_admin_import(target, path, actor(), f"desk:{g.consultant.login}", allowed)
    except ImportRequestError as exc:
        path.unlink(missing_ok=True)
        flash(str(exc), "error")
        return redirect(url_for(back))
    return redirect(url_for(shown, run_id=run.id))


def run_page(run_id: int, targets: tuple[str, ...], poll: str) -> str:
    """Show an import of these targets: progress, counts, every skipped row's reason."""
    progress = import_status(run_id)
    if progress is None or progress.target not in targets:
        abort(404)
    poll_url = url_for(poll, run_id=run_id)
    return render_template("desk/import_run.html", progress=progress, poll_url=poll_url)


def run_state(run_id: int, targets: tuple[str, ...]) -> Any:
    """Return an import's progress as JSON (one of these targets), polled by its page."""
    progress = import_status(run_id)
    if progress is None or progress.target not in targets:
        abort(404, "no such import")
    return progress.as_dict()


@bp.route("/admin/imports", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def imports() -> Any:
    """List imports of people, customers and offices, and start one from an uploaded CSV."""
    if request.method == "POST":
        return start_upload(ADMIN_TARGETS, "admin.imports", "admin.import_run")
    return render_template(
        "admin/imports.html", runs=recent_imports(targets=ADMIN_TARGETS),
        person_columns=[name for name in PERSON_FIELDS if name != "login"],
        customer_columns=[name for name in CUSTOMER_FIELDS if name != "pesel"],
        office_columns=[name for name in OFFICE_FIELDS if name != "code"],
    )  # fmt: skip


@bp.get("/admin/imports/<int:run_id>")
@requires(Permission.ADMINISTER)
def import_run(run_id: int) -> str:
    """Show an import of people, customers or offices."""
    return run_page(run_id, ADMIN_TARGETS, "admin.import_run_state")


@bp.get("/admin/api/imports/<int:run_id>")
@requires(Permission.ADMINISTER)
def import_run_state(run_id: int) -> Any:
    """Return an import's progress as JSON, polled by its page."""
    return run_state(run_id, ADMIN_TARGETS)


# The FAQ editor ----------------------------------------------------------------------------


@bp.get("/faq")
@requires(Permission.EDIT_FAQ)
def faq() -> str:
    """List the FAQ texts with their drafts, and what the FAQ still lacks for callers."""
    return render_template(
        "admin/faq.html",
        entries=editor.faq_entries(),
        problems=problem_texts(editor.completeness()),
        runs=recent_imports(limit=5, targets=FAQ_TARGETS),
        columns=[name for name in FAQ_FIELDS if name not in ("topic", "language")],
    )


@bp.post("/faq/imports")
@requires(Permission.EDIT_FAQ)
def faq_import() -> Any:
    """Start an import of FAQ texts from an uploaded CSV: each text becomes a draft."""
    return start_upload(FAQ_TARGETS, "admin.faq", "admin.faq_import_run")


@bp.get("/faq/imports/<int:run_id>")
@requires(Permission.EDIT_FAQ)
def faq_import_run(run_id: int) -> str:
    """Show an import of FAQ texts."""
    return run_page(run_id, FAQ_TARGETS, "admin.faq_import_run_state")


@bp.get("/faq/api/imports/<int:run_id>")
@requires(Permission.EDIT_FAQ)
def faq_import_run_state(run_id: int) -> Any:
    """Return an FAQ import's progress as JSON, polled by its page."""
    return run_state(run_id, FAQ_TARGETS)


@bp.route("/faq/<topic>/<language>", methods=["GET", "POST"])
@requires(Permission.EDIT_FAQ)
def faq_entry(topic: str, language: str) -> Any:
    """Edit a text as a draft; callers keep hearing the published text until it is reviewed."""
    entry = editor.faq_entry(topic, language)
    problems: list[str] = []
    if request.method == "POST":
        form = request.form
        text = editor.FaqText(
            title=form.get("title", ""), body=form.get("body", ""),
            sms_body=form.get("sms_body", ""), source=form.get("source", ""),
        )  # fmt: skip
        try:
            editor.save_draft(topic, language, text, g.consultant.name)
        except editor.EditError as exc:
            problems = problem_texts(exc.reasons)
        else:
            flash(_("Draft saved. Another editor reviews and publishes it."), "ok")
            return redirect(url_for("admin.faq_entry", topic=topic, language=language))
    status = 400 if problems else 200
    return render_template(
        "admin/faq_entry.html", entry=entry, topic=topic, language=language, problems=problems
    ), status


@bp.post("/faq/<topic>/<language>/publish")
@requires(Permission.EDIT_FAQ)
def publish_faq(topic: str, language: str) -> Any:
    """Publish a draft as its reviewer: callers hear it from now on."""
    try:
        editor.publish(topic, language, g.consultant.name)
    except editor.EditError as exc:
        flash("; ".join(problem_texts(exc.reasons)), "error")
    else:
        flash(_("Published: callers hear the new text now."), "ok")
    return redirect(url_for("admin.faq_entry", topic=topic, language=language))
