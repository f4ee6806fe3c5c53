"""The consultant's desk: sign-in, the live desk page and customer records."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
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
from flask_babel import LazyString, force_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import wrap_file

from agent_desk import history as histories
from agent_desk import i18n, labels, records, softphone, streams, supervision, uploads
from agent_desk import state as states
from agent_desk import wrap_up as wrap_ups
from agent_desk.errors import DeskError, SoftphoneNotSetUp
from consultants import second_factor as second_factors
from consultants import service as consultants
from consultants.models import Consultant
from customers import service as customers_service
from customers.audit import TrailFilter, audit, audit_trail, trail, trail_count
from customers.contacts import contacts_of
from customers.models import AuditEntry, Contact, Customer
from hotline.access import (
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
from hotline.telephony import NotOnTheNetwork, TelephonyError
from knowledge.imports import OFFER_TARGETS, ImportRequestError, import_status, recent_imports
from knowledge.imports import start_import as begin_import
from recordings import service as recordings
from recordings import voicemail as voicemails
from recordings.storage import AudioStore, make_store
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
    (Permission.ADMINISTER, "admin.index"),
)
# The record whose PESEL its next showing reveals (the id, never the PESEL).
REVEALED_PESEL = "revealed_pesel"
# The most entries one CSV export holds.
AUDIT_EXPORT_LIMIT = 100_000
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
def local_time(moment: datetime | None, width: str = "short") -> str:
    """Show a stored UTC time in the centre's time zone, the reader's way."""
    return i18n.local_time(moment, width)


@bp.app_template_filter("label")
def label(code: str | None, family: str) -> str:
    """Show a stored code (a topic, outcome, state...) as the reader's words."""
    return labels.label(family, code)


@bp.app_template_filter("duration")
def duration(seconds: int | None) -> str:
    """Show a length in seconds as minutes and seconds (1:05)."""
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


@bp.app_context_processor
def inject_language() -> dict[str, Any]:
    """Tell every page its language, the words its scripts show, and the centre's time zone."""
    return {
        "page_language": i18n.page_language(),
        "script_texts": i18n.script_texts(),
        "centre_timezone": current_app.extensions["hotline.settings"].timezone,
        "audit_lines": labels.audit_lines,
        "started_by_label": started_by_label,
    }


def started_by_label(started_by: str) -> str:
    """Name who started an import ("desk:anna" as Anna Nowak)."""
    login = started_by.partition(":")[2]
    names = {login: person.name} if (person := consultants.by_login(login)) else {}
    return labels.started_by_label(started_by, names)


@bp.app_context_processor
def inject_voicemail_count() -> dict[str, Any]:
    """Tell every desk page (the administration's and privacy's too) how many voicemails
    wait, for the menu."""
    if getattr(g, "consultant", None) is None or not can(Permission.VOICEMAIL):
        return {}
    return {"voicemail_waiting": voicemails.voicemail_waiting()}


@bp.app_context_processor
def inject_softphone() -> dict[str, Any]:
    """Tell every page with the desk's frame (the administration's and privacy's too) whether
    its softphone rings in the emulator or through Twilio."""
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


@bp.app_errorhandler(404)
def not_found(error: HTTPException) -> Any:
    """Tell a person the page does not exist, in their language (JSON to the desk's scripts)."""
    if "/api/" in request.path or request.is_json:
        return jsonify(error=error.description), 404
    g.consultant = current_user if current_user.is_authenticated else None
    return render_template(
        "desk/error.html",
        title=_("Page not found"),
        explanation=_("There is no such page, or the record it showed is gone."),
    ), 404


@bp.app_errorhandler(500)
def broken(error: HTTPException) -> Any:
    """Tell a person that the centre failed them, without a page that could fail again."""
    if "/api/" in request.path or request.is_json:
        return jsonify(error=error.description), 500
    g.consultant = None
    return render_template(
        "desk/error.html",
        title=_("Something went wrong"),
        explanation=_("The centre could not finish this. Try again in a moment."),
    ), 500


@bp.before_request
def load_consultant() -> None:
    """Make the signed-in person g.consultant for the pages (None for a visitor), and note
    that they are at the desk (the board tells the signed-in from those who have gone).

    With Redis down the desk still opens, saying so: records, voicemail and wrap-ups live in
    the database; only what routing holds (states, calls, the board) waits for Redis.
    """
    g.consultant = current_user if current_user.is_authenticated else None
    if g.consultant is not None:
        try:
            states.at_desk(g.consultant)
        except RedisError as exc:
            log.warning("the desk works without routing: Redis unavailable: %s", exc)
            g.routing_down = True


@bp.app_context_processor
def inject_routing_down() -> dict[str, Any]:
    """Tell every page whether call routing (Redis) is unavailable, for its banner."""
    return {"routing_down": bool(getattr(g, "routing_down", False))}


@bp.app_errorhandler(RedisError)
def routing_unavailable(error: RedisError) -> Any:
    """Answer a page or a script that needs routing while Redis is down: 503, with the
    degraded state said plainly instead of an error page."""
    log.warning("%s needs routing, which is unavailable: %s", request.path, error)
    g.routing_down = True
    explanation = _(
        "This part of the desk needs call routing, which is unavailable. It comes back by "
        "itself; meanwhile callers can ask for a callback or leave a message, and both are kept."
    )
    if "/api/" in request.path or request.is_json:
        return jsonify(error=explanation, routing_down=True), 503
    g.consultant = current_user if current_user.is_authenticated else None
    return render_template(
        "desk/error.html", title=_("Call routing is unavailable"), explanation=explanation
    ), 503


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
        # Whose account was tried, if any; never the login typed (it may be a password).
        tried = consultants.by_login(request.form.get("login", "").strip())
        audit(tried.id if tried else None, None, "login.refused", {"known": tried is not None})
        flash(_("Wrong login or password."), "error")
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
    audit(consultant.id, None, "login", {"second_factor": bool(consultant.totp_secret)})
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
        flash(_("Sign in again: that took too long."), "error")
        return redirect(url_for("desk.login"))
    if not consultant.totp_secret:
        return enrol_second_factor(consultant)
    if request.method == "POST":
        if second_factors.verify(consultant, request.form.get("code", "")):
            return finish_sign_in(consultant)
        flash(_("That code is wrong or was already used; wait for the next one."), "error")
        return render_template("desk/second_factor.html"), 401
    return render_template("desk/second_factor.html")


def enrol_second_factor(consultant: Consultant) -> Any:
    """Show a new secret as a QR code and enrol it once a code from it comes back."""
    secret = session.get(PENDING_SECRET) or second_factors.new_secret()
    session[PENDING_SECRET] = secret
    if request.method == "POST":
        if second_factors.enrol(consultant, secret, request.form.get("code", "")):
            session.pop(PENDING_SECRET, None)
            flash(_("Your authenticator app is set up; it is asked for at every sign-in."), "ok")
            return finish_sign_in(consultant)
        flash(_("That code does not match; check the app's clock and try the next one."), "error")
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
    routing_services().engine.publish(streams.SIGNED_OUT, consultant_id=consultant.id)
    audit(consultant.id, None, "logout", {})
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
            flash(i18n.refusal_text(exc), "error")
            return render_template("desk/account.html", languages=i18n.LANGUAGE_NAMES), 400
        audit(g.consultant.id, None, "consultant.password", {"consultant_id": g.consultant.id})
        go_offline(g.consultant)
        logout_user()
        session.clear()
        flash(_("Password changed; every session of yours has ended. Sign in again."), "ok")
        return redirect(url_for("desk.login"))
    return render_template("desk/account.html", languages=i18n.LANGUAGE_NAMES)


@bp.post("/account/language")
@requires(Permission.OWN_ACCOUNT)
def account_language() -> Any:
    """Show the person's desk pages in the language they choose."""
    try:
        consultants.set_desk_language(
            g.consultant, request.form.get("language", ""), i18n.DESK_LANGUAGES
        )
    except consultants.AccountError as exc:
        flash(i18n.refusal_text(exc), "error")
        return redirect(url_for("desk.account"))
    refresh()
    flash(_("The desk now speaks your language."), "ok")
    return redirect(url_for("desk.account"))


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
            flash(_("Your authenticator app is set up; it is asked for at every sign-in."), "ok")
            return redirect(url_for("desk.account"))
        flash(_("That code does not match; check the app's clock and try the next one."), "error")
        status = 400
    uri = second_factors.provisioning_uri(secret, g.consultant.login)
    return render_template(
        "desk/enrol.html", secret=secret, qr=segno.make(uri).svg_data_uri(scale=4)
    ), status


@bp.get("/")
@requires(Permission.TAKE_CALLS)
def desk() -> str:
    """Show the desk: state buttons, the incoming call, the wrap-up form (with routing down,
    the wrap-ups the database holds, under the banner that says so)."""
    routing_down = getattr(g, "routing_down", False)
    pending = None if routing_down else wrap_ups.pending_wrap_up(g.consultant)
    return render_template(
        "desk/desk.html",
        consultant=g.consultant,
        outcomes=wrap_ups.WRAP_UP_OUTCOMES,
        break_reasons=settings_now().break_reasons,
        not_ready_reasons=settings_now().not_ready_reasons,
        pending=pending,
        topics=wrap_ups.WRAP_UP_TOPICS,
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
    figures = queue_board.board(engine, utcnow(), settings.timezone)
    return jsonify(labels.with_state_labels(figures))


@bp.get("/api/board/events")
@requires(Permission.QUEUE_BOARD)
def board_events() -> Response:
    """Stream the board's figures as the queue changes (server-sent events), and to a
    supervisor the calls in progress with them."""
    settings = current_app.extensions["hotline.settings"]
    base = streams.board_figures(routing_services().engine, utcnow, settings.timezone)
    locale = i18n.desk_locale()  # the stream outlives the request that knows the reader
    person = g.consultant.id  # read afresh for each message: their roles may change meanwhile

    def figures() -> Any:
        with force_locale(locale):
            return labels.with_state_labels(base())

    def calls() -> dict[str, object] | None:
        with force_locale(locale):
            return supervision.live_calls_for(person)

    return event_stream(lambda live: live.board(figures, calls))


@bp.get("/api/events")
@requires(Permission.TAKE_CALLS)
def desk_events() -> Response:
    """Stream the consultant's desk as it changes (server-sent events), from the event after
    the Last-Event-ID the browser sends when it reconnects."""
    consultant = g.consultant._get_current_object()  # the stream outlives the request's proxy
    since = request.headers.get("Last-Event-ID", "")
    return event_stream(lambda live: live.desk(consultant, since))


def event_stream(open_stream: Callable[[streams.LiveStreams], Any]) -> Response:
    """Answer with a stream of server-sent events, or 503 while this process holds enough."""
    live: streams.LiveStreams = current_app.extensions[streams.NAME]
    if not live.admit():
        response = jsonify(error="the centre is busy; the page polls until a stream is free")
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        return response

    response = Response(open_stream(live), mimetype="text/event-stream")
    # Called however the answer ends: read to its end, left by the browser, or never read.
    response.call_on_close(live.release)
    # A proxy must pass each event on as it comes (nginx buffers unless told).
    response.headers["X-Accel-Buffering"] = "no"
    return response


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
    """Return the consultant's live state and caller (the desk page's stream carries the same,
    and the page asks here only when its stream cannot be opened)."""
    return jsonify(streams.desk_view(g.consultant))


@bp.post("/api/state")
@requires(Permission.TAKE_CALLS)
def change_state() -> Any:
    """Go available, on a break or offline."""
    body = json_object() if request.is_json else request.form
    wanted, reason = body.get("state", ""), body.get("reason", "")
    if not isinstance(wanted, str) or not isinstance(reason, str):
        return jsonify(error="'state' and 'reason' must be text"), 400
    try:
        states.change_state(g.consultant, wanted, reason, settings_now())
    except REFUSALS as exc:
        return jsonify(error=i18n.refusal_text(exc)), 409
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
        flash(i18n.refusal_text(exc), "error")
        return redirect(url_for(back))
    flash(saved, "ok")
    if contact.customer_id:
        return redirect(url_for("desk.customer", customer_id=contact.customer_id))
    return redirect(url_for(back))


@bp.get("/voicemail")
@requires(Permission.VOICEMAIL)
def voicemail() -> str:
    """List the voicemails nobody has handled yet."""
    return render_template(
        "desk/voicemail.html",
        inbox=voicemails.voicemail_inbox(for_consultant=g.consultant),
        outcomes=wrap_ups.WRAP_UP_OUTCOMES,
        audio_gone=histories.voicemail_audio_state,
    )


@bp.get("/voicemail/<int:recording_id>/audio")
@requires(Permission.VOICEMAIL)
def voicemail_audio(recording_id: int) -> Response:
    """Play a voicemail, fetched from the phone network that holds it."""
    recording = voicemails.voicemail_recording(recording_id)
    if recording is None:
        abort(404)
    try:
        records.play_voicemail(g.consultant, recording)
    except records.RecordRefused as exc:
        abort(403, str(exc))
    try:
        sound = recordings.audio(recording)
    except NotOnTheNetwork:
        log.warning("call %s: voicemail %s is gone from the network", recording.call_sid,
                    recording_id)  # fmt: skip
        voicemails.audio_gone(recording_id)
        return Response(_("The audio of this message is gone.") + "\n", 410)
    except TelephonyError:
        log.exception("call %s: could not fetch voicemail %s", recording.call_sid, recording_id)
        return Response("The phone network did not give us the recording; try again.\n", 502)
    return Response(sound, mimetype="audio/wav", headers={"Cache-Control": "private, no-store"})


def plain(text: str, status: int) -> Response:
    """Answer a player with a sentence a person can read, kept by no cache."""
    return Response(
        text + "\n", status, mimetype="text/plain", headers={"Cache-Control": "no-store"}
    )


def recording_store() -> AudioStore:
    """Return the store that keeps recorded calls."""
    return make_store(routing_services().settings.recording_folder)


@bp.get("/recordings/<int:recording_id>/audio")
@requires(Permission.PLAY_RECORDINGS)
def call_recording_audio(recording_id: int) -> Response:
    """Stream a recorded call (HTTP Range, so a player can seek), on the consultant's grounds;
    every playback is audited. A recording whose audio is gone says so plainly."""
    recording = recordings.call_recording(recording_id) or abort(404)
    ranged = request.range
    first_piece = ranged is None or all(start == 0 for start, _end in ranged.ranges)
    try:
        records.play_call_recording(g.consultant, recording, first_piece)
    except records.RecordRefused as exc:
        return plain(i18n.refusal_text(exc), 403)
    try:
        audio, size = recordings.stored_audio(recording, recording_store())
    except recordings.RecordingGone:
        return plain(
            _("The audio of this recording is gone: it was deleted, or never arrived."), 410
        )
    response = Response(
        wrap_file(request.environ, audio),
        mimetype="audio/wav",
        direct_passthrough=True,
        headers={"Cache-Control": "private, no-store"},
    )
    response.content_length = size
    response.make_conditional(request, accept_ranges=True, complete_length=size)
    return response


@bp.post("/voicemail/<int:recording_id>")
@requires(Permission.VOICEMAIL)
def handle_voicemail(recording_id: int) -> Any:
    """Mark a voicemail handled, with what was done, on the caller's record."""
    return save_outcome(
        voicemails.handle_voicemail,
        recording_id,
        _("Voicemail handled and logged."),
        "desk.voicemail",
    )


@bp.route("/customers", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_RECORDS)
def customers() -> Any:
    """Search customers; the term comes in a posted form, never in the address or a log."""
    if request.method == "GET":
        return render_template("desk/customers.html", query="", result=None)
    text = request.form.get("q", "")
    result = records.search(g.consultant, text)
    return no_store(render_template("desk/customers.html", query=text, result=result))


def no_store(page: str, status: int = 200) -> Response:
    """Answer with a page of personal data that no browser or proxy may keep."""
    return Response(page, status, headers={"Cache-Control": "no-store"})


def record_page(record: Customer, pesel: str | None = None, status: int = 200) -> Response:
    """Render a customer's record, the PESEL masked unless it was just revealed."""
    contacts = contacts_of(record.id)
    return no_store(
        render_template(
            "desk/customer.html",
            customer=record,
            pesel=pesel,
            masked_pesel=customers_service.mask_pesel(record.pesel),
            contacts=contacts,
            timeline=histories.history_of(record),
            call_recordings=recordings.summaries_of_calls(
                sorted({c.call_sid for c in contacts if c.call_sid}), recording_store()
            ),
            history=audit_trail(record.id),
            advisor=db.session.get(Consultant, record.advisor_id) if record.advisor_id else None,
        ),
        status,
    )


def refuse_record(customer_id: int, reason: str = "", status: int = 403) -> Response:
    """Tell a consultant without grounds that they need to say why, and ask them."""
    return no_store(
        render_template("desk/record_refused.html", customer_id=customer_id, reason=reason),
        status,
    )


@bp.get("/customers/<int:customer_id>")
@requires(Permission.CUSTOMER_RECORDS)
def customer(customer_id: int) -> Any:
    """Show a customer's record, contacts and audit trail, if the consultant has grounds."""
    record = records.customer_or_none(customer_id) or abort(404)
    try:
        records.open_record(g.consultant, record)
    except records.RecordRefused:
        return refuse_record(customer_id)
    revealed = session.pop(REVEALED_PESEL, None) == customer_id
    return record_page(record, pesel=record.pesel if revealed else None)


@bp.post("/customers/<int:customer_id>/open")
@requires(Permission.CUSTOMER_RECORDS)
def open_customer(customer_id: int) -> Any:
    """Open a record that is neither the consultant's own nor their call's, saying why."""
    record = records.customer_or_none(customer_id) or abort(404)
    try:
        records.break_glass(g.consultant, record, request.form.get("reason", ""))
    except records.ReasonRefused as exc:
        return refuse_record(customer_id, str(exc), 400)
    return redirect(url_for("desk.customer", customer_id=customer_id))


@bp.post("/customers/<int:customer_id>/pesel")
@requires(Permission.CUSTOMER_RECORDS)
def reveal_pesel(customer_id: int) -> Any:
    """Reveal the PESEL on the record's next showing only (a reload masks it again); the
    reveal is audited."""
    record = records.customer_or_none(customer_id) or abort(404)
    try:
        records.reveal_pesel(g.consultant, record)
    except records.RecordRefused:
        return refuse_record(customer_id)
    session[REVEALED_PESEL] = customer_id
    return redirect(url_for("desk.customer", customer_id=customer_id))


@bp.post("/customers/<int:customer_id>")
@requires(Permission.CUSTOMER_RECORDS)
def update_customer(customer_id: int) -> Any:
    """Save changes to a customer's record."""
    record = records.customer_or_none(customer_id) or abort(404)
    try:
        records.require_grounds(g.consultant, record)
    except records.RecordRefused:
        return refuse_record(customer_id)
    try:
        customers_service.update_customer(
            g.consultant.id,
            customer_id,
            address=request.form.get("address"),
            phone=request.form.get("phone"),
            action_plan_notes=request.form.get("action_plan_notes"),
        )
        flash(_("Record updated."), "ok")
    except REFUSALS as exc:
        flash(i18n.refusal_text(exc), "error")
    return redirect(url_for("desk.customer", customer_id=customer_id))


@bp.get("/break-glass")
@requires(Permission.SUPERVISE)
def break_glass_list() -> Any:
    """List the records consultants opened with a stated reason, for supervisors."""
    return no_store(render_template("desk/break_glass.html", openings=records.break_glass_list()))


@bp.get("/audit")
@requires(Permission.READ_AUDIT)
def audit_page() -> Any:
    """Show the audit trail, filtered by who, what, which customer and between which days."""
    wanted, problem = trail_filter()
    if problem:
        flash(problem, "error")
    return no_store(
        render_template(
            "desk/audit.html",
            entries=trail(wanted),
            found=trail_count(wanted),
            wanted=wanted,
            form=request.args,
            people=consultants.everyone(),
            actions=labels.AUDIT_FILTERS,
        )
    )


@bp.get("/audit.csv")
@requires(Permission.READ_AUDIT)
def audit_export() -> Response:
    """Hand over the filtered audit trail as CSV; the export is audited too."""
    wanted, _problem = trail_filter()
    rows = trail(wanted, limit=AUDIT_EXPORT_LIMIT)
    audit(g.consultant.id, wanted.customer_id, "audit.export", {"entries": len(rows)})
    return Response(
        audit_csv(rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="audit-trail.csv"',
            "Cache-Control": "no-store",
        },
    )


# The audit page's filters, named as the page names them.
# An audit entry's kind, or the start of one ("contact."): what the filter's list offers.
ACTION_CODE = re.compile(r"[a-z_.-]{1,40}")
FILTER_FIELDS: Mapping[str, LazyString] = {
    "consultant_id": _l("Who"),
    "action": _l("What"),
    "customer_id": _l("Customer number"),
    "since": _l("From"),
    "until": _l("To"),
}


def trail_filter() -> tuple[TrailFilter, str]:
    """Read the audit page's filters from the address; return them and what was wrong."""
    zone = ZoneInfo(settings_now().timezone)
    problems = []

    def number(name: str) -> int | None:
        raw = request.args.get(name, "").strip()
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            problems.append(_("%(field)s must be a number.", field=FILTER_FIELDS[name]))
            return None
        return int(raw)

    def day(name: str, shift: int = 0) -> datetime | None:
        raw = request.args.get(name, "").strip()
        if not raw:
            return None
        try:
            start = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=zone)
        except ValueError:
            problems.append(
                _("%(field)s must be a date such as 2026-12-07.", field=FILTER_FIELDS[name])
            )
            return None
        return start + timedelta(days=shift)

    action = request.args.get("action", "").strip()
    if action and not ACTION_CODE.fullmatch(action):
        problems.append(
            _("%(field)s is not a kind the trail knows.", field=FILTER_FIELDS["action"])
        )
        action = ""
    wanted = TrailFilter(
        consultant_id=number("consultant_id"),
        action=action,
        customer_id=number("customer_id"),
        since=day("since"),
        until=day("until", shift=1),
    )
    return wanted, " ".join(problems)


def audit_csv(rows: list[tuple[AuditEntry, str]]) -> str:
    """Write audit entries as CSV, each with its link in the chain."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["id", "at", "who", "consultant_id", "action", "customer_id", "reason", "address",
         "details", "entry_hash", "prev_hash"]
    )  # fmt: skip
    for entry, who in rows:
        writer.writerow(
            [entry.id, entry.at.isoformat(), who, entry.consultant_id or "", entry.action,
             entry.customer_id or "", csv_safe(entry.reason or ""), entry.address or "",
             csv_safe(json.dumps(entry.changes, ensure_ascii=False)), entry.entry_hash,
             entry.prev_hash]
        )  # fmt: skip
    return out.getvalue()


def csv_safe(value: str) -> str:
    """Keep a spreadsheet from running text typed into the desk as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
        flash(_("Choose a file to import."), "error")
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
        flash(i18n.refusal_text(exc), "error")
        return redirect(url_for("desk.imports"))
    return redirect(url_for("desk.import_run", run_id=run.id))


@bp.get("/imports/<int:run_id>")
@requires(Permission.IMPORT_OFFERS)
def import_run(run_id: int) -> str:
    """Show one import: its progress, counts and the rows it skipped."""

    progress = import_status(run_id) or abort(404)
    if progress.target not in OFFER_TARGETS:
        abort(404)
    poll = url_for("desk.import_run_state", run_id=run_id)
    return render_template("desk/import_run.html", progress=progress, poll_url=poll)


@bp.get("/api/imports/<int:run_id>")
@requires(Permission.IMPORT_OFFERS)
def import_run_state(run_id: int) -> Any:
    """Return an import's progress as JSON, polled by its page."""

    progress = import_status(run_id)
    if progress is None or progress.target not in OFFER_TARGETS:
        return jsonify(error=_("no such import")), 404
    return jsonify(
        progress.as_dict() | {"status_label": labels.label("import_status", progress.status)}
    )


# Supervision: live calls on the board, listening in, coaching and barging, and raised hands.


@bp.context_processor
def inject_supervision() -> dict[str, Any]:
    """Tell every desk page whether its viewer may supervise (the board shows live calls)."""
    return {"may_supervise": supervision.viewer_may_supervise(getattr(g, "consultant", None))}


def posted(example: str) -> Mapping[str, Any]:
    """Return a posted JSON object or form; other JSON is refused (400) with an example."""
    if not request.is_json:
        return request.form
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, f"send a JSON object, such as {example}")
    return body


def supervision_refusal(exc: Exception) -> tuple[Response, int]:
    """Answer a refused supervisory act with its reason: 403 without the right, else 409."""
    status = 403 if isinstance(exc, supervision.NotASupervisor) else 409
    return jsonify(error=i18n.refusal_text(exc)), status


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
    body = posted('{"mode": "monitor"}')
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
    body = posted('{"raised": true}')
    raised = body.get("raised", True) not in (False, "false", "0", "")
    try:
        return jsonify(supervision.raise_hand(g.consultant, raised))
    except supervision.REFUSALS as exc:
        return supervision_refusal(exc)


# The softphone's call controls, texting or calling a customer, and the wrap-up and caseload
# pages live in their own modules, on this blueprint.
from agent_desk import call_views, glance_views, outreach_views  # noqa: E402, F401
