"""The hotline command tells a newcomer whether consultants answer now, and how to demo at any
hour."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from click.testing import CliRunner

from centre.cli import AROUND_THE_CLOCK, consultants_now, main
from hotline.settings import Settings

SUNDAY_NIGHT = datetime(2026, 12, 6, 22, 12, tzinfo=UTC)


def test_out_of_hours_the_banner_says_when_consultants_are_back_and_how_to_demo_anyway() -> None:
    said = consultants_now(Settings(), SUNDAY_NIGHT)
    assert "away until Mon 07 Dec 08:00" in said
    assert "--around-the-clock" in said


def test_christmas_skips_to_the_next_working_day() -> None:
    said = consultants_now(Settings(), datetime(2026, 12, 24, 18, 0, tzinfo=UTC))
    assert "away until Mon 28 Dec 08:00" in said


def test_around_the_clock_hours_answer_on_a_sunday_night_and_a_holiday() -> None:
    settings = Settings.from_env({**AROUND_THE_CLOCK})
    assert consultants_now(settings, SUNDAY_NIGHT).startswith("answering now")
    assert consultants_now(settings, datetime(2026, 12, 25, 3, 0, tzinfo=UTC)).startswith(
        "answering now"
    )


def test_the_fallback_document_names_a_normalised_backup_line_and_refuses_a_bad_one() -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["fallback-twiml", "--backup-number", "22 123 45 67"])
    assert made.exit_code == 0, made.output
    root = ET.fromstring(made.output)
    assert root.find("Dial/Number").text == "+48221234567"
    assert [verb.tag for verb in root][-1] == "Hangup"
    refused = runner.invoke(main, ["fallback-twiml", "--backup-number", "call Anna"])
    assert refused.exit_code == 2 and "not a phone number" in refused.output


def test_a_scripted_call_is_followed_for_longer_than_any_wait_the_centre_gives() -> None:
    from emulator.cli import call_command
    from emulator.config import EmulatorConfig

    timeout = next(option for option in call_command.params if option.name == "timeout")
    longest_wait = Settings().max_wait_seconds
    assert isinstance(timeout.default, float)
    assert timeout.default > longest_wait + Settings().voicemail_max_seconds
    assert timeout.default >= EmulatorConfig().max_call_duration, "no call outlives the command"


def test_a_second_centre_on_other_ports_shares_nothing_with_the_first(tmp_path) -> None:
    from centre.cli import LocalCentre

    env = {"HOME": str(tmp_path)}
    first = LocalCentre.plan(5000, environ=env)
    second = LocalCentre.plan(5100, environ=env)
    assert (first.web_port, first.emulator_port, first.redis_port) == (5000, 5001, 6399)
    assert (second.web_port, second.emulator_port, second.redis_port) == (5100, 5101, 6499)
    assert first.folder != second.folder and second.folder.name == "port-5100"
    chosen = LocalCentre.plan(5100, 5200, 7000, environ={"HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert (chosen.emulator_port, chosen.redis_port, chosen.folder) == (5200, 7000, tmp_path)


def test_ports_that_clash_or_cannot_be_derived_are_refused_with_a_way_out() -> None:
    import click
    import pytest

    from centre.cli import LocalCentre

    with pytest.raises(click.UsageError, match="--redis-port"):
        LocalCentre.plan(65000)
    with pytest.raises(click.UsageError, match="must differ"):
        LocalCentre.plan(5100, emulator_port=5100)


def test_the_banners_scripted_call_runs_as_pasted_and_reaches_this_centres_emulator() -> None:
    import shlex
    import sys
    from pathlib import Path

    from centre.cli import scripted_call_line

    line = scripted_call_line("http://127.0.0.1:5101")
    words = shlex.split(line)
    assert Path(words[0]).is_absolute() and Path(words[0]).exists(), "runs from any directory"
    assert words[0] in (str(Path(sys.executable).parent / "hotline"), sys.executable)
    assert words[words.index("--emulator") + 1] == "http://127.0.0.1:5101"
    # A second centre's emulator wants that centre's control token, kept in its own folder.
    other = shlex.split(scripted_call_line("http://127.0.0.1:5101", Path("/tmp/port 5100")))
    assert other[0] == "HOTLINE_INSTANCE_DIR=/tmp/port 5100"


def test_routine_polls_that_succeed_stay_out_of_the_access_log() -> None:
    from centre.quiet_log import routine

    assert routine("GET", "/desk/api/state", 200)
    assert routine("GET", "/desk/api/board", 200)
    assert routine("GET", "/desk/static/desk.js", 304)
    assert not routine("GET", "/desk/api/state", 500), "failures are always logged"
    assert not routine("GET", "/desk/api/board", 401)
    assert not routine("POST", "/desk/api/state", 200), "a change of state is an event"
    assert not routine("POST", "/routing/wait", 200), "webhooks from the network are kept"
    assert not routine("GET", "/desk/customers/3", 200)


def test_the_demo_logins_say_who_supervises_and_who_administers() -> None:
    from centre.cli import demo_login
    from centre.demo import CONSULTANTS

    said = ", ".join(demo_login(person) for person in CONSULTANTS)
    assert said == "anna (supervisor, content editor), piotr, olena, mihai (administrator)"
