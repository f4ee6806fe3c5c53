"""The consultant's desk: sign-in, the live desk page and customer records."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import segno
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
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException

from agent_desk import softphone, supervision, uploads
from agent_desk import state as states
from agent_desk import wrap_up as wrap_ups
from agent_desk.errors import DeskError, SoftphoneNotSetUp
from consultants import second_factor as second_factors
from consultants import service as consultants
from consultants.models import Consultant
from customers import service as customers_service
from customers.audit import audit_trail
from customers.contacts import contacts_of
from customers.models import Contact, Customer
from hotline.access import (
    ROLE_TITLES,
    Permission,
    can,
    limiter,
    login_account_key,
    may,
    needs_second_factor,
    public,
    requires,
    start_session,
)
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
# Where a person lands after signing in: the first of these pages their roles open.
HOME_PAGES = (
    (Permission.TAKE_CALLS, "desk.desk"),
    (Permission.QUEUE_BOARD, "desk.board"),
    (Permission.IMPORT_OFFERS, "desk.imports"),
)
# A person who gave their password has this long to give their second factor.
PENDING_SECONDS = 300
PENDING_LOGIN = "pending_login"
PENDING_NEXT = "pending_next"
PENDING_SECRET = "pending_totp_secret"

bp = Blueprint(
    "desk",
    __name__,
    url_prefix="/desk",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.app_template_filter("local")
def local_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Show a stored UTC time in the centre's own time zone."""
    if moment is None:
        return ""
    zone = ZoneInfo(current_app.extensions["hotline.settings"].timezone)
    return moment.astimezone(zone).strftime(pattern)


@bp.context_processor
def inject_voicemail_count() -> dict[str, Any]:
    """Tell every desk page how many voicemails wait, for the menu."""
    if g.consultant is None or not can(Permission.VOICEMAIL):
        return {}
    return {"voicemail_waiting": voicemails.voicemail_waiting()}


@bp.context_processor
def inject_softphone() -> dict[str, Any]:
    """Tell every desk page's softphone whether it rings in the emulator or through Twilio."""
    settings = current_app.extensions["hotline.settings"]
    if not settings.uses_emulator:
        return {"softphone_emulator": None, "softphone_emulator_token": ""}
    return {
        "softphone_emulator": settings.twilio_api_url,
        "softphone_emulator_token": settings.emulator_control_token,
    }


@bp.app_errorhandler(403)
def refused(error: HTTPException) -> Any:
    """Tell a person what they may not open, on a desk page (or in JSON to the desk's scripts)."""
    if "/api/" in request.path or request.is_json:
        return jsonify(error=error.description), 403
    g.consultant = current_user if current_user.is_authenticated else None
    return render_template("desk/refused.html", reason=error.description), 403


@bp.before_request
def load_consultant() -> None:
    """Make the signed-in person g.consultant for the pages (None for a visitor), and note
    that they are at the desk (the board tells the signed-in from those who have gone)."""
    g.consultant = current_user if current_user.is_authenticated else None
    if g.consultant is not None:
        states.at_desk(g.consultant)


def settings_now() -> Any:
    """Return the centre's settings."""
    return current_app.extensions["hotline.settings"]


def home_of(consultant: Consultant) -> str:
    """Return the address a person starts on: the first desk page their roles open."""
    for permission, page in HOME_PAGES:
        if may(consultant.roles, permission):
            return url_for(page)
    return url_for("desk.account")


def safe_next(target: str | None, consultant: Consultant) -> str:
    """Return where to go after signing in: back where the person was, if on the desk."""
    if target and target.startswith("/desk") and not target.startswith("//"):
        return target
    return home_of(consultant)


def login_failed(response: Response) -> bool:
    """Count a refused sign-in towards the throttling (a successful one costs nothing)."""
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: settings_now().login_limit_per_account,
    key_func=login_account_key,
    methods=["POST"],
    deduct_when=login_failed,
)
@limiter.limit(
    lambda: settings_now().login_limit_per_address, methods=["POST"], deduct_when=login_failed
)
def login() -> Any:
    """Sign a person in with login and password, then a second factor where needed."""
    if request.method == "GET":
        return render_template("desk/login.html")
    consultant = consultants.authenticate(
        request.form.get("login", ""), request.form.get("password", "")
    )
    if consultant is None:
        flash("Wrong login or password.", "error")
        return render_template("desk/login.html"), 401
    session.clear()
    session[PENDING_LOGIN] = {"id": consultant.get_id(), "at": int(time.time())}
    session[PENDING_NEXT] = request.args.get("next", "")
    if consultant.totp_secret or (
        settings_now().require_second_factor and needs_second_factor(consultant.roles)
    ):
        return redirect(url_for("desk.second_factor"))
    return finish_sign_in(consultant)


def finish_sign_in(consultant: Consultant) -> Any:
    """Start the person's session, now that they have proved who they are."""
    target = session.get(PENDING_NEXT)
    session.clear()
    login_user(consultant)
    start_session()
    log.info("consultant %s signed in", consultant.id)
    return redirect(safe_next(target, consultant))


def pending_sign_in() -> Consultant | None:
    """Return the person half-way through signing in (password given), or None."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return consultants.by_session_id(str(pending.get("id", "")))


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: settings_now().login_limit_per_account,
    key_func=lambda: "code-account:" + str(session.get(PENDING_LOGIN, {}).get("id", "")),
    methods=["POST"],
    deduct_when=login_failed,
)
@limiter.limit(
    lambda: settings_now().login_limit_per_address, methods=["POST"], deduct_when=login_failed
)
def second_factor() -> Any:
    """Ask for the code of the person's authenticator app; enrol one first if they have none."""
    consultant = pending_sign_in()
    if consultant is None:
        flash("Sign in again: that took too long.", "error")
        return redirect(url_for("desk.login"))
    if not consultant.totp_secret:
        return enrol_second_factor(consultant)
    if request.method == "POST":
        if second_factors.verify(consultant, request.form.get("code", "")):
            return finish_sign_in(consultant)
        flash("That code is wrong or was already used; wait for the next one.", "error")
        return render_template("desk/second_factor.html"), 401
    return render_template("desk/second_factor.html")


def enrol_second_factor(consultant: Consultant) -> Any:
    """Show a new secret as a QR code and enrol it once a code from it comes back."""
    secret = session.get(PENDING_SECRET) or second_factors.new_secret()
    session[PENDING_SECRET] = secret
    if request.method == "POST":
        if second_factors.enrol(consultant, secret, request.form.get("code", "")):
            session.pop(PENDING_SECRET, None)
            flash("Your authenticator app is set up; it is asked for at every sign-in.", "ok")
            return finish_sign_in(consultant)
        flash("That code does not match; check the app's clock and try the next one.", "error")
        status = 401
    else:
        status = 200
    uri = second_factors.provisioning_uri(secret, consultant.login)
    return render_template(
        "desk/enrol.html", secret=secret, qr=segno.make(uri).svg_data_uri(scale=4)
    ), status


@bp.post("/logout")
@requires(Permission.OWN_ACCOUNT)
def logout() -> Any:
    """Sign out everywhere, going offline first."""
    consultant = g.consultant
    go_offline(consultant)
    states.at_desk(consultant, signed_in=False)
    consultants.end_sessions(consultant)
    logout_user()
    session.clear()
    return redirect(url_for("desk.login"))


def go_offline(consultant: Consultant) -> None:
    """Take a person who answers calls off the queue, as their sessions end."""
    if may(consultant.roles, Permission.TAKE_CALLS):
        with contextlib.suppress(DeskError):
            states.change_state(consultant, "offline")


@bp.route("/account", methods=["GET", "POST"])
@requires(Permission.OWN_ACCOUNT)
def account() -> Any:
    """Show the person's roles and let them change their password (which signs them out)."""
    if request.method == "POST":
        try:
            consultants.change_password(
                g.consultant,
                request.form.get("current_password", ""),
                request.form.get("new_password", ""),
            )
        except consultants.AccountError as exc:
            flash(str(exc), "error")
            return render_template("desk/account.html", titles=ROLE_TITLES), 400
        go_offline(g.consultant)
        logout_user()
        session.clear()
        flash("Password changed; every session of yours has ended. Sign in again.", "ok")
        return redirect(url_for("desk.login"))
    return render_template("desk/account.html", titles=ROLE_TITLES)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@requires(Permission.OWN_ACCOUNT)
def account_second_factor() -> Any:
    """Let a person enrol an authenticator app of their own accord (required or not)."""
    secret = session.get(PENDING_SECRET) or second_factors.new_secret()
    session[PENDING_SECRET] = secret
    status = 200
    if request.method == "POST":
        if second_factors.enrol(g.consultant, secret, request.form.get("code", "")):
            session.pop(PENDING_SECRET, None)
            flash("Your authenticator app is set up; it is asked for at every sign-in.", "ok")
            return redirect(url_for("desk.account"))
        flash("That code does not match; check the app's clock and try the next one.", "error")
        status = 400
    uri = second_factors.provisioning_uri(secret, g.consultant.login)
    return render_template(
        "desk/enrol.html", secret=secret, qr=segno.make(uri).svg_data_uri(scale=4)
    ), status


@bp.get("/")
@requires(Permission.TAKE_CALLS)
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
@requires(Permission.QUEUE_BOARD)
def board() -> str:
    """Show the queue board: the queue now, the day so far, and staffing advice."""
    return render_template("desk/board.html")


@bp.get("/api/board")
@requires(Permission.QUEUE_BOARD)
def board_figures() -> Response:
    """Return the board's figures, polled by the board page."""
    settings = current_app.extensions["hotline.settings"]
    engine = routing_services().engine
    return jsonify(queue_board.board(engine, utcnow(), settings.timezone))


@bp.get("/api/token")
@requires(Permission.TAKE_CALLS)
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
@requires(Permission.TAKE_CALLS)
def state() -> Response:
    """Return the consultant's live state and caller, polled by the desk page."""
    current = states.desk_state(g.consultant)
    pending = wrap_ups.pending_wrap_up(g.consultant)
    current["wrap_up_contact_id"] = pending.id if pending else None
    return jsonify(current)


@bp.post("/api/state")
@requires(Permission.TAKE_CALLS)
def change_state() -> Any:
    """Go available, on a break or offline."""
    body = json_object() if request.is_json else request.form
    wanted, reason = body.get("state", ""), body.get("reason", "")
    if not isinstance(wanted, str) or not isinstance(reason, str):
        return jsonify(error="'state' and 'reason' must be text"), 400
    try:
        states.change_state(g.consultant, wanted, reason)
    except REFUSALS as exc:
        return jsonify(error=str(exc)), 409
    return jsonify(states.desk_state(g.consultant))


def json_object() -> dict[str, Any]:
    """Return the request's JSON object, or answer 400 with the reason it is not one."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, 'send a JSON object, such as {"state": "available"}')
    return body


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
@requires(Permission.TAKE_CALLS)
def wrap_up_page(contact_id: int) -> Any:
    """Show the wrap-up form of one of the consultant's contacts, to finish it late."""
    contact = wrap_ups.own_contact(g.consultant, contact_id)
    if contact is None:
        abort(404)
    return render_template("desk/wrap_up.html", contact=contact, outcomes=wrap_ups.WRAP_UP_OUTCOMES)


@bp.post("/wrap-up/<int:contact_id>")
@requires(Permission.TAKE_CALLS)
def wrap_up(contact_id: int) -> Any:
    """Save the wrap-up form."""
    return save_outcome(wrap_ups.wrap_up, contact_id, "Contact saved.", "desk.desk")


@bp.get("/voicemail")
@requires(Permission.VOICEMAIL)
def voicemail() -> str:
    """List the voicemails nobody has handled yet."""
    return render_template(
        "desk/voicemail.html",
        inbox=voicemails.voicemail_inbox(for_consultant=g.consultant),
        outcomes=wrap_ups.WRAP_UP_OUTCOMES,
    )


@bp.get("/voicemail/<int:recording_id>/audio")
@requires(Permission.VOICEMAIL)
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
@requires(Permission.VOICEMAIL)
def handle_voicemail(recording_id: int) -> Any:
    """Mark a voicemail handled, with what was done, on the caller's record."""
    return save_outcome(
        voicemails.handle_voicemail, recording_id, "Voicemail handled and logged.", "desk.voicemail"
    )


@bp.get("/customers")
@requires(Permission.CUSTOMER_RECORDS)
def customers() -> str:
    """Search customers."""
    text = request.args.get("q", "")
    return render_template(
        "desk/customers.html", query=text, results=customers_service.search_customers(text)
    )


@bp.get("/customers/<int:customer_id>")
@requires(Permission.CUSTOMER_RECORDS)
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
@requires(Permission.CUSTOMER_RECORDS)
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
@requires(Permission.IMPORT_OFFERS)
def imports() -> str:
    """List recent imports and offer a form to start one."""

    return render_template("desk/imports.html", runs=recent_imports())


@bp.post("/imports")
@requires(Permission.IMPORT_OFFERS)
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
@requires(Permission.IMPORT_OFFERS)
def import_run(run_id: int) -> str:
    """Show one import: its progress, counts and the rows it skipped."""

    progress = import_status(run_id) or abort(404)
    return render_template("desk/import_run.html", progress=progress)


@bp.get("/api/imports/<int:run_id>")
@requires(Permission.IMPORT_OFFERS)
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
@requires(Permission.SUPERVISE)
def live_calls() -> Any:
    """Return the calls in progress, raised hands and who supervises what, for supervisors."""
    try:
        return jsonify(supervision.live_calls(g.consultant))
    except supervision.REFUSALS as exc:
        return supervision_refusal(exc)


@bp.post("/api/live-calls/<call_sid>/supervise")
@requires(Permission.SUPERVISE)
def supervise_call(call_sid: str) -> Any:
    """Listen in on, coach or barge into a live call, or change how one is in it."""
    body = request.get_json(silent=True) or request.form
    try:
        return jsonify(supervision.supervise(g.consultant, call_sid, str(body.get("mode", ""))))
    except supervision.REFUSALS as exc:
        return supervision_refusal(exc)


@bp.post("/api/live-calls/<call_sid>/leave")
@requires(Permission.SUPERVISE)
def leave_call(call_sid: str) -> Any:
    """Leave a call one supervises; the call goes on."""
    try:
        return jsonify(left=supervision.leave(g.consultant, call_sid))
    except supervision.REFUSALS as exc:
        return supervision_refusal(exc)


@bp.route("/api/hand", methods=["GET", "POST"])
@requires(Permission.TAKE_CALLS)
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


# The softphone's call controls live in their own module, on this blueprint.
from agent_desk import call_views  # noqa: E402, F401
