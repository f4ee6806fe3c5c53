"""Command-line tools for the emulator, for the lead to attach to the `hotline` CLI.

`call_command` places a scripted call through a running emulator and prints what the caller
hears as it happens; `serve_command` runs the emulator itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from typing import Any

import click
import requests

from emulator.app import serve
from emulator.config import (
    DEFAULT_EMULATOR_URL,
    MAX_CALL_SECONDS,
    EmulatorConfig,
    keep_control_token,
    stored_control_token,
)
from emulator.exceptions import ConfigError

POLL_SECONDS = 0.2
STEP_OPTIONS = {"--press": "press", "--say": "say", "--wait": "wait"}
STEP_FLAGS = {"--silence": "silence", "--hangup": "hangup"}
ICONS = {
    "dial": "☎  ",
    "ringing": "☎  ",
    "connected": "☎  ",
    "say": "🔊 ",
    "play": "🎵 ",
    "pause": "⏸  ",
    "gather": "👂 ",
    "silence": "…  ",
    "redirect": "↪  ",
    "enqueue": "⏳ ",
    "wait": "⏳ ",
    "dequeue": "⏭  ",
    "record": "⏺  ",
    "hangup": "✆  ",
    "reject": "⛔ ",
    "status": "■  ",
    "error": "⚠  ",
    "warning": "⚠  ",
    "sms": "✉  ",
    "request": "·  ",
    "answer": "☎  ",
    "screen": "👂 ",
    "bridged": "☎  ",
    "screened-out": "✆  ",
    "join": "👥 ",
    "leave": "👥 ",
    "hold": "⏸  ",
    "unhold": "▶  ",
    "mute": "🔇 ",
    "unmute": "🔈 ",
    "coach": "🗣  ",
    "modify": "👥 ",
    "participant-added": "☎  ",
    "phone-mute": "🔇 ",
    "phone-hold": "⏸  ",
}


def script_from_args(args: list[str]) -> list[dict[str, Any]]:
    """Read the caller's steps from the command line in the order they were typed."""
    steps: list[dict[str, Any]] = []
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            break
        name, has_value, inline = token.partition("=")
        if name in STEP_OPTIONS:
            if has_value:
                value = inline
            elif index + 1 < len(args):
                index += 1
                value = args[index]
            else:
                break
            kind = STEP_OPTIONS[name]
            if kind == "wait":
                with contextlib.suppress(ValueError):
                    steps.append({"wait": float(value)})
            else:
                steps.append({kind: value})
        elif token in STEP_FLAGS:
            steps.append({STEP_FLAGS[token]: True})
        index += 1
    return steps


class OrderedScriptCommand(click.Command):
    """A command that also keeps its step options in the order they were given."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["emulator_script"] = script_from_args(list(args))
        return super().parse_args(ctx, args)


def format_event(event: dict[str, Any]) -> str:
    """Return one transcript line, e.g. '  0.3s  🔊 [pl-PL] Dzień dobry'."""
    kind = event.get("kind", "")
    icon = ICONS.get(kind, "•  ")
    if kind == "input" and event.get("speech"):
        icon = "🗣  "
    elif kind == "input":
        icon = "⌨  "
    text = event.get("text", "")
    if kind == "say" and event.get("language"):
        text = f"[{event['language']}] {text}"
    return f"{event.get('t', 0.0):5.1f}s  {icon}{text}"


class EmulatorUnreachable(click.ClickException):
    """The emulator did not answer at the given URL."""


def _request(method: str, url: str, **kwargs: Any) -> requests.Response:
    token = stored_control_token(os.environ)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        return requests.request(method, url, timeout=10, headers=headers, **kwargs)
    except requests.ConnectionError as exc:
        base = url.split("/emulator/", 1)[0]
        raise EmulatorUnreachable(
            f"cannot reach the phone emulator at {base}: is it running? "
            "Start it with `hotline emulator` or set TWILIO_API_URL."
        ) from exc
    except requests.RequestException as exc:
        raise click.ClickException(f"the phone emulator failed: {exc}") from exc


def _follow(base: str, sid: str, timeout: float, verbose: bool) -> tuple[str, bool]:
    """Print the call's events as they come; return its final status and whether it erred."""
    after = 0
    failed = False
    deadline = time.monotonic() + timeout
    while True:
        response = _request("GET", f"{base}/emulator/calls/{sid}/events", params={"after": after})
        if response.status_code != 200:
            raise click.ClickException(f"the emulator lost call {sid}: {response.text}")
        batch = response.json()
        for event in batch["events"]:
            after = event["seq"]
            failed = failed or event["kind"] == "error"
            if event["kind"] != "request" or verbose:
                click.echo(format_event(event))
        if batch["ended"]:
            return batch["status"], failed
        if time.monotonic() > deadline:
            _request("POST", f"{base}/emulator/calls/{sid}/hangup")
            raise click.ClickException(f"the call did not end within {timeout:g}s; hung up")
        time.sleep(POLL_SECONDS)


@click.command("call", cls=OrderedScriptCommand)
@click.option("--from", "from_", required=True, help="The caller's number, e.g. +48601234567.")
@click.option("--to", default=None, help="The number to call (default: the hotline number).")
@click.option("--press", multiple=True, help="Press keys at the next Gather (repeatable).")
@click.option("--say", multiple=True, help="Say words at the next Gather or Record (repeatable).")
@click.option("--silence", count=True, help="Stay silent at the next Gather (repeatable).")
@click.option("--wait", multiple=True, type=float, help="Wait this many seconds (repeatable).")
@click.option("--hangup", is_flag=True, help="Hang up (where it stands among the steps).")
@click.option(
    "--emulator",
    "emulator_url",
    default=lambda: os.environ.get("TWILIO_API_URL") or DEFAULT_EMULATOR_URL,
    show_default="$TWILIO_API_URL or " + DEFAULT_EMULATOR_URL,
    help="Base URL of the running phone emulator.",
)
@click.option(
    "--timeout",
    type=float,
    # A caller may wait (and then leave a message) as long as the centre keeps them, so by
    # default the command follows the call as long as the network lets any call last.
    default=MAX_CALL_SECONDS + 60.0,
    show_default=True,
    help="Hang up and fail after this many seconds (default: longer than any call lasts).",
)
@click.option("--verbose", "-v", is_flag=True, help="Also show every webhook request.")
@click.pass_context
def call_command(
    ctx: click.Context,
    from_: str,
    to: str | None,
    press: tuple[str, ...],
    say: tuple[str, ...],
    silence: int,
    wait: tuple[float, ...],
    hangup: bool,
    emulator_url: str,
    timeout: float,
    verbose: bool,
) -> None:
    """Call the hotline through the phone emulator, acting out the given steps in order.

    \b
    Example:
      hotline call --from +48601234567 --press 1 --say "Białystok" --press 0
    """
    base = emulator_url.rstrip("/")
    payload: dict[str, Any] = {"from": from_, "script": ctx.meta.get("emulator_script", [])}
    if to:
        payload["to"] = to
    response = _request("POST", f"{base}/emulator/calls", json=payload)
    if response.status_code != 201:
        message = response.json().get("error") if response.content else response.reason
        raise click.ClickException(f"the emulator refused the call: {message}")
    sid = response.json()["sid"]
    status, failed = _follow(base, sid, timeout, verbose)
    click.echo(f"call {sid} ended: {status}")
    if failed:
        click.echo("the call hit an error (see ⚠ above)", err=True)
        ctx.exit(1)


@click.command("emulator")
@click.option("--host", default=None, help="Interface to listen on (default: from TWILIO_API_URL).")
@click.option("--port", type=int, default=None, help="Port (default: from TWILIO_API_URL, 5001).")
def serve_command(host: str | None, port: int | None) -> None:
    """Run the phone network emulator (Twilio's part) for local development."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        config = EmulatorConfig.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    keep_control_token(config.control_token, os.environ)
    serve(config, host, port)
