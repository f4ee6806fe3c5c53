"""Who may act on personal data beyond their own calls: the one supervisor check.

Until the role matrix lands (consultant, supervisor, content editor, administrator), a
supervisor is a consultant whose login is named in HOTLINE_SUPERVISORS. Point may_supervise at
the role matrix then; every privacy action asks only this.
"""

from __future__ import annotations

from consultants.models import Consultant
from hotline.settings import Settings


class NotASupervisor(PermissionError):
    """The consultant may not do this: it is for supervisors."""


def may_supervise(consultant: Consultant | None, settings: Settings) -> bool:
    """Tell whether a consultant may place legal holds and answer access and erasure requests."""
    return consultant is not None and consultant.login in settings.supervisors


def require_supervisor(consultant: Consultant | None, settings: Settings) -> None:
    """Refuse anyone who may not supervise."""
    if not may_supervise(consultant, settings):
        raise NotASupervisor("only a supervisor may do this")
