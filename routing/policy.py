"""How long a call waits in each tier before its pool widens, configurable per queue."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields

TIER_NAMES = {1: "advisor", 2: "office", 3: "language", 4: "any"}


class PolicyError(ValueError):
    """Raised when a queue policy in the configuration cannot be used."""


@dataclass(frozen=True)
class RoutingPolicy:
    """The tiers of one queue.

    A call first waits for its own advisor (tier 1), then for the advisor's office team
    (tier 2), then for anyone who speaks its language (tier 3), then for anyone (tier 4). A
    tier of 0 seconds is skipped. With ``own_customers_first`` a free consultant takes their
    own customers before anyone else's at every tier.

    Without ``predict_advisor`` a call waits out tier 1 for any logged-in advisor. With it, the
    call waits there only for an advisor who can be expected free within ``advisor_seconds``:
    free, in a wrap-up that ends by then, or on a call that by then has lasted the usual
    handling and wrap-up time. Otherwise it moves on at once instead of waiting for an advisor
    who will not come in time; with ``own_customers_first`` it keeps its place with the
    advisor, who still takes it if they are free before anyone else is. bench/day measures
    what each costs and buys.

    A caller whose advisor is at work but busy may ask for the advisor to call them back
    (key 3 while waiting). Only the advisor takes that callback for ``advisor_callback_seconds``
    (their breaks included); after that, or once the advisor logs off, it widens through the
    tiers like any call, so their team calls back. 0 stops the offer.
    """

    advisor_seconds: float = 60.0
    office_seconds: float = 10.0
    language_seconds: float = 60.0
    own_customers_first: bool = True
    predict_advisor: bool = False
    advisor_callback_seconds: float = 4 * 3600.0
    # Recording consultant calls in this queue (off unless the office switches it on), and
    # whether a caller may decline it by key after the notice (see recordings/).
    record_calls: bool = False
    caller_may_decline: bool = True

    @classmethod
    def fifo(cls) -> RoutingPolicy:
        """Return plain longest-waiting-first routing: no tiers, no preferences."""
        return cls(0.0, 0.0, 0.0, own_customers_first=False, advisor_callback_seconds=0.0)

    def entry_fields(self) -> dict[str, str]:
        """Return the policy as the fields a queue entry carries into Redis."""
        return {
            "t1": repr(float(self.advisor_seconds)),
            "t2": repr(float(self.office_seconds)),
            "t3": repr(float(self.language_seconds)),
            "own_first": "1" if self.own_customers_first else "0",
            "predict": "1" if self.predict_advisor else "0",
        }


def parse_policies(text: str, default: RoutingPolicy) -> dict[str, RoutingPolicy]:
    """Parse HOTLINE_QUEUE_POLICIES: {"queue": {"advisor_seconds": 30, ...}, ...}."""
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"queue policies are not valid JSON: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise PolicyError("queue policies must map queue names to policies")
    known = {field.name for field in fields(RoutingPolicy)}
    switches = {"own_customers_first", "predict_advisor", "record_calls", "caller_may_decline"}
    policies = {}
    for queue, overrides in raw.items():
        if not isinstance(overrides, Mapping) or set(overrides) - known:
            raise PolicyError(f"queue {queue!r}: policy keys must be among {sorted(known)}")
        values = {**default.__dict__, **overrides}
        for name in known - switches:
            if not isinstance(values[name], int | float) or values[name] < 0:
                raise PolicyError(f"queue {queue!r}: {name} must be a number of seconds >= 0")
        for name in switches:
            if not isinstance(values[name], bool):
                raise PolicyError(f"queue {queue!r}: {name} must be true or false")
        policies[str(queue)] = RoutingPolicy(**values)
    return policies
