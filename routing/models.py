"""The persisted record of every queued call, and callback requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UtcDateTime, utcnow
from hotline.speech import DEFAULT_LANGUAGE


class CallOutcome(StrEnum):
    """How a queued call ended."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"
    SELF_SERVICE = "self-service"
    # Cut off by a failure of the centre (the number's fallback URL caught it), never queued.
    FAILED = "failed"


class CallRecord(Base):
    """One call's journey through the queue, kept for reports and dashboards."""

    __tablename__ = "call_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(34), unique=True)
    caller_number: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    advisor_id: Mapped[int | None] = mapped_column(Integer)
    consultant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    topic: Mapped[str | None] = mapped_column(String(32))
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    talk_seconds: Mapped[float | None] = mapped_column(Float)
    tier: Mapped[str | None] = mapped_column(String(16))
    own_advisor: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(String(16), default=CallOutcome.ABANDONED)
    # How long the caller was on hold, and how often the call changed hands (its legs say
    # who had it, in turn).
    hold_seconds: Mapped[float | None] = mapped_column(Float)
    transfers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Whether the talk with consultants was recorded, and why or why not (routing.consent's
    # RecordingDecision: notice_given, declined, queue_not_recorded; None: never asked, as for
    # a caller who never reached the queue).
    recorded: Mapped[bool | None] = mapped_column()
    recording_reason: Mapped[str | None] = mapped_column(String(24))


class CallLeg(Base):
    """One person's segment of a call: a consultant's, or an outside party's, in turn."""

    __tablename__ = "call_legs"
    __table_args__ = (UniqueConstraint("call_sid", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(34), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # "queue", "transfer", "consult", "three-way" or "outside-transfer"
    kind: Mapped[str] = mapped_column(String(20))
    consultant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    party_number: Mapped[str | None] = mapped_column(String(32))
    party_name: Mapped[str | None] = mapped_column(String(120))
    transferred_by: Mapped[int | None] = mapped_column(Integer)
    handed_to: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    talk_seconds: Mapped[float | None] = mapped_column(Float)
    hold_seconds: Mapped[float | None] = mapped_column(Float)


class CallbackStatus(StrEnum):
    """Where a callback request is."""

    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class CallbackRequest(Base):
    """A caller who asked to be called back; kept so no request is ever lost."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(34), unique=True)
    number: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    advisor_id: Mapped[int | None] = mapped_column(Integer)
    office: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default=DEFAULT_LANGUAGE)
    topic: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    queue: Mapped[str] = mapped_column(String(64), default="")
    # The caller asked their own advisor to call back (key 3), not the first free consultant.
    for_advisor: Mapped[bool] = mapped_column(default=False, server_default=false())
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=CallbackStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    consultant_id: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    attempt_log: Mapped[list[CallbackAttempt]] = relationship(
        back_populates="request", order_by="CallbackAttempt.attempt"
    )


class CallbackAttempt(Base):
    """One try at calling a customer back, and how it went."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("callback_requests.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    consultant_id: Mapped[int | None] = mapped_column(Integer)
    leg_sid: Mapped[str | None] = mapped_column(String(34))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(16))

    request: Mapped[CallbackRequest] = relationship(back_populates="attempt_log")
