"""`hotline admin`: people, customers, offices, FAQ texts and their CSV imports from the command
line.

The command line acts as an administrator with shell access to the centre (its audit entries
name no person: "system"), as `hotline privacy` does.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click


@contextmanager
def centre() -> Iterator[None]:
    """Build the app from the environment's settings and work inside it, in English (the
    command line's language; the desk's reasons would otherwise come in Polish)."""
    from flask_babel import force_locale

    from centre.app import create_app
    from centre.cli import load_settings

    with create_app(load_settings()).app_context(), force_locale("en"):
        yield


@click.group()
def admin() -> None:
    """Administer the centre's people, customers and their imports."""


@admin.group()
def person() -> None:
    """The people who sign in to the desk."""


def person_fields(
    name: str | None, office: str | None, languages: tuple[str, ...], topics: tuple[str, ...],
    phone: str | None, roles: tuple[str, ...],
) -> dict[str, str]:  # fmt: skip
    """Return the fields given on the command line, as a form would send them."""
    given = {"name": name, "office": office, "phone": phone}
    fields = {key: value for key, value in given.items() if value is not None}
    for key, values in (("languages", languages), ("topics", topics), ("roles", roles)):
        if values:
            fields[key] = ",".join(values)
    return fields


def person_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the options that describe a person."""
    for option in reversed(
        [
            click.option("--name"),
            click.option("--office", help="The office's code, e.g. WAW."),
            click.option("--language", "languages", multiple=True, help="pl, en, uk or ro."),
            click.option("--topic", "topics", multiple=True),
            click.option("--phone", help="A desk phone number (empty: the browser softphone)."),
            click.option(
                "--role",
                "roles",
                multiple=True,
                type=click.Choice(["consultant", "supervisor", "content_editor", "administrator"]),
            ),
        ]
    ):
        command = option(command)
    return command


@person.command("add")
@click.argument("login")
@person_options
def person_add(login: str, **options: object) -> None:
    """Create an account and print its one-time password (asked to be changed at sign-in)."""
    from administration import people
    from administration.fields import FieldErrors

    with centre():
        fields = {"login": login, **person_fields(**options)}  # type: ignore[arg-type]
        try:
            created, password = people.create_person(people.read_person(fields, None), None)
        except FieldErrors as exc:
            raise click.ClickException("; ".join(exc.reasons)) from exc
        click.echo(f"created {created.login} ({created.name}), roles: {', '.join(created.roles)}")
        click.echo(f"one-time password: {password}")


def found_person(login: str):  # type: ignore[no-untyped-def]
    """Return the person with this login, or stop with a clear message."""
    from administration import people

    found = people.by_login(login)
    if found is None:
        raise click.ClickException(f"nobody has the login {login!r}")
    return found


@person.command("set")
@click.argument("login")
@person_options
def person_set(login: str, **options: object) -> None:
    """Change what is given of a person's details and roles."""
    from administration import people
    from administration.fields import FieldErrors
    from routing.extension import services

    with centre():
        target = found_person(login)
        fields = person_fields(**options)  # type: ignore[arg-type]
        try:
            values = people.read_person(fields, target)
            changed = people.update_person(target, values, None, services().engine)
        except FieldErrors as exc:
            raise click.ClickException("; ".join(exc.reasons)) from exc
        click.echo(f"{login}: " + (", ".join(changed) + " changed" if changed else "no change"))


@person.command("disable")
@click.argument("login")
def person_disable(login: str) -> None:
    """Disable an account: every session ends and the person leaves the queue at once."""
    from administration import people
    from routing.extension import services

    with centre():
        people.set_active(found_person(login), False, None, services().engine)
        click.echo(f"{login} disabled: signed out everywhere and offline")


@person.command("enable")
@click.argument("login")
def person_enable(login: str) -> None:
    """Enable a disabled account again."""
    from administration import people
    from routing.extension import services

    with centre():
        people.set_active(found_person(login), True, None, services().engine)
        click.echo(f"{login} enabled")


@person.command("reset-password")
@click.argument("login")
def person_reset_password(login: str) -> None:
    """Give a person a new one-time password (ends their sessions) and print it."""
    from administration import people

    with centre():
        password = people.reset_password(found_person(login), None)
        click.echo(f"one-time password for {login}: {password}")


@person.command("list")
def person_list() -> None:
    """List every account with its office, roles and whether it is active."""
    from administration import people

    with centre():
        for each in people.people():
            state = "active" if each.active else "disabled"
            click.echo(f"{each.login}\t{each.name}\t{each.office_code or '-'}\t"
                       f"{','.join(each.roles)}\t{state}")  # fmt: skip


@admin.group()
def customer() -> None:
    """The office's register of jobseekers."""


@customer.command("add")
@click.option("--pesel", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--phone")
@click.option("--language")
@click.option("--advisor", help="The advisor's login.")
@click.option("--office")
@click.option("--address")
@click.option("--registered-on", help="YYYY-MM-DD")
@click.option("--vulnerable/--not-vulnerable", default=None)
@click.option("--safeguarding/--no-safeguarding", default=None)
def customer_add(**options: object) -> None:
    """Register a customer (the PESEL's check digit and birth date are checked)."""
    from administration import register
    from administration.fields import FieldErrors

    fields = {}
    for key, value in options.items():
        if isinstance(value, bool):
            fields[key] = "yes" if value else "no"
        elif value is not None:
            fields[key] = str(value)
    with centre():
        try:
            created = register.create_customer(register.read_customer(fields, None), None)
        except FieldErrors as exc:
            raise click.ClickException("; ".join(exc.reasons)) from exc
        click.echo(f"customer {created.id} registered: {created.full_name}")


@admin.group()
def office() -> None:
    """The labour offices: address, phone and opening hours in each caller language."""


@office.command("set")
@click.argument("code")
@click.option("--name")
@click.option("--address")
@click.option("--phone", help="The office's phone (empty: none).")
@click.option("--hours", help="The opening hours as said in Polish.")
@click.option(
    "--hours-in",
    "hours_in",
    nargs=2,
    multiple=True,
    metavar="LANGUAGE TEXT",
    help="The opening hours as said in another caller language, e.g. --hours-in en 'Mon-Fri…'.",
)
@click.option("--region", help="The voivodeship's two-digit TERYT code.")
@click.option("--city")
def office_set(code: str, hours_in: tuple[tuple[str, str], ...], **options: str | None) -> None:
    """Create an office or change what is given of it, checked as on the desk."""
    from administration import content
    from administration.fields import FieldErrors

    given = {"hours": "opening_hours"}
    fields = {"code": code}
    for key, value in options.items():
        if value is not None:
            fields[given.get(key, key)] = value
    for language, text in hours_in:
        fields[f"opening_hours_{language.lower()}"] = text
    with centre():
        unknown = [name for name in fields if name not in content.OFFICE_FIELDS]
        if unknown:
            raise click.ClickException(
                "opening hours in an unknown language: "
                + ", ".join(name.rpartition("_")[2] for name in unknown)
            )
        try:
            outcome = content.save_office(fields)
        except FieldErrors as exc:
            raise click.ClickException("; ".join(exc.reasons)) from exc
        shown = {"imported": "created", "updated": "changed", "unchanged": "unchanged"}
        click.echo(f"office {code.upper()} {shown[outcome]}")


@office.command("list")
def office_list() -> None:
    """List the offices with their address, phone and opening hours."""
    from knowledge import editor

    with centre():
        for each in editor.offices():
            click.echo(f"{each.code}\t{each.name}\t{each.address}\t{each.phone or '-'}\t"
                       f"{each.opening_hours}")  # fmt: skip
            for language, hours in sorted((each.opening_hours_by_language or {}).items()):
                click.echo(f"\t{language}: {hours}")


@admin.group()
def faq() -> None:
    """The FAQ texts callers hear: drafts, their review, and what the FAQ lacks."""


@faq.command("list")
def faq_list() -> None:
    """List every FAQ text with its status, reviewer and any draft waiting for review."""
    from knowledge import editor

    with centre():
        for entry in editor.faq_entries():
            reviewed = f"{entry.last_reviewed} by {entry.reviewed_by or '-'}"
            waiting = f"\tdraft by {entry.draft.get('edited_by')}" if entry.draft else ""
            click.echo(f"{entry.topic}\t{entry.language}\t{entry.status}\t{reviewed}{waiting}")


@faq.command("draft")
@click.argument("topic")
@click.argument("language")
@click.option("--title")
@click.option("--body")
@click.option("--sms-body", "sms_body")
@click.option("--source", help="Where the answer rests: a statute, an office's page.")
def faq_draft(topic: str, language: str, **options: str | None) -> None:
    """Keep a text as a draft (over the text's draft or published text); callers hear it only
    once another editor publishes it."""
    from administration import content
    from administration.fields import FieldErrors

    fields = {"topic": topic, "language": language}
    fields.update({key: value for key, value in options.items() if value is not None})
    with centre():
        try:
            outcome = content.save_faq_draft(fields, f"cli:{getpass.getuser()}")
        except FieldErrors as exc:
            raise click.ClickException("; ".join(exc.reasons)) from exc
        if outcome == "unchanged":
            click.echo(f"{topic}/{language}: no change")
        else:
            click.echo(f"{topic}/{language}: draft saved; another editor reviews and publishes it")


@faq.command("publish")
@click.argument("topic")
@click.argument("language")
@click.option("--reviewer", required=True, help="The login of the content editor who reviewed it.")
def faq_publish(topic: str, language: str, reviewer: str) -> None:
    """Publish a draft as reviewed by a content editor (not its author): callers hear it now."""
    from administration import content, people
    from knowledge import editor

    with centre():
        person = people.by_login(reviewer.lower())
        if person is None or not person.active or "content_editor" not in person.roles:
            raise click.ClickException(f"{reviewer!r} is not an active content editor")
        try:
            editor.publish(topic, language, person.name)
        except editor.EditError as exc:
            raise click.ClickException("; ".join(content.problem_texts(exc.reasons))) from exc
        click.echo(f"{topic}/{language}: published, reviewed by {person.name}")


@faq.command("check")
def faq_check() -> None:
    """Say what the FAQ lacks for callers (the editor's completeness check); fail if anything."""
    from administration import content
    from knowledge import editor

    with centre():
        findings = content.problem_texts(editor.completeness())
        for finding in findings:
            click.echo(finding)
        if findings:
            raise click.ClickException(f"{len(findings)} findings")
        click.echo("every topic is published in every language")


@admin.command("import")
@click.argument("target", type=click.Choice(["consultants", "customers", "offices", "faq"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wait/--no-wait", default=True, show_default=True)
def admin_import(target: str, path: Path, wait: bool) -> None:
    """Import people, customers, offices or FAQ texts (as drafts) from a CSV file, as a
    background job, and follow it."""
    from administration.imports import start_admin_import
    from centre.import_progress import follow_import
    from knowledge.imports import ImportRequestError

    with centre():
        try:
            run = start_admin_import(target, path, None, f"cli:{getpass.getuser()}")
        except ImportRequestError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"import {run.id} of {target} queued; the worker runs it")
        if not wait:
            return
        follow_import(run.id, show_notice=True)
