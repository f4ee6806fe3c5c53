"""The Twilio boundary speaks the centre's own errors, whichever way the network fails."""

from __future__ import annotations

import pytest

from emulator.app import EmulatorServer
from hotline.embedded_redis import free_port
from hotline.settings import Settings
from hotline.telephony import NotOnTheNetwork, TelephonyError, make_telephony

UNKNOWN_CALL = "CA" + "e" * 32


def test_a_call_the_network_does_not_know_is_not_on_the_network(settings: Settings) -> None:
    network = make_telephony(settings)
    with pytest.raises(NotOnTheNetwork) as raised:
        network.redirect_call(UNKNOWN_CALL, "https://hotline.example.org/ivr/start")
    assert raised.value.status == 404
    assert network.call_status(UNKNOWN_CALL) is None


def test_a_recording_that_is_gone_is_not_on_the_network(settings: Settings) -> None:
    with pytest.raises(NotOnTheNetwork):
        make_telephony(settings).fetch_recording("RE" + "0" * 32)


def test_an_unreachable_network_is_a_telephony_error_not_a_library_one(
    settings: Settings, phone_network: EmulatorServer
) -> None:
    nowhere = settings.with_overrides(twilio_api_url=f"http://127.0.0.1:{free_port()}")
    network = make_telephony(nowhere)
    with pytest.raises(TelephonyError) as raised:
        network.send_sms("+48601000001", "test")
    assert not isinstance(raised.value, NotOnTheNetwork)
    with pytest.raises(TelephonyError):
        network.call_status(UNKNOWN_CALL)
