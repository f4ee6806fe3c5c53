"""Who may do what: the roles, the role matrix, and the guard every page a person uses passes.

Every route of the app says who may use it, once, where it is declared: ``@requires(...)`` for
the pages and API of signed-in people, ``@public`` for the few that anyone may open (the sign-in
page, a health probe), and the webhook guard for Twilio's webhooks, which are signed instead.
The guard refuses a route that says nothing (deny by default), so a route added without an
entry in the matrix cannot be used by anybody, and the role-matrix test names it.

Like the webhook guard, this module is the one place in the foundation that knows Flask: the
guard runs before the request's body is read, so an anonymous upload is refused unread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import Flask, abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)


class Role(StrEnum):
    """What a person at the centre is there to do; a person may hold several."""

    CONSULTANT = "consultant"
    SUPERVISOR = "supervisor"
    CONTENT_EDITOR = "content_editor"
    ADMINISTRATOR = "administrator"


ROLE_TITLES = {
    Role.CONSULTANT: "Consultant",
    Role.SUPERVISOR: "Supervisor",
    Role.CONTENT_EDITOR: "Content editor",
    Role.ADMINISTRATOR: "Administrator",
}


class Permission(StrEnum):
    """One thing the desk lets a person do."""

    # Answer calls: the desk, its live state, the softphone, wrap-ups of one's own contacts.
    TAKE_CALLS = "take_calls"
    # Search, open and correct customer records.
    CUSTOMER_RECORDS = "customer_records"
    # Play voicemails and log what was done about them.
    VOICEMAIL = "voicemail"
    # Play recorded calls, on the grounds of the call or the caller's record; each audited.
    PLAY_RECORDINGS = "play_recordings"
    # Watch the queue: the board and its figures.
    QUEUE_BOARD = "queue_board"
    # Supervisory acts: break-glass list, reassigning advisors.
    SUPERVISE = "supervise"
    # Read the audit trail.
    READ_AUDIT = "read_audit"
    # Import vacancies and training offers.
    IMPORT_OFFERS = "import_offers"
    # Edit and publish the FAQ texts callers hear.
    EDIT_FAQ = "edit_faq"
    # Manage people, customers and offices.
    ADMINISTER = "administer"
    # Change one's own password and second factor; sign out.
    OWN_ACCOUNT = "own_account"


# The role matrix: the one place that says which role may do what.
MATRIX: Mapping[Role, frozenset[Permission]] = {
    Role.CONSULTANT: frozenset(
        {
            Permission.TAKE_CALLS,
            Permission.CUSTOMER_RECORDS,
            Permission.VOICEMAIL,
            Permission.PLAY_RECORDINGS,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.QUEUE_BOARD,
            Permission.SUPERVISE,
            Permission.READ_AUDIT,
        }
    ),
    Role.CONTENT_EDITOR: frozenset({Permission.IMPORT_OFFERS, Permission.EDIT_FAQ}),
    Role.ADMINISTRATOR: frozenset({Permission.ADMINISTER, Permission.READ_AUDIT}),
}
# What everyone signed in may do, whatever their roles (none yet, too).
EVERY_PERSON = frozenset({Permission.OWN_ACCOUNT})
# Roles whose accounts need a second factor in production: they see and change the most.
SECOND_FACTOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def roles_from(names: Iterable[str]) -> frozenset[Role]:
    """Read stored role names, skipping any this version does not know."""
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in names if name in known)


def permissions_of(roles: Iterable[str]) -> frozenset[Permission]:
    """Return everything a person with these roles may do."""
    granted = set(EVERY_PERSON)
    for role in roles_from(roles):
        granted |= MATRIX[role]
    return frozenset(granted)


def may(roles: Iterable[str], permission: Permission) -> bool:
    """Tell whether a person with these roles may do this."""
    return permission in permissions_of(roles)


def needs_second_factor(roles: Iterable[str]) -> bool:
    """Tell whether these roles call for a second factor in production."""
    return bool(roles_from(roles) & SECOND_FACTOR_ROLES)


class Person(Protocol):
    """What the guard needs of a signed-in person."""

    roles: list[str]


# How a route declares who may use it. A route that declares nothing is refused.
ACCESS_ATTRIBUTE = "hotline_access"
PUBLIC = "public"
TWILIO_SIGNED = "twilio-signed"

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Mark a route that anyone may open, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def signed_by_twilio(view: F) -> F:
    """Mark a Twilio webhook: open to the phone network, which proves itself by signature."""
    setattr(view, ACCESS_ATTRIBUTE, TWILIO_SIGNED)
    return view


def requires(permission: Permission) -> Callable[[F], F]:
    """Let only signed-in people whose roles grant permission use this route."""

    def decorator(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            refusal = refuse(permission)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        setattr(checked, ACCESS_ATTRIBUTE, permission)
        return checked  # type: ignore[return-value]

    return decorator


def access_of(app: Flask, endpoint: str | None) -> str | Permission | None:
    """Return what a route declared about who may use it (None: nothing)."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def wants_json() -> bool:
    """Tell whether the request comes from a script that expects JSON, not a page."""
    return "/api/" in request.path or request.is_json


def refuse(permission: Permission) -> Response | None:
    """Return the answer for a visitor who may not do this, or None if they may."""
    if not current_user.is_authenticated:
        if wants_json():
            response = jsonify(error=_("sign in first"))
            response.status_code = 401
            return response
        login_page = url_for(guard.login_endpoint, next=request.full_path.rstrip("?"))
        return redirect(login_page)
    if not may(current_user.roles, permission):
        abort(403, _("Your roles do not allow this."))
    return None


@dataclass(frozen=True)
class SessionPolicy:
    """How long a desk session lives: idle, and at most, whatever happens."""

    idle_seconds: int
    absolute_seconds: int


# Why a session ended (for the log, and for the words the person is shown).
SESSION_UNTIMED = "started before sessions were timed"
SESSION_TOO_OLD = "the longest a session may last has passed"
SESSION_IDLE = "nothing was done for too long"

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# Noting activity rewrites the session cookie; once a minute is precise enough for minutes.
SEEN_PRECISION_SECONDS = 60


def start_session() -> None:
    """Note when this session began (call right after login_user)."""
    now = int(time.time())
    session.permanent = True
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def session_expired(policy: SessionPolicy, now: float) -> str | None:
    """Return why this session has run out (idle or too old), or None if it has not."""
    started = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if not isinstance(started, int) or not isinstance(seen, int):
        return SESSION_UNTIMED
    if now - started > policy.absolute_seconds:
        return SESSION_TOO_OLD
    if now - seen > policy.idle_seconds:
        return SESSION_IDLE
    return None


class AccessGuard:
    """Checks every request against the role matrix and the session timeouts."""

    def __init__(self) -> None:
        self.policy = SessionPolicy(idle_seconds=1800, absolute_seconds=12 * 3600)
        self.login_endpoint = "login"
        self.account_endpoint = "account"

    def init_app(
        self, app: Flask, policy: SessionPolicy, login_endpoint: str, account_endpoint: str
    ) -> None:
        """Attach the guard; it must come before anything that reads a request's body."""
        self.policy = policy
        self.login_endpoint = login_endpoint
        self.account_endpoint = account_endpoint
        app.extensions["hotline.access"] = self
        app.before_request(self.check)
        app.context_processor(lambda: {"can": can})

    def check(self) -> Response | None:
        """End a timed-out session, then refuse what the route's declaration does not allow."""
        if current_user.is_authenticated:
            self.keep_session_alive()
        declared = access_of(current_app, request.endpoint)
        if request.endpoint is None or declared in (PUBLIC, TWILIO_SIGNED):
            return None
        if isinstance(declared, Permission):
            if declared != Permission.OWN_ACCOUNT and must_choose_password():
                return ask_for_own_password()
            return refuse(declared)
        log.error("refused %s: the route declares no access (add it to the role matrix)",
                  request.endpoint)  # fmt: skip
        abort(403, _("This page is open to nobody yet."))

    def keep_session_alive(self) -> None:
        """Sign out a session past its idle or absolute timeout, else note it was used."""
        now = time.time()
        why = session_expired(self.policy, now)
        if why is not None:
            log.info("session of consultant %s ended: %s", current_user.get_id(), why)
            told = ended_session_text(why)  # in their language, while they are known
            logout_user()
            session.clear()
            flash(told, "error")
            return
        if now - session[SEEN_AT] >= SEEN_PRECISION_SECONDS:
            session[SEEN_AT] = int(now)


def ended_session_text(why: str) -> str:
    """Say, in the reader's language, why their session ended (why: from session_expired)."""
    if why == SESSION_TOO_OLD:
        told = _(
            "You were signed out: a session lasts at most %(hours)s hours. Please sign in again.",
            hours=max(1, guard.policy.absolute_seconds // 3600),
        )
    elif why == SESSION_IDLE:
        told = _(
            "You were signed out after %(minutes)s minutes without using the desk. "
            "Please sign in again.",
            minutes=max(1, guard.policy.idle_seconds // 60),
        )
    else:
        told = _("You were signed out. Please sign in again.")
    return str(told)


def must_choose_password() -> bool:
    """Tell whether the signed-in person still has a one-time password from an administrator."""
    return bool(
        current_user.is_authenticated and getattr(current_user, "must_change_password", False)
    )


def ask_for_own_password() -> Response:
    """Send a person with a one-time password to choose their own before anything else."""
    if wants_json():
        response = jsonify(error=_("Choose your own password first."))
        response.status_code = 403
        return response
    flash(_("Your password was given to you once: choose your own to go on."), "error")
    return redirect(url_for(guard.account_endpoint))


def can(permission: Permission | str) -> bool:
    """Tell whether the signed-in person may do this (for templates: which links to show)."""
    if not current_user.is_authenticated:
        return False
    return may(current_user.roles, Permission(permission))


guard = AccessGuard()


def login_account_key() -> str:
    """Key the per-account login limit on the login name tried, whoever tries it."""
    return "login-account:" + request.form.get("login", "").strip().casefold()[:64]


# Throttling; its storage (our Redis) is set when the app is built.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
