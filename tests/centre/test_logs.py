"""Personal data stays out of the logs, even when a library or an error puts it there."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from centre.logs import PersonalDataFilter, redact
from hotline.db import db

PESEL = "92070656785"


def test_numbers_and_pesels_are_blanked_but_sids_and_counts_are_not():
    sid = "CA0123456789012345678901234567890a"
    line = f"call {sid}: text to +48 601 000 001 failed for {PESEL} (601000001), 250 rows"
    cleaned = redact(line)
    assert "601" not in cleaned and PESEL not in cleaned
    assert sid in cleaned and "250 rows" in cleaned


def test_the_filter_rewrites_a_record_and_its_exception(caplog):
    logger = logging.getLogger("tests.logs")
    caplog.handler.addFilter(PersonalDataFilter())
    try:
        raise ValueError(f"The 'To' number +48601000001 is not valid ({PESEL})")
    except ValueError:
        logger.exception("text to %s failed", "+48601000001")
    record = caplog.records[-1]
    assert "+48601000001" not in caplog.text and PESEL not in caplog.text
    assert "[redacted]" in record.getMessage()


def test_twilios_http_client_is_quiet_by_default(app):
    assert logging.getLogger("twilio.http_client").getEffectiveLevel() >= logging.WARNING


def test_database_errors_do_not_carry_their_parameters(app):
    with pytest.raises(SQLAlchemyError) as failure:
        db.session.execute(
            text("SELECT * FROM no_such_table WHERE pesel = :pesel"), {"pesel": PESEL}
        )
    db.session.rollback()
    assert PESEL not in str(failure.value)
    assert "hidden due to hide_parameters" in str(failure.value)
