"""The ``hotline`` command: database, demo data, the processes, and the whole centre at once.

Each command imports what it runs when it runs: ``hotline call`` and ``hotline up`` need none of
the web app, and start without loading every feature.
"""

from __future__ import annotations

import logging
import os
import secrets
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click
import requests

from centre.admin_cli import admin
from hotline.embedded_redis import EMBEDDED_PORT
from hotline.hours import OpeningHours
from hotline.settings import Settings, SettingsError, instance_dir

if TYPE_CHECKING:
    from centre.demo import DemoConsultant

log = logging.getLogger(__name__)


def load_settings() -> Settings:
    """Read settings, turning a configuration mistake into a clear CLI error."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def main() -> None:
    """Run and manage the hotline contact centre."""


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to a revision."""
    from centre.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database at {safe_url(settings.database_url)} is at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to a revision."""
    from centre.migrate import downgrade

    downgrade(load_settings().database_url, revision)


@main.group()
def demo() -> None:
    """Demo data for trying the centre."""


@demo.command("load")
def demo_load() -> None:
    """Load (or refresh) the demo consultants, customers, offices and FAQ."""
    from centre.app import create_app
    from centre.demo import load_demo
    from hotline.db import db as database

    settings = load_settings()
    if settings.production:
        raise click.ClickException(
            "demo data has a published password; it is never loaded in production"
        )
    create_app(settings)
    with database.transaction() as session:
        counts = load_demo(session)
    click.echo("demo data: " + ", ".join(f"{count} {name}" for name, count in counts.items()))


@main.group()
def directory() -> None:
    """The outside numbers consultants may transfer callers to or bring into a call."""


@directory.command("list")
def directory_list() -> None:
    """List the directory."""
    from centre.app import create_app
    from knowledge.directory import directory as entries

    with create_app(load_settings()).app_context():
        for entry in entries():
            office = f" [office {entry.office_code}]" if entry.office_code else ""
            click.echo(f"{entry.number:<16} {entry.name}{office}")
            if entry.description:
                click.echo(f"{'':<16} {entry.description}")


@directory.command("add")
@click.argument("name")
@click.argument("number")
@click.option("--description", default="", help="What the number is for, for consultants.")
@click.option("--office", "office_code", default=None, help="The labour office it belongs to.")
@click.option("--source", default="", help="Where the number is published.")
def directory_add(
    name: str, number: str, description: str, office_code: str | None, source: str
) -> None:
    """Add an entry (or change the one of that name); the number is checked first."""
    from centre.app import create_app
    from knowledge.directory import DirectoryError, save_entry

    settings = load_settings()
    with create_app(settings).app_context():
        try:
            entry = save_entry(
                name,
                number,
                settings.outside_countries,
                description=description,
                office_code=office_code,
                source=source,
            )
        except DirectoryError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"saved: {entry.name} {entry.number}")


@directory.command("remove")
@click.argument("name")
def directory_remove(name: str) -> None:
    """Take an entry out of the directory."""
    from centre.app import create_app
    from knowledge.directory import remove_entry

    with create_app(load_settings()).app_context():
        if not remove_entry(name):
            raise click.ClickException(f"no entry named {name!r}")
        click.echo(f"removed: {name}")


@main.command()
def worker() -> None:
    """Run an RQ worker for the centre's queues (scheduled jobs and retries are the
    scheduler's, a process of its own)."""
    from rq import SimpleWorker

    from centre.app import create_app
    from hotline.jobs import QUEUES
    from hotline.redis_client import redis_conn

    settings = load_settings()
    app = create_app(settings)
    # SimpleWorker runs jobs in this process: no fork, so database connections stay valid;
    # in the app's context, jobs find the routing services create_app built.
    with app.app_context():
        # RQ would log every job's arguments: numbers and texts of SMS among them.
        worker = SimpleWorker(list(QUEUES), connection=redis_conn.raw, log_job_description=False)
        worker.work(with_scheduler=False)


@main.command()
def scheduler() -> None:
    """Run the scheduler: RQ's scheduled jobs and retries, and the upkeep that rebuilds from
    the database what Redis may have lost (daily job alerts, the nightly purge, texts
    waiting to be sent, callers' journeys kept while Redis was down)."""
    from centre.app import create_app
    from hotline.jobs import QUEUES
    from hotline.redis_client import redis_conn
    from hotline.scheduling import SchedulerLoop
    from ivr.journey import move_stored_to_redis
    from messaging.alerts import rebuild_schedule
    from messaging.sms import requeue_unsent
    from privacy.tasks import schedule_next_purge

    settings = load_settings()
    app = create_app(settings)
    with app.app_context():
        upkeep = (
            ("job alerts", rebuild_schedule),
            ("retention purge", partial(schedule_next_purge, settings)),
            ("texts waiting for Redis", requeue_unsent),
            # Left a minute to the web processes, which move a live caller's journey back
            # with their next step; what is left then is copied into Redis.
            ("journeys kept in the database", partial(move_stored_to_redis, redis_conn.raw, 60)),
        )
        SchedulerLoop(redis_conn.raw, QUEUES, upkeep).run()


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "kind",
    type=click.Choice(["csv", "json", "xml"]),
    default=None,
    help="File format (default: from the file name).",
)
@click.option(
    "--target",
    type=click.Choice(["vacancies", "trainings"]),
    default="vacancies",
    show_default=True,
)
@click.option("--source", default=None, help="Name of the system the offers come from.")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Follow the import with a progress bar until the worker finishes it.",
)
def import_offers(path: str, kind: str | None, target: str, source: str | None, wait: bool) -> None:
    """Import vacancies or training offers from a file, as a background job."""
    import getpass

    from centre.app import create_app
    from centre.import_progress import follow_import
    from knowledge.imports import ImportRequestError, start_import

    create_app(load_settings())
    kind = kind or Path(path).suffix.lstrip(".").lower()
    try:
        run = start_import(kind, path, f"cli:{getpass.getuser()}", target=target, source=source)
    except ImportRequestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"import {run.id} queued ({kind}, {target}); the worker runs it")
    if not wait:
        return
    follow_import(run.id)


@main.group()
def retention() -> None:
    """Keep personal data only as long as the retention table allows."""


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what has expired; delete nothing.")
def retention_purge(dry_run: bool) -> None:
    """Delete every kind of personal data whose retention period is over, now."""
    from centre.app import create_app
    from hotline.telephony import telephony
    from privacy.retention import purge
    from recordings.storage import make_store

    settings = load_settings()
    with create_app(settings).app_context():
        report = purge(
            settings.retention_days,
            telephony.current(),
            dry_run=dry_run,
            triggered_by="cli",
            store=make_store(settings.recording_folder),
        )
    verb = "would delete" if dry_run else "deleted"
    for kind, count in report.counts.items():
        kept = report.held.get(kind, 0)
        click.echo(
            f"{kind:<18} {verb} {count}" + (f" (kept on legal hold: {kept})" if kept else "")
        )
    if report.failures:
        click.echo(f"{report.failures} request(s) the phone network refused: tried again next run")


@main.group()
def audit() -> None:
    """The audit trail of every read and change of a customer's record."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain; name the first entry where it breaks."""
    from centre.app import create_app
    from customers.audit import verify_chain

    with create_app(load_settings()).app_context():
        report = verify_chain()
    if not report.intact:
        raise click.ClickException(
            f"the audit trail is broken at entry {report.broken_at}: {report.problem} "
            f"({report.checked} entries before it hold)"
        )
    start = f", from entry {report.first_id}" if report.first_id else ""
    click.echo(f"the audit trail holds: {report.checked} entries checked{start}")


@main.group()
def privacy() -> None:
    """Data-subject rights and legal holds (the command line acts as an administrator)."""


@privacy.command("export")
@click.argument("customer_id", type=int)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for customer-<id>.json and customer-<id>.html.",
)
@click.option(
    "--language",
    type=click.Choice(["pl", "en"]),
    default="pl",
    show_default=True,
    help="Language of the printable HTML (an official document: Polish unless asked).",
)
def privacy_export(customer_id: int, out: Path, language: str) -> None:
    """Export everything held about a customer (GDPR Art. 15) as JSON and printable HTML, with
    the audio of their recordings."""
    import json

    from centre.app import create_app
    from hotline.telephony import TelephonyError, telephony
    from privacy.subject_rights import export_customer, export_html

    with create_app(load_settings()).app_context():
        try:
            export = export_customer(None, customer_id)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from exc
        out.mkdir(parents=True, exist_ok=True)
        for recording in export["sections"]["recordings"]:
            sid = recording["recording_sid"]
            try:
                audio = telephony.current().fetch_recording(sid)
            except TelephonyError as exc:
                click.echo(f"recording {sid}: no audio from the phone network ({exc})", err=True)
                continue
            (out / f"recording-{sid}.wav").write_bytes(audio)
        (out / f"customer-{customer_id}.json").write_text(
            json.dumps(export, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        printable = export_html(export, language)
        (out / f"customer-{customer_id}.html").write_text(printable, encoding="utf-8")
    click.echo(f"written {out / f'customer-{customer_id}.json'} and .html")


@privacy.command("erase")
@click.argument("customer_id", type=int)
@click.confirmation_option(prompt="Erase this customer's personal data? It cannot be undone.")
def privacy_erase(customer_id: int) -> None:
    """Erase a customer's personal data where the law allows (GDPR Art. 17)."""
    from centre.app import create_app
    from hotline.telephony import telephony
    from privacy.subject_rights import ErasureRefused, erase_customer
    from recordings.storage import make_store

    settings = load_settings()
    with create_app(settings).app_context():
        try:
            counts = erase_customer(
                None, customer_id, telephony.current(), make_store(settings.recording_folder)
            )
        except (LookupError, ErasureRefused) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo("erased: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


@privacy.command("hold")
@click.argument("customer_id", type=int)
@click.option("--reason", required=True, help="Why the data is held (a complaint, a case...).")
def privacy_hold(customer_id: int, reason: str) -> None:
    """Hold a customer's data from the purge."""
    from flask_babel import force_locale

    from centre.app import create_app
    from privacy.holds import HoldError, place_hold

    with create_app(load_settings()).app_context(), force_locale("en"):
        try:
            hold = place_hold(None, customer_id, reason)
        except HoldError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"hold {hold.id} placed on customer {customer_id}")


@privacy.command("release")
@click.argument("hold_id", type=int)
def privacy_release(hold_id: int) -> None:
    """Release a legal hold."""
    from flask_babel import force_locale

    from centre.app import create_app
    from privacy.holds import HoldError, release_hold

    with create_app(load_settings()).app_context(), force_locale("en"):
        try:
            hold = release_hold(None, hold_id)
        except HoldError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"hold {hold.id} on customer {hold.customer_id} released")


@main.command()
def router() -> None:
    """Run the routing loop."""
    from centre.app import create_app
    from hotline.telephony import make_telephony
    from routing.extension import services
    from routing.router import Router
    from routing.service import callback_leg_lost, restore_callbacks, schedule_record

    settings = load_settings()
    app = create_app(settings)
    with app.app_context():
        routing = services()
        recover = partial(restore_callbacks, routing)
        leg_lost = partial(callback_leg_lost, routing)
        telephony = make_telephony(settings)
        Router(routing.engine, telephony, settings, schedule_record, recover, leg_lost).run()


@main.command("fallback-twiml")
@click.option(
    "--backup-number",
    default="",
    help="A line answered apart from the centre (E.164), to put callers through to.",
)
def fallback_twiml_command(backup_number: str) -> None:
    """Print the TwiML to host as the number's fallback URL (for example in a TwiML Bin)."""
    from centre.fallback import fallback_twiml
    from customers.service import normalise_phone

    number = ""
    if backup_number:
        number = normalise_phone(backup_number) or ""
        if not number:
            raise click.BadParameter(
                f"{backup_number!r} is not a phone number", param_hint="--backup-number"
            )
    click.echo(fallback_twiml(number))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True)
def web(host: str, port: int, workers: int) -> None:
    """Serve the web app with gunicorn (gthread workers, so event streams survive)."""
    os.execvp(sys.executable, gunicorn_args(host, port, workers))


def gunicorn_args(host: str, port: int, workers: int, quiet: bool = False) -> list[str]:
    """Return the command line that serves the web app; quiet leaves routine polls out of
    the access log (centre.quiet_log)."""
    logger = ["--logger-class", "centre.quiet_log.QuietAccessLogger"] if quiet else []
    return [
        sys.executable, "-m", "gunicorn", "--config", "python:centre.gunicorn_conf",
        "--workers", str(workers), "--bind", f"{host}:{port}", *logger, "centre.wsgi:app",
    ]  # fmt: skip


def safe_url(url: str) -> str:
    """Hide a password in a database URL."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def wait_until_up(url: str, process: subprocess.Popen[bytes], name: str, timeout: float) -> None:
    """Wait for a child process to answer at url."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise click.ClickException(f"{name} exited with code {process.returncode}")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"{name} did not answer at {url} within {timeout:.0f} s")


DEFAULT_WEB_PORT = 5000
# The processes `hotline up` starts again when they die (the web and the emulator stop it all).
SUPERVISED = ("worker", "scheduler", "router")


def stop_requested(_signum: int, _frame: object) -> None:
    """Stop `hotline up` on SIGTERM as on Ctrl-C: in order, and cleanly."""
    raise KeyboardInterrupt


@dataclass(frozen=True)
class LocalCentre:
    """Where one `hotline up` keeps everything, so that a second one on other ports shares
    nothing with the first: its web, emulator and Redis ports, and its instance folder
    (SQLite file, Redis data, secret key)."""

    web_port: int
    emulator_port: int
    redis_port: int
    folder: Path

    @classmethod
    def plan(
        cls,
        web_port: int,
        emulator_port: int | None = None,
        redis_port: int | None = None,
        environ: dict[str, str] | None = None,
    ) -> LocalCentre:
        """Derive what is not given from the web port: the emulator listens on the next port,
        Redis on 6399 moved as far as the web port is from 5000, and a centre on another web
        port than 5000 keeps its state in a folder of its own (instance/port-N) unless
        HOTLINE_INSTANCE_DIR names one."""
        env = os.environ if environ is None else environ
        offset = web_port - DEFAULT_WEB_PORT
        emulator = emulator_port if emulator_port is not None else web_port + 1
        redis_at = redis_port if redis_port is not None else EMBEDDED_PORT + offset
        if not 1024 <= redis_at <= 65535:
            raise click.UsageError(
                f"no Redis port follows from web port {web_port}; give one with --redis-port"
            )
        folder = instance_dir(env)
        if web_port != DEFAULT_WEB_PORT and not env.get("HOTLINE_INSTANCE_DIR"):
            folder = folder / f"port-{web_port}"
        ports = {"web": web_port, "emulator": emulator, "Redis": redis_at}
        if len(set(ports.values())) < len(ports):
            raise click.UsageError(f"the ports must differ: {ports}")
        return cls(web_port, emulator, redis_at, folder)


def hotline_command() -> str:
    """Return how to run the `hotline` command of this installation from any directory."""
    installed = Path(sys.executable).parent / "hotline"
    if installed.exists():
        return shlex.quote(str(installed))
    return f"{shlex.quote(sys.executable)} -m centre.cli"


def scripted_call_line(emulator_url: str, folder: Path | None = None) -> str:
    """Return a scripted call to paste into another terminal, aimed at this centre's emulator
    (with the instance folder whose control token it needs, when it is not the default)."""
    prefix = f"HOTLINE_INSTANCE_DIR={shlex.quote(str(folder))} " if folder else ""
    return (
        f"{prefix}{hotline_command()} call --emulator {emulator_url} "
        "--from +48601000001 --silence --press 1 --press 0"
    )


@main.command()
@click.option("--port", default=DEFAULT_WEB_PORT, show_default=True, help="Web port.")
@click.option(
    "--emulator-port", type=int, default=None, help="Emulator port (default: the web port + 1)."
)
@click.option(
    "--redis-port",
    type=int,
    default=None,
    help="Port of the embedded Redis (default: 6399, moved as far as --port is from 5000).",
)
@click.option("--demo/--no-demo", "with_demo", default=True, show_default=True)
@click.option(
    "--around-the-clock",
    is_flag=True,
    help="Keep consultants at work every hour of every day, holidays too (for a demo).",
)
def up(
    port: int,
    emulator_port: int | None,
    redis_port: int | None,
    with_demo: bool,
    around_the_clock: bool,
) -> None:
    """Bring the whole centre up on this machine: Redis, web, worker, scheduler, router and
    emulator; a worker, scheduler or router that dies is started again.

    A second centre on other ports (say --port 5100) is separate from the first: its own
    emulator, Redis and instance folder.
    """
    from centre.demo import CONSULTANTS, DEMO_PASSWORD, DEMO_SMS_COUNTRIES
    from hotline.embedded_redis import EmbeddedRedis
    from hotline.redis_client import RedisTarget

    local = LocalCentre.plan(port, emulator_port, redis_port)
    folder = local.folder
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["HOTLINE_INSTANCE_DIR"] = str(folder)
    embedded: EmbeddedRedis | None = None
    if not env.get("REDIS_URL") and not env.get("REDIS_SENTINELS"):
        embedded = EmbeddedRedis(folder / "redis", port=local.redis_port)
        env["REDIS_URL"] = embedded.start()
    env.setdefault("PUBLIC_URL", f"http://127.0.0.1:{port}")
    if not env.get("TWILIO_AUTH_TOKEN"):
        env.setdefault("TWILIO_API_URL", f"http://127.0.0.1:{local.emulator_port}")
        # The number's fallback URL: the centre itself, so that a web worker that dies
        # mid-call hands its caller to another (README, "Connecting a real Twilio number").
        env.setdefault("EMULATOR_VOICE_FALLBACK_URL", env["PUBLIC_URL"] + "/ivr/fallback")
    env.setdefault("SECRET_KEY", stored_secret(folder / "secret_key"))
    # The emulator's control API token, shared by the emulator, the desk's softphone there and
    # `hotline call` (which reads it from the same file).
    env.setdefault("EMULATOR_CONTROL_TOKEN", stored_secret(folder / "emulator_token"))
    if around_the_clock:
        env.update(AROUND_THE_CLOCK)
    if with_demo:
        env.setdefault("HOTLINE_SMS_COUNTRIES", DEMO_SMS_COUNTRIES)
    hotline_cmd = [sys.executable, "-m", "centre.cli"]
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    commands: dict[str, list[str]] = {}

    def start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
        # A session of its own: Ctrl-C reaches only this command, which stops them in order.
        child = subprocess.Popen(command, env=env, start_new_session=True)
        children.append((name, child))
        commands[name] = command
        return child

    def restart_stopped() -> None:
        # The background processes hold no state of their own: one that died starts again.
        for index, (name, child) in enumerate(children):
            if child.poll() is None or name not in SUPERVISED:
                continue
            click.echo(f"{name} stopped (exit code {child.returncode}); starting it again")
            again = subprocess.Popen(commands[name], env=env, start_new_session=True)
            children[index] = (name, again)

    def stop_all() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for _name, child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for _name, child in children:
            try:
                child.wait(timeout=8)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded:
            embedded.stop()

    signal.signal(signal.SIGTERM, stop_requested)
    try:
        subprocess.run([*hotline_cmd, "db", "upgrade"], env=env, check=True)
        if with_demo:
            subprocess.run([*hotline_cmd, "demo", "load"], env=env, check=True)
        web = start("web", gunicorn_args("127.0.0.1", port, 2, quiet=True))
        start("worker", [*hotline_cmd, "worker"])
        start("scheduler", [*hotline_cmd, "scheduler"])
        start("router", [*hotline_cmd, "router"])
        if env.get("TWILIO_API_URL"):
            emulator = start(
                "emulator", [*hotline_cmd, "emulator", "--port", str(local.emulator_port)]
            )
            wait_until_up(f"{env['TWILIO_API_URL']}/emulator/health", emulator, "emulator", 30)
        wait_until_up(f"http://127.0.0.1:{port}/ivr/health", web, "web", 30)
        public = env["PUBLIC_URL"]
        click.echo("")
        click.secho("hotline is up", bold=True)
        click.echo(f"  agent desk     {public}/desk/")
        if env.get("TWILIO_API_URL"):
            click.echo(f"  phone (caller) {env['TWILIO_API_URL']}/phone")
            own = folder if port != DEFAULT_WEB_PORT else None
            click.echo(f"  scripted call  {scripted_call_line(env['TWILIO_API_URL'], own)}")
        settings = load_settings_from(env)
        click.echo(f"  consultants    {consultants_now(settings)}")
        click.echo(f"  Redis          {RedisTarget.from_settings(settings).describe()}")
        click.echo(f"  database       {safe_url(settings.database_url)}")
        if with_demo:
            logins = ", ".join(demo_login(person) for person in CONSULTANTS)
            click.echo(f"  demo logins    {logins} (password: {DEMO_PASSWORD})")
            click.echo("  demo callers   +48601000001 (Jan, pl) ... +48601000004 (Ion, ro)")
        click.echo("Press Ctrl-C to stop everything.")
        while True:
            restart_stopped()
            if any(c.poll() is not None for n, c in children if n not in SUPERVISED):
                break
            time.sleep(0.5)
        failed = [
            f"{name} (exit code {child.returncode})"
            for name, child in children
            if child.poll() is not None
        ]
        raise click.ClickException(f"{', '.join(failed)} stopped; shutting the rest down")
    except KeyboardInterrupt:
        click.echo("\nstopping…")
    finally:
        stop_all()
    click.echo("hotline stopped.")


# Consultant hours for a demo at any hour: every day, all day, no holidays.
AROUND_THE_CLOCK = {
    "HOTLINE_CONSULTANT_HOURS": "mon-sun 00:00-24:00",
    "HOTLINE_HOLIDAY_COUNTRY": "",
    "HOTLINE_CLOSED_DAYS": "",
}


def consultants_now(settings: Settings, now: datetime | None = None) -> str:
    """Say whether consultants answer now, and when they next do if they don't."""
    hours = OpeningHours.for_consultants(settings)
    now = now or datetime.now(UTC)
    if hours.is_open(now):
        return f"answering now ({settings.consultant_hours})"
    opening = hours.next_opening(now)
    when = opening.astimezone(hours.timezone).strftime("%a %d %b %H:%M") if opening else "not soon"
    return (
        f"away until {when} ({settings.consultant_hours}; callers get a callback or voicemail); "
        "./dev up --around-the-clock keeps them at work for a demo"
    )


def demo_login(person: DemoConsultant) -> str:
    """Name a demo login with the roles it holds beyond answering calls."""
    extra = [role.value.replace("_", " ") for role in person.roles if role != "consultant"]
    return f"{person.login} ({', '.join(extra)})" if extra else person.login


def load_settings_from(env: dict[str, str]) -> Settings:
    """Read settings from a given environment."""
    return Settings.from_env(env)


def stored_secret(path: Path) -> str:
    """Return a secret key kept in the instance folder, creating it once."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


def attach_emulator_commands() -> None:
    """Add the phone network emulator's commands (call, emulator) when it is installed."""
    try:
        from emulator.cli import call_command, serve_command
    except ImportError:
        return
    main.add_command(call_command, "call")
    main.add_command(serve_command, "emulator")


attach_emulator_commands()
main.add_command(admin)

if __name__ == "__main__":
    main()
