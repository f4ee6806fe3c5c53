"""What a consultant may do beyond answering calls: the one supervisor check.

The role matrix (hotline.access) decides; this names the one question that live-call
supervision (agent_desk.supervision) and the privacy pages (legal holds, access and erasure
requests) ask of it.
"""

from __future__ import annotations

from consultants.models import Consultant
from hotline.access import Permission, may


def may_supervise(consultant: Consultant | None) -> bool:
    """Tell whether this person, with an active account, may supervise: see live calls, listen
    in, coach and barge, and act on customers' privacy."""
    return (
        consultant is not None
        and bool(consultant.active)
        and may(consultant.roles or (), Permission.SUPERVISE)
    )
