"""Finding consultants and checking who is signing in."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash

from consultants.models import Consultant
from hotline.db import db


def by_login(login: str) -> Consultant | None:
    """Find a consultant by their login name."""
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).first()


def by_id(consultant_id: int | None) -> Consultant | None:
    """Return the consultant with this id, or None."""
    return db.session.get(Consultant, consultant_id) if consultant_id else None


def authenticate(login: str, password: str) -> Consultant | None:
    """Return the consultant if the login and password match."""
    consultant = by_login(login.strip())
    if consultant and check_password_hash(consultant.password_hash, password):
        return consultant
    return None
