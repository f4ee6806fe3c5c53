"""What the queue says, from the shared prompt catalogue (hotline/catalogue)."""

from __future__ import annotations

from hotline import speech


def text(language: str, key: str, /, **values: object) -> str:
    """Return one prompt in a language; Polish fills any gap."""
    return speech.prompt(language, key, **values)
