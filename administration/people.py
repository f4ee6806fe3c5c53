"""The centre's people: creating accounts with a one-time password, changing what each may
do, and disabling them, which ends their sessions and takes them off the queue at once."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from administration.fields import FieldErrors, Fields
from consultants import service as accounts
from consultants.models import Consultant
from customers.audit import audit
from customers.service import normalise_phone
from hotline.access import Role, roles_from
from hotline.db import db
from hotline.speech import LANGUAGES
from knowledge.models import Office
from routing import service as routing
from routing.engine import RoutingEngine
from routing.live import ConsultantState

log = logging.getLogger(__name__)

LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
TOPIC = re.compile(r"[a-z][a-z0-9_]{1,31}")
ROLE_NAMES = tuple(role.value for role in Role)
# What an administrator may set, in the order forms and CSV files name them.
PERSON_FIELDS = ("login", "name", "office", "languages", "topics", "phone", "roles", "active")


def one_time_password() -> str:
    """Return a password to hand over once (16 characters, about 96 bits)."""
    return secrets.token_urlsafe(12)


def office_codes() -> set[str]:
    """Return the codes of the offices people may belong to."""
    return set(db.session.scalars(select(Office.code)))


def read_person(given: Mapping[str, str], existing: Consultant | None) -> dict[str, Any]:
    """Return the checked values of the fields given (the rest stay as they are); raise
    FieldErrors with every reason a value cannot be used."""
    fields = Fields(given)
    values: dict[str, Any] = {}
    if existing is None or fields.has("login"):
        login = fields.text("login", 64, required=True).lower()
        if login and not LOGIN.fullmatch(login):
            fields.reasons.append("a login is 2 to 64 small letters, digits, '.', '_' or '-'")
        values["login"] = login
    if existing is None or fields.has("name"):
        values["name"] = fields.text("name", 120, required=True)
    if fields.has("office"):
        office = fields.text("office", 32).upper() or None
        if office and office not in office_codes():
            fields.reasons.append(f"no office has the code {office!r}")
        values["office_code"] = office
    if fields.has("languages") or existing is None:
        values["languages"] = fields.words("languages", LANGUAGES) or ["pl"]
    if fields.has("topics"):
        topics = fields.words("topics")
        bad = [topic for topic in topics if not TOPIC.fullmatch(topic)]
        if bad:
            fields.reasons.append(f"topics are short names of small letters: {', '.join(bad)}")
        values["topics"] = topics
    if fields.has("phone"):
        raw = fields.text("phone", 40)
        phone = normalise_phone(raw) if raw else None
        if raw and phone is None:
            fields.reasons.append(f"{raw!r} is not a valid desk phone number")
        values["phone"] = phone
    if fields.has("roles") or existing is None:
        values["roles"] = fields.words("roles", ROLE_NAMES) or (
            [] if existing is not None else [Role.CONSULTANT.value]
        )
    if fields.has("active"):
        values["active"] = fields.flag("active")
    fields.check()
    return values


def create_person(values: Mapping[str, Any], actor_id: int | None) -> tuple[Consultant, str]:
    """Create an account with a one-time password, returned to hand over once; the person
    chooses their own at the first sign-in."""
    password = one_time_password()
    person = Consultant(
        login=values["login"], name=values["name"], password_hash=generate_password_hash(password),
        office_code=values.get("office_code"), languages=list(values.get("languages", ["pl"])),
        topics=list(values.get("topics", [])), phone=values.get("phone"),
        roles=list(values.get("roles", [Role.CONSULTANT.value])),
        active=values.get("active", True), must_change_password=True,
    )  # fmt: skip
    try:
        with db.transaction() as session:
            session.add(person)
            session.flush()
            audit(actor_id, None, "consultant.create", {
                "consultant": person.id, "login": person.login, "roles": person.roles,
            })  # fmt: skip
    except IntegrityError as exc:
        raise FieldErrors([f"the login {values['login']!r} is taken"]) from exc
    log.info("consultant %s created by %s", person.id, actor_id)
    return person, password


def update_person(
    person: Consultant, values: Mapping[str, Any], actor_id: int | None, engine: RoutingEngine
) -> list[str]:
    """Change what was given; audit it (roles especially), and mirror the changes routing
    uses. Disabling ends every session and takes the person off the queue. Returns the names
    of the fields that changed."""
    active = values.get("active")
    changes = {
        name: {"from": getattr(person, name), "to": value}
        for name, value in values.items()
        if name != "active" and getattr(person, name) != value
    }
    if changes:
        try:
            with db.transaction():
                for name, change in changes.items():
                    setattr(person, name, change["to"])
                action = "consultant.roles" if "roles" in changes else "consultant.update"
                audit(actor_id, None, action, {"consultant": person.id, **changes})
        except IntegrityError as exc:
            db.session.rollback()
            raise FieldErrors([f"the login {values.get('login')!r} is taken"]) from exc
        if engine.consultant(person.id).name is not None:
            engine.register_consultant(routing.consultant_profile(person))
    changed = list(changes)
    if active is not None and active != person.active:
        set_active(person, active, actor_id, engine)
        changed.append("active")
    return changed


def set_active(
    person: Consultant, active: bool, actor_id: int | None, engine: RoutingEngine
) -> None:
    """Enable or disable an account. Disabling ends every session of the person at once and
    takes them off the queue (offline), so no caller is put through to them; a call they are
    on goes on to its end."""
    accounts.set_active(person, active)
    with db.transaction():
        audit(actor_id, None, "consultant.enable" if active else "consultant.disable",
              {"consultant": person.id})  # fmt: skip
    if not active:
        routing.set_consultant_state(engine, person, ConsultantState.OFFLINE, reason="disabled")
        engine.at_desk(person.id, signed_in=False)
    log.info("consultant %s %s by %s", person.id, "enabled" if active else "disabled", actor_id)


def reset_password(person: Consultant, actor_id: int | None) -> str:
    """Give the person a new one-time password (returned to hand over once), ending every
    session they have."""
    password = one_time_password()
    accounts.set_password(person, password, one_time=True)
    with db.transaction():
        audit(actor_id, None, "consultant.password_reset", {"consultant": person.id})
    return password


def people() -> list[Consultant]:
    """Return every account, active ones first, by name."""
    query = select(Consultant).order_by(Consultant.active.desc(), Consultant.name)
    return list(db.session.scalars(query))


def by_login(login: str) -> Consultant | None:
    """Return the account with this login."""
    return accounts.by_login(login.strip().lower())


def role_names(person: Consultant) -> list[str]:
    """Return the roles a person holds that this version knows."""
    return sorted(role.value for role in roles_from(person.roles))
