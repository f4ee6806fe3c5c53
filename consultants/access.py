"""What a consultant may do beyond answering calls.

Until consultants have roles, this is the one place that says who may supervise; point it at
the role matrix when roles arrive, and every supervisory check follows.
"""

from __future__ import annotations

from consultants.models import Consultant


def may_supervise(consultant: Consultant | None) -> bool:
    """Tell whether this person may see live calls, listen in, coach and barge."""
    return consultant is not None and bool(consultant.supervisor)
