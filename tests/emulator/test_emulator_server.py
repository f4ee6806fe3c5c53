"""Starting the emulator: settings from the environment, and `python -m emulator`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from emulator.config import EmulatorConfig
from emulator.exceptions import ConfigError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_settings_come_from_the_centres_environment():
    config = EmulatorConfig.from_env(
        {
            "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
            "TWILIO_AUTH_TOKEN": "secret",
            "PUBLIC_URL": "https://centre.example/",
            "TWILIO_API_URL": "http://127.0.0.1:5999/",
            "HOTLINE_NUMBER": "+48221000000",
            "EMULATOR_TIME_SCALE": "0.1",
        }
    )

    assert config.voice_url == "https://centre.example/ivr/incoming"
    assert config.status_callback_url == "https://centre.example/ivr/status"
    assert config.public_url == "http://127.0.0.1:5999"
    assert config.hotline_number == "+48221000000"
    assert config.scaled(10) == pytest.approx(1.0)
    assert EmulatorConfig.from_env({}).account_sid == "AC" + "0" * 31 + "1"


def test_bad_settings_are_refused():
    with pytest.raises(ConfigError):
        EmulatorConfig(account_sid="AC123")
    with pytest.raises(ConfigError):
        EmulatorConfig.from_env({"EMULATOR_TIME_SCALE": "fast"})


def test_python_m_emulator_serves_from_the_environment():
    port = free_port()
    env = os.environ | {"TWILIO_API_URL": f"http://127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"}
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/emulator/health", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        assert health.json() == {"ok": True}
    finally:
        process.terminate()
        process.wait(timeout=5)
