"""The TOTP second factor (RFC 6238): enrolment and checking a code, each code once."""

from __future__ import annotations

import time

import pyotp

from consultants.models import Consultant
from hotline.db import db

ISSUER = "hotline"
# Codes are accepted one 30-second step either side, for a phone's clock that is a little off.
DRIFT_STEPS = 1


def new_secret() -> str:
    """Return a fresh random secret to enrol with."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """Return the time step whose code this is, near now, or None if it matches none."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = totp.timecode(int(moment))
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def verify(consultant: Consultant, code: str, now: float | None = None) -> bool:
    """Check an enrolled person's code; a code already used (or an older one) is refused."""
    if not consultant.totp_secret:
        return False
    step = matching_step(consultant.totp_secret, code, now)
    last = consultant.totp_last_step
    if step is None or (last is not None and step <= last):
        return False
    with db.transaction():
        consultant.totp_last_step = step
    return True


def enrol(consultant: Consultant, secret: str, code: str, now: float | None = None) -> bool:
    """Enrol a secret once the person shows a code from it; return whether it was accepted."""
    step = matching_step(secret, code, now)
    if step is None:
        return False
    with db.transaction():
        consultant.totp_secret = secret
        consultant.totp_last_step = step
    return True
