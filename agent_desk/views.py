"""The consultant's desk: sign-in, the live desk page and customer records."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from agent_desk import softphone, supervision, uploads
from agent_desk import state as states
from agent_desk import wrap_up as wrap_ups
from agent_desk.errors import DeskError, SoftphoneNotSetUp
from consultants import service as consultants
from consultants.models import Consultant
from customers import service as customers_service
from customers.audit import audit_trail
from customers.contacts import contacts_of
from customers.models import Contact, Customer
from hotline.db import db, utcnow
from hotline.telephony import TelephonyError
from knowledge.imports import ImportRequestError, import_status, recent_imports
from knowledge.imports import start_import as begin_import
from recordings import service as recordings
from recordings import voicemail as voicemails
from recordings.voicemail import VoicemailError
from routing import board as queue_board
from routing.extension import services as routing_services

log = logging.getLogger(__name__)

# What a consultant may be refused, with a message to show them.
REFUSALS = (DeskError, customers_service.CustomerError, VoicemailError)

bp = Blueprint(
    "desk",
    __name__,
    url_prefix="/desk",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def csrf_token() -> str:
    """Return this browser session's CSRF token, creating it once."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return str(session["csrf"])


@bp.app_template_filter("local")
def local_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Show a stored UTC time in the centre's own time zone."""
    if moment is None:
        return ""
    zone = ZoneInfo(current_app.extensions["hotline.settings"].timezone)
    return moment.astimezone(zone).strftime(pattern)


@bp.app_context_processor
def inject_csrf() -> dict[str, Any]:
    """Make the CSRF token available to every template."""
    return {"csrf_token": csrf_token}


@bp.context_processor
def inject_voicemail_count() -> dict[str, Any]:
    """Tell every desk page how many voicemails wait, for the menu."""
    if getattr(g, "consultant", None) is None:
        return {}
    return {"voicemail_waiting": voicemails.voicemail_waiting()}


@bp.context_processor
def inject_softphone() -> dict[str, Any]:
    """Tell every desk page's softphone whether it rings in the emulator or through Twilio."""
    settings = current_app.extensions["hotline.settings"]
    return {"softphone_emulator": settings.twilio_api_url if settings.uses_emulator else None}


@bp.before_request
def load_consultant() -> Response | None:
    """Load the signed-in consultant and check the CSRF token on every change."""
    consultant_id = session.get("consultant_id")
    g.consultant = consultants.by_id(consultant_id)
    if g.consultant is not None:
        states.at_desk(g.consultant)
    if request.method == "POST" and request.endpoint != "desk.login":
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
        if not sent or sent != session.get("csrf"):
            abort(400, "missing or wrong CSRF token; reload the page")
    return None


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous visitors to the sign-in page (or answer 401 to the API)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.consultant is None:
            if request.path.startswith("/desk/api/"):
                return jsonify(error="sign in first"), 401
            return redirect(url_for("desk.login", next=request.path))
        return view(*args, **kwargs)

    return wrapper


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign a consultant in."""
    if request.method == "POST":
        consultant = consultants.authenticate(
            request.form.get("login", ""), request.form.get("password", "")
        )
        if consultant is None:
            flash("Wrong login or password.", "error")
            return render_template("desk/login.html"), 401
        session.clear()
        session["consultant_id"] = consultant.id
        target = request.args.get("next", "")
        return redirect(target if target.startswith("/desk") else url_for("desk.desk"))
    return render_template("desk/login.html")


@bp.post("/logout")
def logout() -> Any:
    """Sign out, going offline first."""
    if g.consultant is not None:
        with contextlib.suppress(DeskError):
            states.change_state(g.consultant, "offline")
        states.at_desk(g.consultant, signed_in=False)
    session.clear()
    return redirect(url_for("desk.login"))


@bp.get("/")
@signed_in
def desk() -> str:
    """Show the desk: state buttons, the incoming call, the wrap-up form."""
    pending = wrap_ups.pending_wrap_up(g.consultant)
    return render_template(
        "desk/desk.html",
        consultant=g.consultant,
        outcomes=wrap_ups.WRAP_UP_OUTCOMES,
        pending=pending,
        unfinished=wrap_ups.unfinished_wrap_ups(g.consultant, but=pending),
    )


@bp.get("/board")
@signed_in
def board() -> str:
    """Show the queue board: the queue now, the day so far, and staffing advice."""
    return render_template("desk/board.html")


@bp.get("/api/board")
@signed_in
def board_figures() -> Response:
    """Return the board's figures, polled by the board page."""
    settings = current_app.extensions["hotline.settings"]
    engine = routing_services().engine
    return jsonify(queue_board.board(engine, utcnow(), settings.timezone))


@bp.get("/api/token")
@signed_in
def softphone_token() -> Any:
    """Give the consultant's browser softphone a fresh access token for their own identity."""
    settings = current_app.extensions["hotline.settings"]
    try:
        token = softphone.access_token(settings, g.consultant)
    except SoftphoneNotSetUp as exc:
        return jsonify(error=str(exc)), 503
    response = jsonify(token.as_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/state")
@signed_in
def state() -> Response:
    """Return the consultant's live state and caller, polled by the desk page."""
    current = states.desk_state(g.consultant)
    pending = wrap_ups.pending_wrap_up(g.consultant)
    current["wrap_up_contact_id"] = pending.id if pending else None
    return jsonify(current)


@bp.post("/api/state")
@signed_in
def change_state() -> Any:
    """Go available, on a break or offline."""
    body = request.get_json(silent=True) or request.form
    try:
        states.change_state(g.consultant, body.get("state", ""), body.get("reason", ""))
    except REFUSALS as exc:
        return jsonify(error=str(exc)), 409
    return jsonify(states.desk_state(g.consultant))


def save_outcome(
    save: Callable[[Consultant, int, str, str], Contact], ident: int, saved: str, back: str
) -> Any:
    """Save an outcome form (the outcome and notes of a contact) with save, then go to the
    customer's record, or back to the endpoint back for an unknown caller or an error."""
    try:
        contact = save(
            g.consultant, ident, request.form.get("outcome", ""), request.form.get("notes", "")
        )
    except REFUSALS as exc:
        flash(str(exc), "error")
        return redirect(url_for(back))
    flash(saved, "ok")
    if contact.customer_id:
        return redirect(url_for("desk.customer", customer_id=contact.customer_id))
    return redirect(url_for(back))


@bp.get("/wrap-up/<int:contact_id>")
@signed_in
def wrap_up_page(contact_id: int) -> Any:
    """Show the wrap-up form of one of the consultant's contacts, to finish it late."""
    contact = wrap_ups.own_contact(g.consultant, contact_id)
    if contact is None:
        abort(404)
    return render_template("desk/wrap_up.html", contact=contact, outcomes=wrap_ups.WRAP_UP_OUTCOMES)


@bp.post("/wrap-up/<int:contact_id>")
@signed_in
def wrap_up(contact_id: int) -> Any:
    """Save the wrap-up form."""
    return save_outcome(wrap_ups.wrap_up, contact_id, "Contact saved.", "desk.desk")


@bp.get("/voicemail")
@signed_in
def voicemail() -> str:
    """List the voicemails nobody has handled yet."""
    return render_template(
        "desk/voicemail.html",
        inbox=voicemails.voicemail_inbox(),
        outcomes=wrap_ups.WRAP_UP_OUTCOMES,
    )


@bp.get("/voicemail/<int:recording_id>/audio")
@signed_in
def voicemail_audio(recording_id: int) -> Response:
    """Play a voicemail, fetched from the phone network that holds it."""
    recording = voicemails.voicemail_recording(recording_id)
    if recording is None:
        abort(404)
    try:
        sound = recordings.audio(recording)
    except TelephonyError:
        log.exception("call %s: could not fetch voicemail %s", recording.call_sid, recording_id)
        return Response("The phone network did not give us the recording; try again.\n", 502)
    return Response(sound, mimetype="audio/wav", headers={"Cache-Control": "private, no-store"})


@bp.post("/voicemail/<int:recording_id>")
@signed_in
def handle_voicemail(recording_id: int) -> Any:
    """Mark a voicemail handled, with what was done, on the caller's record."""
    return save_outcome(
        voicemails.handle_voicemail, recording_id, "Voicemail handled and logged.", "desk.voicemail"
    )


@bp.get("/customers")
@signed_in
def customers() -> str:
    """Search customers."""
    text = request.args.get("q", "")
    return render_template(
        "desk/customers.html", query=text, results=customers_service.search_customers(text)
    )


@bp.get("/customers/<int:customer_id>")
@signed_in
def customer(customer_id: int) -> str:
    """Show a customer's record, contacts and audit trail."""
    record = db.session.get(Customer, customer_id) or abort(404)
    return render_template(
        "desk/customer.html",
        customer=record,
        contacts=contacts_of(customer_id),
        history=audit_trail(customer_id),
        advisor=db.session.get(Consultant, record.advisor_id) if record.advisor_id else None,
    )


@bp.post("/customers/<int:customer_id>")
@signed_in
def update_customer(customer_id: int) -> Any:
    """Save changes to a customer's record."""
    try:
        customers_service.update_customer(
            g.consultant.id,
            customer_id,
            address=request.form.get("address", ""),
            phone=request.form.get("phone", ""),
            action_plan_notes=request.form.get("action_plan_notes", ""),
        )
        flash("Record updated.", "ok")
    except REFUSALS as exc:
        flash(str(exc), "error")
    return redirect(url_for("desk.customer", customer_id=customer_id))


@bp.get("/imports")
@signed_in
def imports() -> str:
    """List recent imports and offer a form to start one."""

    return render_template("desk/imports.html", runs=recent_imports())


@bp.post("/imports")
@signed_in
def start_import() -> Any:
    """Save an uploaded feed and start importing it in the background."""

    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a file to import.", "error")
        return redirect(url_for("desk.imports"))
    try:
        saved = uploads.save_upload(upload.filename, upload.stream)
        kind = request.form.get("format") or saved.suffix.lstrip(".").lower()
        run = begin_import(
            kind,
            saved,
            f"desk:{g.consultant.login}",
            target=request.form.get("target", "vacancies"),
        )
    except (ImportRequestError, DeskError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("desk.imports"))
    return redirect(url_for("desk.import_run", run_id=run.id))


@bp.get("/imports/<int:run_id>")
@signed_in
def import_run(run_id: int) -> str:
    """Show one import: its progress, counts and the rows it skipped."""

    progress = import_status(run_id) or abort(404)
    return render_template("desk/import_run.html", progress=progress)


@bp.get("/api/imports/<int:run_id>")
@signed_in
def import_run_state(run_id: int) -> Any:
    """Return an import's progress as JSON, polled by its page."""

    progress = import_status(run_id)
    if progress is None:
        return jsonify(error="no such import"), 404
    return jsonify(progress.as_dict())


# Supervision: live calls on the board, listening in, coaching and barging, and raised hands.


@bp.context_processor
def inject_supervision() -> dict[str, Any]:
    """Tell every desk page whether its viewer may supervise (the board shows live calls)."""
    return {"may_supervise": supervision.viewer_may_supervise(getattr(g, "consultant", None))}


def supervision_refusal(exc: Exception) -> tuple[Response, int]:
    """Answer a refused supervisory act with its reason: 403 without the right, else 409."""
    status = 403 if isinstance(exc, supervision.NotASupervisor) else 409
    return jsonify(error=str(exc)), status


@bp.get("/api/live-calls")
@signed_in
def live_calls() -> Any:
    """Return the calls in progress, raised hands and who supervises what, for supervisors."""
    try:
        return jsonify(supervision.live_calls(g.consultant))
    except supervision.REFUSALS as exc:
        return supervision_refusal(exc)


@bp.post("/api/live-calls/<call_sid>/supervise")
@signed_in
def supervise_call(call_sid: str) -> Any:
    """Listen in on, coach or barge into a live call, or change how one is in it."""
    body = request.get_json(silent=True) or request.form
    try:
        return jsonify(supervision.supervise(g.consultant, call_sid, str(body.get("mode", ""))))
    except supervision.REFUSALS as exc:
        return supervision_refusal(exc)


@bp.post("/api/live-calls/<call_sid>/leave")
@signed_in
def leave_call(call_sid: str) -> Any:
    """Leave a call one supervises; the call goes on."""
    try:
        return jsonify(left=supervision.leave(g.consultant, call_sid))
    except supervision.REFUSALS as exc:
        return supervision_refusal(exc)


@bp.route("/api/hand", methods=["GET", "POST"])
@signed_in
def hand() -> Any:
    """Show, raise or lower the consultant's hand for a supervisor's help on their call."""
    if request.method == "GET":
        return jsonify(supervision.hand(g.consultant))
    body = request.get_json(silent=True) or request.form
    raised = body.get("raised", True) not in (False, "false", "0", "")
    try:
        return jsonify(supervision.raise_hand(g.consultant, raised))
    except supervision.REFUSALS as exc:
        return supervision_refusal(exc)
