"""Where a customer's personal data lies: every row, in every table, that is about them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select

from customers.models import AuditEntry, Contact, Customer
from hotline.db import db
from messaging.models import JobAlert, OutboundSms
from privacy.models import LegalHold
from recordings.models import Recording
from routing.models import CallbackAttempt, CallbackRequest, CallRecord


@dataclass(frozen=True)
class Footprint:
    """The keys that find some customers' data: their ids, phone numbers and calls."""

    customer_ids: frozenset[int]
    phones: frozenset[str]
    call_sids: frozenset[str]

    @property
    def empty(self) -> bool:
        """Tell whether no customer is concerned."""
        return not self.customer_ids

    def contacts(self) -> ColumnElement[bool]:
        """Select their contacts."""
        return _any(
            Contact.customer_id.in_(self.customer_ids), Contact.caller_number.in_(self.phones)
        )

    def call_records(self) -> ColumnElement[bool]:
        """Select the records of their calls."""
        return _any(
            CallRecord.customer_id.in_(self.customer_ids),
            CallRecord.caller_number.in_(self.phones),
        )

    def callback_requests(self) -> ColumnElement[bool]:
        """Select the callbacks they asked for."""
        return _any(
            CallbackRequest.customer_id.in_(self.customer_ids),
            CallbackRequest.number.in_(self.phones),
        )

    def recordings(self) -> ColumnElement[bool]:
        """Select the recordings of their calls (voicemail and, later, conversations)."""
        return Recording.call_sid.in_(self.call_sids) if self.call_sids else false()

    def sms(self) -> ColumnElement[bool]:
        """Select the texts sent to them."""
        return OutboundSms.to_number.in_(self.phones) if self.phones else false()

    def job_alerts(self) -> ColumnElement[bool]:
        """Select their job-alert subscriptions."""
        return _any(JobAlert.customer_id.in_(self.customer_ids), JobAlert.phone.in_(self.phones))

    def audit_entries(self) -> ColumnElement[bool]:
        """Select the audit entries about them."""
        return AuditEntry.customer_id.in_(self.customer_ids)

    def legal_holds(self) -> ColumnElement[bool]:
        """Select their legal holds."""
        return LegalHold.customer_id.in_(self.customer_ids)

    def callback_attempts(self) -> ColumnElement[bool]:
        """Select the attempts at calling them back."""
        requests = select(CallbackRequest.id).where(self.callback_requests())
        return CallbackAttempt.request_id.in_(requests)


def _any(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return or_(*conditions)


def footprint_of(customer_ids: Iterable[int]) -> Footprint:
    """Find the phone numbers and calls of some customers."""
    ids = frozenset(customer_ids)
    if not ids:
        return Footprint(frozenset(), frozenset(), frozenset())
    phones = frozenset(
        phone
        for phone in db.session.scalars(select(Customer.phone).where(Customer.id.in_(ids)))
        if phone
    )
    partial = Footprint(ids, phones, frozenset())
    calls = set(db.session.scalars(select(CallRecord.call_sid).where(partial.call_records())))
    calls |= {
        sid for sid in db.session.scalars(select(Contact.call_sid).where(partial.contacts())) if sid
    }
    calls |= set(
        db.session.scalars(select(CallbackRequest.call_sid).where(partial.callback_requests()))
    )
    return Footprint(ids, phones, frozenset(calls))
