"""The people who answer calls: consultants, who are also the Customer Advisors of jobseekers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UtcDateTime


class Consultant(Base):
    """A person who signs in to the desk: answers calls, supervises, edits content, administers.

    Most are also the Customer Advisor of some jobseekers. What they may do follows from their
    roles (hotline.access.MATRIX).
    """

    __tablename__ = "consultants"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    office_code: Mapped[str | None] = mapped_column(String(32), index=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str | None] = mapped_column(String(32))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session's id: raising it ends every session the person has, at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set by an administrator's one-time password: the person chooses their own at sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # The TOTP second factor: the shared secret once enrolled, and the last time step used,
    # so that a code seen over a shoulder cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The language of their desk pages ("pl" or "en"), which they choose on their account page.
    desk_language: Mapped[str] = mapped_column(String(8), default="pl", server_default="pl")

    @property
    def client_identity(self) -> str:
        """Return the Twilio Client identity that rings this consultant's desk."""
        return f"consultant-{self.id}"

    # What Flask-Login asks of a signed-in person.
    @property
    def is_authenticated(self) -> bool:
        """Tell Flask-Login this is a signed-in person."""
        return True

    @property
    def is_active(self) -> bool:
        """Tell Flask-Login whether the account may sign in."""
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        """Tell Flask-Login this is not the anonymous visitor."""
        return False

    def get_id(self) -> str:
        """Return the session id: the person and their session generation."""
        return f"{self.id}.{self.session_generation or 0}"
