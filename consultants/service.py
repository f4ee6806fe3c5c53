"""Finding consultants, checking who is signing in, and ending their sessions."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from consultants.models import Consultant
from hotline.db import db, utcnow

MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A change to an account that cannot be made, with the reason to show."""


@cache
def unknown_login_hash() -> str:
    """Return a hash to check passwords of unknown logins against, made the way real ones are,
    so that a wrong login takes as long to refuse as a wrong password."""
    return generate_password_hash("no account has this password")


def by_login(login: str) -> Consultant | None:
    """Find a consultant by their login name."""
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).first()


def everyone() -> list[Consultant]:
    """Return every person with a desk account, by name."""
    return list(db.session.scalars(select(Consultant).order_by(Consultant.name)))


def by_id(consultant_id: int | None) -> Consultant | None:
    """Return the consultant with this id, or None."""
    return db.session.get(Consultant, consultant_id) if consultant_id else None


def authenticate(login: str, password: str) -> Consultant | None:
    """Return the consultant if the login and password match and the account is active.

    An unknown login checks the password against a stand-in hash, and a disabled account is
    refused only after its password is checked, so that timing tells neither apart.
    """
    consultant = by_login(login.strip())
    stored = consultant.password_hash if consultant else unknown_login_hash()
    matches = check_password_hash(stored, password)
    if consultant is None or not matches or not consultant.active:
        return None
    return consultant


def by_session_id(session_id: str) -> Consultant | None:
    """Return the person a session belongs to, or None if that session has been ended.

    A session id is the consultant's id and their session generation; ending their sessions
    raises the generation, so every older id stops matching at once.
    """
    ident, _dot, generation = session_id.partition(".")
    if not ident.isdigit() or not generation.isdigit() or len(ident) > 18:
        return None
    consultant = db.session.get(Consultant, int(ident))
    if consultant is None or not consultant.active:
        return None
    if consultant.session_generation != int(generation):
        return None
    return consultant


def end_sessions(consultant: Consultant) -> None:
    """End every session this person has, on every browser."""
    with db.transaction() as session:
        session.execute(
            update(Consultant)
            .where(Consultant.id == consultant.id)
            .values(session_generation=Consultant.session_generation + 1)
        )
    db.session.refresh(consultant)


def change_password(consultant: Consultant, current: str, new: str) -> None:
    """Change a person's own password, which ends every session they have."""
    if not check_password_hash(consultant.password_hash, current):
        raise AccountError("The current password is wrong.")
    if new == current:
        raise AccountError("Choose a password other than the current one.")
    set_password(consultant, new)


def set_password(consultant: Consultant, new: str, *, one_time: bool = False) -> None:
    """Give a person a new password, ending every session they have; a one-time password
    (an administrator's) must be changed at the next sign-in."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if new.strip() != new or not new.isprintable():
        raise AccountError("A password may not start or end with spaces or hold control keys.")
    with db.transaction():
        consultant.password_hash = generate_password_hash(new)
        consultant.password_changed_at = utcnow()
        consultant.must_change_password = one_time
    end_sessions(consultant)


def set_active(consultant: Consultant, active: bool) -> None:
    """Enable or disable an account; disabling ends every session at once."""
    with db.transaction():
        consultant.active = active
    if not active:
        end_sessions(consultant)


def set_desk_language(consultant: Consultant, language: str, offered: Iterable[str]) -> None:
    """Show a person's desk pages in one of the offered languages from their next page on."""
    if language not in offered:
        raise AccountError("Choose one of the languages offered.")
    with db.transaction():
        consultant.desk_language = language
