"""The desk's privacy pages: legal holds, access and erasure requests, the purge's reports."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
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
from flask_babel import gettext as _
from flask_login import current_user

from agent_desk.i18n import DEFAULT_LANGUAGE
from consultants.access import may_supervise
from customers.audit import audit
from customers.models import Customer
from hotline.access import Permission, requires
from hotline.db import db
from hotline.settings import Settings
from hotline.telephony import telephony
from privacy import holds, retention, subject_rights
from recordings.storage import make_store

bp = Blueprint("privacy", __name__, url_prefix="/desk/privacy", template_folder="templates")


def settings() -> Settings:
    """Return the centre's settings."""
    return current_app.extensions["hotline.settings"]  # type: ignore[no-any-return]


@bp.before_request
def load_supervisor() -> None:
    """Make the signed-in person g.consultant (the role matrix has let only supervisors in)."""
    g.consultant = current_user if current_user.is_authenticated else None


@bp.app_context_processor
def inject_supervision() -> dict[str, Any]:
    """Tell every page whether its person may open the privacy pages (for their links)."""
    person = current_user if current_user.is_authenticated else None
    return {"privacy_allowed": may_supervise(person)}


def the_customer(customer_id: int) -> Customer:
    """Return the customer asked for, or answer 404."""
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        abort(404)
    return customer


@bp.get("/customers/<int:customer_id>")
@requires(Permission.SUPERVISE)
def customer_page(customer_id: int) -> str:
    """Show a customer's holds, and the access and erasure actions; the view is audited."""
    customer = the_customer(customer_id)
    audit(g.consultant.id, customer_id, "record.view", {"grounds": "supervision"})
    return render_template(
        "privacy/customer.html", customer=customer, holds=holds.holds_of(customer_id)
    )


@bp.get("/customers/<int:customer_id>/export.<any(json, html):form>")
@requires(Permission.SUPERVISE)
def export(customer_id: int, form: str) -> Response:
    """Hand over everything held about a customer, as JSON or a printable page; audited."""
    the_customer(customer_id)
    exported = subject_rights.export_customer(g.consultant, customer_id)
    if form == "html":
        language = request.args.get("language", DEFAULT_LANGUAGE)
        return Response(
            subject_rights.export_html(exported, language),
            mimetype="text/html",
            headers={"Content-Security-Policy": subject_rights.EXPORT_POLICY},
        )
    return Response(
        json.dumps(exported, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="customer-{customer_id}.json"'},
    )


@bp.post("/customers/<int:customer_id>/holds")
@requires(Permission.SUPERVISE)
def place_hold(customer_id: int) -> Any:
    """Place a legal hold on a customer's data."""
    try:
        holds.place_hold(g.consultant, customer_id, request.form.get("reason", ""))
        flash(_("Legal hold placed: the purge keeps this customer's data."), "ok")
    except holds.HoldError as exc:
        flash(str(exc), "error")
    return redirect(url_for("privacy.customer_page", customer_id=customer_id))


@bp.post("/holds/<int:hold_id>/release")
@requires(Permission.SUPERVISE)
def release_hold(hold_id: int) -> Any:
    """Release a legal hold."""
    try:
        hold = holds.release_hold(g.consultant, hold_id)
    except holds.HoldError as exc:
        abort(404, str(exc))
    flash(_("Legal hold released."), "ok")
    return redirect(url_for("privacy.customer_page", customer_id=hold.customer_id))


@bp.post("/customers/<int:customer_id>/erase")
@requires(Permission.SUPERVISE)
def erase(customer_id: int) -> Any:
    """Erase a customer's personal data, once the supervisor has confirmed it."""
    the_customer(customer_id)
    if request.form.get("confirm") != "erase":
        flash(_("Type %(word)s to confirm.", word="erase"), "error")
    else:
        try:
            subject_rights.erase_customer(
                g.consultant,
                customer_id,
                telephony.current(),
                make_store(settings().recording_folder),
            )
            flash(_("The customer's personal data was erased."), "ok")
        except subject_rights.ErasureRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for("privacy.customer_page", customer_id=customer_id))


@bp.get("/retention")
@requires(Permission.SUPERVISE)
def reports() -> str:
    """Show the retention periods and the purge's latest reports."""
    return render_template(
        "privacy/retention.html",
        periods=settings().retention_days,
        reports=retention.recent_reports(),
    )
