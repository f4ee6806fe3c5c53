"""What messaging keeps: the text messages the centre sent, and job-alert subscriptions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UtcDateTime, utcnow
from hotline.speech import DEFAULT_LANGUAGE


class SmsStatus(StrEnum):
    """Where an outgoing text message is."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboundSms(Base):
    """A text message the centre sends, with what it carried (e.g. which vacancies)."""

    __tablename__ = "outbound_sms"
    __table_args__ = (UniqueConstraint("dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    call_sid: Mapped[str | None] = mapped_column(String(34), index=True)
    to_number: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    vacancy_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    training_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default=SmsStatus.QUEUED)
    message_sid: Mapped[str | None] = mapped_column(String(34))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class JobAlert(Base):
    """A caller's subscription to a daily text of new vacancies."""

    __tablename__ = "job_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(2))
    occupation: Mapped[str | None] = mapped_column(String(160))
    language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stopped_by: Mapped[str | None] = mapped_column(String(16))
    last_sent_on: Mapped[date | None] = mapped_column(Date)
    sent_vacancy_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
