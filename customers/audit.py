"""The audit trail: who read or changed what (a record, or a live call), when, why and from
where, as a hash chain.

Each entry's hash covers the previous entry's hash and everything the entry says, so changing,
removing or reordering an entry breaks the chain at that point, which ``verify_chain`` finds.
The values (``changes``) and the reason given enter the chain only through a salted hash of
them: an erasure request blanks them and drops the salt, which leaves the chain whole (the
entry still says who did what to whom, and when) while nothing can be learnt from the hash.
On PostgreSQL a trigger (migration 0009) refuses any other UPDATE, and any DELETE but the
retention purge's, which adds an entry naming the links it cut.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from consultants.models import Consultant
from customers.models import AuditEntry
from hotline.db import db, utcnow

# The value an erasure leaves in place of each erased value.
ERASED = "(erased)"
# The entry the retention purge adds, naming the links its deletions cut.
PURGED = "audit.purged"
# What the retention purge sets (SET LOCAL) so that PostgreSQL's trigger lets it delete.
PURGE_SETTING = "hotline.audit_purge"
# The advisory lock that makes PostgreSQL writers add links one at a time.
CHAIN_LOCK = 19524_0012
# Where the request that is being audited comes from (an address), set by the web app.
origin: ContextVar[str | None] = ContextVar("audit_origin", default=None)


def canonical(value: object) -> str:
    """Return the one JSON text of a value that its hash is taken over."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def values_hash(salt: str, changes: Mapping[str, object], reason: str | None = None) -> str:
    """Return the salted hash of an entry's values and reason (what an erasure may blank)."""
    values = canonical([dict(changes), reason])
    return hashlib.sha256((salt + values).encode()).hexdigest()


def link_hash(entry: AuditEntry) -> str:
    """Return the hash that ties an entry to the one before it."""
    fields = [
        entry.prev_hash,
        entry.at.isoformat(),
        entry.consultant_id,
        entry.customer_id,
        entry.action,
        entry.address,
        entry.values_hash,
    ]
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


def _last_hash(session: Session, before: int | None = None) -> str:
    query = select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return session.scalar(query) or ""


def audit(
    consultant_id: int | None,
    customer_id: int | None,
    action: str,
    changes: Mapping[str, object],
    *,
    reason: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add an entry to the chain, in the current transaction (it commits with the change).

    ``at`` is for entries carried over from elsewhere (and tests of old data); the chain
    covers it like everything else.
    """
    with db.transaction() as session:
        salt = secrets.token_hex(16)
        entry = AuditEntry(
            at=at or utcnow(),
            consultant_id=consultant_id,
            customer_id=customer_id,
            action=action,
            changes=dict(changes),
            reason=reason,
            address=origin.get(),
            values_salt=salt,
            values_hash=values_hash(salt, changes, reason),
        )
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
            entry.prev_hash = _last_hash(session)
            entry.entry_hash = link_hash(entry)
            session.add(entry)
            session.flush()
        else:
            # SQLite has one writer at a time: inserting first takes the write lock, so the
            # entry before this one is final when it is read.
            session.add(entry)
            session.flush()
            entry.prev_hash = _last_hash(session, before=entry.id)
            entry.entry_hash = link_hash(entry)
            session.flush()
    return entry


def audit_call(
    consultant_id: int | None,
    call_sid: str,
    action: str,
    customer_id: int | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Add an audit entry for something done on a live call (the call is named in its changes),
    to the customer's own trail too when the caller is known."""
    return audit(consultant_id, customer_id, action, {"call_sid": call_sid, **(details or {})})


def call_audit_trail(call_sid: str) -> list[tuple[AuditEntry, str]]:
    """Return what was done on a call, oldest first, with who did each thing."""
    query = (
        select(AuditEntry, Consultant.name)
        .outerjoin(Consultant, Consultant.id == AuditEntry.consultant_id)
        .where(AuditEntry.changes["call_sid"].as_string() == call_sid)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [(entry, name or "system") for entry, name in db.session.execute(query)]


def erase_values(entry: AuditEntry) -> None:
    """Blank an entry's values and reason and forget its salt, leaving its link in the chain
    intact."""
    entry.changes = {key: ERASED for key in entry.changes}
    if entry.reason is not None:
        entry.reason = ERASED
    entry.values_salt = None


@contextmanager
def purging(session: Session) -> Iterator[None]:
    """Let the retention purge delete old entries (PostgreSQL's trigger refuses anyone else)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL {PURGE_SETTING} = 'on'"))
    yield


@dataclass(frozen=True)
class ChainReport:
    """What verifying the chain found."""

    checked: int
    first_id: int | None
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        """Tell whether every link held."""
        return self.broken_at is None


def verify_chain(batch: int = 1000) -> ChainReport:
    """Walk the chain from its oldest entry and report the first link that does not hold.

    The first entry follows from nothing; where the retention purge deleted entries, the
    entry after them follows from a link that the purge's own entry names.
    """
    gaps = purged_gaps()
    previous: str | None = None
    checked = 0
    first_id: int | None = None
    last_id = 0
    while True:
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not entries:
            return ChainReport(checked=checked, first_id=first_id)
        for entry in entries:
            problem = _broken(entry, previous, gaps)
            if problem:
                return ChainReport(checked, first_id or entry.id, entry.id, problem)
            first_id = first_id or entry.id
            previous = entry.entry_hash
            last_id = entry.id
            checked += 1
        db.session.expunge_all()


def purged_gaps() -> set[str]:
    """Return the links the retention purge cut, as its "audit.purged" entries name them."""
    found = db.session.scalars(select(AuditEntry.changes).where(AuditEntry.action == PURGED))
    links: set[str] = set()
    for changes in found:
        cut = changes.get("gaps")
        if isinstance(cut, list):
            links.update(str(link) for link in cut)
    return links


def _broken(entry: AuditEntry, previous: str | None, gaps: set[str]) -> str:
    expected = "" if previous is None else previous
    if entry.prev_hash != expected and entry.prev_hash not in gaps:
        if previous is None:
            return "the chain's first entries were removed"
        return "it does not follow from the entry before it (an entry was removed or changed)"
    if link_hash(entry) != entry.entry_hash:
        return "its contents do not match its hash (the entry was changed)"
    if entry.values_salt is None:
        if entry.reason not in (None, ERASED) or set(entry.changes.values()) - {ERASED}:
            return "its values were changed after they were erased"
    elif values_hash(entry.values_salt, entry.changes, entry.reason) != entry.values_hash:
        return "its values do not match their hash (the values were changed)"
    return ""


@dataclass(frozen=True)
class TrailFilter:
    """What a reader of the trail asks for: who, what, which customer, between which days."""

    consultant_id: int | None = None
    action: str = ""
    customer_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def trail_query(wanted: TrailFilter) -> Select[AuditEntry, str]:
    """Return the query for the entries a filter asks for, newest first, with who made each."""
    query = select(AuditEntry, Consultant.name).outerjoin(
        Consultant, Consultant.id == AuditEntry.consultant_id
    )
    if wanted.consultant_id is not None:
        query = query.where(AuditEntry.consultant_id == wanted.consultant_id)
    if wanted.action:
        query = query.where(AuditEntry.action.startswith(wanted.action, autoescape=True))
    if wanted.customer_id is not None:
        query = query.where(AuditEntry.customer_id == wanted.customer_id)
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.at < wanted.until)
    return query.order_by(AuditEntry.id.desc())


def trail(wanted: TrailFilter, limit: int = 200) -> list[tuple[AuditEntry, str]]:
    """Return the entries a filter asks for, newest first, with who made each one."""
    rows = db.session.execute(trail_query(wanted).limit(limit))
    return [(entry, name or "system") for entry, name in rows]


def trail_count(wanted: TrailFilter) -> int:
    """Return how many entries a filter finds."""
    query = trail_query(wanted).order_by(None).with_only_columns(func.count(AuditEntry.id))
    return int(db.session.scalar(query) or 0)


def audit_trail(customer_id: int, limit: int = 50) -> list[tuple[AuditEntry, str]]:
    """Return a customer's audit entries, newest first, with who made each one."""
    return trail(TrailFilter(customer_id=customer_id), limit)
