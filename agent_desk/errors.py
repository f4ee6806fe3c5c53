"""The desk's exceptions."""

from __future__ import annotations


class DeskError(ValueError):
    """A consultant's request that cannot be carried out, with a message to show them."""


class SoftphoneNotSetUp(DeskError):
    """The centre has no API key or TwiML app to give a browser softphone an access token."""
