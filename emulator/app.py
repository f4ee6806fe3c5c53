"""Build and run the emulator: one threaded process playing the whole phone network."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from types import TracebackType
from urllib.parse import urlparse

from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer, make_server

from emulator import control, phone, rest
from emulator.config import EmulatorConfig
from emulator.network import PhoneNetwork
from emulator.spec import load_spec

log = logging.getLogger(__name__)

# How werkzeug colours a request line on a terminal.
ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")

CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Vary": "Origin",
}


def create_emulator_app(config: EmulatorConfig | None = None) -> Flask:
    """Create the emulator's Flask app: Twilio's REST API, the control API and the phone page."""
    config = config or EmulatorConfig.from_env()
    app = Flask(__name__)
    app.config["EMULATOR"] = config
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["emulator_network"] = PhoneNetwork(config)
    app.extensions["emulator_spec"] = load_spec(config.spec_path)
    app.register_blueprint(rest.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(phone.bp)

    @app.after_request
    def allow_the_centres_desk(response: Response) -> Response:
        # Only the centre's desk pages (their softphone) may call the control API from a
        # browser; any other page is left to the browser's same-origin rule.
        if request.path.startswith("/emulator/"):
            response.headers.update(CORS_HEADERS)
            response.headers["Access-Control-Allow-Origin"] = config.centre_origin
        return response

    return app


def network_of(app: Flask) -> PhoneNetwork:
    """Return the phone network an emulator app runs."""
    network: PhoneNetwork = app.extensions["emulator_network"]
    return network


class QuietReads(logging.Filter):
    """Leave successful reads out of the request log: the phone page, the desk's softphone and
    the centre's router poll the emulator all the time. Changes (a call placed, a key pressed,
    a REST update) and every failure are still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep a request line unless it is a GET, HEAD or OPTIONS that succeeded."""
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) < 2 or not isinstance(args[0], str):
            return True
        method = ANSI_STYLE.sub("", args[0]).split(" ", 1)[0]
        try:
            status = int(str(getattr(args[1], "value", args[1])))
        except ValueError:
            return True
        return not (method in ("GET", "HEAD", "OPTIONS") and status < 400)


def _not_ready(environ: object, start_response: object) -> list[bytes]:
    raise RuntimeError("the emulator app is not attached yet")


class EmulatorServer:
    """The emulator served from a background thread, for tests and local tooling.

    With port 0 a free port is chosen and the config's public_url follows it.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        config = config or EmulatorConfig.from_env()
        self.server: BaseWSGIServer = make_server(host, port, _not_ready, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        if port == 0:
            config = dataclasses.replace(config, public_url=self.url)
        self.config = config
        self.app = create_emulator_app(config)
        self.server.app = self.app
        self.thread: threading.Thread | None = None

    @property
    def network(self) -> PhoneNetwork:
        """Return the running phone network."""
        return network_of(self.app)

    def route_hotline_to(self, centre_url: str) -> None:
        """Point the hotline number at a centre that started after the emulator."""
        centre_url = centre_url.rstrip("/")
        self.config.voice_url = centre_url + "/ivr/incoming"
        self.config.status_callback_url = centre_url + "/ivr/status"

    def start(self) -> EmulatorServer:
        """Start serving in a daemon thread."""
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        log.info("phone emulator listening on %s", self.url)
        return self

    def stop(self) -> None:
        """End every call and stop serving."""
        self.network.shutdown()
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    config: EmulatorConfig | None = None, host: str | None = None, port: int | None = None
) -> None:
    """Serve the emulator until interrupted; host and port default to the public URL's."""
    config = config or EmulatorConfig.from_env()
    address = urlparse(config.public_url)
    host = host or address.hostname or "127.0.0.1"
    port = port if port is not None else address.port or 5001
    server = make_server(host, port, create_emulator_app(config), threaded=True)
    logging.getLogger("werkzeug").addFilter(QuietReads())
    log.info("phone emulator for %s on http://%s:%s", config.hotline_number, host, port)
    print(f"Phone emulator on http://{host}:{port}  (phone page: http://{host}:{port}/phone)")
    print(f"Hotline {config.hotline_number} -> {config.voice_url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        network_of(server.app).shutdown(timeout=1.0)  # type: ignore[arg-type]
        server.server_close()
