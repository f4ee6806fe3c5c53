"""What the privacy package keeps: legal holds on customers, and the purge's reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UtcDateTime, utcnow


class LegalHold(Base):
    """A customer whose data the purge must keep, for a complaint or a court case."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))

    @property
    def active(self) -> bool:
        """Tell whether the hold still stands."""
        return self.released_at is None


class RetentionReport(Base):
    """One run of the purge: how many of each kind of data it removed, never what they held."""

    __tablename__ = "retention_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dry_run: Mapped[bool] = mapped_column(default=False)
    # The moment the periods were measured from (the purge's clock).
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Items past their period kept because their customer is on legal hold, by kind.
    held: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Requests the phone network refused (a deletion, the list of its recordings); the next run
    # tries again.
    failures: Mapped[int] = mapped_column(default=0)
    triggered_by: Mapped[str] = mapped_column(String(40), default="schedule")
