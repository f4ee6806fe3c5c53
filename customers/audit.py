"""The audit trail: who changed what on a jobseeker's record, who did what on a live call, and
when."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from consultants.models import Consultant
from customers.models import AuditEntry
from hotline.db import db


def audit(
    consultant_id: int | None, customer_id: int | None, action: str, changes: Mapping[str, object]
) -> AuditEntry:
    """Add an audit entry to the current session."""
    entry = AuditEntry(
        consultant_id=consultant_id, customer_id=customer_id, action=action, changes=dict(changes)
    )
    db.session.add(entry)
    return entry


def audit_call(
    consultant_id: int | None,
    call_sid: str,
    action: str,
    customer_id: int | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Add an audit entry for something done on a live call (the call is named in its changes),
    to the customer's own trail too when the caller is known."""
    return audit(consultant_id, customer_id, action, {"call": call_sid, **(details or {})})


def call_audit_trail(call_sid: str) -> list[tuple[AuditEntry, str]]:
    """Return what was done on a call, oldest first, with who did each thing."""
    query = (
        select(AuditEntry, Consultant.name)
        .outerjoin(Consultant, Consultant.id == AuditEntry.consultant_id)
        .where(AuditEntry.changes["call"].as_string() == call_sid)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [(entry, name or "system") for entry, name in db.session.execute(query)]


def audit_trail(customer_id: int, limit: int = 50) -> list[tuple[AuditEntry, str]]:
    """Return a customer's audit entries, newest first, with who made each one."""
    query = (
        select(AuditEntry, Consultant.name)
        .outerjoin(Consultant, Consultant.id == AuditEntry.consultant_id)
        .where(AuditEntry.customer_id == customer_id)
        .order_by(AuditEntry.at.desc())
        .limit(limit)
    )
    return [(entry, name or "system") for entry, name in db.session.execute(query)]
