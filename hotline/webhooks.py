"""The guard every Twilio webhook passes through: signature check and a safe fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline import speech
from hotline.access import signed_by_twilio
from hotline.db import db
from hotline.settings import Settings
from hotline.telephony import signature_is_valid

log = logging.getLogger(__name__)

P = ParamSpec("P")
Fallback = Callable[[str | None], VoiceResponse]


class RetryLater(RuntimeError):
    """A status callback that could not be kept: answered 503, so that Twilio may send it again.

    Only for callbacks whose answer Twilio does not play to a caller (a recording's status):
    a 2xx there tells Twilio the report was received, and it is never sent again.
    """


def polite_goodbye(call_sid: str | None) -> VoiceResponse:
    """Apologise and end the call: the fallback of last resort."""
    response = VoiceResponse()
    for language in (speech.DEFAULT_LANGUAGE, "en"):
        speech.say(response, language, speech.prompt(language, "apology"))
        speech.say(response, language, speech.prompt(language, "apology_goodbye"))
    response.hangup()
    return response


def twiml(response: VoiceResponse | str) -> Response:
    """Wrap TwiML in an HTTP answer Twilio accepts."""
    return Response(str(response), status=200, mimetype="text/xml")


def request_path_and_query() -> str:
    """Return the path and raw query string exactly as the client asked for them."""
    query = request.query_string.decode("latin-1")
    path = request.script_root + request.path
    return f"{path}?{query}" if query else path


def twilio_webhook(fallback: Fallback = polite_goodbye) -> Callable[..., Callable[P, Response]]:
    """Refuse unsigned requests (403) and turn any failure into fallback TwiML, never an error."""

    def decorator(view: Callable[P, VoiceResponse | str]) -> Callable[P, Response]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> Response:
            settings: Settings = current_app.extensions["hotline.settings"]
            params = request.form.to_dict() if request.method == "POST" else {}
            signature = request.headers.get("X-Twilio-Signature")
            call_sid = params.get("CallSid") or request.args.get("CallSid")
            if not signature_is_valid(settings, request_path_and_query(), params, signature):
                log.warning(
                    "refused %s %s: %s signature (call %s)",
                    request.method,
                    request.path,
                    "forged" if signature else "missing",
                    call_sid,
                )
                return Response("Forbidden: invalid Twilio signature\n", 403, mimetype="text/plain")
            try:
                return twiml(view(*args, **kwargs))
            except RetryLater as exc:
                log.warning(
                    "%s not kept for call %s, asking for a retry: %s", request.path, call_sid, exc
                )
                db.session.rollback()
                return Response("Not stored; please retry\n", 503, mimetype="text/plain")
            except Exception:
                log.exception("webhook %s failed for call %s", request.path, call_sid)
                db.session.rollback()
                try:
                    return twiml(fallback(call_sid))
                except Exception:
                    log.exception("fallback for %s failed too (call %s)", request.path, call_sid)
                    return twiml(polite_goodbye(call_sid))

        return signed_by_twilio(guarded)

    return decorator
