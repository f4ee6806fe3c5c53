"""The desk's softphone: access tokens that let a consultant's browser ring and answer as their
Twilio Client identity, through Twilio's Voice JavaScript SDK."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from agent_desk.errors import SoftphoneNotSetUp
from consultants.models import Consultant
from hotline.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SoftphoneToken:
    """An access token for one consultant's browser, and when it runs out."""

    token: str
    identity: str
    issued_at: int
    expires_at: int

    def as_dict(self) -> dict[str, object]:
        """Return the token as the desk's JavaScript reads it."""
        return {
            "token": self.token,
            "identity": self.identity,
            "expires_at": self.expires_at,
            "ttl_seconds": self.expires_at - self.issued_at,
        }


def missing_settings(settings: Settings) -> list[str]:
    """Name the settings a softphone token needs that are not set."""
    needed = (
        ("TWILIO_API_KEY_SID", settings.twilio_api_key_sid),
        ("TWILIO_API_KEY_SECRET", settings.twilio_api_key_secret),
        ("TWILIO_TWIML_APP_SID", settings.twilio_twiml_app_sid),
    )
    return [name for name, value in needed if not value]


def access_token(
    settings: Settings, consultant: Consultant, now: float | None = None
) -> SoftphoneToken:
    """Mint a short-lived token that lets the consultant's browser take calls to their Client
    identity and place calls through the centre's TwiML app."""
    missing = missing_settings(settings)
    if missing:
        raise SoftphoneNotSetUp("the softphone needs these settings: " + ", ".join(missing))
    issued = int(time.time() if now is None else now)
    expires = issued + settings.token_ttl_seconds
    token = AccessToken(
        settings.twilio_account_sid,
        settings.twilio_api_key_sid,
        settings.twilio_api_key_secret,
        identity=consultant.client_identity,
        nbf=issued,
        valid_until=expires,
    )
    token.add_grant(
        VoiceGrant(incoming_allow=True, outgoing_application_sid=settings.twilio_twiml_app_sid)
    )
    log.info("softphone token for %s until %s", consultant.client_identity, expires)
    return SoftphoneToken(str(token.to_jwt()), consultant.client_identity, issued, expires)
