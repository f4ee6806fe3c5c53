"""Background jobs of messaging: sending text messages and the daily job alerts."""

from __future__ import annotations

import logging
from datetime import date

from hotline.db import db, utcnow
from hotline.telephony import telephony
from messaging import alerts
from messaging.models import OutboundSms, SmsStatus
from messaging.sms import may_text

log = logging.getLogger(__name__)


def send_sms(message_id: int) -> str | None:
    """Send a stored text message once; a repeat after success does nothing."""
    message = db.session.get(OutboundSms, message_id)
    if message is None:
        log.warning("text message %s no longer exists", message_id)
        return None
    if message.status == SmsStatus.SENT:
        return message.message_sid
    if not may_text(message.to_number):
        # Queued before the allowed countries changed: never sent, and not worth a retry.
        message.status, message.error = SmsStatus.FAILED, "refused: outside the allowed countries"
        db.session.commit()
        log.warning("call %s: text %s refused: the number is outside the allowed countries",
                    message.call_sid, message.id)  # fmt: skip
        return None
    message.attempts += 1
    db.session.commit()
    try:
        sid = telephony.current().send_sms(message.to_number, message.body)
    except Exception as exc:
        message.error = str(exc)[:500]
        db.session.commit()
        log.warning("call %s: text %s failed: %s", message.call_sid, message.id, exc)
        raise
    message.status, message.message_sid, message.sent_at = SmsStatus.SENT, sid, utcnow()
    message.error = None
    db.session.commit()
    log.info("call %s: text %s sent as %s", message.call_sid, message.id, sid)
    return sid


def send_job_alerts(day: str | None = None) -> int:
    """Text every active subscriber the new vacancies for them; once per subscriber per day."""
    today = date.fromisoformat(day) if day else date.today()
    sent = alerts.send_due(today)
    db.session.remove()
    return sent


def run_job_alerts() -> int:
    """The scheduled daily run: send today's alerts, then schedule tomorrow's."""
    sent = send_job_alerts()
    alerts.schedule_next()
    return sent
