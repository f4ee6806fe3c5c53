"""A caller's PESEL and number pass through every process of the centre and reach no log."""

from __future__ import annotations

import pytest

from centre.demo import pesel
from tests.e2e.conftest import Centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

# A number the centre does not know, so the caller keys in their PESEL (Maria's, from the demo).
CALLER = "+48609876543"
PESEL = pesel("920706", "5678")


def test_a_call_with_a_pesel_and_a_number_leaves_neither_in_any_log(centre: Centre):
    script = [
        {"silence": True},  # no other language
        {"press": PESEL + "#"},
        {"press": "1"},  # documents
        {"press": "1"},  # ... by text message, to the number calling
        {"press": "0"},  # then a consultant; none is free
        # so a callback to this number, keeping the place (it stays pending on the shared
        # centre: this file runs after the tests that take calls at the desk)
        {"press": "1"},
        {"wait": 20},
        {"hangup": True},
    ]
    call = centre.run_call(CALLER, script)
    heard = " ".join(event["text"] for event in call["events"] if event["kind"] == "say")
    # The PESEL identified the caller, who is not named: anyone may key in a PESEL.
    assert "odnaleźliśmy Twoje dane" in heard and "Maria" not in heard
    assert any(event["kind"] == "enqueue" for event in call["events"])
    wait_for(lambda: centre.messages_to(CALLER), what="the documents texted to the caller")
    wait_for(
        lambda: "recorded as" in (centre.logs / "worker.log").read_text(),
        what="the worker to record the call",
    )

    logs = {name: (centre.logs / f"{name}.log").read_text() for name in ("web", "worker", "router")}
    assert "POST /ivr/" in logs["web"], "the web process does log its requests"
    national = CALLER.removeprefix("+48")
    leaks = [
        f"{name}: {secret}"
        for name, text in logs.items()
        for secret in (PESEL, CALLER, national)
        if secret in text
    ]
    assert leaks == []
