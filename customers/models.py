"""Jobseekers, the contacts they have with the centre, and the audit trail of changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultants.models import Consultant
from hotline.db import Base, UtcDateTime, utcnow
from hotline.speech import DEFAULT_LANGUAGE

# What came of a contact, as a consultant records it after a call or a voicemail.
CONTACT_OUTCOMES = ("resolved", "follow-up", "referred", "no-action")


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
    action_plan_notes: Mapped[str] = mapped_column(Text, default="")

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", order_by="Contact.started_at.desc()"
    )

    @property
    def full_name(self) -> str:
        """Return first and last name."""
        return f"{self.first_name} {self.last_name}"


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
    # The consultant who transferred the call to this one, if it came by a transfer.
    transferred_by_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))

    customer: Mapped[Customer | None] = relationship(back_populates="contacts")
    consultant: Mapped[Consultant | None] = relationship(foreign_keys=[consultant_id])
    transferred_by: Mapped[Consultant | None] = relationship(foreign_keys=[transferred_by_id])


class AuditEntry(Base):
    """Who changed what on a customer record, and when."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
