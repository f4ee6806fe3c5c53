"""Jobseekers, the contacts they have with the centre, and the audit trail of changes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultants.models import Consultant
from customers.names import search_name
from hotline.db import Base, UtcDateTime, utcnow
from hotline.speech import DEFAULT_LANGUAGE

# What came of a contact, as a consultant records it after a call or a voicemail.
CONTACT_OUTCOMES = ("resolved", "follow-up", "referred", "no-action")
# Where a jobseeker stands with the labour office.
REGISTRATION_STATUSES = ("registered", "deregistered", "applicant")


class Customer(Base):
    """A jobseeker registered with a labour office."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    pesel: Mapped[str | None] = mapped_column(String(11), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    preferred_language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"), index=True)
    office_code: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(255))
    vulnerable: Mapped[bool] = mapped_column(default=False)
    # A safeguarding concern (risk of harm): consultants handle the caller with care.
    safeguarding: Mapped[bool] = mapped_column(default=False)
    # registered, deregistered or not yet registered, with the dates of each step.
    registration_status: Mapped[str] = mapped_column(String(16), default="registered")
    registered_on: Mapped[date | None] = mapped_column(Date)
    deregistered_on: Mapped[date | None] = mapped_column(Date)
    action_plan_notes: Mapped[str] = mapped_column(Text, default="")
    # First and last name folded for search (lower case, no diacritics); kept up to date by
    # customers.search on every insert and update.
    search_name: Mapped[str] = mapped_column(String(161), default="", index=True)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", order_by="Contact.started_at.desc()"
    )

    @property
    def full_name(self) -> str:
        """Return first and last name."""
        return f"{self.first_name} {self.last_name}"


@event.listens_for(Customer, "before_insert")
@event.listens_for(Customer, "before_update")
def _keep_search_name(_mapper: object, _connection: object, customer: Customer) -> None:
    """Fold the customer's name for search whenever the record is written."""
    customer.search_name = search_name(customer.first_name, customer.last_name)


class Contact(Base):
    """One conversation between a consultant and a caller: a transferred call has one per
    consultant who spoke with the caller."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("call_sid", "consultant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str | None] = mapped_column(String(34), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    topic: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str] = mapped_column(Text, default="")
    wrapped_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # How a call or text the consultant made went on the network: for a call "dialling",
    # "answered", "no-answer", "busy", "failed" or "missed" (the consultant did not pick up).
    result: Mapped[str | None] = mapped_column(String(16))
    # Every topic the call covered, as the consultant corrected them at wrap-up (the first is
    # ``topic``, which reports count by); a contact not yet wrapped up holds the IVR's topic.
    topics: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # What the consultant must still do for the caller, and by when (done once it is).
    follow_up: Mapped[str] = mapped_column(String(255), default="", server_default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The consultant who transferred the call to this one, if it came by a transfer.
    transferred_by_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))

    customer: Mapped[Customer | None] = relationship(back_populates="contacts")
    consultant: Mapped[Consultant | None] = relationship(foreign_keys=[consultant_id])
    transferred_by: Mapped[Consultant | None] = relationship(foreign_keys=[transferred_by_id])


class AuditEntry(Base):
    """Who read or changed what, when, why and from where: one link of the audit chain.

    ``entry_hash`` covers everything but the values and the reason, which it covers through
    ``values_hash`` (salted with ``values_salt``), so an erasure can blank the values and drop
    the salt while the chain still verifies.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    changes: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))
    values_salt: Mapped[str | None] = mapped_column(String(32))
    values_hash: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    entry_hash: Mapped[str] = mapped_column(String(64), default="")


class BreakGlass(Base):
    """A consultant opening a record that is neither their own nor their call's, and why."""

    __tablename__ = "break_glass"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
