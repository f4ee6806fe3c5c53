"""Build the centre's web app from settings: the one place that wires every feature."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, jsonify, redirect, request
from flask_babel import gettext
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from administration.views import bp as admin_bp
from agent_desk import i18n
from agent_desk.streams import NAME as LIVE_STREAMS
from agent_desk.streams import LiveStreams, gunicorn_threads
from agent_desk.supervision import on_supervision_event
from agent_desk.views import bp as desk_bp
from agent_desk.wrap_up import on_call_recorded, on_consultant_picked_up
from centre.logs import quiet_personal_data_loggers
from centre.security import install_security_headers
from consultants.service import by_session_id
from customers.audit import origin as audit_origin
from hotline.access import TWILIO_SIGNED, SessionPolicy, guard, limiter, public
from hotline.db import db
from hotline.outbound import outbound
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from hotline.telephony import telephony
from ivr.views import bp as ivr_bp
from messaging.views import bp as messaging_bp
from privacy.views import bp as privacy_bp
from recordings.views import bp as recordings_bp
from routing.events import EventHub
from routing.service import build_routing
from routing.signals import call_recorded, consultant_picked_up, supervision_event
from routing.views import bp as routing_bp


class RecordIdConverter(IntegerConverter):
    """A record id in a path: a whole number that fits the database's 64-bit ids; a longer
    one matches no route (404) instead of failing in the database."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


# How long the event reader's XREAD waits for news; its client waits that much longer.
EVENT_BLOCK_SECONDS = 5.0

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.user_loader(by_session_id)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app: settings, database, Redis, blueprints and signal receivers."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.url_map.converters["int"] = RecordIdConverter
    app.extensions["hotline.settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        # A desk page stays open all day: its token lives as long as the session does.
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=None,
        RATELIMIT_KEY_PREFIX="hotline-limits",
        RATELIMIT_HEADERS_ENABLED=True,
        # With Redis down, sign-ins are counted in each process instead of refused.
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
    )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_personal_data_loggers()
    db.init_app(app)
    i18n.init_app(app, settings.timezone)
    redis_conn.init_app(app)
    # Sign-in throttling counts on the centre's own Redis connection (Sentinel's included).
    app.config["RATELIMIT_STORAGE_URI"] = "redis://"
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"connection_pool": redis_conn.raw.connection_pool}
    telephony.configure(settings)
    outbound.configure(settings.allowed_link_domains, settings.sms_countries)
    app.extensions["hotline.routing"] = routing = build_routing(settings, redis_conn.raw)
    app.extensions[LIVE_STREAMS] = LiveStreams(
        EventHub(redis_conn.client(blocking_seconds=EVENT_BLOCK_SECONDS), EVENT_BLOCK_SECONDS),
        routing.engine,
        app.app_context,
        threads=gunicorn_threads(),
    )

    for blueprint in (
        ivr_bp, messaging_bp, routing_bp, desk_bp, recordings_bp, privacy_bp, admin_bp
    ):  # fmt: skip
        app.register_blueprint(blueprint)
    call_recorded.connect(on_call_recorded, weak=False)
    consultant_picked_up.connect(on_consultant_picked_up, weak=False)
    supervision_event.connect(on_supervision_event, weak=False)

    app.before_request(note_audit_origin)

    @app.get("/")
    @public
    def index() -> Response:
        return redirect("/desk/")

    login_manager.init_app(app)
    # The guard runs first, before CSRF parses a form: an anonymous upload is refused unread.
    policy = SessionPolicy(
        idle_seconds=settings.session_idle_minutes * 60,
        absolute_seconds=settings.session_max_hours * 3600,
    )
    guard.init_app(app, policy, login_endpoint="desk.login", account_endpoint="desk.account")
    csrf.init_app(app)
    exempt_webhooks(app)
    limiter.init_app(app)
    install_security_headers(app, settings)
    app.register_error_handler(CSRFError, refuse_csrf)
    app.register_error_handler(429, slow_down)
    app.register_error_handler(HTTPException, explain_to_scripts)
    return app


def note_audit_origin() -> None:
    """Let the audit trail say where a request came from (the address the proxy passed on)."""
    audit_origin.set(request.remote_addr)


def exempt_webhooks(app: Flask) -> None:
    """Spare Twilio's webhooks the CSRF check: they prove themselves by signature instead.

    Call it again after registering more webhooks on a built app (the benchmarks do)."""
    for view in app.view_functions.values():
        if getattr(view, "hotline_access", None) == TWILIO_SIGNED:
            csrf.exempt(view)


def refuse_csrf(error: CSRFError) -> tuple[Response | str, int]:
    """Say why a change was refused: the page's CSRF token was missing, wrong or stale."""
    reason = gettext("%(reason)s Reload the page and try again.", reason=error.description)
    if "/api/" in request.path or request.is_json:
        return jsonify(error=reason), 400
    return reason, 400


def slow_down(error: HTTPException) -> tuple[str, int]:
    """Tell someone who failed to sign in too often to wait, without saying which limit hit."""
    return gettext(
        "Too many failed attempts to sign in. Wait a few minutes and try again."
    ) + "\n", 429


def explain_to_scripts(error: HTTPException) -> Response | HTTPException:
    """Answer the desk's scripts in JSON, with the reason, instead of an HTML error page."""
    if "/api/" not in request.path:
        return error
    response = jsonify(error=error.description)
    response.status_code = error.code or 500
    return response
