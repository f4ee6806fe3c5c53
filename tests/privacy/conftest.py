"""The privacy tests leave recordings at the session's phone network; each takes its own away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.app import EmulatorServer


@pytest.fixture(autouse=True)
def forget_held_recordings(phone_network: EmulatorServer) -> Iterator[None]:
    """Remove the recordings a test added to the emulator, so that no other test finds them."""
    network = phone_network.network
    with network.lock:
        before = set(network.recordings)
    yield
    with network.lock:
        for sid in set(network.recordings) - before:
            del network.recordings[sid]
