"""Build the centre's web app from settings: the one place that wires every feature."""

from __future__ import annotations

import logging

from flask import Flask, redirect
from werkzeug.wrappers import Response

from agent_desk.supervision import on_supervision_event
from agent_desk.views import bp as desk_bp
from agent_desk.wrap_up import on_call_recorded, on_consultant_picked_up
from hotline.db import db
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from hotline.telephony import telephony
from ivr.views import bp as ivr_bp
from messaging.views import bp as messaging_bp
from recordings.views import bp as recordings_bp
from routing.service import build_routing
from routing.signals import call_recorded, consultant_picked_up, supervision_event
from routing.views import bp as routing_bp


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app: settings, database, Redis, blueprints and signal receivers."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.extensions["hotline.settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
    )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # The twilio library logs every REST request with its headers (a dozen lines each, the
    # router's status checks included); hotline.telephony logs what each request is for.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    db.init_app(app)
    redis_conn.init_app(app)
    telephony.configure(settings)
    app.extensions["hotline.routing"] = build_routing(settings, redis_conn.raw)

    for blueprint in (ivr_bp, messaging_bp, routing_bp, desk_bp, recordings_bp):
        app.register_blueprint(blueprint)
    call_recorded.connect(on_call_recorded, weak=False)
    consultant_picked_up.connect(on_consultant_picked_up, weak=False)
    supervision_event.connect(on_supervision_event, weak=False)

    @app.get("/")
    def index() -> Response:
        return redirect("/desk/")

    return app
