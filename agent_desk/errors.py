"""The desk's one exception."""

from __future__ import annotations


class DeskError(ValueError):
    """A consultant's request that cannot be carried out, with a message to show them."""
