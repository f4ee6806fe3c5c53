"""An advisor's caseload: their own customers, each with the last contact and what is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select

from consultants.models import Consultant
from customers.audit import audit
from customers.models import Contact, Customer
from hotline.db import db

# The most customers one caseload page lists (an advisor's caseload is a few hundred at most).
CASELOAD_LIMIT = 500


@dataclass(frozen=True)
class CaseloadRow:
    """One of the advisor's customers: their last contact and their open follow-ups."""

    customer: Customer
    last_contact: Contact | None = None
    due: list[Contact] = field(default_factory=list)

    def overdue(self, today: date) -> bool:
        """Tell whether a follow-up of this customer's is due today or earlier."""
        return any(c.follow_up_on is not None and c.follow_up_on <= today for c in self.due)


def open_follow_ups() -> Select[Contact]:
    """Return the query of follow-ups not yet done, the earliest due first."""
    return (
        select(Contact)
        .where(Contact.follow_up_on.is_not(None), Contact.follow_up_done_at.is_(None))
        .order_by(Contact.follow_up_on, Contact.id)
    )


def caseload(consultant: Consultant, limit: int = CASELOAD_LIMIT) -> list[CaseloadRow]:
    """Return the advisor's own customers, those with a follow-up due first (earliest first),
    then by name; the listing is audited as a read of each record it shows."""
    customers = list(
        db.session.scalars(
            select(Customer)
            .where(Customer.advisor_id == consultant.id)
            .order_by(Customer.last_name, Customer.first_name, Customer.id)
            .limit(limit)
        )
    )
    ids = [customer.id for customer in customers]
    if not ids:
        return []
    newest = (
        select(Contact.customer_id, func.max(Contact.started_at).label("at"))
        .where(Contact.customer_id.in_(ids))
        .group_by(Contact.customer_id)
        .subquery()
    )
    last = {
        contact.customer_id: contact
        for contact in db.session.scalars(
            select(Contact).join(
                newest,
                (Contact.customer_id == newest.c.customer_id) & (Contact.started_at == newest.c.at),
            )
        )
    }
    due: dict[int, list[Contact]] = {}
    for contact in db.session.scalars(open_follow_ups().where(Contact.customer_id.in_(ids))):
        due.setdefault(contact.customer_id or 0, []).append(contact)
    rows = [CaseloadRow(c, last.get(c.id), due.get(c.id, [])) for c in customers]
    rows.sort(key=lambda row: (row.due[0].follow_up_on or date.max) if row.due else date.max)
    audit(consultant.id, None, "record.caseload", {"customer_ids": ids})
    return rows


def follow_ups_owed(consultant: Consultant) -> list[Contact]:
    """Return the follow-ups the consultant promised callers who are not their own customers;
    the names shown are audited as reads of those records."""
    query = open_follow_ups().where(Contact.consultant_id == consultant.id)
    owed = [
        contact
        for contact in db.session.scalars(query)
        if contact.customer is None or contact.customer.advisor_id != consultant.id
    ]
    for customer_id in sorted({c.customer_id for c in owed if c.customer_id is not None}):
        audit(consultant.id, customer_id, "record.follow-ups", {"grounds": "call"})
    return owed
