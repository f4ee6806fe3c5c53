"""Settings of the phone network emulator."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from emulator.exceptions import ConfigError

DEFAULT_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEFAULT_AUTH_TOKEN = "dev-auth-token-not-secret"
DEFAULT_CENTRE_URL = "http://127.0.0.1:5000"
DEFAULT_EMULATOR_URL = "http://127.0.0.1:5001"
DEFAULT_HOTLINE_NUMBER = "+48221952400"

# The longest a call lasts before the network ends it (Twilio's TimeLimit defaults to four hours;
# an hour is plenty for a call to the hotline on a laptop).
MAX_CALL_SECONDS = 3600.0

ACCOUNT_SID_PATTERN = re.compile(r"^AC[0-9a-fA-F]{32}$")
# A real Twilio auth token is 32 hexadecimal digits: the emulator never signs with one, so that
# it cannot place validly signed calls into a real centre.
REAL_AUTH_TOKEN_PATTERN = re.compile(r"^[0-9a-fA-F]{32}$")
CONTROL_TOKEN_FILE = "emulator_token"


def new_control_token() -> str:
    """Return a fresh random token for the control API."""
    return secrets.token_urlsafe(24)


def control_token_file(env: Mapping[str, str]) -> Path:
    """Return where the control API's token is kept between runs (the instance folder)."""
    return Path(env.get("HOTLINE_INSTANCE_DIR") or Path.cwd() / "instance") / CONTROL_TOKEN_FILE


def stored_control_token(env: Mapping[str, str]) -> str:
    """Return the control API's token as set up: EMULATOR_CONTROL_TOKEN, else the one kept in
    the instance folder, else empty."""
    given = env.get("EMULATOR_CONTROL_TOKEN", "").strip()
    if given:
        return given
    path = control_token_file(env)
    return path.read_text().strip() if path.exists() else ""


def keep_control_token(token: str, env: Mapping[str, str]) -> None:
    """Keep a generated token in the instance folder, so that `hotline call` in another
    terminal finds it (nothing is written when the environment gives the token)."""
    if env.get("EMULATOR_CONTROL_TOKEN", "").strip():
        return
    path = control_token_file(env)
    if path.exists() and path.read_text().strip() == token:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(token)
    path.chmod(0o600)


def origin_of(url: str) -> str:
    """Return the scheme, host and port of an address (its web origin)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class EmulatorConfig:
    """Everything the emulator needs to play Twilio's part for one hotline number."""

    account_sid: str = DEFAULT_ACCOUNT_SID
    auth_token: str = DEFAULT_AUTH_TOKEN
    voice_url: str = DEFAULT_CENTRE_URL + "/ivr/incoming"
    voice_method: str = "POST"
    status_callback_url: str | None = DEFAULT_CENTRE_URL + "/ivr/status"
    # The number's fallback URL ("Primary handler fails" in Twilio's console).
    voice_fallback_url: str | None = None
    hotline_number: str = DEFAULT_HOTLINE_NUMBER
    public_url: str = DEFAULT_EMULATOR_URL
    time_scale: float = 1.0
    spec_path: str | None = None
    max_call_duration: float = MAX_CALL_SECONDS
    min_document_interval: float = 0.05
    # The control API answers only requests that carry this token (Authorization: Bearer).
    control_token: str = field(default_factory=new_control_token)

    def __post_init__(self) -> None:
        if not ACCOUNT_SID_PATTERN.match(self.account_sid):
            raise ConfigError(f"account_sid {self.account_sid!r} is not AC + 32 hex digits")
        if not self.auth_token:
            raise ConfigError("auth_token must not be empty")
        if REAL_AUTH_TOKEN_PATTERN.match(self.auth_token):
            raise ConfigError(
                "the auth token looks like a real Twilio token; the emulator signs only with a "
                "development token (unset TWILIO_AUTH_TOKEN or give a made-up one)"
            )
        if not self.control_token:
            raise ConfigError("control_token must not be empty")
        if self.time_scale <= 0:
            raise ConfigError("time_scale must be positive")
        if self.voice_method not in ("GET", "POST"):
            raise ConfigError("voice_method must be GET or POST")
        self.public_url = self.public_url.rstrip("/")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EmulatorConfig:
        """Build the settings from the same environment variables the centre reads."""
        env = os.environ if environ is None else environ
        if env.get("HOTLINE_ENV", "").strip().lower() == "production":
            raise ConfigError("the phone emulator does not run with HOTLINE_ENV=production")
        centre_url = (env.get("PUBLIC_URL") or DEFAULT_CENTRE_URL).rstrip("/")
        scale_text = env.get("EMULATOR_TIME_SCALE") or "1.0"
        try:
            time_scale = float(scale_text)
        except ValueError as exc:
            raise ConfigError(f"EMULATOR_TIME_SCALE={scale_text!r} is not a number") from exc
        return cls(
            account_sid=env.get("TWILIO_ACCOUNT_SID") or DEFAULT_ACCOUNT_SID,
            auth_token=env.get("TWILIO_AUTH_TOKEN") or DEFAULT_AUTH_TOKEN,
            voice_url=centre_url + "/ivr/incoming",
            status_callback_url=centre_url + "/ivr/status",
            voice_fallback_url=env.get("EMULATOR_VOICE_FALLBACK_URL") or None,
            hotline_number=env.get("HOTLINE_NUMBER") or DEFAULT_HOTLINE_NUMBER,
            public_url=env.get("TWILIO_API_URL") or DEFAULT_EMULATOR_URL,
            time_scale=time_scale,
            spec_path=env.get("TWILIO_SPEC_PATH") or None,
            control_token=stored_control_token(env) or new_control_token(),
        )

    @property
    def centre_origin(self) -> str:
        """Return the web origin of the centre whose desk pages drive endpoints here."""
        return origin_of(self.voice_url)

    def scaled(self, seconds: float) -> float:
        """Turn seconds of caller-perceived audio into real seconds."""
        return max(0.0, seconds) * self.time_scale
