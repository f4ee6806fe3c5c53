"""Who may act on personal data beyond their own calls: the one supervisor check.

Legal holds, access and erasure requests are supervisory acts in the role matrix
(hotline.access, Permission.SUPERVISE); every privacy action asks only this.
"""

from __future__ import annotations

from consultants.models import Consultant
from hotline.access import Permission, may


class NotASupervisor(PermissionError):
    """The consultant may not do this: it is for supervisors."""


def may_supervise(consultant: Consultant | None) -> bool:
    """Tell whether a person may place legal holds and answer access and erasure requests."""
    return consultant is not None and may(consultant.roles, Permission.SUPERVISE)


def require_supervisor(consultant: Consultant | None) -> None:
    """Refuse anyone who may not supervise."""
    if not may_supervise(consultant):
        raise NotASupervisor("only a supervisor may do this")
