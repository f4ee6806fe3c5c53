"""What a consultant may do beyond answering calls, in the words the supervision code uses.

The role matrix (hotline.access) decides; this names the one question supervision asks of it.
"""

from __future__ import annotations

from consultants.models import Consultant
from hotline.access import Permission, may


def may_supervise(consultant: Consultant | None) -> bool:
    """Tell whether this person may see live calls, listen in, coach and barge."""
    return (
        consultant is not None
        and bool(consultant.active)
        and may(consultant.roles or (), Permission.SUPERVISE)
    )
