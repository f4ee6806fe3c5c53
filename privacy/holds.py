"""Legal holds: a customer's data kept from the purge, for a complaint or a court case."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from consultants.models import Consultant
from customers.audit import audit
from customers.models import Customer
from hotline.db import db, utcnow
from hotline.outbound import CONTROL
from privacy.models import LegalHold

log = logging.getLogger(__name__)

# The longest reason a hold keeps: alike on SQLite and PostgreSQL, whose text has no limit.
REASON_LIMIT = 500


class HoldError(ValueError):
    """A hold that cannot be placed or released, with a message to show (in the reader's
    language: the desk's, or English on the command line)."""


def place_hold(by: Consultant | None, customer_id: int, reason: str) -> LegalHold:
    """Hold a customer's data from the purge, saying why; audited."""
    reason = reason.strip()
    if not reason:
        raise HoldError(_("say why the data is held (a complaint, a court case...)"))
    if len(reason) > REASON_LIMIT or CONTROL.search(reason):
        raise HoldError(
            _("say why in at most %(limit)s characters, without control keys", limit=REASON_LIMIT)
        )
    if db.session.get(Customer, customer_id) is None:
        raise HoldError(_("there is no such customer"))
    with db.transaction() as session:
        hold = LegalHold(customer_id=customer_id, reason=reason, placed_by=by.id if by else None)
        session.add(hold)
        session.flush()
        audit(by.id if by else None, customer_id, "legal_hold.placed", {"hold_id": hold.id})
    log.info("legal hold %s placed on customer %s", hold.id, customer_id)
    return hold


def release_hold(by: Consultant | None, hold_id: int) -> LegalHold:
    """Release a hold, so the purge may take the data once its period has passed; audited."""
    with db.transaction() as session:
        hold = session.get(LegalHold, hold_id)
        if hold is None or not hold.active:
            raise HoldError(_("that hold does not stand"))
        hold.released_at = utcnow()
        hold.released_by = by.id if by else None
        audit(by.id if by else None, hold.customer_id, "legal_hold.released", {"hold_id": hold.id})
    log.info("legal hold %s on customer %s released", hold.id, hold.customer_id)
    return hold


def holds_of(customer_id: int) -> list[LegalHold]:
    """Return a customer's holds, standing ones first, newest first."""
    holds = db.session.scalars(
        select(LegalHold)
        .where(LegalHold.customer_id == customer_id)
        .order_by(LegalHold.placed_at.desc())
    ).all()
    return sorted(holds, key=lambda hold: not hold.active)


def held_customer_ids() -> set[int]:
    """Return the customers whose data stands on hold."""
    return set(
        db.session.scalars(
            select(LegalHold.customer_id).where(LegalHold.released_at.is_(None))
        ).all()
    )


def is_held(customer_id: int) -> bool:
    """Tell whether a customer's data stands on hold."""
    return customer_id in held_customer_ids()
