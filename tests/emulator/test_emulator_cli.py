"""The `hotline call` command: a scripted call printed as the caller hears it."""

from __future__ import annotations

from click.testing import CliRunner
from twilio.twiml.voice_response import Gather, VoiceResponse

from emulator.cli import call_command, format_event, script_from_args


def control_env(emulator) -> dict[str, str]:
    """Return the environment `hotline call` finds the emulator's control token in."""
    return {"EMULATOR_CONTROL_TOKEN": emulator.config.control_token}


def ask(text: str, action: str, input_kind: str = "dtmf") -> VoiceResponse:
    response = VoiceResponse()
    gather = Gather(action=action, input=input_kind, num_digits=1, language="pl-PL")
    gather.say(text, language="pl-PL")
    response.append(gather)
    response.say("Nie usłyszeliśmy odpowiedzi.", language="pl-PL")
    return response


def test_script_options_keep_their_order():
    args = [
        "--from",
        "+48601234567",
        "--press",
        "1",
        "--say",
        "Białystok",
        "--silence",
        "--press=0",
        "--wait",
        "2.5",
        "--hangup",
    ]

    assert script_from_args(args) == [
        {"press": "1"},
        {"say": "Białystok"},
        {"silence": True},
        {"press": "0"},
        {"wait": 2.5},
        {"hangup": True},
    ]


def test_a_line_looks_like_what_the_caller_hears():
    line = format_event({"t": 0.3, "kind": "say", "text": "Dzień dobry", "language": "pl-PL"})

    assert line == "  0.3s  🔊 [pl-PL] Dzień dobry"
    assert format_event({"t": 0.4, "kind": "input", "text": "pressed 1", "digits": "1"}) == (
        "  0.4s  ⌨  pressed 1"
    )


def test_call_command_prints_the_transcript_in_order(centre, emulator):
    centre.twiml("/incoming", ask("Naciśnij 1, aby podać miasto.", "/city"))
    centre.twiml("/city", ask("Podaj nazwę miasta.", "/confirm", "speech"))
    centre.twiml("/confirm", ask("Naciśnij 0, aby potwierdzić.", "/done"))
    done = VoiceResponse()
    done.say("Dziękujemy, do widzenia.", language="pl-PL")
    done.hangup()
    centre.twiml("/done", done)

    result = CliRunner(env=control_env(emulator)).invoke(
        call_command,
        [
            "--from",
            "+48601234567",
            "--press",
            "1",
            "--say",
            "Białystok",
            "--press",
            "0",
            "--emulator",
            emulator.url,
        ],
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    expected = [
        "☎  calling +48221952400 from +48601234567",
        "[pl-PL] Naciśnij 1, aby podać miasto.",
        "pressed 1",
        "[pl-PL] Podaj nazwę miasta.",
        'said "Białystok"',
        "[pl-PL] Naciśnij 0, aby potwierdzić.",
        "pressed 0",
        "[pl-PL] Dziękujemy, do widzenia.",
        "ended: completed",
    ]
    positions = [next(i for i, line in enumerate(lines) if text in line) for text in expected]
    assert positions == sorted(positions)
    assert not any("POST http" in line for line in lines)
    assert centre.requests_to("/city")[0].form["Digits"] == "1"
    assert centre.requests_to("/confirm")[0].form["SpeechResult"] == "Białystok"


def test_an_application_error_fails_the_command(centre, emulator):
    result = CliRunner(env=control_env(emulator)).invoke(
        call_command, ["--from", "+48601234567", "--emulator", emulator.url]
    )

    assert result.exit_code == 1
    assert "application error" in result.output


def test_an_unreachable_emulator_is_reported_clearly():
    result = CliRunner().invoke(
        call_command, ["--from", "+48601234567", "--emulator", "http://127.0.0.1:9"]
    )

    assert result.exit_code != 0
    assert "cannot reach the phone emulator at http://127.0.0.1:9" in result.output
