"""Logging that keeps personal data out: quiet chatty libraries, and redact what slips through.

The centre's own log lines name calls by CallSid and people by id, never by number, PESEL,
address or note. The filter here is the net under that rule: it blanks anything shaped like
a phone number or a PESEL before a line is written, whoever wrote it (a library's exception
message names the number it could not text, for example).
"""

from __future__ import annotations

import logging
import re

# A phone number in E.164 or with its national digits; a PESEL is eleven digits. Sids and
# hashes are hex runs with letters, which the word boundaries leave alone.
PERSONAL_NUMBER = re.compile(r"\+\d[\d ]{6,16}\d|\b\d{11}\b|\b\d{9}\b")
REDACTED = "[redacted]"
# The twilio library logs every request it sends, headers and form (numbers, texts) included.
CHATTY_LOGGERS = ("twilio.http_client",)


def redact(text: str) -> str:
    """Blank every phone number and PESEL in text."""
    return PERSONAL_NUMBER.sub(REDACTED, text)


class PersonalDataFilter(logging.Filter):
    """Rewrites a log record with its phone numbers and PESELs blanked."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message and any exception text; always let the record pass."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def quiet_personal_data_loggers() -> None:
    """Silence the libraries that log personal data, and redact on every root handler."""
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
