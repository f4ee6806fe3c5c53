"""What every response of the centre says about itself to the browser: the security headers."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

from hotline.settings import Settings

# Twilio's Voice JavaScript SDK signals over a WebSocket and reports call quality to Twilio's
# event gateway; the media itself flows over WebRTC, which CSP does not govern.
TWILIO_VOICE_SOURCES = ("wss://*.twilio.com", "https://*.twilio.com")
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(settings: Settings) -> str:
    """Return the desk's CSP: scripts and styles only from our own files, never inline."""
    connect = ["'self'", *TWILIO_VOICE_SOURCES]
    if settings.uses_emulator and settings.twilio_api_url:
        connect.append(settings.twilio_api_url)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        # data: for the favicon and the second factor's QR code; the softphone's silent
        # stand-ins for the SDK's sounds are data: too.
        "img-src": "'self' data:",
        "media-src": "'self' data: blob:",
        "connect-src": " ".join(connect),
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def install_security_headers(app: Flask, settings: Settings) -> None:
    """Add the security headers to every response the app gives."""
    policy = content_security_policy(settings)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)")
        if settings.production:
            headers.setdefault("Strict-Transport-Security", HSTS)
        # Every page and answer but our own static files may carry personal data: no copy of
        # it stays in the browser's cache or a proxy's.
        endpoint = request.endpoint or ""
        if not (endpoint == "static" or endpoint.endswith(".static")):
            headers["Cache-Control"] = "no-store"
        return response
