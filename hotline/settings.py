"""Settings parsed once from environment variables and checked at start-up."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from limits import parse_many

from hotline.outbound import DEFAULT_LINK_DOMAINS, DEFAULT_SMS_COUNTRIES, parse_list

DEV_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEV_AUTH_TOKEN = "dev-auth-token-not-secret"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
DEFAULT_EMULATOR_URL = "http://127.0.0.1:5001"
# Stand-ins for the softphone's API key and TwiML app, used only with the emulator, which
# checks no access token.
DEV_API_KEY_SID = "SK" + "0" * 31 + "1"
DEV_API_KEY_SECRET = "development-api-key-not-a-secret"
DEV_TWIML_APP_SID = "AP" + "0" * 31 + "1"
# Twilio accepts access tokens that live at most 24 hours.
MAX_TOKEN_TTL_SECONDS = 24 * 3600
MIN_TOKEN_TTL_SECONDS = 60

PRODUCTION_SECRETS = (
    "SECRET_KEY",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "PUBLIC_URL",
    "DATABASE_URL",
    "TWILIO_API_KEY_SID",
    "TWILIO_API_KEY_SECRET",
    "TWILIO_TWIML_APP_SID",
)
# What a Twilio sid starts with, so that an account sid given for an API key fails at start-up
# rather than as a softphone that never registers.
SID_PREFIXES = {"TWILIO_API_KEY_SID": "SK", "TWILIO_TWIML_APP_SID": "AP"}
MODES = ("development", "production")
MIN_SECRET_KEY_BYTES = 32
ACCOUNT_SID_PATTERN = re.compile(r"AC[0-9a-fA-F]{32}")
# Throttling of sign-in failures (Flask-Limiter's notation): per login name tried, and per
# address; an office behind one address has many people signing in at eight o'clock.
LOGIN_LIMIT_PER_ACCOUNT = "5 per minute;20 per hour"
LOGIN_LIMIT_PER_ADDRESS = "30 per minute;300 per hour"


# How long each kind of personal data is kept, in days, and from when (README, "Retention",
# says what each default rests on). HOTLINE_RETENTION overrides any of them as JSON.
RETENTION_DEFAULTS: dict[str, int] = {
    "call_recordings": 90,  # from the recording
    "voicemail": 30,  # after a consultant handled it
    "contacts": 5 * 365,  # from the contact
    "call_records": 5 * 365,  # from the call (callback requests with them)
    "sms": 90,  # from sending
    "job_alerts": 90,  # after the caller unsubscribed
    "import_files": 30,  # after the import finished
    "audit_entries": 10 * 365,  # from the entry
}


class SettingsError(RuntimeError):
    """Raised when the environment does not describe a runnable centre."""


def instance_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return the folder for local state (SQLite file, Redis data, logs)."""
    root = (os.environ if environ is None else environ).get("HOTLINE_INSTANCE_DIR")
    return Path(root) if root else Path.cwd() / "instance"


def production_problems(env: Mapping[str, str]) -> list[str]:
    """Return what makes this environment unsafe to run against real callers (empty: nothing)."""
    problems = []
    missing = [name for name in PRODUCTION_SECRETS if not env.get(name)]
    if missing:
        problems.append("production mode needs these environment variables: " + ", ".join(missing))
    if env.get("SECRET_KEY") and len(env["SECRET_KEY"].encode()) < MIN_SECRET_KEY_BYTES:
        problems.append(f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes long")
    if env.get("PUBLIC_URL") and not env["PUBLIC_URL"].startswith("https://"):
        problems.append("PUBLIC_URL must be an https:// address")
    sid = env.get("TWILIO_ACCOUNT_SID", "")
    if sid == DEV_ACCOUNT_SID:
        problems.append("TWILIO_ACCOUNT_SID is the development sid")
    elif sid and not ACCOUNT_SID_PATTERN.fullmatch(sid):
        problems.append("TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal digits")
    problems += redis_problems(env)
    if env.get("DATABASE_URL") and not env["DATABASE_URL"].startswith("postgresql"):
        problems.append("DATABASE_URL must be a PostgreSQL database (postgresql+psycopg://...)")
    if env.get("TWILIO_API_URL"):
        problems.append("TWILIO_API_URL must be unset: it sends calls to the phone emulator")
    if env.get("TWILIO_AUTH_TOKEN") == DEV_AUTH_TOKEN:
        problems.append("TWILIO_AUTH_TOKEN is the development token")
    if env.get("TWILIO_API_KEY_SECRET") == DEV_API_KEY_SECRET:
        problems.append("TWILIO_API_KEY_SECRET is the development secret")
    return problems


def redis_problems(env: Mapping[str, str]) -> list[str]:
    """Return what makes the Redis settings unsafe for production (empty: nothing).

    RQ unpickles the jobs it finds in Redis, so whoever can write to it can run code in the
    worker: production needs a Redis that asks for a password, given in REDIS_URL or
    REDIS_PASSWORD (and one named at all, by URL or by sentinels)."""
    url, sentinels = env.get("REDIS_URL", ""), env.get("REDIS_SENTINELS", "").strip()
    if not url and not sentinels:
        return ["production mode needs REDIS_URL, or REDIS_SENTINELS and REDIS_MASTER_NAME"]
    if env.get("REDIS_PASSWORD") or (url and not sentinels and urlsplit(url).password):
        return []
    return [
        "Redis must ask for a password in production (RQ runs what it reads there): "
        "set REDIS_PASSWORD, or give it in REDIS_URL (redis://:PASSWORD@host:6379/0)"
    ]


def redis_sentinels(env: Mapping[str, str]) -> tuple[str, ...]:
    """Read REDIS_SENTINELS, a comma-separated list of host:port, checking each port."""
    addresses = parse_list(env.get("REDIS_SENTINELS", ""))
    for address in addresses:
        host, colon, port = address.rpartition(":")
        if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(
                f"REDIS_SENTINELS: {address!r} is not host:port (e.g. 10.0.0.5:26379)"
            )
    return addresses


def emulator_control_token(env: Mapping[str, str]) -> str:
    """Return the token of the phone emulator's control API, for the desk's softphone there:
    EMULATOR_CONTROL_TOKEN, or the one the emulator keeps in the instance folder."""
    given = env.get("EMULATOR_CONTROL_TOKEN", "").strip()
    if given:
        return given
    kept = instance_dir(env) / "emulator_token"
    return kept.read_text().strip() if kept.exists() else ""


def retention_days(env: Mapping[str, str]) -> dict[str, int]:
    """Return the retention period of each kind of personal data, with HOTLINE_RETENTION's
    overrides checked."""
    periods = dict(RETENTION_DEFAULTS)
    given = env.get("HOTLINE_RETENTION", "").strip()
    if not given:
        return periods
    try:
        parsed = json.loads(given)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"HOTLINE_RETENTION is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise SettingsError("HOTLINE_RETENTION must map kinds of data to days")
    for kind, days in parsed.items():
        if kind not in RETENTION_DEFAULTS:
            known = ", ".join(RETENTION_DEFAULTS)
            raise SettingsError(f"HOTLINE_RETENTION: unknown kind {kind!r} (known: {known})")
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise SettingsError(f"HOTLINE_RETENTION: {kind} must be a whole number of days >= 1")
        periods[kind] = days
    return periods


def outbound_lists(env: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Read the allowed link domains and SMS countries, checking their shape."""
    values: dict[str, tuple[str, ...]] = {}
    domains = parse_list(env.get("HOTLINE_ALLOWED_LINK_DOMAINS", ""))
    if domains:
        bad = [d for d in domains if not re.fullmatch(r"([a-z0-9-]+\.)+[a-z]{2,}", d)]
        if bad:
            raise SettingsError(f"HOTLINE_ALLOWED_LINK_DOMAINS: not a domain: {', '.join(bad)}")
        values["allowed_link_domains"] = domains
    countries = tuple(code.upper() for code in parse_list(env.get("HOTLINE_SMS_COUNTRIES", "")))
    if countries:
        bad = [c for c in countries if c not in phonenumbers.SUPPORTED_REGIONS]
        if bad:
            raise SettingsError(f"HOTLINE_SMS_COUNTRIES: unknown country code: {', '.join(bad)}")
        values["sms_countries"] = countries
    return values


def switch(env: Mapping[str, str], key: str) -> bool | None:
    """Read an on/off setting (1/0, true/false, yes/no, on/off); None when it is not set."""
    text = env.get(key, "").strip().lower()
    if not text:
        return None
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{key} must be on or off (1/0, true/false, yes/no)")


def recording_settings(env: Mapping[str, str]) -> dict[str, object]:
    """Read and check the settings of consultant-call recording."""
    values: dict[str, object] = {}
    for name, key in (
        ("record_calls", "HOTLINE_RECORD_CALLS"),
        ("recording_decline", "HOTLINE_RECORDING_DECLINE"),
        ("recording_delete_at_network", "HOTLINE_RECORDING_DELETE_AT_TWILIO"),
    ):
        value = switch(env, key)
        if value is not None:
            values[name] = value
    key = env.get("HOTLINE_RECORDING_DECLINE_KEY", "").strip()
    if key:
        if key not in "0123456789*#" or len(key) != 1:
            raise SettingsError("HOTLINE_RECORDING_DECLINE_KEY must be one key: 0-9, * or #")
        values["recording_decline_key"] = key
    folder = env.get("HOTLINE_RECORDING_FOLDER", "").strip()
    values["recording_folder"] = folder or str(instance_dir(env) / "recordings")
    return values


def routing_texts(env: Mapping[str, str]) -> dict[str, object]:
    """Read and check the routing settings that are not plain numbers."""
    values: dict[str, object] = {}
    policies = env.get("HOTLINE_QUEUE_POLICIES", "").strip()
    if policies:
        try:
            parsed = json.loads(policies)
        except json.JSONDecodeError as exc:
            raise SettingsError(f"HOTLINE_QUEUE_POLICIES is not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict) or not all(isinstance(v, dict) for v in parsed.values()):
            raise SettingsError("HOTLINE_QUEUE_POLICIES must map queue names to objects")
        values["queue_policies"] = policies
    hours = env.get("HOTLINE_CALLBACK_HOURS", "").strip()
    if hours:
        if not re.fullmatch(r"\d{2}:\d{2}-\d{2}:\d{2}", hours):
            raise SettingsError("HOTLINE_CALLBACK_HOURS must look like 08:00-18:00")
        values["callback_hours"] = hours
    days = env.get("HOTLINE_CALLBACK_DAYS", "").strip().lower()
    if days:
        day = "(mon|tue|wed|thu|fri|sat|sun)"
        if not re.fullmatch(f"{day}(-{day})?", days):
            raise SettingsError("HOTLINE_CALLBACK_DAYS must look like mon-fri")
        values["callback_days"] = days
    for name, key in (
        ("timezone", "HOTLINE_TIMEZONE"),
        ("hold_music_url", "HOTLINE_HOLD_MUSIC_URL"),
    ):
        if env.get(key):
            values[name] = env[key].strip()
    countries = env.get("HOTLINE_OUTSIDE_COUNTRIES", "").strip()
    if countries:
        codes = tuple(code.strip().upper() for code in countries.split(",") if code.strip())
        if not codes or not all(re.fullmatch(r"[A-Z]{2}", code) for code in codes):
            raise SettingsError("HOTLINE_OUTSIDE_COUNTRIES must list country codes, e.g. PL,RO")
        values["outside_countries"] = codes
    if "timezone" in values:
        try:
            ZoneInfo(str(values["timezone"]))
        except (ValueError, ZoneInfoNotFoundError) as exc:
            raise SettingsError(f"HOTLINE_TIMEZONE {values['timezone']!r} is unknown") from exc
    return values


def reason_list(key: str, given: str) -> tuple[str, ...]:
    """Read a comma-separated list of reasons, refusing an empty or overlong one."""
    reasons = tuple(dict.fromkeys(part.strip() for part in given.split(",") if part.strip()))
    if not reasons:
        raise SettingsError(f"{key} must name at least one reason, e.g. lunch,training")
    too_long = [reason for reason in reasons if len(reason) > 60]
    if too_long:
        raise SettingsError(f"{key}: a reason may be at most 60 characters ({too_long[0]!r})")
    return reasons


# Twilio gives up on a webhook after 15 s: a dependency's wait, plus the rest of the request,
# must stay clear of it.
TWILIO_WEBHOOK_SECONDS = 15.0
TIMEOUT_SETTINGS = (
    ("redis_timeout_seconds", "HOTLINE_REDIS_TIMEOUT_SECONDS"),
    ("redis_connect_timeout_seconds", "HOTLINE_REDIS_CONNECT_TIMEOUT_SECONDS"),
    ("database_connect_timeout_seconds", "HOTLINE_DB_CONNECT_TIMEOUT_SECONDS"),
    ("database_statement_timeout_seconds", "HOTLINE_DB_STATEMENT_TIMEOUT_SECONDS"),
)


def dependency_timeouts(env: Mapping[str, str]) -> dict[str, object]:
    """Read the Redis and database timeouts, each above 0 and together under Twilio's 15 s."""
    values: dict[str, object] = {}
    for name, key in TIMEOUT_SETTINGS:
        if not env.get(key):
            continue
        try:
            seconds = float(env[key])
        except ValueError as exc:
            raise SettingsError(f"{key} must be a number of seconds") from exc
        if not 0 < seconds < TWILIO_WEBHOOK_SECONDS / 2:
            raise SettingsError(
                f"{key} must be above 0 and below {TWILIO_WEBHOOK_SECONDS / 2:g} s, so that a "
                "webhook that waits on it still answers within Twilio's 15 s"
            )
        values[name] = max(1, round(seconds)) if name.startswith("database_connect") else seconds
    return values


@dataclass(frozen=True)
class Settings:
    """Everything the centre reads from its environment."""

    env: str = "development"
    database_url: str = ""
    redis_url: str | None = None
    # A Sentinel-managed Redis: the sentinels (host:port) and the master group they watch;
    # set, they take the place of redis_url. The password is the servers' (and the
    # sentinels', unless they have their own).
    redis_sentinels: tuple[str, ...] = ()
    redis_master_name: str = "hotline"
    redis_password: str = ""
    redis_sentinel_password: str = ""
    twilio_account_sid: str = DEV_ACCOUNT_SID
    twilio_auth_token: str = DEV_AUTH_TOKEN
    twilio_api_url: str | None = None
    # The softphone's access tokens: signed with an API key, for a TwiML app that handles the
    # calls a browser places. Empty: no softphone can register with Twilio.
    twilio_api_key_sid: str = ""
    twilio_api_key_secret: str = ""
    twilio_twiml_app_sid: str = ""
    token_ttl_seconds: int = 3600
    public_url: str = DEFAULT_PUBLIC_URL
    secret_key: str = field(default_factory=lambda: secrets.token_hex(16))
    hotline_number: str = "+48221952400"
    default_region: str = "PL"
    queue_name: str = "consultants"
    wait_announce_seconds: int = 30
    ring_timeout_seconds: int = 20
    tier_advisor_seconds: int = 60
    tier_office_seconds: int = 10
    tier_language_seconds: int = 60
    queue_policies: str = ""
    wrap_up_seconds: int = 60
    max_wait_seconds: int = 600
    rejoin_minutes: int = 5
    callback_max_attempts: int = 3
    callback_retry_minutes: int = 10
    # Empty: callbacks are made in consultant hours.
    callback_days: str = ""
    callback_hours: str = ""
    timezone: str = "Europe/Warsaw"
    hold_music_url: str = ""
    # The countries whose numbers consultants may bring into a call or transfer a caller to.
    outside_countries: tuple[str, ...] = ("PL",)
    voicemail_max_seconds: int = 120
    # Recording consultant calls. A queue records only if the office switches it on, for every
    # queue here or per queue in HOTLINE_QUEUE_POLICIES ("record_calls"); see recordings/.
    record_calls: bool = False
    # Where the office's legal basis is the caller's consent, the caller may decline by key.
    recording_decline: bool = True
    recording_decline_key: str = "9"
    # Where recordings are kept once downloaded (HOTLINE_RECORDING_FOLDER; instance/recordings).
    recording_folder: str = field(default_factory=lambda: str(instance_dir() / "recordings"))
    # Delete a recording at Twilio once it is stored here and checked.
    recording_delete_at_network: bool = False
    consultant_hours: str = "mon-fri 08:00-18:00"
    holiday_country: str = "PL"
    closed_days: str = ""
    # Desk sessions: signed out after this long without a request, and this long after sign-in.
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_limit_per_account: str = LOGIN_LIMIT_PER_ACCOUNT
    login_limit_per_address: str = LOGIN_LIMIT_PER_ADDRESS
    # Supervisors and administrators sign in with a TOTP code too (always so in production).
    require_second_factor: bool = False
    # The largest request body accepted, uploads included.
    max_upload_mb: int = 20
    # Domains that offers and FAQ texts may link to, and countries texts may be sent to.
    allowed_link_domains: tuple[str, ...] = DEFAULT_LINK_DOMAINS
    sms_countries: tuple[str, ...] = DEFAULT_SMS_COUNTRIES
    # The token the emulator's control API asks for, handed to the desk's softphone there.
    emulator_control_token: str = ""
    # Days each kind of personal data is kept (RETENTION_DEFAULTS, HOTLINE_RETENTION).
    retention_days: Mapping[str, int] = field(default_factory=lambda: dict(RETENTION_DEFAULTS))
    # The reasons a consultant gives for a break and for not being ready, as the office sets
    # them (HOTLINE_BREAK_REASONS, HOTLINE_NOT_READY_REASONS): codes the desk names in the
    # reader's language (agent_desk.labels.REASONS), or the office's own words.
    break_reasons: tuple[str, ...] = ("lunch", "rest", "training", "back-office")
    not_ready_reasons: tuple[str, ...] = ("paperwork", "meeting", "coaching", "technical-problem")
    # Every wait on Redis and the database ends well before Twilio's 15 s for a webhook, so a
    # stalled dependency costs a caller a degraded answer, never the call.
    redis_timeout_seconds: float = 3.0
    redis_connect_timeout_seconds: float = 2.0
    database_connect_timeout_seconds: int = 3
    database_statement_timeout_seconds: float = 5.0
    testing: bool = False

    @property
    def production(self) -> bool:
        """Tell whether the centre runs against real callers."""
        return self.env == "production"

    @property
    def uses_emulator(self) -> bool:
        """Tell whether REST calls go to the phone network emulator."""
        return bool(self.twilio_api_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, refusing an unsafe production setup."""
        env = os.environ if environ is None else environ
        mode = env.get("HOTLINE_ENV", "development").strip().lower()
        if mode not in MODES:
            raise SettingsError(
                f"HOTLINE_ENV is {env.get('HOTLINE_ENV')!r}; it must be development or production"
            )
        if mode == "production":
            problems = production_problems(env)
            if problems:
                raise SettingsError("; ".join(problems))
        for key, prefix in SID_PREFIXES.items():
            if env.get(key) and not env[key].startswith(prefix):
                raise SettingsError(f"{key} must be a sid that starts with {prefix}")
        api_url = (env.get("TWILIO_API_URL") or "").rstrip("/") or None
        default_db = f"sqlite:///{instance_dir(env) / 'hotline.sqlite3'}"
        values: dict[str, object] = {
            "env": mode,
            "database_url": env.get("DATABASE_URL") or default_db,
            "redis_url": env.get("REDIS_URL") or None,
            "redis_sentinels": redis_sentinels(env),
            "redis_master_name": env.get("REDIS_MASTER_NAME", "").strip() or "hotline",
            "redis_password": env.get("REDIS_PASSWORD", ""),
            "redis_sentinel_password": env.get("REDIS_SENTINEL_PASSWORD", ""),
            "twilio_account_sid": env.get("TWILIO_ACCOUNT_SID") or DEV_ACCOUNT_SID,
            "twilio_auth_token": env.get("TWILIO_AUTH_TOKEN") or DEV_AUTH_TOKEN,
            "twilio_api_url": api_url,
            "public_url": (env.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
            "hotline_number": env.get("HOTLINE_NUMBER") or "+48221952400",
            "queue_name": env.get("HOTLINE_QUEUE_NAME") or "consultants",
            "consultant_hours": env.get("HOTLINE_CONSULTANT_HOURS") or "mon-fri 08:00-18:00",
            "holiday_country": env.get("HOTLINE_HOLIDAY_COUNTRY", "PL"),
            "closed_days": env.get("HOTLINE_CLOSED_DAYS", ""),
            "require_second_factor": mode == "production",
            "emulator_control_token": emulator_control_token(env) if api_url else "",
        }
        for name, key in (
            ("login_limit_per_account", "HOTLINE_LOGIN_LIMIT_PER_ACCOUNT"),
            ("login_limit_per_address", "HOTLINE_LOGIN_LIMIT_PER_ADDRESS"),
        ):
            if env.get(key):
                try:
                    parse_many(env[key])
                except ValueError as exc:
                    raise SettingsError(f"{key} must look like '5 per minute;20 per hour'") from exc
                values[name] = env[key]
        if env.get("SECRET_KEY"):
            values["secret_key"] = env["SECRET_KEY"]
        for name, key, stand_in in (
            ("twilio_api_key_sid", "TWILIO_API_KEY_SID", DEV_API_KEY_SID),
            ("twilio_api_key_secret", "TWILIO_API_KEY_SECRET", DEV_API_KEY_SECRET),
            ("twilio_twiml_app_sid", "TWILIO_TWIML_APP_SID", DEV_TWIML_APP_SID),
        ):
            values[name] = env.get(key) or (stand_in if api_url else "")
        for name, key in (
            ("wait_announce_seconds", "HOTLINE_WAIT_ANNOUNCE_SECONDS"),
            ("ring_timeout_seconds", "HOTLINE_RING_TIMEOUT_SECONDS"),
            ("tier_advisor_seconds", "HOTLINE_TIER_ADVISOR_SECONDS"),
            ("tier_office_seconds", "HOTLINE_TIER_OFFICE_SECONDS"),
            ("tier_language_seconds", "HOTLINE_TIER_LANGUAGE_SECONDS"),
            ("wrap_up_seconds", "HOTLINE_WRAP_UP_SECONDS"),
            ("max_wait_seconds", "HOTLINE_MAX_WAIT_SECONDS"),
            ("rejoin_minutes", "HOTLINE_REJOIN_MINUTES"),
            ("callback_max_attempts", "HOTLINE_CALLBACK_MAX_ATTEMPTS"),
            ("callback_retry_minutes", "HOTLINE_CALLBACK_RETRY_MINUTES"),
            ("voicemail_max_seconds", "HOTLINE_VOICEMAIL_MAX_SECONDS"),
            ("token_ttl_seconds", "HOTLINE_TOKEN_TTL_SECONDS"),
            ("session_idle_minutes", "HOTLINE_SESSION_IDLE_MINUTES"),
            ("session_max_hours", "HOTLINE_SESSION_MAX_HOURS"),
            ("max_upload_mb", "HOTLINE_MAX_UPLOAD_MB"),
        ):
            if env.get(key):
                try:
                    values[name] = int(env[key])
                except ValueError as exc:
                    raise SettingsError(f"{key} must be a whole number") from exc
                if values[name] <= 0:  # type: ignore[operator]
                    raise SettingsError(f"{key} must be above 0")
        ttl = values.get("token_ttl_seconds", 3600)
        if not (isinstance(ttl, int) and MIN_TOKEN_TTL_SECONDS <= ttl <= MAX_TOKEN_TTL_SECONDS):
            raise SettingsError(
                f"HOTLINE_TOKEN_TTL_SECONDS must be between {MIN_TOKEN_TTL_SECONDS} and "
                f"{MAX_TOKEN_TTL_SECONDS} (24 hours, the longest Twilio accepts)"
            )
        values.update(dependency_timeouts(env))
        values.update(routing_texts(env))
        values.update(recording_settings(env))
        for name, key in (
            ("break_reasons", "HOTLINE_BREAK_REASONS"),
            ("not_ready_reasons", "HOTLINE_NOT_READY_REASONS"),
        ):
            if env.get(key, "").strip():
                values[name] = reason_list(key, env[key])
        values.update(outbound_lists(env))
        values["retention_days"] = retention_days(env)
        return cls(**values)  # type: ignore[arg-type]

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with some values replaced (used by tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]
