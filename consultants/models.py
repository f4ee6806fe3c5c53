"""The people who answer calls: consultants, who are also the Customer Advisors of jobseekers."""

from __future__ import annotations

from sqlalchemy import JSON, String, false
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class Consultant(Base):
    """A person who answers calls; also the Customer Advisor of some jobseekers."""

    __tablename__ = "consultants"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    office_code: Mapped[str | None] = mapped_column(String(32), index=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str | None] = mapped_column(String(32))
    # May listen in on, coach and barge into colleagues' calls (see consultants.access); a
    # stand-in until consultants get roles.
    supervisor: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def client_identity(self) -> str:
        """Return the Twilio Client identity that rings this consultant's desk."""
        return f"consultant-{self.id}"
